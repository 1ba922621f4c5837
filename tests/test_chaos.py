"""A chaos test of `audit`: files deleted after the folder was read, a folder nobody may
read, a post whose worker process is killed, and a worker killed from outside. The
run ends, exits 1, and reports every post it found: the readable ones with their
findings, the rest as E901/E902.

It runs smcheck in a process of its own (the faults are injected by patching there) and,
when the tests run as root, without the capabilities that let root read anything
(setpriv), so that an unreadable folder is unreadable.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA

SETPRIV = shutil.which("setpriv")
AS_USER: tuple[str, ...] | None = () if os.geteuid() != 0 else (
    (SETPRIV, "--bounding-set=-dac_override,-dac_read_search") if SETPRIV else None)

CHAOS = r'''
import os, signal, sys, multiprocessing
from pathlib import Path
import smcheck.api as api
import smcheck.batch as batch
from smcheck.cli import main

folder = Path(sys.argv[1])
real_examine = api.Checker.examine

def examine(self, post, when):
    if "kill my worker" in post.text:
        os.kill(os.getpid(), signal.SIGKILL)  # a crash in native code, the OOM killer
    return real_examine(self, post, when)

api.Checker.examine = examine  # what Checker.run calls for every post

real_posts_in = batch.posts_in

def posts_in(checker, where):
    found = real_posts_in(checker, where)
    # Deleted after the folder was read, before their posts are: mid-run for the user.
    (folder / "p07.txt").unlink()
    (folder / "p08.jpg").unlink()
    (folder / "sub" / "post.txt").unlink()
    return found

batch.posts_in = posts_in
real_audit = batch.audit

def audit(*args, progress=None, **kwargs):
    done = 0

    def killing(report):
        nonlocal done
        done += 1
        if done == 3:  # kill a worker from outside, whatever it is doing
            children = multiprocessing.active_children()
            if children:
                os.kill(children[0].pid, signal.SIGKILL)
        if progress is not None:
            progress(report)

    return real_audit(*args, progress=killing, **kwargs)

batch.audit = audit
sys.argv = ["smcheck", "audit", str(folder), "-r", sys.argv[2], "--format", "json",
            "-j", "2", "--publish-at", "2026-11-20T15:00:00-08:00"]
main()
'''


def _photo(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 180, 160)).save(path)


@pytest.mark.skipif(AS_USER is None, reason="root without setpriv: cannot make a folder "
                    "unreadable")
def test_chaos_audit(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    (folder / "sub").mkdir(parents=True)
    (folder / "locked").mkdir()
    for i in range(12):
        text = "Great job, Leo!" if i % 3 == 0 else "Our class planted tulips."
        (folder / f"p{i:02d}.txt").write_text(text)
    _photo(folder / "p08.jpg")  # p08's photo, deleted mid-run
    _photo(folder / "p09.jpg")  # a photo with no face: p09 keeps its one finding
    (folder / "p05-kill.txt").write_text("kill my worker")
    (folder / "sub" / "post.txt").write_text("Great job, Leo!")
    (folder / "locked" / "secret.txt").write_text("Great job, Leo!")
    (folder / "locked").chmod(0)
    roster = tmp_path / "roster.csv"
    shutil.copy(DATA / "roster.csv", roster)
    assert AS_USER is not None
    try:
        p = subprocess.run([*AS_USER, sys.executable, "-c", CHAOS, str(folder), str(roster)],
                           capture_output=True, text=True, timeout=600)
    finally:
        (folder / "locked").chmod(0o755)
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stderr
    posts = {q["path"].removeprefix(f"{folder}/"): [f["rule"] for f in q["findings"]]
             for q in json.loads(p.stdout)["posts"]}
    expected = {f"p{i:02d}.txt": ["N102"] if i % 3 == 0 else [] for i in range(12)}
    expected |= {
        "p07.txt": ["E901"],        # deleted
        "p08.txt": ["E901"],        # its photo deleted
        "p05-kill.txt": ["E902"],   # kills its worker, alone too
        "sub/post.txt": ["E901"],   # deleted
        "locked": ["E901"],         # cannot be read
    }
    assert posts == expected
