"""`smcheck fix` of a one-photo post against `smcheck check` of the same post (issue 11:
under 2x), cold and in-process.

The post: a short text naming students, and one 12 MP phone photo. With
../shared/testdata: obama_and_biden.jpg upscaled to 4032 px, three faces, checked
against five students' nine reference photos (one face released, one unreleased, one
unknown: two are hidden); else the samples' 17-space-day.jpg upscaled, against the
sample roster. Made in a temp folder, never committed.

- cold: fresh processes, alternating `python -m smcheck check POST -i PHOTO` and
  `python -m smcheck fix POST -i PHOTO --out DIR`, both --format json; then both again
  with --cache (reference encodings from a temporary user cache, not recomputed);
- in-process: one warm Checker, alternating `check_post` and `fix_post` (which checks,
  writes the copy and checks the copy again).
Medians, and the median of each round's paired ratio. Run: uv run python bench/fix.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from run import wall  # noqa: E402  (bench/run.py: wall time of a fresh process)

SHARED = ROOT.parent / "shared" / "testdata" / "faces"
TEXT = "Congratulations to Mateo García and Hope! Great job, Leo!\n"
WHEN = "2026-11-20T15:00:00-08:00"


def make_post(folder: Path) -> tuple[Path, Path, Path]:
    """The post, its photo and a roster, in `folder`."""
    post = folder / "post.txt"
    post.write_text(TEXT)
    photo = folder / "post.jpg"
    if SHARED.is_dir():
        source = SHARED / "obama_and_biden.jpg"
        ref = SHARED / "reference"
        rows = [("S1", "Barack", "Obama", "none", "obama/obama.jpg;obama/obama2.jpg"),
                ("S2", "Joe", "Biden", "full", "biden/biden.jpg;biden/biden2.jpg"),
                ("S3", "Kit", "Harington", "photo only",
                 "kit_harington/john1.jpeg;kit_harington/john2.jpeg"),
                ("S4", "Rose", "Leslie", "full", "rose_leslie/img1.jpg;rose_leslie/img2.jpg"),
                ("S5", "Alex", "Lacamoire", "name only", "alex_lacamoire/img1.jpg"),
                ("S6", "Mateo", "García", "full", ""), ("S7", "Hope", "Williams", "none", ""),
                ("S8", "Leo", "Ramirez", "photo only", "")]
        roster = folder / "roster.csv"
        roster.write_text("student_id,first_name,last_name,media_release,photo\n" + "".join(
            f"{i},{f},{last},{r},{';'.join(str(ref / p) for p in ph.split(';') if p)}\n"
            for i, f, last, r, ph in rows))
    else:
        source = ROOT / "sample_posts" / "17-space-day.jpg"
        shutil.copytree(ROOT / "sample_posts" / "photos", folder / "photos")
        roster = folder / "roster.csv"
        shutil.copy(ROOT / "sample_posts" / "roster.csv", roster)
    img = Image.open(source).convert("RGB")
    f = 4032 / max(img.size)
    img.resize((round(img.width * f), round(img.height * f)),
               Image.Resampling.BICUBIC).save(photo, quality=88)
    return post, photo, roster


def summary(name: str, check: list[float], fix: list[float]) -> None:
    c, f = statistics.median(check), statistics.median(fix)
    paired = [y / x for x, y in zip(check, fix, strict=True)]
    print(f"{name:<11} check {c:6.2f}s  fix {f:6.2f}s  ratio of medians {f / c:4.2f}  "
          f"paired median {statistics.median(paired):4.2f} "
          f"(range {min(paired):.2f}-{max(paired):.2f})")


def cold(post: Path, photo: Path, roster: Path, out: Path, rounds: int,
         cache: bool = False) -> None:
    py = sys.executable
    common = ["-i", str(photo), "--roster", str(roster), "--format", "json",
              "--publish-at", WHEN, *(["--cache"] if cache else [])]
    check_cmd = [py, "-m", "smcheck", "check", str(post), *common]
    fix_cmd = [py, "-m", "smcheck", "fix", str(post), *common, "--out", str(out)]
    wall(check_cmd), wall(fix_cmd)  # warm the OS file cache: cold process, warm disk
    check: list[float] = []
    fix: list[float] = []
    for _ in range(rounds):
        check.append(wall(check_cmd))
        fix.append(wall(fix_cmd))
    summary("cold+cache" if cache else "cold", check, fix)


def in_process(post: Path, photo: Path, roster: Path, out: Path, rounds: int) -> None:
    from smcheck.api import Checker
    from smcheck.fix import FixOptions, Layout, fix_post
    from smcheck.post import PostSource, build_post
    from smcheck.roster import load_roster

    checker = Checker(roster=load_roster(roster))
    when = datetime.fromisoformat(WHEN)
    source = PostSource(label=str(post), text_file=post, images=(photo,))
    options = FixOptions(out=out)
    layout = Layout(out, None)

    def one_check() -> None:
        checker.check_post(build_post(str(post), post.read_text(), (photo,), post.parent),
                           when)

    def one_fix() -> None:
        fix_post(checker, source, layout, options, when)

    one_check(), one_fix()  # models, reference photos and Presidio loaded once
    check: list[float] = []
    fix: list[float] = []
    for _ in range(rounds):
        for fn, times in ((one_check, check), (one_fix, fix)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    summary("in-process", check, fix)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "smcheck")],
                   check=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "post"
        folder.mkdir()
        post, photo, roster = make_post(folder)
        print(f"photo: {Image.open(photo).size[0]}x{Image.open(photo).size[1]}, "
              f"{'shared test photo, 9 reference photos' if SHARED.is_dir() else 'sample'}")
        cold(post, photo, roster, Path(tmp) / "out-cold", args.rounds)
        # --cache: the roster's reference encodings read from a (temporary) user cache
        # instead of computed in every process, as a school that checks daily would run.
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        cold(post, photo, roster, Path(tmp) / "out-cached", args.rounds, cache=True)
        in_process(post, photo, roster, Path(tmp) / "out-warm", args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
