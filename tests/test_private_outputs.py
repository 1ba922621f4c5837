"""Files that name students are the user's alone: reports, annotated photos, `fix`'s
copies and report, JSON/SARIF/text written to a file are 0600, the folders smcheck
creates for them 0700, whatever the umask; folders that exist keep their mode. The
accepted-findings file is written as an ordinary file (keyed hashes, shared with the
posts' reviewers). The user cache is tested in tests/test_audit.py's cache tests."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smcheck.cli import app
from smcheck.outputs import private_folder, write_atomic
from tests.conftest import DATA, ROOT

ROSTER = str(DATA / "roster.csv")
WHEN = "2026-11-20T15:00:00-08:00"
PHOTO = ROOT / "sample_posts" / "17-space-day.jpg"


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask022", "umask000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """The usual umask, and none at all (where an ordinary write is world-writable)."""
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def everything_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"))


# ---- the writers ------------------------------------------------------------------------

def test_write_atomic_modes(tmp_path: Path, umask: int) -> None:
    private, shared = tmp_path / "private.json", tmp_path / "shared.toml"
    write_atomic(private, "{}")
    write_atomic(shared, "x = 1\n", private=False)
    assert mode(private) == 0o600
    assert mode(shared) == 0o666 & ~umask  # as an ordinary write makes it
    shared.chmod(0o644)
    write_atomic(shared, "x = 2\n")  # rewritten privately: no longer readable by others
    assert mode(shared) == 0o600


def test_private_folder_creates_0700_and_leaves_existing_alone(tmp_path: Path,
                                                               umask: int) -> None:
    existing = tmp_path / "existing"
    existing.mkdir(mode=0o755)
    existing.chmod(0o755)
    private_folder(existing / "a" / "b" / "c")
    assert mode(existing) == 0o755
    assert [mode(existing / p) for p in ("a", "a/b", "a/b/c")] == [0o700] * 3
    private_folder(existing / "a" / "b")  # already there: nothing changes
    assert mode(existing / "a" / "b") == 0o700
    (tmp_path / "file").write_text("")
    with pytest.raises(FileExistsError):
        private_folder(tmp_path / "file")


# ---- through the CLI ------------------------------------------------------------------

def test_check_report_annotations_and_output_file(tmp_path: Path, umask: int) -> None:
    out = tmp_path / "out"
    r = run("check", "--text", "Great job, Leo! Call 503-555-0142.", "--image", str(PHOTO),
            "-r", ROSTER, "--publish-at", WHEN, "--report", str(out / "html" / "report.html"),
            "--annotate", str(out / "annotated"), "--format", "json",
            "--output-file", str(out / "json" / "result.json"), "--exit-zero")
    assert r.exit_code == 0, r.output
    files = [p for p in everything_under(out) if p.is_file()]
    folders = [p for p in everything_under(out) if p.is_dir()]
    assert {p.name for p in files} >= {"report.html", "result.json"}
    assert any(p.suffix == ".png" for p in files)  # the annotated photo
    assert {p: mode(p) for p in files} == {p: 0o600 for p in files}
    assert {p: mode(p) for p in [out, *folders]} == {p: 0o700 for p in [out, *folders]}
    assert mode(tmp_path) == stat.S_IMODE(tmp_path.stat().st_mode)  # existing: untouched


@pytest.mark.parametrize("fmt", ["sarif", "text", "github"])
def test_audit_output_file(tmp_path: Path, fmt: str) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "post.txt").write_text("Great job, Leo!\n")
    out = tmp_path / f"result.{fmt}"
    r = run("audit", str(posts), "-r", ROSTER, "--publish-at", WHEN, "--format", fmt,
            "--output-file", str(out), "--exit-zero")
    assert r.exit_code == 0, r.output
    assert mode(out) == 0o600


def test_fix_copies_and_report(tmp_path: Path, umask: int) -> None:
    posts = tmp_path / "posts"
    (posts / "garden").mkdir(parents=True)
    (posts / "names.txt").write_text("Congrats to Mateo García!\n")
    (posts / "garden" / "post.txt").write_text("Look how our garden has grown!\n")
    (posts / "garden" / "photo.jpg").write_bytes(PHOTO.read_bytes())
    before = {p: mode(p) for p in everything_under(posts)}
    fixed = tmp_path / "fixed"
    r = run("fix", str(posts), "--out", str(fixed), "-r", ROSTER, "--publish-at", WHEN,
            "--report", str(tmp_path / "reports" / "fix.html"), "--exit-zero")
    assert r.exit_code == 0, r.output
    files = [p for p in everything_under(fixed) if p.is_file()]
    # The texts keep their names; the photo's copy gets a neutral one (fix's choice).
    assert sorted(p.suffix for p in files) == [".jpg", ".txt", ".txt"]
    assert {p.name for p in files} >= {"names.txt", "post.txt"}
    assert {p: mode(p) for p in files} == {p: 0o600 for p in files}
    assert mode(fixed) == mode(fixed / "garden") == mode(tmp_path / "reports") == 0o700
    assert mode(tmp_path / "reports" / "fix.html") == 0o600
    assert {p: mode(p) for p in everything_under(posts)} == before  # inputs untouched


def test_accepted_file_is_an_ordinary_file(tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text("Great job, Leo!\n")
    old = os.umask(0o022)
    try:
        r = run("accept", str(post), "-r", ROSTER, "--rule", "N102", "--reason", "signed")
    finally:
        os.umask(old)
    assert r.exit_code == 0, r.output
    accepted = tmp_path / ".smcheck-accepted.toml"
    assert mode(accepted) == 0o644  # read by whoever reviews the posts beside it
    assert "Leo" not in accepted.read_text()
