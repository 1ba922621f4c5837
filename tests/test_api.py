"""The Python front door: smcheck.check / smcheck.audit return the reports the JSON of
SPEC section 6 serialises, and `import smcheck` loads nothing heavy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

import smcheck
from tests.conftest import DATA, ROOT

WHEN = "2026-11-20T15:00:00-08:00"
ROSTER = DATA / "roster.csv"


def test_import_smcheck_loads_no_model() -> None:
    out = subprocess.run([sys.executable, "-c", "import sys, smcheck; print(sorted(m for m in "
                          "sys.modules if m.split('.')[0] in ('spacy', 'dlib', 'fastapi', "
                          "'PIL', 'typer')))"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_check_text_matches_the_cli_json() -> None:
    report = smcheck.check("Great job, Leo! Text me at 503-555-0142.", roster=ROSTER,
                           publish_at=WHEN)
    assert isinstance(report, smcheck.Report)
    assert report.verdict == "block" and report.exit_code == 1
    data = json.loads(report.to_json())
    assert data == report.to_dict()
    [post] = data["posts"]
    assert post["path"] == "<text>"
    assert sorted(f["rule"] for f in post["findings"]) == ["C602", "N102", "R503"]
    from typer.testing import CliRunner

    from smcheck.cli import app

    cli = CliRunner().invoke(app, ["check", "--text", "Great job, Leo! Text me at 503-555-0142.",
                                   "--roster", str(ROSTER), "--publish-at", WHEN,
                                   "--format", "json"])
    assert json.loads(cli.stdout) == data


def test_check_a_path_with_images_and_a_datetime(tmp_path: Path) -> None:
    post = tmp_path / "trip.txt"
    post.write_text("Reading buddies with Sofia Hernandez today.")
    report = smcheck.check(post, roster=str(ROSTER),
                           publish_at=datetime.fromisoformat(WHEN))
    [p] = report.posts
    assert p.path == str(post) and p.publish_at == datetime.fromisoformat(WHEN)
    assert [(f.rule, f.student_id) for f in p.findings] == [("N101", "S1003")]
    assert smcheck.check(path=post, roster=ROSTER, publish_at=WHEN).to_dict() == \
        report.to_dict()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"path": "nowhere.txt"}, "nowhere.txt: file not found"),
    ({"text": "   "}, "post is empty"),
    ({"text": "hi", "images": ["missing.jpg"]}, "missing.jpg: image file not found"),
    ({"text": "hi", "roster": "missing.csv"}, "missing.csv: roster file not found"),
    ({"text": "hi", "publish_at": "soon"}, "not an ISO 8601 date-time"),
])
def test_bad_input_raises_input_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(smcheck.InputError, match=message.replace(".", r"\.")):
        smcheck.check(**kwargs)  # type: ignore[arg-type]


def test_a_checker_is_reused_and_select_ignore_apply() -> None:
    checker = smcheck.make_checker(roster=ROSTER, select=["R", "C"])
    text = "Great job, Leo! Text me at 503-555-0142."
    rules = [f.rule for f in smcheck.check(text, checker=checker, publish_at=WHEN)
             .posts[0].findings]
    assert sorted(rules) == ["C602", "R503"]
    checker = smcheck.make_checker(roster=ROSTER, ignore=["C6", "R503"])
    rules = [f.rule for f in smcheck.check(text, checker=checker, publish_at=WHEN)
             .posts[0].findings]
    assert rules == ["N102"]


def test_audit_a_folder() -> None:
    report = smcheck.audit(ROOT / "sample_posts", publish_at=WHEN)
    golden = json.loads((ROOT / "tests" / "golden" / "sample_posts.json").read_text())
    assert len(report.posts) == golden["summary"]["posts"]
    assert report.to_dict()["summary"] == golden["summary"]
    assert report.notices == ()  # sample_posts/smcheck.toml names its roster


def test_no_roster_no_config_said_in_the_report(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SMCHECK_ROSTER", raising=False)
    monkeypatch.delenv("SMCHECK_CONFIG", raising=False)
    report = smcheck.check("Our class planted tulips.", publish_at=WHEN)
    assert [n.code for n in report.notices] == ["no-roster", "no-config"]
    assert report.verdict == "ok"
    assert "every face is unverified" in report.notices[0].message


def test_readme_python_example_runs_as_written(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's Python example, copied out of the README and run in the folder it
    expects (the sample posts), in a fresh interpreter."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("```python\nimport smcheck")
    code = readme[start + len("```python\n"):readme.index("```", start + 10)]
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "block" in proc.stdout and "N102" in proc.stdout


def test_model_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process alone uses up to two cores for the photo models; a worker of an audit or
    of `serve --workers N` (SMCHECK_MODEL_THREADS=1) one."""
    from smcheck.engines import MODEL_THREADS_ENV, model_threads

    monkeypatch.delenv(MODEL_THREADS_ENV, raising=False)
    assert model_threads() == max(1, min(len(os.sched_getaffinity(0)), 2))
    monkeypatch.setenv(MODEL_THREADS_ENV, "1")
    assert model_threads() == 1
    monkeypatch.setenv(MODEL_THREADS_ENV, "nonsense")
    assert model_threads() >= 1
