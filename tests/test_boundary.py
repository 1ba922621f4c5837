"""One error boundary: a post's failure is that post's E901/E902 and the run goes on; a
run that cannot start is one line and exit 2; outputs are written whole or not at all."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smcheck.cli import app
from tests.conftest import DATA, ROOT

ROSTER = str(DATA / "roster.csv")
WHEN = "2026-11-20T15:00:00-08:00"
SETPRIV = shutil.which("setpriv")


def run(*args: str, cwd: Path | None = None):  # type: ignore[no-untyped-def]
    if cwd is None:
        return CliRunner().invoke(app, list(args))
    here = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        os.chdir(here)


def posts_of(stdout: str, prefix: str = "") -> dict[str, list[str]]:
    return {p["path"].removeprefix(prefix): [f["rule"] for f in p["findings"]]
            for p in json.loads(stdout)["posts"]}


def _photo(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 180, 160)).save(path)


# ---- check with several files ---------------------------------------------------------


def test_check_several_files_goes_on_past_a_bad_one(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Great job, Leo!")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "b.txt").write_text("Our class planted tulips.")
    (tmp_path / "c.md").write_text("---\npublish_at: 2026-11-31T09:00:00-08:00\n---\nHi!")
    files = [str(tmp_path / n) for n in ("a.txt", "empty.txt", "missing.txt", "b.txt", "c.md")]
    r = run("check", *files, "-r", ROSTER, "--format", "json")
    assert r.exit_code == 1, r.output
    assert posts_of(r.stdout, f"{tmp_path}/") == {
        "a.txt": ["N102"], "empty.txt": ["E901"], "missing.txt": ["E901"], "b.txt": [],
        "c.md": ["E901"]}
    messages = {p["path"]: p["findings"][0]["message"] for p in json.loads(r.stdout)["posts"]
                if p["findings"]}
    assert "file not found" in messages[files[2]]
    assert "line 2: publish_at is not an ISO 8601 date-time" in messages[files[4]]


def test_check_one_unreadable_file_is_a_run_that_cannot_start(tmp_path: Path) -> None:
    (tmp_path / "c.md").write_text("---\npublish_at: 2026-11-31T09:00:00-08:00\n---\nHi!")
    r = run("check", str(tmp_path / "c.md"))
    assert r.exit_code == 2 and r.output.count("\n") == 1
    assert "c.md:2: publish_at is not an ISO 8601 date-time" in r.output


@pytest.mark.parametrize("args", [
    ("check", "--text", "Great job, Leo!"),
    ("check", "-"),
    ("check", "FILE"),
    ("check", "FILE", "FILE2"),
    ("audit", "FOLDER", "-j", "1"),
])
def test_a_bug_on_a_post_is_e902_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]) -> None:
    import smcheck.api as api

    def broken(self: object, post: object, when: object) -> None:
        raise TypeError("simulated bug")

    monkeypatch.setattr(api.Checker, "examine", broken)
    (tmp_path / "a.txt").write_text("Great job, Leo!")
    (tmp_path / "b.txt").write_text("Our tulips.")
    args = tuple({"FILE": str(tmp_path / "a.txt"), "FILE2": str(tmp_path / "b.txt"),
                  "FOLDER": str(tmp_path)}.get(a, a) for a in args)
    r = CliRunner().invoke(app, [*args, "-r", ROSTER, "--format", "json"],
                           input="Great job, Leo!")
    assert r.exit_code == 1, r.output
    posts = json.loads(r.stdout)["posts"]
    assert posts and all([f["rule"] for f in p["findings"]] == ["E902"] for p in posts)
    assert "TypeError" in posts[0]["findings"][0]["message"]


# ---- outputs --------------------------------------------------------------------------


@pytest.mark.parametrize(("flag", "target", "message"), [
    ("--report", "a-folder", "a-folder: is a folder; give the name of a file to write"),
    ("--report", "a-file/report.html", "a-file: is a file, not a folder"),
    ("--report", "a-file/sub/report.html", "a-file: is a file, not a folder"),
    ("--report", "/dev/full", "/dev/full: is not a regular file; give the name of a file to write"),
    ("--annotate", "a-file", "a-file: is a file, not a folder; give a folder to write into"),
    ("--annotate", "a-file/sub", "a-file: is a file, not a folder"),
])
@pytest.mark.parametrize("command", ["check", "audit"])
def test_an_unwritable_output_stops_the_run_before_it_starts(
        tmp_path: Path, flag: str, target: str, message: str, command: str) -> None:
    work = tmp_path / "work"
    (work / "a-folder").mkdir(parents=True)
    (work / "a-file").write_text("not a folder")
    (work / "posts").mkdir()
    (work / "posts" / "a.txt").write_text("Great job, Leo!")
    what = "posts/a.txt" if command == "check" else "posts"
    before = sorted(p.name for p in work.rglob("*"))
    r = run(command, what, "-r", ROSTER, flag, target, cwd=work)
    assert r.exit_code == 2, r.output
    assert r.output == f"smcheck: error: {message}\n"
    assert sorted(p.name for p in work.rglob("*")) == before  # no temp file anywhere


@pytest.mark.skipif(os.geteuid() != 0 and not os.access("/proc", os.W_OK),
                    reason="needs a folder nobody may write: /proc")
def test_report_in_a_folder_nobody_may_write(tmp_path: Path) -> None:
    r = run("check", "--text", "Hi", "--report", "/proc/report.html", cwd=tmp_path)
    assert r.exit_code == 2 and r.output.startswith("smcheck: error: /proc: cannot write here")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_no_temp_file(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()

    def full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    r = run("check", "--text", "Great job, Leo!", "-r", ROSTER, "--report",
            str(out / "r.html"), cwd=tmp_path)
    assert r.exit_code == 2
    assert r.output == f"smcheck: error: {out}/r.html: cannot write: No space left on device\n"
    assert list(out.iterdir()) == [] and list(tmp_path.iterdir()) == [out]


def test_report_and_annotate_written_whole(tmp_path: Path) -> None:
    _photo(tmp_path / "a.jpg")
    (tmp_path / "a.txt").write_text("Great job, Leo!")
    r = run("check", "a.txt", "--image", "a.jpg", "-r", ROSTER, "--report", "out/r.html",
            "--annotate", "faces", cwd=tmp_path)
    assert r.exit_code == 1, r.output
    assert (tmp_path / "out" / "r.html").read_text().startswith("<!doctype html>")
    assert [p.name for p in (tmp_path / "faces").iterdir()] == ["a.annotated.png"]
    assert not [p for p in tmp_path.rglob("*.tmp")]


def _smcheck(*args: str, stdout: object = subprocess.PIPE, cwd: Path | None = None,
             prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*prefix, sys.executable, "-m", "smcheck", *args], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=300, cwd=cwd)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("args", [
    ("check", "--text", "Great job, Leo! " * 500, "-r", ROSTER, "--format", "json"),
    ("rules",)])
def test_stdout_to_dev_full(args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        p = _smcheck(*args, stdout=full)
    assert p.returncode == 2
    assert p.stderr == ("smcheck: error: cannot write the output to standard output: "
                        "No space left on device\n")


def test_stdout_closed() -> None:
    """`smcheck rules >&-`: Python then has no stdout, and the output would vanish."""
    p = subprocess.run(["sh", "-c", 'exec "$0" -m smcheck rules >&-', sys.executable],
                       stderr=subprocess.PIPE, text=True, timeout=120)
    assert p.returncode == 2
    assert p.stderr == ("smcheck: error: cannot write the output to standard output: "
                        "it is closed\n")


# ---- audit workers --------------------------------------------------------------------


def test_audit_jobs_2_when_the_face_models_cannot_load(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked workers inherit the broken models: every photo is an E902, every post is
    reported, and the exit code is the verdict's."""
    from smcheck.engines import Engines
    from smcheck.extract.faces import FaceModelsUnavailable

    def broken(self: Engines) -> None:
        raise FaceModelsUnavailable("dlib cannot be imported (simulated)")

    monkeypatch.setattr(Engines, "faces", property(broken))
    roster = ROOT / "sample_posts" / "roster.csv"  # with reference photos to encode
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text("Our class planted tulips.")
        _photo(tmp_path / f"{name}.jpg")
    _photo(tmp_path / "lonely.png")
    r = run("audit", str(tmp_path), "-r", str(roster), "--format", "json", "-j", "2")
    assert r.exit_code == 1, r.output
    assert posts_of(r.stdout, f"{tmp_path}/") == {
        "a.txt": ["E902"], "b.txt": ["E902"], "c.txt": ["E902"], "lonely.png": ["E902"]}
    assert "simulated" in r.stdout


def test_a_killed_worker_costs_only_its_post(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import smcheck.api as api

    real = api.Checker.examine

    def deadly(self, post, when):  # type: ignore[no-untyped-def]
        if "deadly" in post.text:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, post, when)

    monkeypatch.setattr(api.Checker, "examine", deadly)
    for i in range(6):
        (tmp_path / f"p{i}.txt").write_text("Great job, Leo!" if i % 2 else "Our tulips.")
    (tmp_path / "p3-deadly.txt").write_text("a deadly post")
    r = run("audit", str(tmp_path), "-r", ROSTER, "--format", "json", "-j", "2")
    assert r.exit_code == 1, r.output
    posts = posts_of(r.stdout, f"{tmp_path}/")
    assert posts == {"p0.txt": [], "p1.txt": ["N102"], "p2.txt": [], "p3-deadly.txt": ["E902"],
                     "p3.txt": ["N102"], "p4.txt": [], "p5.txt": ["N102"]}
    [died] = [p for p in json.loads(r.stdout)["posts"] if p["path"].endswith("deadly.txt")]
    assert "the process checking it stopped" in died["findings"][0]["message"]


def test_progress_follows_posts_as_they_finish(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The first post in path order is slow: the others are counted as they finish,
    not all at the end."""
    import smcheck.api as api
    from smcheck.api import Checker
    from smcheck.batch import audit, posts_in
    from smcheck.post import parse_publish_at

    real = api.Checker.examine

    def slow(self, post, when):  # type: ignore[no-untyped-def]
        if "slow" in post.text:
            time.sleep(1.5)
        return real(self, post, when)

    monkeypatch.setattr(api.Checker, "examine", slow)
    (tmp_path / "a.txt").write_text("a slow post")
    for i in range(5):
        (tmp_path / f"b{i}.txt").write_text("Our tulips.")
    checker = Checker()
    finished: list[str] = []
    seen_when_first_came: list[int] = []
    for _report in audit(checker, posts_in(checker, tmp_path), parse_publish_at(WHEN, "t"),
                        jobs=2, progress=lambda r: finished.append(r.path)):
        seen_when_first_came.append(len(finished))
    assert seen_when_first_came[0] == 6 and finished[-1].endswith("a.txt")


def test_ctrl_c_reports_the_posts_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import smcheck.batch as audit_module

    real = audit_module.audit

    def interrupted(*args, progress, **kwargs):  # type: ignore[no-untyped-def]
        for n, report in enumerate(real(*args, progress=progress, **kwargs)):
            if n == 2:
                raise KeyboardInterrupt
            yield report

    monkeypatch.setattr(audit_module, "audit", interrupted)
    for i in range(5):
        (tmp_path / f"p{i}.txt").write_text("Our tulips.")
    r = run("audit", str(tmp_path), "-j", "1", "--report", str(tmp_path / "r.html"))
    assert r.exit_code == 130
    assert "interrupted after 3 of 5 posts; no report written" in r.output
    assert not (tmp_path / "r.html").exists()


def test_ctrl_c_during_check_says_nothing_was_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from smcheck.api import Checker

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Checker, "run", interrupted)
    (tmp_path / "a.txt").write_text("Our tulips.")
    r = run("check", "a.txt", "-r", ROSTER, cwd=tmp_path)
    assert r.exit_code == 130
    assert r.output == "smcheck: interrupted; nothing reported\n"


# ---- folders and files that cannot be read ---------------------------------------------


def _hung(signum: int, frame: object) -> None:
    raise AssertionError("blocked on a pipe")


def test_a_fifo_is_not_waited_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pipe named like a post or a photo would block the run for ever."""
    signal.signal(signal.SIGALRM, _hung)
    signal.alarm(120)  # a regression fails the test instead of hanging the suite
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path.parent / f"{tmp_path.name}-cache"))
    try:
        _fifo_audit(tmp_path)
    finally:
        signal.alarm(0)


def _fifo_audit(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    os.mkfifo(tmp_path / "photo.jpg")
    (tmp_path / "z.txt").write_text("Great job, Leo!")
    r = run("audit", str(tmp_path), "-r", ROSTER, "--format", "json", "-j", "1")
    posts = {p["path"].removeprefix(f"{tmp_path}/"): p for p in json.loads(r.stdout)["posts"]}
    assert [f["rule"] for f in posts["pipe.txt"]["findings"]] == ["E901"]
    assert "not a regular file" in posts["pipe.txt"]["findings"][0]["message"]
    assert [f["rule"] for f in posts["photo.jpg"]["findings"]] == ["E901"]
    assert [f["rule"] for f in posts["z.txt"]["findings"]] == ["N102"]
    r = run("check", str(tmp_path / "pipe.txt"))
    assert r.exit_code == 2 and "pipe.txt: is not a regular file" in r.output
    # the result cache hashes the post's files, and accept hashes its photos: no open
    # of a pipe either
    r = run("audit", str(tmp_path), "-r", ROSTER, "--format", "json", "-j", "1", "--cache")
    assert r.exit_code == 1 and len(json.loads(r.stdout)["posts"]) == 3
    (tmp_path / "photo.txt").write_text("Great job, Leo!")
    r = run("accept", str(tmp_path / "photo.txt"), "-r", ROSTER, "--rule", "N102",
            "--reason", "signed")
    assert r.exit_code == 0, r.output
    (tmp_path / ".smcheck-accepted.toml").unlink()
    os.mkfifo(tmp_path / ".smcheck-accepted.toml")  # the folder's accepted findings
    r = run("audit", str(tmp_path), "-r", ROSTER, "--format", "json", "-j", "1")
    posts = {p["path"].removeprefix(f"{tmp_path}/"): p for p in json.loads(r.stdout)["posts"]}
    assert posts["z.txt"]["findings"][0]["message"].endswith(
        "not checked: .smcheck-accepted.toml: is not a regular file (a pipe, socket or device).")


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_a_file_that_cannot_be_read_even_by_root(tmp_path: Path) -> None:
    """/proc/self/mem reads fail with EIO for any user: a stand-in for a bad disk block."""
    os.symlink("/proc/self/mem", tmp_path / "bad.txt")
    (tmp_path / "z.txt").write_text("Our tulips.")
    r = run("audit", str(tmp_path), "--format", "json", "-j", "1")
    posts = {p["path"].removeprefix(f"{tmp_path}/"): p for p in json.loads(r.stdout)["posts"]}
    assert [f["rule"] for f in posts["bad.txt"]["findings"]] == ["E901"]
    assert "cannot read post" in posts["bad.txt"]["findings"][0]["message"]


def _unprivileged() -> tuple[str, ...] | None:
    """How to run smcheck without the power to read what it may not: as is for a user,
    and for root without the capabilities that bypass file permissions."""
    if os.geteuid() != 0:
        return ()
    if SETPRIV is not None:
        return (SETPRIV, "--bounding-set=-dac_override,-dac_read_search")
    return None


@pytest.mark.skipif(_unprivileged() is None, reason="root without setpriv")
def test_unreadable_files_and_folders_are_e901(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "inside.txt").write_text("Great job, Leo!")
    (folder / "secret.txt").write_text("Great job, Leo!")
    (folder / "ok.txt").write_text("Great job, Leo!")
    (folder / "locked").chmod(0)
    (folder / "secret.txt").chmod(0)
    prefix = _unprivileged()
    assert prefix is not None
    try:
        p = _smcheck("audit", str(folder), "-r", ROSTER, "--format", "json", "-j", "1",
                     prefix=prefix)
    finally:
        (folder / "locked").chmod(0o755)
        (folder / "secret.txt").chmod(0o644)
    assert p.returncode == 1, p.stderr
    posts = {q["path"].removeprefix(f"{folder}/"): q for q in json.loads(p.stdout)["posts"]}
    assert {k: [f["rule"] for f in v["findings"]] for k, v in posts.items()} == {
        "locked": ["E901"], "ok.txt": ["N102"], "secret.txt": ["E901"]}
    assert "cannot read folder: Permission denied" in posts["locked"]["findings"][0]["message"]
    assert "cannot read post: Permission denied" in posts["secret.txt"]["findings"][0]["message"]


def test_fix_report_that_cannot_be_written(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Great job, Leo!")
    (tmp_path / "a-folder").mkdir()
    r = run("fix", "a.txt", "--out", "out", "-r", ROSTER, "--report", "a-folder", cwd=tmp_path)
    assert r.exit_code == 2
    assert r.output == "smcheck: error: a-folder: is a folder; give the name of a file to write\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder", "a.txt"]


# ---- a district file the whole run shares ---------------------------------------------


@pytest.mark.parametrize(("yaml", "message"), [
    ("- just\n- a list\n", "not a recognizer registry smcheck can load"),
    ("supported_languages: [en]\nrecognizers:\n  - name: ids\n    supported_language: en\n"
     "    supported_entity: STUDENT_NUMBER\n    patterns:\n"
     "      - {name: id, regex: '(CV', score: 0.9}\n", "Invalid regex pattern"),
    ("supported_languages: [en]\nrecognizers:\n  - name: ids\n    supported_language: en\n"
     "    supported_entity: STUDENT_ID\n    deny_list: [portal]\n",
     "recognizer 'ids': unknown entity STUDENT_ID (one of: "),
])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_bad_district_recognizers_stop_the_run(tmp_path: Path, yaml: str, message: str,
                                               jobs: str) -> None:
    """Not an E902 on every post (it was a TypeError per post): one line, exit 2."""
    (tmp_path / "district.yaml").write_text(yaml)
    (tmp_path / "smcheck.toml").write_text('recognizers = "district.yaml"\n')
    posts = tmp_path / "posts"
    posts.mkdir()
    for name in ("a", "b", "c"):
        (posts / f"{name}.txt").write_text("Our tulips bloomed.")
    r = run("audit", "posts", "-j", jobs, "--format", "json", cwd=tmp_path)
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    [line] = r.stderr.splitlines()
    assert line.startswith(f"smcheck: error: {tmp_path}/district.yaml: ") and message in line
