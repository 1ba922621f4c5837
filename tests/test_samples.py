"""Golden JSON of `smcheck audit sample_posts/`: any change in what the samples report is
a change someone must look at. Regenerate with SMCHECK_UPDATE_GOLDEN=1."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from smcheck.cli import app
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "sample_posts.json"


def test_sample_posts_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # "sample_posts/...": the paths as a newcomer sees them
    r = CliRunner().invoke(app, ["audit", "sample_posts", "--format", "json",
                                 "--publish-at", "2026-11-20T15:00:00-08:00"])
    assert r.exit_code == 1, r.output
    data = json.loads(r.stdout)
    if os.environ.get("SMCHECK_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    assert data == json.loads(GOLDEN.read_text())


def test_every_text_rule_shows_in_the_samples() -> None:
    data = json.loads(GOLDEN.read_text())
    shown = {f["rule"] for p in data["posts"] for f in p["findings"]}
    assert {"N101", "N102", "N103", "N104", "L202", "R501", "R502", "R503", "R504", "C601",
            "C602"} <= shown
    assert any(p["verdict"] == "ok" for p in data["posts"])
