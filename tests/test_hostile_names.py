"""File names and post text from a hostile world: every output stays valid and safe, and
points at the right line of the file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smcheck.cli import app
from tests.conftest import DATA

ROSTER = str(DATA / "roster.csv")
FRONT = "---\npublish_at: 2026-12-01T09:00:00-08:00\npublic_event: false\n---\n"


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def _n102(data: dict[str, object]) -> dict[str, object]:
    return next(r for r in data["runs"][0]["results"] if r["ruleId"] == "N102")  # type: ignore[index]


@pytest.mark.parametrize("command", ["check", "audit"])
def test_line_numbers_count_the_front_matter(tmp_path: Path, command: str) -> None:
    """The name is on the file's line 6 (4 lines of front matter + line 2 of the text)."""
    post = tmp_path / "post.md"
    post.write_text(FRONT + "Our class planted tulips.\nGreat job, Leo!\n")
    target = str(post) if command == "check" else str(tmp_path)
    sarif = json.loads(run(command, target, "-r", ROSTER, "--format", "sarif").stdout)
    region = _n102(sarif)["locations"][0]["physicalLocation"]["region"]  # type: ignore[index]
    assert (region["startLine"], region["startColumn"]) == (6, 12)
    assert region["charOffset"] == len(FRONT) + len("Our class planted tulips.\nGreat job, ")
    assert post.read_text()[region["charOffset"]:][:3] == "Leo"
    github = run(command, target, "-r", ROSTER, "--format", "github").stdout
    assert ",line=6,col=12,endLine=6,endColumn=15," in github
    text = run(command, target, "-r", ROSTER).stdout
    assert f"{post}:6:12" in text
    # JSON spans stay in characters of the post text (SPEC 6)
    data = json.loads(run(command, target, "-r", ROSTER, "--format", "json").stdout)
    span = data["posts"][0]["findings"][0]["span"]
    assert span["start"] == len("Our class planted tulips.\nGreat job, ")


def test_sarif_uris_are_percent_encoded(tmp_path: Path) -> None:
    (tmp_path / "my post #1 100%?.txt").write_text("Great job, Leo!")
    (tmp_path / "caf\u00e9.txt").write_text("Great job, Leo!")
    sarif = json.loads(run("audit", str(tmp_path), "-r", ROSTER, "--format", "sarif").stdout)
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                  for r in sarif["runs"][0]["results"])
    assert uris == [f"file://{tmp_path}/caf%C3%A9.txt",
                    f"file://{tmp_path}/my%20post%20%231%20100%25%3F.txt"]
    from smcheck.reporters.sarif import uri

    assert uri("posts/a b.txt") == "posts/a%20b.txt"


BAD = [b"bad\xff\xfe name.txt", b"esc\x1b]0;pwned\x07\x1b[2J.txt", b"nl\nforged::error.txt",
       b"rtl\xe2\x80\xaetxt.exe.txt"]


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "text"])
def test_hostile_file_names(tmp_path: Path, fmt: str) -> None:
    """Undecodable bytes, ESC sequences, line breaks and bidi overrides in file names:
    valid UTF-8 out, one line per annotation, nothing raw on the terminal, the same
    replacement (U+FFFD) everywhere."""
    folder = os.fsencode(tmp_path)
    for name in BAD:
        with open(os.path.join(folder, name), "w") as fh:
            fh.write("Great job, Leo!")
    r = run("audit", str(tmp_path), "-r", ROSTER, "--format", fmt)
    out = r.stdout_bytes.decode("utf-8")  # strict: valid UTF-8
    assert r.exit_code == 1, r.output
    for bad in ("\x1b", "\x07", "\u202e", "\udcff", "nl\nforged"):
        assert bad not in out
    if fmt == "json":
        paths = [p["path"].removeprefix(f"{tmp_path}/") for p in json.loads(out)["posts"]]
        assert paths == sorted(["bad\ufffd\ufffd name.txt", "esc\ufffd]0;pwned\ufffd\ufffd[2J.txt",
                                "nl\ufffdforged::error.txt", "rtl\ufffdtxt.exe.txt"])
    if fmt == "github":
        lines = [line for line in out.splitlines() if not line.startswith("::notice ")]
        assert len(lines) == len(BAD) and all(line.startswith("::error file=") for line in lines)


def test_hostile_post_text_on_the_terminal(tmp_path: Path) -> None:
    """A post that carries an ESC sequence next to a name: the quoted words are shown
    without it."""
    r = run("check", "--text", "Great job, Leo\x1b[2J\x1b]0;x\x07! Call 503-555-0142",
            "-r", ROSTER)
    assert r.exit_code == 1 and "\x1b" not in r.stdout and "\x07" not in r.stdout


def test_text_argument_with_undecodable_bytes() -> None:
    r = run("check", "--text", os.fsdecode(b"Bravo L\xe9o, great job Leo!"), "-r", ROSTER,
            "--format", "json")
    data = json.loads(r.stdout_bytes.decode("utf-8"))  # strict: valid UTF-8
    assert r.exit_code == 1
    assert {f["rule"] for f in data["posts"][0]["findings"]} == {"N102"}
