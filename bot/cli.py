"""The `crampbot` command line: a thin layer over Bot, the corpus and the HTTP app."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import logging.config
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__
from bot.corpus.passages import KnowledgeError, load_passages
from bot.logs import logging_config
from bot.settings import PREFIX, Settings, SettingsError, get_settings, settings_help

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.corpus.check import CheckReport
    from bot.store.review import Candidate

log = logging.getLogger("bot")


def _knowledge(args: argparse.Namespace, settings: Settings) -> Path:
    return Path(args.knowledge) if args.knowledge else settings.knowledge


def _question(words: Sequence[str]) -> str:
    """The question from the command line: its words joined ("crampbot ask why do calves cramp"),
    or standard input for "-"."""
    return sys.stdin.read().strip() if list(words) == ["-"] else " ".join(words).strip()


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Ask one question and print the reply (escalation first, then the short answer and the rest).

    Examples: crampbot ask what causes leg cramps at night --explain
              echo "is magnesium good for cramps?" | crampbot ask -
    """
    from bot.chat import Bot
    from bot.evaluation.explain import explain, format_explanation
    from bot.terminal import format_reply, use_colour

    question = _question(args.question)
    if not question:
        print("error: the question is empty", file=sys.stderr)
        return 2
    if len(question) > settings.max_question_chars:
        print(f"error: the question is longer than {settings.max_question_chars} characters", file=sys.stderr)
        return 2
    bot = Bot.from_settings(replace(settings, knowledge=_knowledge(args, settings)))
    reply = bot.ask(question)
    evidence = explain(reply, bot.retriever.config, bot.version) if args.explain else None
    if args.json:
        print(json.dumps(reply.to_dict() | ({"explain": evidence} if evidence else {}), ensure_ascii=False, indent=2))
        return 0
    print(format_reply(reply, colour=use_colour(sys.stdout)))
    if evidence:
        print("\n" + format_explanation(evidence))
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Talk to crampbot in the terminal: a conversation, so follow-ups ("and at night?") and any
    escalation carry over from one message to the next. Up and down arrows recall earlier messages.
    Leave with Ctrl-D, Ctrl-C, "quit" or "exit".

    Example: crampbot chat
    """
    from bot.chat import Bot
    from bot.conversation.state import Conversation
    from bot.evaluation.explain import explain, format_explanation
    from bot.terminal import format_reply, use_colour

    interactive = sys.stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):  # not on every platform; the chat works without it
            import readline  # noqa: F401  (history and line editing for input())
    bot = Bot.from_settings(replace(settings, knowledge=_knowledge(args, settings)))
    colour = use_colour(sys.stdout)
    conversation = Conversation()
    if interactive:
        print("crampbot: questions about leg cramps. General information, not medical advice. Ctrl-D to leave.")
    while True:
        try:
            line = input("you> " if interactive else "")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        question = line.strip()
        if question.casefold() in {"quit", "exit", ":q"}:
            return 0
        if not question:
            continue
        if len(question) > settings.max_question_chars:
            print(f"(that is longer than {settings.max_question_chars} characters; please shorten it)")
            continue
        reply = bot.ask(question, conversation)
        conversation = bot.remember_reply(conversation, question, reply)
        print("\n" + format_reply(reply, colour=colour, details=args.explain) + "\n")
        if args.explain:
            print(format_explanation(explain(reply, bot.retriever.config, bot.version)) + "\n")


def cmd_passages(args: argparse.Namespace, settings: Settings) -> int:
    """List every passage the articles were split into, and the curated entries: id, source, question, answer length.

    Example: crampbot passages --json
    """
    passages = load_passages(_knowledge(args, settings), curated=True)
    if args.json:
        rows = [
            {
                "id": p.id,
                "source": p.source,
                "title": p.title,
                "question": p.question,
                "answer_chars": len(p.answer),
                "curated": p.curated,
            }
            for p in passages
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    width = max((len(p.id) for p in passages), default=2)
    print(f"{'id':<{width}}  {'chars':>5}  question")
    for p in passages:
        print(f"{p.id:<{width}}  {len(p.answer):>5}  {p.question}")
    curated = sum(p.curated for p in passages)
    print(
        f"\n{len(passages) - curated} passages from {len({p.source for p in passages if not p.curated})} sources"
        f" and {curated} curated entries"
    )
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Measure answer accuracy on knowledge/eval/ against two baselines; exit 1 below the thresholds.

    Example: crampbot eval --json
    """
    from bot.chat import Bot
    from bot.evaluation.dialogue import DIALOGUES_FILE, evaluate_dialogue_folder
    from bot.evaluation.not_covered import NOT_COVERED_FILE, evaluate_not_covered, load_not_covered_set
    from bot.evaluation.retrieval import floors_for, format_report, run_evaluation
    from bot.evaluation.safety import evaluate_safety, load_safety_cases
    from bot.evaluation.thresholds import REQUIRED_SECTIONS, THRESHOLDS_FILE, load_thresholds

    knowledge = _knowledge(args, settings)
    eval_dir = knowledge / "eval"
    not_covered_path = eval_dir / NOT_COVERED_FILE
    required = (
        *REQUIRED_SECTIONS,
        *(["not_covered"] if not_covered_path.exists() else []),
        *(["dialogue"] if (eval_dir / DIALOGUES_FILE).exists() else []),
    )
    thresholds = load_thresholds(eval_dir / THRESHOLDS_FILE, required=required)
    # The answer cache off: every question answered from scratch, so the latency columns time retrieval
    bot = Bot.from_settings(replace(settings, knowledge=knowledge, answer_cache=0))
    eval_path = Path(args.set) if args.set else eval_dir / "questions.yaml"
    report = run_evaluation(bot, eval_path, floors_for(thresholds, eval_path.name), baselines=not args.no_baselines)
    red_flags, safe = load_safety_cases(eval_dir)
    safety = evaluate_safety(bot.knowledge.lexicon, red_flags, safe)
    safety_failures = safety.failures(thresholds["safety"])
    not_covered = (
        evaluate_not_covered(bot, load_not_covered_set(not_covered_path)) if not_covered_path.exists() else None
    )
    not_covered_failures = not_covered.failures(thresholds["not_covered"]) if not_covered else []
    dialogue = evaluate_dialogue_folder(bot, eval_dir)
    dialogue_failures = dialogue.failures(thresholds["dialogue"]) if dialogue else []
    passed = report.passed and not safety_failures and not not_covered_failures and not dialogue_failures
    if args.json:
        print(
            json.dumps(
                {
                    "retrieval": report.to_dict(),
                    "safety": safety.to_dict(),
                    "not_covered": not_covered.to_dict() if not_covered else None,
                    "dialogue": dialogue.to_dict() if dialogue else None,
                    "passed": passed,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(format_report(report))
        print("\n" + safety.format_table())
        print("PASS: safety thresholds met" if not safety_failures else "FAIL: " + "; ".join(safety_failures))
        if not_covered is not None:
            print("\n" + not_covered.format_table())
            print(
                "PASS: not-covered thresholds met"
                if not not_covered_failures
                else "FAIL: " + "; ".join(not_covered_failures)
            )
        if dialogue is not None:
            print("\n" + dialogue.format_table())
            print("PASS: dialogue thresholds met" if not dialogue_failures else "FAIL: " + "; ".join(dialogue_failures))
    return 0 if passed else 1


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the HTTP API (and the widget) with uvicorn, in one process or several workers.

    Examples: crampbot serve --host 127.0.0.1 --port 8000 --knowledge ./knowledge
              crampbot serve --workers 2
    """
    from bot.web.serve import serve

    # Checked before uvicorn starts: a folder `crampbot check` rejects stops here with its errors
    # and exit status 1, not with a server traceback (a KnowledgeError, see main()).
    serve(
        replace(
            settings,
            knowledge=_knowledge(args, settings),
            host=args.host or settings.host,
            port=args.port if args.port is not None else settings.port,
            workers=args.workers if args.workers is not None else settings.workers,
        )
    )
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """Check the knowledge folder: every problem as `file:line: level: message`; exit 1 on errors.

    Errors stop the knowledge from shipping (and a live reload from taking it); warnings are
    worth a look. Example: crampbot check --knowledge ./knowledge
    """
    from bot.corpus.check import run_check

    report = run_check(_knowledge(args, settings))
    if args.json:
        print(
            json.dumps(
                {
                    "ok": not report.errors,
                    "errors": len(report.errors),
                    "warnings": len(report.warnings),
                    "problems": [p.to_dict() for p in report.problems],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        _print_check(report)
    return 1 if report.errors else 0


def _print_check(report: CheckReport) -> None:
    """Each problem as `file:line: level: message`, then the counts."""
    for problem in report.problems:
        print(problem.format(report.root))
    counts = f"{_count(len(report.errors), 'error')}, {_count(len(report.warnings), 'warning')}"
    if report.knowledge is None:  # not "0 passages": nothing is lost, it just could not be read
        print(f"{counts} (the knowledge could not be loaded until the errors above are fixed; {report.seconds:.2f} s)")
        return
    passages = report.knowledge.passages
    print(f"{counts} ({len(passages)} passages, {sum(p.curated for p in passages)} curated; {report.seconds:.2f} s)")


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """What people asked over a period, from the store (CRAMPBOT_DATABASE_URL): volume per day, shares
    by kind, escalations, feedback, unanswered questions grouped by meaning with the nearest passage,
    and the suggestions chosen after a fallback. Times are UTC.

    Examples: crampbot report --since 7d
              crampbot report --since 2026-12-01 --json > week.json
              crampbot report --html week.html
    """
    from bot.chat import Bot
    from bot.store.report import build_report, format_report

    since = _moment("--since", args.since)
    if since is None:
        return 2
    engine = _stored(settings)
    if engine is None:
        return 1
    bot = Bot.from_settings(replace(settings, knowledge=_knowledge(args, settings)))
    report = build_report(engine, since, nearest=bot.nearest, uncovered=bot.uncovered, top=args.top)
    engine.dispose()
    if args.html:
        from bot.store.html import render_html

        Path(args.html).write_text(render_html(report), encoding="utf-8")
        print(f"wrote {args.html}", file=sys.stderr)
        if not args.json:
            return 0
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else format_report(report))
    return 0


def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    """Review the candidate alternate phrasings: what users typed before choosing a suggested
    question after a fallback (from the store, CRAMPBOT_DATABASE_URL). Accepted ones are added to
    KNOWLEDGE/alternates.yaml (its other lines untouched), then the folder is checked.
    On a terminal it asks about each (accept, skip, quit); otherwise `--accept ID` (repeatable)
    or `--export FILE`, and without either it lists the candidates with their ids. Ids are
    stable: the same candidate has the same id in every run.

    Examples: crampbot review
              crampbot review --since 30d --accept 3f9a0c12de --accept 81b2c4d5e6
              crampbot review --export candidates.json
    """
    from bot.corpus.passages import load_passages
    from bot.store.review import candidates, stored_clicks

    since = _moment("--since", args.since)
    if since is None:
        return 2
    knowledge = _knowledge(args, settings)
    engine = _stored(settings)
    if engine is None:
        return 1
    try:
        found = candidates(stored_clicks(engine, since), load_passages(knowledge, curated=True))
    finally:
        engine.dispose()
    if args.export:
        Path(args.export).write_text(
            json.dumps([c.to_dict() for c in found], ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(f"wrote {_count(len(found), 'candidate')} to {args.export}", file=sys.stderr)
    if args.accept:
        chosen = _accepted_by_id(found, args.accept)
        if chosen is None:
            return 2
    elif args.export:
        return 0
    elif sys.stdin.isatty() and sys.stdout.isatty():
        chosen = _ask_each(found)
    else:
        _list_candidates(found)
        return 0
    return _add_accepted(knowledge, chosen)


def _list_candidates(found: list[Candidate]) -> None:
    if not found:
        print("no candidates: no suggestion was chosen after a fallback in the period")
        return
    for c in found:
        note = {
            "new": "",
            "known": "  (the passage already has it)",
            "no_passage": "  (no such passage now)",
            "redacted": "  (holds redacted text: never added)",
        }[c.status]
        print(f"{c.id}  {c.count:>4}x  {c.question!r} -> {c.passage_id}{note}")
    print(f"\n{_count(len(found), 'candidate')}; add one with: crampbot review --accept ID")


def _accepted_by_id(found: list[Candidate], ids: Sequence[str]) -> list[Candidate] | None:
    """The candidates named; None (said why) when an id is unknown or names one that cannot be added."""
    by_id = {c.id: c for c in found}
    unknown = [i for i in dict.fromkeys(ids) if i not in by_id]
    if unknown:
        print(
            f"error: no candidate has the id {', '.join(map(repr, unknown))} in this period; "
            "`crampbot review` (without --accept) lists them, `--since` widens the period",
            file=sys.stderr,
        )
        return None
    chosen = [by_id[i] for i in dict.fromkeys(ids)]
    gone = [c for c in chosen if c.status == "no_passage"]
    if gone:
        print(
            f"error: {', '.join(c.id for c in gone)}: the knowledge in use has no passage "
            f"{', '.join(repr(c.passage_id) for c in gone)}",
            file=sys.stderr,
        )
        return None
    for c in chosen:
        if c.status == "known":
            print(f"{c.id}: {c.passage_id} already has {c.question!r}; nothing to add")
        elif c.status == "redacted":
            print(f"{c.id}: skipped, {c.question!r} holds text redaction removed; a placeholder is no phrasing")
    return [c for c in chosen if c.status == "new"]


def _ask_each(found: list[Candidate]) -> list[Candidate]:
    """Each new candidate in turn: a(ccept), s(kip) or q(uit); the ones accepted before quitting are kept."""
    pending = [c for c in found if c.status == "new"]
    redacted = sum(c.status == "redacted" for c in found)
    if redacted:
        print(f"skipped {_count(redacted, 'candidate')} holding text redaction removed ([phone], [email], [number])")
    if not pending:
        _list_candidates(found)
        return []
    chosen = []
    for n, c in enumerate(pending, 1):
        print(f"\n[{n}/{len(pending)}] {c.id}, chosen {c.count}x after a fallback")
        print(f"  they typed:   {c.question}")
        print(f"  then chose:   {c.passage_question}  ({c.passage_id})")
        while True:
            try:
                answer = input("  add it as a phrasing of that passage? [a]ccept, [s]kip, [q]uit: ").strip().lower()
            except EOFError:
                answer = "q"
            if answer in {"a", "accept", "y", "yes", "s", "skip", "n", "no", "", "q", "quit"}:
                break
        if answer in {"q", "quit"}:
            break
        if answer in {"a", "accept", "y", "yes"}:
            chosen.append(c)
    return chosen


def _add_accepted(knowledge: Path, chosen: list[Candidate]) -> int:
    """Write the accepted phrasings into alternates.yaml, check the folder, say how to serve it."""
    from bot.corpus.alternates_file import FILE, AlternatesEditError, add_to_file
    from bot.corpus.check import run_check

    if not chosen:
        print("nothing accepted; alternates.yaml unchanged")
        return 0
    additions: dict[str, list[str]] = {}
    for c in chosen:
        additions.setdefault(c.passage_id, []).append(c.question)
    try:
        add_to_file(knowledge / FILE, additions)
    except AlternatesEditError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"added {_count(len(chosen), 'phrasing')} to {knowledge / FILE}")
    report = run_check(knowledge)
    _print_check(report)
    if report.errors:
        print("fix the errors above before reloading")
        return 1
    print(
        "to serve it: POST /api/admin/reload with the admin token "
        "(curl -X POST HOST/api/admin/reload -H 'Authorization: Bearer TOKEN'), or restart the server"
    )
    return 0


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    """Delete every exchange stored before a date, with its feedback, from the store
    (CRAMPBOT_DATABASE_URL). The server also deletes what is older than CRAMPBOT_RETENTION_DAYS
    by itself, every hour. Times are UTC.

    Examples: crampbot purge --before 2026-12-01
              crampbot purge --before 30d
    """
    from bot.store.retention import purge

    before = _moment("--before", args.before)
    if before is None:
        return 2
    engine = _stored(settings)
    if engine is None:
        return 1
    gone = purge(engine, before)
    engine.dispose()
    when = f"{before:%Y-%m-%d %H:%M} UTC"
    print(f"deleted {_count(gone.exchanges, 'exchange')} and {gone.feedback} feedback stored before {when}")
    return 0


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    """The store's database (CRAMPBOT_DATABASE_URL): `upgrade` brings its schema to this version
    of crampbot (the server also does it when it starts); `current` prints its schema revision.

    Examples: crampbot db upgrade
              CRAMPBOT_DATABASE_URL=postgresql://crampbot@db/crampbot crampbot db current
    """
    from bot.store import migrate
    from bot.store.database import database_url, default_folder, open_engine, safe_url

    url = database_url(settings)
    if url is None:
        print("error: CRAMPBOT_DATABASE_URL is none: nothing is stored", file=sys.stderr)
        return 1
    if args.action == "upgrade" and (folder := default_folder(settings)) is not None:
        folder.mkdir(parents=True, exist_ok=True)
    engine = open_engine(url)
    try:
        if args.action == "upgrade":
            migrate.upgrade(engine)
        revision = migrate.current(engine)
    finally:
        engine.dispose()
    state = "up to date" if revision == migrate.head() else f"this crampbot's is {migrate.head()}"
    print(f"{safe_url(url)}: revision {revision or 'none (empty)'} ({state})")
    return 0


def _moment(option: str, text: str) -> datetime | None:
    """`--since`/`--before` as a time (UTC), or None after saying why it is not one (exit status 2)."""
    from bot.store.report import PeriodError, parse_moment

    try:
        return parse_moment(text)
    except PeriodError as exc:
        print(f"error: {option} {exc}", file=sys.stderr)
        return None


def _stored(settings: Settings) -> Engine | None:
    """An engine on the store's database when it holds crampbot's tables at this version; else None, said why."""
    from bot.store import migrate
    from bot.store.database import database_url, open_engine, safe_url, sqlite_file

    url = database_url(settings)
    if url is None:
        print("error: CRAMPBOT_DATABASE_URL is none: nothing is stored", file=sys.stderr)
        return None
    file = sqlite_file(url)
    if file is not None and not file.exists():
        print(f"error: no database at {file}: nothing has been stored yet", file=sys.stderr)
        return None
    engine = open_engine(url)
    revision = migrate.current(engine)
    if revision != migrate.head():
        engine.dispose()
        print(
            f"error: {safe_url(url)} is at schema revision {revision or 'none'}, this crampbot needs "
            f"{migrate.head()}: run `crampbot db upgrade`",
            file=sys.stderr,
        )
        return None
    return engine


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _workers(raw: str) -> int:
    from bot.settings import SETTINGS

    try:
        return int(next(s for s in SETTINGS if s.field == "workers").parse("--workers", raw))
    except SettingsError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        prog="crampbot",
        description="Answers questions about leg cramps "
        "from a curated knowledge base. General information, not medical advice.",
    )
    parser.add_argument("--version", action="version", version=f"crampbot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: object, help_text: str) -> argparse.ArgumentParser:
        doc = (func.__doc__ or "").strip()
        p = sub.add_parser(name, help=help_text, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument(
            "--knowledge", metavar="DIR", help="knowledge folder (default: CRAMPBOT_KNOWLEDGE or the bundled one)"
        )
        p.set_defaults(func=func)
        return p

    ask = add("ask", cmd_ask, "ask one question")
    ask.add_argument("question", nargs="+", help="the question (quotes optional), or - to read it from standard input")
    ask.add_argument("--json", action="store_true", help="print the reply as the HTTP API returns it")
    ask.add_argument(
        "--explain",
        action="store_true",
        help="also show why: best passages and scores, typo repairs, synonyms, intents, threshold",
    )
    chat = add("chat", cmd_chat, "talk to crampbot in the terminal (a conversation)")
    chat.add_argument(
        "--explain", action="store_true", help="also show why after each reply, including how it read a follow-up"
    )
    passages = add("passages", cmd_passages, "list the passages the articles were split into")
    passages.add_argument("--json", action="store_true", help="print as JSON")
    evaluate = add("eval", cmd_eval, "measure answer accuracy against baselines")
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate.add_argument("--set", metavar="FILE", help="evaluation questions (default: KNOWLEDGE/eval/questions.yaml)")
    evaluate.add_argument("--no-baselines", action="store_true", help="measure crampbot only")
    check = add("check", cmd_check, "check the knowledge folder for mistakes")
    check.add_argument("--json", action="store_true", help="print the problems as JSON")
    report = add("report", cmd_report, "what people asked: volume, kinds, feedback, unanswered questions")
    report.add_argument("--since", default="7d", help="start of the period: 7d, 12h, 2w or a date (default 7d)")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    report.add_argument("--html", metavar="FILE", help="also write it as one self-contained page with charts")
    report.add_argument("--top", type=int, default=20, metavar="N", help="rows in each ranked list (default 20)")
    review = add("review", cmd_review, "add the alternate phrasings users suggest to alternates.yaml")
    review.add_argument("--since", default="90d", help="start of the period: 30d, 2w or a date (default 90d)")
    review.add_argument(
        "--accept", action="append", default=[], metavar="ID", help="add this candidate (repeatable); no questions"
    )
    review.add_argument("--export", metavar="FILE", help="write the candidates as JSON to FILE")
    purge = add("purge", cmd_purge, "delete stored exchanges older than a date")
    purge.add_argument("--before", required=True, help="a date (2026-12-01, UTC) or an age (30d)")
    db = add("db", cmd_db, "set up or inspect the store's database")
    db.add_argument("action", choices=["upgrade", "current"], help="upgrade the schema, or print its revision")
    serve = add("serve", cmd_serve, "serve the HTTP API and the widget")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument(
        "--workers", type=_workers, metavar="N", help="server processes (default CRAMPBOT_WORKERS, else 1)"
    )
    serve.epilog = settings_help()
    return parser


def command_names() -> list[str]:
    """The subcommands, in the order `crampbot --help` lists them (docs tests ask this, not argparse)."""
    parser = build_parser()
    return [
        name for action in parser._actions if isinstance(action, argparse._SubParsersAction) for name in action.choices
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # One-shot commands keep their output clean unless a log level is asked for explicitly.
    quiet = args.command != "serve" and PREFIX + "LOG_LEVEL" not in os.environ
    if not logging.getLogger().handlers:  # not when embedded (tests, a host program): its logging stays
        logging.config.dictConfig(logging_config("WARNING" if quiet else settings.log_level, settings.log_format))
    try:
        return int(args.func(args, settings))
    except KnowledgeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `crampbot ask ... | head`: the reader left; nothing more to say
        sys.stderr.close()
        return 0
