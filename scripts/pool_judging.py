"""Pooled, blind relevance judging for the evaluation sets (as in TREC).

A question's `ids` list the passages its writer judged relevant; the retriever may find another
passage that answers it just as well. This pools the top 3 of crampbot and both baselines for every
in-scope question, keeps the pairs nobody has judged, and writes them out for judges who see only
the question, the candidates in alphabetical order and the passage texts: no system names, ranks
or existing labels. A random 20% of questions (`--calibration`) also carry their existing labels, to
measure how the judges agree with the writer. `apply` then adds the passages judged relevant to `ids` and
records the rest in knowledge/eval/judged_not_relevant.yaml, so a later pool (after the
retriever or the phrasings change) only asks about pairs nobody has judged yet.

    python scripts/pool_judging.py build --out /tmp/pool --batches 6
    # judges write /tmp/pool/judged_<k>.yaml:  items: [{key: main-003, judgments: {<id>: yes, ...}}]
    python scripts/pool_judging.py apply --pool /tmp/pool
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.chat import Bot
from bot.evaluate import EvalSet, Ranker, bm25_baseline, crampbot_ranker, load_eval_set, tfidf_baseline

EVAL = Path(__file__).resolve().parent.parent / "knowledge" / "eval"
SETS = {"main": EVAL / "questions.yaml", "holdout": EVAL / "questions_holdout.yaml"}
NOT_RELEVANT = EVAL / "judged_not_relevant.yaml"
DEPTH = 3
IDS_LINE = re.compile(r"^(\s*)ids: \[(.*)\]\s*$")


@dataclass
class Item:
    key: str
    question: str
    candidates: list[str]
    unjudged: list[str]
    original: list[str]
    calibration: bool


def load_not_relevant() -> dict[str, dict[str, list[str]]]:
    """{set file name: {question: passage ids judged not relevant}}."""
    if not NOT_RELEVANT.exists():
        return {}
    data = yaml.safe_load(NOT_RELEVANT.read_text(encoding="utf-8")) or {}
    return {str(k): {str(q): list(v) for q, v in (d or {}).items()} for k, d in (data.get("sets") or {}).items()}


def pool(bot: Bot, name: str, cases: EvalSet, rng: random.Random, judged_no: dict[str, list[str]],
         calibration_share: float) -> list[Item]:
    rankers: list[Ranker] = [crampbot_ranker(bot), tfidf_baseline(bot.knowledge.passages, cases)[0]]
    bm25 = bm25_baseline(bot.knowledge.passages, cases)
    if bm25 is not None:
        rankers.append(bm25[0])
    items = []
    for n, case in enumerate(cases.in_scope):
        found = {pid for rank in rankers for pid in rank(case.question)[0][:DEPTH]}
        unjudged = found - case.ids - set(judged_no.get(case.question, ()))
        calibration = rng.random() < calibration_share
        candidates = unjudged | case.ids if calibration else unjudged
        items.append(Item(f"{name}-{n:03d}", case.question, sorted(candidates), sorted(unjudged), sorted(case.ids),
                          calibration))
    return items


def build(out: Path, batches: int, seed: int, calibration_share: float) -> None:
    bot = Bot.from_knowledge()
    rng = random.Random(seed)
    judged_no = load_not_relevant()
    items = [item for name, path in SETS.items()
             for item in pool(bot, name, load_eval_set(path), rng, judged_no.get(path.name, {}), calibration_share)]
    rng.shuffle(items)
    items = [i for i in items if i.candidates]  # nothing to ask about the others
    out.mkdir(parents=True, exist_ok=True)
    (out / "items.json").write_text(json.dumps([vars(i) for i in items], indent=1), encoding="utf-8")
    catalogue = "\n\n".join(f"### {p.id}\nQuestion heading: {p.question}\n{p.answer}" for p in bot.knowledge.passages)
    (out / "catalogue.md").write_text(f"# Passage catalogue\n\n{catalogue}\n", encoding="utf-8")
    for k in range(batches):
        batch = [{"key": i.key, "question": i.question, "candidates": i.candidates} for i in items[k::batches]]
        (out / f"batch_{k}.yaml").write_text(yaml.safe_dump({"items": batch}, sort_keys=False, width=120),
                                             encoding="utf-8")
    pairs = sum(len(i.unjudged) for i in items)
    print(f"{len(items)} questions to judge, {pairs} unjudged pairs, {batches} batches in {out}")


def apply(pool_dir: Path) -> None:
    items = {i["key"]: i for i in json.loads((pool_dir / "items.json").read_text(encoding="utf-8"))}
    verdicts: dict[str, dict[str, bool]] = {}
    for path in sorted(pool_dir.glob("judged_*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
            verdicts[entry["key"]] = {str(k): bool(v) for k, v in (entry.get("judgments") or {}).items()}
    missing = sorted(set(items) - set(verdicts))
    if missing:
        raise SystemExit(f"no judgments for {len(missing)} questions, e.g. {missing[:3]}")
    kept = sum(verdicts[k][pid] for k, i in items.items() if i["calibration"] for pid in i["original"])
    checked = sum(len(i["original"]) for i in items.values() if i["calibration"])
    if checked:
        print(f"calibration: the judges accepted {kept}/{checked} existing labels")
    judged_no = load_not_relevant()
    for name, path in SETS.items():
        added = _add_ids(path, name, items, verdicts)
        no = judged_no.setdefault(path.name, {})
        for key, item in items.items():
            if key.startswith(f"{name}-"):
                rejected = [pid for pid in item["unjudged"] if not verdicts[key].get(pid)]
                if rejected:
                    no[item["question"]] = sorted(set(no.get(item["question"], [])) | set(rejected))
        print(f"{path.name}: {added} ids added")
    header = ("# Passages pooled judging found NOT relevant to an evaluation question (see scripts/pool_judging.py).\n"
              "# Not used by `crampbot eval`; it stops a later pool from asking the judges the same pair again.\n")
    NOT_RELEVANT.write_text(header + yaml.safe_dump({"sets": judged_no}, sort_keys=True, width=200, allow_unicode=True),
                            encoding="utf-8")


def _add_ids(path: Path, name: str, items: dict[str, dict], verdicts: dict[str, dict[str, bool]]) -> int:
    """Append relevant passages to each in-scope `ids: [...]` line, keeping the file's comments."""
    text = path.read_text(encoding="utf-8")
    questions = [str(e["q"]) for e in yaml.safe_load(text)["in_scope"]]
    lines = text.splitlines(keepends=True)
    n = added = 0
    in_scope = False
    for i, line in enumerate(lines):
        if not line.startswith((" ", "-", "#")) and line.strip():
            in_scope = line.startswith("in_scope:")
        match = IDS_LINE.match(line)
        if in_scope and match:
            item = items.get(f"{name}-{n:03d}")
            n += 1
            if item is None:  # nothing was asked about this question
                continue
            if item["question"] != questions[n - 1]:
                raise SystemExit(f"{path.name} changed since the pool was built: {item['question']!r} is not question {n}")
            ids = [x.strip() for x in match.group(2).split(",")]
            new = [pid for pid in item["unjudged"] if verdicts[item["key"]].get(pid) and pid not in ids]
            lines[i] = f"{match.group(1)}ids: [{', '.join(ids + new)}]\n"
            added += len(new)
    path.write_text("".join(lines), encoding="utf-8")
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write the pool, the passage catalogue and the judges' batches")
    b.add_argument("--out", type=Path, required=True)
    b.add_argument("--batches", type=int, default=6)
    b.add_argument("--seed", type=int, default=20261126)
    b.add_argument("--calibration", type=float, default=0.2, help="share of questions that also carry their labels")
    a = sub.add_parser("apply", help="add the passages judged relevant to the evaluation sets")
    a.add_argument("--pool", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "build":
        build(args.out, args.batches, args.seed, args.calibration)
    else:
        apply(args.pool)


if __name__ == "__main__":
    main()
