"""eval/score.py's scoring on a small hand-made report and labels (CI scores the corpus
itself with `score.py --check`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_score", ROOT / "eval" / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


score_py = _load()

LABELS = """
[[post]]
file = "p1.txt"
verdict = "block"
findings = [
  { rule = "N102", student = "S2001" },
  { rule = "S301" },
]
why = "Hope named; the trip Friday"

[[post]]
file = "p2.txt"
verdict = "ok"
why = "clean: 'we hope'"

[[post]]
file = "p3.md"
verdict = "review"
findings = [{ rule = "N101", student = "S2002" }, { rule = "R503" }]
why = "Will Parker (full); a parent's phone"
"""


def _finding(rule: str, student: str | None = None, severity: str = "violation",
             text: str = "x") -> dict[str, Any]:
    return {"rule": rule, "name": "n", "severity": severity, "message": "m", "source": "text",
            "file": "f", "span": {"start": 0, "end": 1, "text": text}, "box": None,
            "student_id": student, "policy": []}


REPORT: dict[str, Any] = {"version": 1, "publish_at": "2026-12-02T07:30:00-08:00", "posts": [
    # Found both, the N102 twice (counts once), plus an info finding (not scored).
    {"path": "posts/p1.txt", "images": [], "verdict": "block", "findings": [
        _finding("N102", "S2001"), _finding("N101", "S2001"), _finding("S301"),
        _finding("F400", severity="info")]},
    # A false alarm on a clean post.
    {"path": "posts/p2.txt", "images": [], "verdict": "review", "findings": [
        _finding("N103", None, "warning", "Moon River")]},
    # The N101 found, the phone missed, a false R501 for the student.
    {"path": "posts/p3.md", "images": [], "verdict": "block", "findings": [
        _finding("N101", "S2002", "warning"), _finding("R501", "S2002")]},
]}


@pytest.fixture
def labels(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "x.toml"
    path.write_text(LABELS, encoding="utf-8")
    result: dict[str, Any] = score_py.load_labels([path], frozenset({"S2001", "S2002"}))
    return result


def test_scores_per_family_and_overall(labels: dict[str, Any]) -> None:
    s = score_py.score(labels, score_py.parse_report(REPORT, "posts"))
    fig = score_py.figures(s)
    n, r, c, s301 = (fig["families"][f] for f in ("N", "R", "C", "S"))
    assert (n["tp"], n["fp"], n["fn"]) == (2, 1, 0)      # N102+N101 for S2001 count once
    assert n["precision"] == pytest.approx(2 / 3, abs=1e-4) and n["recall"] == 1.0
    assert (r["tp"], r["fp"], r["fn"]) == (0, 1, 1)      # R501 S2002 false, R503 missed
    assert r["precision"] == 0.0 and r["recall"] == 0.0 and r["f1"] == 0.0
    assert (s301["tp"], s301["fn"]) == (1, 0)
    assert c["precision"] is None and c["recall"] is None  # nothing to measure
    overall = fig["overall"]
    assert (overall["tp"], overall["fp"], overall["fn"]) == (3, 2, 1)
    assert fig["families"]["F"]["found"] == 0              # the info F400 is not scored


def test_silent_checks_and_verdicts(labels: dict[str, Any]) -> None:
    s = score_py.score(labels, score_py.parse_report(REPORT, "posts"))
    # 7 families x 3 posts, minus those each post must raise: p1 N,S; p3 N,R.
    assert s.silent_total == (16, 17)                      # p2 spoke (N103); p3 may raise R
    assert s.silent("N") == (0, 1) and s.silent("R") == (2, 2) and s.silent("S") == (2, 2)
    assert s.verdicts == (1, 3)
    assert s.confusion()["ok"]["review"] == 1


def test_misses_name_the_rule_span_and_message(labels: dict[str, Any]) -> None:
    s = score_py.score(labels, score_py.parse_report(REPORT, "posts"))
    text = score_py.render_misses(s)
    assert "p2.txt: verdict ok, smcheck review" in text
    assert "false  N -  N103 warning 'Moon River': m" in text
    assert "missed R -  (label R503)" in text
    assert "smcheck has R501 S2002" in text
    assert "p1.txt" not in text                            # nothing missed or false there


def test_unlabelled_post_and_orphan_label_are_errors(labels: dict[str, Any]) -> None:
    results = score_py.parse_report(REPORT, "posts")
    extra = {**results, "p4.txt": results["p2.txt"]}
    with pytest.raises(score_py.CorpusError, match=r"without a label: p4\.txt"):
        score_py.score(labels, extra)
    del results["p3.md"]
    with pytest.raises(score_py.CorpusError, match=r"label.*without a post.*p3\.md"):
        score_py.score(labels, results)


@pytest.mark.parametrize(("toml", "message"), [
    ('[[post]]\nfile = "a.txt"\nverdict = "fine"\nwhy = "w"', "verdict"),
    ('[[post]]\nfile = "a.txt"\nverdict = "ok"', "why"),
    ('[[post]]\nfile = "a.txt"\nverdict = "ok"\nwhy = "w"\nfindings = [{ rule = "X1" }]',
     "not a rule code"),
    ('[[post]]\nfile = "a.txt"\nverdict = "ok"\nwhy = "w"\n'
     'findings = [{ rule = "N101", student = "S9999" }]', "not a roster student"),
    ('[[post]]\nfile = "a.txt"\nverdict = "ok"\nwhy = "w"\nstudent = "S2001"', "unknown key"),
    ('[[post]]\nfile = "a.txt"\nverdict = "ok"\nwhy = "w"\n'
     '[[post]]\nfile = "a.txt"\nverdict = "ok"\nwhy = "w"', "labelled twice"),
])
def test_malformed_labels_are_refused(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(score_py.CorpusError, match=message):
        score_py.load_labels([path], frozenset({"S2001"}))


def test_floors(labels: dict[str, Any]) -> None:
    fig = score_py.figures(score_py.score(labels, score_py.parse_report(REPORT, "posts")))
    assert score_py.below_floors(fig, {"recall": {"N": 1.0, "C": 0.9}, "silent": 0.5}) == []
    fails = score_py.below_floors(fig, {"recall": {"overall": 0.9}, "precision": {"R": 0.1},
                                        "verdict": 0.5})
    assert [f.split()[0:2] for f in fails] == [["recall", "overall"], ["precision", "R"],
                                               ["verdict", "agreement"]]
    with pytest.raises(score_py.CorpusError, match="unknown family"):
        score_py.below_floors(fig, {"recall": {"Q": 0.1}})


def test_the_corpus_floors_file_parses() -> None:
    floors = score_py.load_floors()
    assert set(floors["recall"]) == {*score_py.FAMILIES, "overall"}


def test_select_posts_copies_matches_with_their_images(tmp_path: Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    dst.mkdir()
    for name in ("a001-x.txt", "a001-x.jpg", "a001-x-2.png", "a001-x-bar.txt", "b001-y.md"):
        (src / name).write_text("t", encoding="utf-8")
    assert score_py.select_posts(src, "a001-x.*", dst) == 1
    assert sorted(p.name for p in dst.iterdir()) == ["a001-x-2.png", "a001-x.jpg",
                                                     "a001-x.txt"]
