"""scripts/pool_judging.py only ever adds a judged passage to the question it was judged for."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "pool_judging.py"


@pytest.fixture(scope="module")
def pj() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pool_judging", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pool_judging"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


EVAL_TEXT = """\
in_scope:
  - q: "first question"
    ids: [p.a]  # a comment the writer left
    tags: [plain]
  - ids: [p.b]
    q: second question
    tags: [plain]
  - q: third question
    ids: [p.c, p.d]
off_topic:
  - q: not about cramps
"""


def item(pj: ModuleType, question: str, candidates: list[str], original: list[str]) -> object:
    return pj.Item(pj.item_key("set.yaml", question), "set.yaml", question, candidates, candidates, original, False)


def test_relevant_passages_land_on_their_own_question_whatever_the_layout(pj: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(EVAL_TEXT, encoding="utf-8")
    second = item(pj, "second question", ["p.x", "p.y"], ["p.b"])
    first = item(pj, "first question", ["p.z"], ["p.a"])
    verdicts = {second.key: {"p.x": True, "p.y": False}, first.key: {"p.z": True}}
    text, added = pj.relabelled(path, [second, first], verdicts)
    data = yaml.safe_load(text)
    assert added == 2
    assert [e["ids"] for e in data["in_scope"]] == [["p.a", "p.z"], ["p.b", "p.x"], ["p.c", "p.d"]]
    assert "# a comment the writer left" in text


def test_ids_written_over_several_lines_are_refused_not_guessed(pj: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(EVAL_TEXT.replace("ids: [p.c, p.d]", "ids:\n      - p.c\n      - p.d"), encoding="utf-8")
    third = item(pj, "third question", ["p.x"], ["p.c"])
    with pytest.raises(SystemExit, match="on one line"):
        pj.relabelled(path, [third], {third.key: {"p.x": True}})


def write_pool(tmp_path: Path, items: list[object], *judged: dict[str, object]) -> None:
    (tmp_path / "items.json").write_text(json.dumps([vars(i) for i in items]), encoding="utf-8")
    (tmp_path / "judged_0.yaml").write_text(yaml.safe_dump({"items": list(judged)}), encoding="utf-8")


@pytest.mark.parametrize(
    ("judgments", "message"),
    [
        ({"p.x": "maybe", "p.y": True}, "not yes or no"),
        ({"p.x": 1, "p.y": True}, "not yes or no"),
        ({"p.x": True}, "expected"),
        ({"p.x": True, "p.y": False, "p.q": False}, "expected"),
    ],
)
def test_a_verdict_that_is_not_a_yes_or_no_for_exactly_the_candidates_is_refused(
    pj: ModuleType, tmp_path: Path, judgments: dict[str, object], message: str
) -> None:
    one = item(pj, "second question", ["p.x", "p.y"], ["p.b"])
    write_pool(tmp_path, [one], {"key": one.key, "judgments": judgments})
    items = {one.key: one}
    with pytest.raises(SystemExit, match=message):
        pj.read_verdicts(tmp_path, items)


def test_a_quoted_yes_or_no_counts_like_an_unquoted_one(pj: ModuleType, tmp_path: Path) -> None:
    one = item(pj, "second question", ["p.x", "p.y"], ["p.b"])
    write_pool(tmp_path, [one], {"key": one.key, "judgments": {"p.x": "Yes", "p.y": "false"}})
    assert pj.read_verdicts(tmp_path, {one.key: one}) == {one.key: {"p.x": True, "p.y": False}}


def test_judgments_for_an_unknown_question_are_refused(pj: ModuleType, tmp_path: Path) -> None:
    one = item(pj, "second question", ["p.x"], ["p.b"])
    write_pool(tmp_path, [one], {"key": "q0000000000", "judgments": {"p.x": True}})
    with pytest.raises(SystemExit, match="unknown key"):
        pj.read_verdicts(tmp_path, {one.key: one})


def test_build_refuses_a_folder_that_already_holds_judgments(pj: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "judged_0.yaml").write_text("items: []\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="not empty"):
        pj.build(tmp_path, batches=1, seed=1, calibration_share=0.0)


def test_apply_writes_labels_and_not_relevant_pairs_only_when_every_set_checks_out(
    pj: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, changed = tmp_path / "set.yaml", tmp_path / "other.yaml"
    good.write_text(EVAL_TEXT, encoding="utf-8")
    changed.write_text(EVAL_TEXT, encoding="utf-8")
    monkeypatch.setattr(pj, "SETS", (good, changed))
    monkeypatch.setattr(pj, "NOT_RELEVANT", tmp_path / "judged_not_relevant.yaml")
    first = item(pj, "first question", ["p.x", "p.y"], ["p.a"])
    gone = pj.Item(
        pj.item_key("other.yaml", "a question since deleted"),
        "other.yaml",
        "a question since deleted",
        ["p.x"],
        ["p.x"],
        ["p.a"],
        False,
    )
    pool = tmp_path / "pool"
    pool.mkdir()
    write_pool(
        pool,
        [first, gone],
        {"key": first.key, "judgments": {"p.x": True, "p.y": False}},
        {"key": gone.key, "judgments": {"p.x": True}},
    )
    with pytest.raises(SystemExit, match="is gone"):
        pj.apply(pool)
    assert good.read_text(encoding="utf-8") == EVAL_TEXT  # nothing half-applied
    assert not (tmp_path / "judged_not_relevant.yaml").exists()

    changed.write_text(EVAL_TEXT.replace("third question", "a question since deleted"), encoding="utf-8")
    pj.apply(pool)
    assert yaml.safe_load(good.read_text(encoding="utf-8"))["in_scope"][0]["ids"] == ["p.a", "p.x"]
    not_relevant = yaml.safe_load((tmp_path / "judged_not_relevant.yaml").read_text(encoding="utf-8"))["sets"]
    assert not_relevant["set.yaml"] == {"first question": ["p.y"]}
