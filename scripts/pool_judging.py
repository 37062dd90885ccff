"""Pooled, blind relevance judging for the evaluation sets (as in TREC).

A question's `ids` list the passages its writer judged relevant; the retriever may find another
passage that answers it just as well. `build` pools the top 3 of crampbot and both baselines for
every in-scope question, keeps the pairs nobody has judged, and writes them out for judges who see
only the question, the candidates in alphabetical order and the passage texts: no system names,
ranks, set names or existing labels. A random share of questions (`--calibration`, default 20%)
also carry their existing labels, to measure how strict the judges are compared with the writer.
`apply` checks every verdict, then adds the passages judged relevant to `ids` and records the rest
in knowledge/eval/judged_not_relevant.yaml, so a later pool (after the retriever or the phrasings
change) only asks about pairs nobody has judged yet.

    python scripts/pool_judging.py build --out /tmp/pool --batches 6
    # judges write /tmp/pool/judged_<k>.yaml:  items: [{key: q1a2b3c4d5, judgments: {<id>: yes, ...}}]
    python scripts/pool_judging.py apply --pool /tmp/pool
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.chat import Bot
from bot.evaluation.retrieval import EvalSet, Ranker, bm25_baseline, crampbot_ranker, load_eval_set, tfidf_baseline

EVAL = Path(__file__).resolve().parent.parent / "knowledge" / "eval"
SETS = (EVAL / "questions.yaml", EVAL / "questions_holdout.yaml", EVAL / "questions_fresh.yaml")
NOT_RELEVANT = EVAL / "judged_not_relevant.yaml"
DEPTH = 3
# One in-scope entry's labels, as the eval files write them: `ids: [a, b]` on one line.
IDS_LINE = re.compile(r"^(?P<lead>\s*(?:- )?ids:\s*)\[(?P<body>[^\]\n]*)\](?P<tail>\s*(?:#.*)?)$")
PASSAGE_ID = re.compile(r"^[\w.-]+$")


@dataclass
class Item:
    """One question to judge; `key` is opaque so judges cannot tell the sets apart."""

    key: str
    set_file: str
    question: str
    candidates: list[str]
    unjudged: list[str]
    original: list[str]
    calibration: bool


def item_key(set_file: str, question: str) -> str:
    """Tied to the question's text: a judgment can never land on another question."""
    return "q" + hashlib.sha1(f"{set_file}\n{question}".encode()).hexdigest()[:10]


def load_not_relevant() -> dict[str, dict[str, list[str]]]:
    """{set file name: {question: passage ids judged not relevant}}."""
    if not NOT_RELEVANT.exists():
        return {}
    data = yaml.safe_load(NOT_RELEVANT.read_text(encoding="utf-8")) or {}
    return {str(k): {str(q): list(v) for q, v in (d or {}).items()} for k, d in (data.get("sets") or {}).items()}


def pool(
    bot: Bot,
    set_file: str,
    cases: EvalSet,
    rng: random.Random,
    judged_no: dict[str, list[str]],
    calibration_share: float,
) -> list[Item]:
    """The top DEPTH of every system for each in-scope question, minus the pairs already judged."""
    rankers: list[Ranker] = [crampbot_ranker(bot), tfidf_baseline(bot.knowledge.passages, cases)[0]]
    bm25 = bm25_baseline(bot.knowledge.passages, cases)
    if bm25 is None:
        print("warning: rank-bm25 is not installed; the BM25 baseline is left out of the pool", file=sys.stderr)
    else:
        rankers.append(bm25[0])
    items = []
    for case in cases.in_scope:
        found = {pid for rank in rankers for pid in rank(case.question)[0][:DEPTH]}
        unjudged = found - case.ids - set(judged_no.get(case.question, ()))
        calibration = rng.random() < calibration_share
        candidates = unjudged | case.ids if calibration else unjudged
        items.append(
            Item(
                item_key(set_file, case.question),
                set_file,
                case.question,
                sorted(candidates),
                sorted(unjudged),
                sorted(case.ids),
                calibration,
            )
        )
    return items


def build(out: Path, batches: int, seed: int, calibration_share: float) -> None:
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty: old judgments there would be applied to this pool")
    bot = Bot.from_knowledge()
    rng = random.Random(seed)
    judged_no = load_not_relevant()
    items = [
        item
        for path in SETS
        for item in pool(bot, path.name, load_eval_set(path), rng, judged_no.get(path.name, {}), calibration_share)
    ]
    keys = [i.key for i in items]
    if len(keys) != len(set(keys)):
        raise SystemExit("a question appears twice in one evaluation set; remove the copy first")
    rng.shuffle(items)
    items = [i for i in items if i.candidates]  # nothing to ask about the others
    out.mkdir(parents=True, exist_ok=True)
    (out / "items.json").write_text(json.dumps([asdict(i) for i in items], indent=1), encoding="utf-8")
    catalogue = "\n\n".join(f"### {p.id}\nQuestion heading: {p.question}\n{p.answer}" for p in bot.knowledge.passages)
    (out / "catalogue.md").write_text(f"# Passage catalogue\n\n{catalogue}\n", encoding="utf-8")
    for k in range(batches):
        batch = [{"key": i.key, "question": i.question, "candidates": i.candidates} for i in items[k::batches]]
        (out / f"batch_{k}.yaml").write_text(
            yaml.safe_dump({"items": batch}, sort_keys=False, width=120), encoding="utf-8"
        )
    pairs = sum(len(i.unjudged) for i in items)
    print(f"{len(items)} questions to judge, {pairs} unjudged pairs, {batches} batches in {out}")


def verdict(value: object) -> bool | None:
    """yes/no (or true/false) as YAML reads it unquoted (a bool) or quoted ("yes"); None for anything else."""
    if isinstance(value, bool):
        return value
    words = {"yes": True, "true": True, "no": False, "false": False}
    return words.get(value.strip().lower()) if isinstance(value, str) else None


def read_verdicts(pool_dir: Path, items: dict[str, Item]) -> dict[str, dict[str, bool]]:
    """Every judged file's verdicts, refusing anything short of a yes/no for exactly the candidates."""
    verdicts: dict[str, dict[str, bool]] = {}
    problems: list[str] = []
    for path in sorted(pool_dir.glob("judged_*.yaml")):
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("items") or []:
            key = str(entry.get("key"))
            judged = entry.get("judgments") or {}
            if key not in items:
                problems.append(f"{path.name}: unknown key {key!r}")
            elif key in verdicts:
                problems.append(f"{path.name}: {key} is judged twice")
            elif set(judged) != set(items[key].candidates):
                problems.append(f"{path.name}: {key} judges {sorted(judged)}, expected {items[key].candidates}")
            elif not all(verdict(v) is not None for v in judged.values()):
                problems.append(f"{path.name}: {key} has a verdict that is not yes or no")
            else:
                verdicts[key] = {str(k): bool(verdict(v)) for k, v in judged.items()}
    problems += [f"no judgments for {key}" for key in sorted(set(items) - set(verdicts))]
    if problems:
        raise SystemExit("\n".join(problems))
    return verdicts


def relabelled(path: Path, items: list[Item], verdicts: dict[str, dict[str, bool]]) -> tuple[str, int]:
    """The eval file's text with relevant passages appended to each judged question's `ids` line."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    root = yaml.compose(text)
    top = {key.value: value for key, value in root.value} if isinstance(root, yaml.MappingNode) else {}
    where: dict[str, tuple[int, list[str]]] = {}  # question -> (line of its ids, its ids)
    for entry in getattr(top.get("in_scope"), "value", []):
        fields = {key.value: value for key, value in entry.value}
        ids_node, question = fields["ids"], fields["q"].value
        line = ids_node.start_mark.line
        if (
            not isinstance(ids_node, yaml.SequenceNode)
            or ids_node.end_mark.line != line
            or not IDS_LINE.match(lines[line].rstrip("\n"))
        ):
            raise SystemExit(f"{path.name}:{line + 1}: write the ids of {question!r} as `ids: [a, b]` on one line")
        where[question] = (line, [n.value for n in ids_node.value])
    added = 0
    for item in items:
        if item.question not in where:
            raise SystemExit(f"{path.name} changed since the pool was built: {item.question!r} is gone")
        line, ids = where[item.question]
        new = [pid for pid in item.unjudged if verdicts[item.key][pid] and pid not in ids]
        if not new:
            continue
        if not all(PASSAGE_ID.match(pid) for pid in ids + new):
            raise SystemExit(f"{path.name}:{line + 1}: unexpected characters in a passage id")
        match = IDS_LINE.match(lines[line].rstrip("\n"))
        assert match is not None  # checked above
        lines[line] = f"{match['lead']}[{', '.join(ids + new)}]{match['tail']}\n"
        added += len(new)
    return "".join(lines), added


def apply(pool_dir: Path) -> None:
    items = {i["key"]: Item(**i) for i in json.loads((pool_dir / "items.json").read_text(encoding="utf-8"))}
    verdicts = read_verdicts(pool_dir, items)
    checked = [verdicts[k][pid] for k, i in items.items() if i.calibration for pid in i.original]
    if checked:
        print(f"calibration: the judges accepted {sum(checked)}/{len(checked)} existing labels")
    judged_no = load_not_relevant()
    updates: dict[Path, str] = {}
    for path in SETS:
        mine = [i for i in items.values() if i.set_file == path.name]
        updates[path], added = relabelled(path, mine, verdicts)
        no = judged_no.setdefault(path.name, {})
        for item in mine:
            rejected = [pid for pid in item.unjudged if not verdicts[item.key][pid]]
            if rejected:
                no[item.question] = sorted(set(no.get(item.question, [])) | set(rejected))
        print(f"{path.name}: {added} ids added")
    header = (
        "# Passages pooled judging found NOT relevant to an evaluation question (see scripts/pool_judging.py).\n"
        "# Not used by `crampbot eval`; it stops a later pool from asking the judges the same pair again.\n"
    )
    updates[NOT_RELEVANT] = header + yaml.safe_dump({"sets": judged_no}, sort_keys=True, width=200, allow_unicode=True)
    for path, text in updates.items():  # only once everything above has been checked
        path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write the pool, the passage catalogue and the judges' batches")
    b.add_argument("--out", type=Path, required=True, help="an empty or new folder")
    b.add_argument("--batches", type=int, default=6)
    b.add_argument("--seed", type=int, default=20261126)
    b.add_argument("--calibration", type=float, default=0.2, help="share of questions that also carry their labels")
    a = sub.add_parser("apply", help="add the passages judged relevant to the evaluation sets")
    a.add_argument("--pool", type=Path, required=True)
    args: Any = parser.parse_args(argv)
    if args.command == "build":
        build(args.out, args.batches, args.seed, args.calibration)
    else:
        apply(args.pool)


if __name__ == "__main__":
    main()
