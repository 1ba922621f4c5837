"""Conventions of ruff/bandit/Vale users, and "no roster" said aloud in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smcheck import __version__
from smcheck.cli import app
from tests.conftest import DATA, ROOT

ROSTER = str(DATA / "roster.csv")
WHEN = "2026-11-20T15:00:00-08:00"
TEXT = "Great job, Leo!\nText me at 503-555-0142."


def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), input=stdin)


@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with no smcheck.toml above it and no SMCHECK_* variables."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SMCHECK_ROSTER", raising=False)
    monkeypatch.delenv("SMCHECK_CONFIG", raising=False)
    return tmp_path


def test_version() -> None:
    r = run("--version")
    assert r.exit_code == 0 and r.output.strip() == f"smcheck {__version__}"


def test_output_file_holds_what_stdout_would(tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.json"
    r = run("check", "--text", TEXT, "-r", ROSTER, "--publish-at", WHEN, "-f", "json",
            "--output-file", str(out))
    assert r.exit_code == 1 and r.stdout == ""
    direct = run("check", "--text", TEXT, "-r", ROSTER, "--publish-at", WHEN, "-f", "json")
    assert out.read_text() == direct.stdout
    text_out = tmp_path / "report.txt"
    run("check", "--text", TEXT, "-r", ROSTER, "-o", str(text_out))
    assert "N102" in text_out.read_text() and "\x1b[" not in text_out.read_text()


@pytest.mark.parametrize(("args", "rules"), [
    (("--select", "R"), ["R503"]),
    (("--select", "N,C"), ["C602", "N102"]),
    (("--select", "N102", "--select", "R503"), ["N102", "R503"]),
    (("--ignore", "N102,C6"), ["R503"]),
    (("--select", "R,N", "--ignore", "R503"), ["N102"]),
])
def test_select_and_ignore(args: tuple[str, ...], rules: list[str]) -> None:
    r = run("check", "--text", TEXT, "-r", ROSTER, "-f", "json", *args)
    found = sorted(f["rule"] for f in json.loads(r.stdout)["posts"][0]["findings"])
    assert found == rules


def test_select_keeps_e9xx_and_rejects_unknown_codes(tmp_path: Path) -> None:
    img = tmp_path / "photo.jpg"
    img.write_bytes(b"\xff\xd8\xff")
    r = run("check", "--text", "Hello", "--image", str(img), "--select", "N", "-f", "json")
    assert [f["rule"] for f in json.loads(r.stdout)["posts"][0]["findings"]] == ["E901"]
    r = run("check", "--text", "Hello", "--select", "Z9")
    assert r.exit_code == 2 and "--select: unknown rule code or prefix 'Z9'" in r.output


def test_text_format_has_path_line_col(tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text(TEXT)
    r = run("check", str(post), "-r", ROSTER)
    assert f"{post}:1:12 N102 violation" in r.output
    assert f"{post}:2:12 R503 violation" in r.output


def test_audit_summary_only() -> None:
    full = run("audit", str(ROOT / "sample_posts"), "--publish-at", WHEN)
    short = run("audit", str(ROOT / "sample_posts"), "--publish-at", WHEN, "--summary")
    assert full.exit_code == short.exit_code == 1
    assert "Findings by rule" in short.output and "Blocked posts" in short.output
    assert "\u2192" not in short.output  # no per-finding advice lines
    assert len(short.output.splitlines()) < len(full.output.splitlines()) / 2
    assert short.output.strip().splitlines()[-1] == full.output.strip().splitlines()[-1]


def test_rules_json() -> None:
    r = run("rules", "--format", "json")
    data = json.loads(r.stdout)
    assert [d["code"] for d in data][:2] == ["N101", "N102"]
    assert set(data[0]) >= {"code", "name", "severity", "summary", "what", "why", "example",
                            "use_instead", "policy"}
    one = json.loads(run("rules", "R503", "--format", "json").stdout)
    assert one["code"] == "R503" and one["policy"][0]["quote"]


def test_sarif_invocations_help_and_notices(bare: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMCHECK_DOCS_URL", "https://intranet.example.org/smcheck")
    r = run("check", "--text", TEXT, "-f", "sarif")
    [sarif_run] = json.loads(r.stdout)["runs"]
    [inv] = sarif_run["invocations"]
    assert inv["executionSuccessful"] is True and inv["exitCode"] == 1
    assert [n["descriptor"]["id"] for n in inv["toolExecutionNotifications"]] == \
        ["no-roster", "no-config"]
    assert "commandLine" not in inv  # it would carry the post's text
    rule = next(x for x in sarif_run["tool"]["driver"]["rules"] if x["id"] == "N101")
    assert rule["helpUri"] == "https://intranet.example.org/smcheck#n101"
    assert "Use instead" in rule["help"]["markdown"]


def _no_roster_said(fmt: str, output: str) -> bool:
    if fmt == "json":
        return [n["code"] for n in json.loads(output)["notices"]] == ["no-roster", "no-config"]
    if fmt == "sarif":
        inv = json.loads(output)["runs"][0]["invocations"][0]
        return len(inv["toolExecutionNotifications"]) == 2
    return "No roster found" in output and "No config found" in output


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_no_roster_said_aloud_in_every_format(bare: Path, fmt: str) -> None:
    r = run("check", "--text", "Our class planted tulips.", "-f", fmt)
    assert r.exit_code == 0
    assert _no_roster_said(fmt, r.stdout), r.stdout


def test_no_roster_said_in_the_html_report(bare: Path) -> None:
    run("check", "--text", "Our class planted tulips.", "--report", "r.html")
    html = (bare / "r.html").read_text()
    assert 'data-notice="no-roster"' in html and 'data-notice="no-config"' in html


def test_a_roster_and_a_config_found_say_nothing(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "sample_posts")
    r = run("check", "--text", "Our class planted tulips.", "-f", "json")
    assert json.loads(r.stdout)["notices"] == []
    r = run("check", "--text", "Our class planted tulips.")
    assert "No roster" not in r.output and "No config" not in r.output


def test_settings_in_force_without_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "sample_posts")
    monkeypatch.delenv("SMCHECK_ROSTER", raising=False)
    r = run("settings")
    assert r.exit_code == 0
    assert "smcheck.toml" in r.output and "roster.csv" in r.output
    assert "11 students" in r.output and "(discovered)" in r.output
    for name in ("Thompson", "Ramirez", "Reyes", "Maria Garcia"):
        assert name not in r.output
    data = json.loads(run("settings", "-f", "json").stdout)
    assert data["roster"]["students"] == 11 and data["config"]["source"] == "discovered"
    assert data["notices"] == []
    shown = run("check", "--show-settings", "-r", ROSTER)
    assert shown.exit_code == 0 and "14 students" in shown.output and "(argument)" in shown.output


def test_settings_say_no_roster(bare: Path) -> None:
    r = run("settings")
    assert "none found" in r.output and "No roster found" in r.output


def test_shell_completion_is_offered() -> None:
    r = run("--help")
    assert "--install-completion" in r.output and "--show-completion" in r.output
