"""Audit at scale (issue 5), each figure from one run:

(a) a folder of photo posts (a third 12 MP): `smcheck audit --jobs 2` against
    face_recognition's `face_detection --cpus 2`: wall time and faces found;
(b) `--jobs 2` against `--jobs 1` on 200 mixed posts;
(c) a cached re-audit against the first audit (`--cache`);
(d) peak memory of the whole process tree (parent and workers), sampled from /proc.

Posts are made in a temp folder from sample_posts/ and ../shared/testdata; nothing
is committed. Run: uv run python bench/audit.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from photos import SHARED, photos  # noqa: E402

BIN = Path(sys.executable).parent
SMCHECK = [sys.executable, "-m", "smcheck", "audit"]


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo += [int(c) for c in fh.read().split()]
        except OSError:
            continue
    return total


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, str, int]:
    """Wall time, stdout and peak memory of the process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, **(env or {})})
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, _ = proc.communicate()
    sampler.join()
    return time.perf_counter() - start, out, peak[0]


def mixed_posts(folder: Path, photo_files: list[Path], n: int = 200) -> None:
    texts = sorted((ROOT / "sample_posts").glob("*.txt"))
    bodies = [t.read_text() for t in texts]
    extra = ["Our class planted tulips today. Thank you, families!",
             "Reminder: no school Wednesday. Enjoy the long weekend!",
             "Great work on the science unit, everyone. Keep reading at home!"]
    bodies += extra
    for i in range(n):
        body = bodies[i % len(bodies)]
        (folder / f"post-{i:03d}.txt").write_text(f"{body}\n(Post {i}.)\n")
        if i % 7 == 0:  # about one post in seven has a photo
            src = photo_files[i % len(photo_files)]
            shutil.copy(src, folder / f"post-{i:03d}{src.suffix}")
    shutil.copy(ROOT / "sample_posts" / "roster.csv", folder.parent / "roster.csv")
    shutil.copytree(ROOT / "sample_posts" / "photos", folder.parent / "photos")


def face_roster(folder: Path) -> Path:
    """The test identities as students, with their reference photos: faces get matched."""
    ref = SHARED / "faces" / "reference"
    rows = ["student_id,first_name,last_name,media_release,photo"]
    for n, person in enumerate(sorted(p for p in ref.iterdir() if p.is_dir()), start=1):
        photos_of = ";".join(str(p) for p in sorted(person.iterdir()))
        rows.append(f"P{n},{person.name.split('_')[0].title()},Test,"
                    f"{'none' if n % 2 else 'full'},{photos_of}")
    path = folder / "face-roster.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def faces_found(out: str) -> int:
    return sum(1 for p in json.loads(out)["posts"] for f in p["findings"] if f["box"])


def main() -> int:
    if not SHARED.is_dir():
        sys.exit(f"{SHARED} is not here (it is in the CI checkout's shared/ folder)")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "smcheck")], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        photo_dir = base / "photos"
        photo_dir.mkdir()
        files = photos(photo_dir)
        mixed = base / "mixed" / "posts"
        mixed.mkdir(parents=True)
        mixed_posts(mixed, files)
        roster = str(mixed.parent / "roster.csv")
        cache = {"XDG_CACHE_HOME": str(base / "cache")}

        t_ours, out, mem_a = run([*SMCHECK, str(photo_dir), "--jobs", "2", "--format", "json",
                                  "--exit-zero", "-r", str(face_roster(base))])
        t_theirs, fd_out, _ = run([str(BIN / "face_detection"), "--cpus", "2", str(photo_dir)])
        ours, theirs = faces_found(out), len(fd_out.splitlines())
        big = sum("-12mp" in f.name for f in files)
        print(f"(a) {len(files)} photo posts ({big} at 12 MP): smcheck audit --jobs 2 "
              f"{t_ours:.1f} s, {ours} faces (detected, encoded, matched against 5 students' "
              f"9 reference photos); "
              f"face_detection --cpus 2 {t_theirs:.1f} s, {theirs} faces; "
              f"wall ratio {t_ours / t_theirs:.2f} (goal <= 1.00)")

        args = [str(mixed), "-r", roster, "--format", "json", "--exit-zero",
                "--publish-at", "2026-11-20T15:00:00-08:00"]
        t1, out1, mem1 = run([*SMCHECK, *args, "--jobs", "1"])
        t2, out2, mem2 = run([*SMCHECK, *args, "--jobs", "2"])
        assert json.loads(out1) == json.loads(out2), "jobs 1 and 2 disagree"
        print(f"(b) 200 mixed posts: --jobs 1 {t1:.1f} s, --jobs 2 {t2:.1f} s: "
              f"speed-up {t1 / t2:.2f}x (goal >= 1.7), same output")

        tc1, outc1, mem3 = run([*SMCHECK, *args, "--jobs", "2", "--cache"], cache)
        tc2, outc2, _ = run([*SMCHECK, *args, "--jobs", "2", "--cache"], cache)
        assert json.loads(outc1) == json.loads(outc2), "cached re-audit differs"
        print(f"(c) first audit {tc1:.2f} s, cached re-audit {tc2:.2f} s: "
              f"{tc1 / tc2:.1f}x faster (goal >= 20), same output")

        peak = max(mem_a, mem1, mem2, mem3)
        print(f"(d) peak memory of the process tree: photos {mem_a / 2**20:.0f} MiB, "
              f"mixed --jobs 1 {mem1 / 2**20:.0f} MiB, --jobs 2 {mem2 / 2**20:.0f} MiB; "
              f"max {peak / 2**30:.2f} GiB (goal < 1.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
