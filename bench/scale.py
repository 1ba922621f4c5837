"""Work linear in the input (issue 9, item 2), each figure from one run:

(a) long posts: a cold `smcheck check` of posts of 100 KB, 500 KB and 1 MB (made from
    the development corpus's posts, eval/posts), wall time and peak memory; each size
    twice: as the posts' own short paragraphs, and as one paragraph on one line (posts
    with every line break made a space: a pasted blob, issue 18);
(b) roster size: the warm per-post time of checking the corpus's posts with a
    50-student roster and with a 10,000-student roster (a district export: made from the
    US Census name lists of the `names` package), and their ratio.

Nothing is committed: posts and rosters are made in a temp folder.
Run: uv run python bench/scale.py [--sizes 100000,500000,1000000] [--posts 40]
     [--shapes posts,paragraph] [--skip-long] [--skip-roster]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POSTS = sorted((ROOT / "eval" / "posts").glob("*.txt"))
WHEN = "2026-12-02T07:30:00-08:00"


def long_post(size: int, posts: list[Path] | None = None) -> str:
    text = ""
    while len(text.encode()) < size:
        for p in posts or POSTS:
            text += p.read_text(encoding="utf-8") + "\n\n"
            if len(text.encode()) >= size:
                break
    return text.encode()[:size].decode("utf-8", "ignore")


def one_paragraph(size: int) -> str:
    """`size` bytes of one paragraph on one line: the corpus's posts with every run of
    white space holding a line break made one space. Only the posts without a word a
    paragraph is searched for as a whole (public-event words, an app lesson's words, a
    parents' audience), so a search of a sentence's paragraph reads all of it: the worst
    case (issue 18: 200 KB took 149 s)."""
    from smcheck.lexicon import phrase_pattern

    cues = [phrase_pattern(n) for n in ("public_event_words", "app_discussion_words",
                                         "parent_audience")]
    plain = [p for p in POSTS if not any(c.search(p.read_text(encoding="utf-8")) for c in cues)]
    text = re.sub(r"\s*\n\s*", " ", long_post(size, plain)).strip()
    return text + " " * (size - len(text.encode()))


def cold_check(path: Path, roster: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident memory (MB) of one `smcheck check`, the
    whole process tree: a long post is parsed and analysed by worker processes too.
    (Forked workers share their parent's pages; each one's RSS counts them again, so this
    over-counts.) CPU time is the tree's user + system time: on a machine others are
    busy on, the wall time says more about them than about smcheck."""
    sys.path.insert(0, str(HERE))
    from audit import run

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, _, peak = run([sys.executable, "-m", "smcheck", "check", str(path), "--roster",
                         str(roster), "--format", "json", "--publish-at", WHEN, "--exit-zero"])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak / 2**20


def census_roster(path: Path, n: int, seed: int = 7) -> None:
    """n students with census first and last names, as a district SIS export might hold."""
    rng = random.Random(seed)
    firsts = [ln.split()[0].title() for f in ("dist.male.first", "dist.female.first")
              for ln in resources.files("names").joinpath(f).read_text().splitlines()[:2000]]
    lasts = [ln.split()[0].title() for ln in
             resources.files("names").joinpath("dist.all.last").read_text().splitlines()[:20000]]
    releases = ["full"] * 6 + ["photo only", "name only", "none", "none"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["student_id", "first_name", "last_name", "grade", "media_release",
                    "safety_flag"])
        for i in range(n):
            w.writerow([f"{900000 + i}", rng.choice(firsts), rng.choice(lasts),
                        rng.choice(["K", *map(str, range(1, 13))]), rng.choice(releases),
                        "yes" if rng.random() < 0.01 else ""])


def per_post(roster: Path, posts: list[Path]) -> list[float]:
    """Warm seconds per post, in-process, after one post to load the models."""
    from smcheck.api import Checker
    from smcheck.post import Post
    from smcheck.roster import load_roster

    checker = Checker(roster=load_roster(roster))
    when = datetime.fromisoformat(WHEN).astimezone(ZoneInfo("America/Los_Angeles"))
    checker.check_post(Post(path="warm.txt", text="Warm up, Hope."), when)
    out = []
    for p in posts:
        text = p.read_text(encoding="utf-8")
        start = time.perf_counter()
        checker.check_post(Post(path=p.name, text=text), when)
        out.append(time.perf_counter() - start)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,500000,1000000")
    parser.add_argument("--posts", type=int, default=40)
    parser.add_argument("--shapes", default="posts,paragraph",
                        help="posts: short paragraphs; paragraph: one paragraph, one line")
    parser.add_argument("--skip-long", action="store_true")
    parser.add_argument("--skip-roster", action="store_true")
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "smcheck")], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small = folder / "roster-50.csv"
        large = folder / "roster-10000.csv"
        census_roster(small, 50)
        census_roster(large, 10_000)
        if not args.skip_long:
            print("(a) long posts, cold check, 50-student roster")
            print(f"{'size':>10} {'shape':>10} {'wall':>8} {'CPU':>8} "
                  f"{'peak RSS, process tree':>24}  (load average {os.getloadavg()[0]:.1f})")
            makers = {"posts": long_post, "paragraph": one_paragraph}
            for size in (int(s) for s in args.sizes.split(",")):
                for shape in args.shapes.split(","):
                    post = folder / f"long-{shape}-{size}.txt"
                    post.write_text(makers[shape](size), encoding="utf-8")
                    wall, cpu, peak = cold_check(post, small)
                    print(f"{size:>10,} {shape:>10} {wall:>7.1f}s {cpu:>7.1f}s {peak:>20.0f} MiB"
                          f"  (load average {os.getloadavg()[0]:.1f})", flush=True)
        if args.skip_roster:
            return 0
        posts = POSTS[:args.posts]
        print(f"(b) roster size, warm, {len(posts)} posts of eval/posts")
        a = per_post(small, posts)
        b = per_post(large, posts)
        ratio = statistics.median(y / x for x, y in zip(a, b, strict=True))
        print(f"  50 students:     median {statistics.median(a) * 1000:.0f} ms/post, "
              f"total {sum(a):.2f} s")
        print(f"  10,000 students: median {statistics.median(b) * 1000:.0f} ms/post, "
              f"total {sum(b):.2f} s")
        print(f"  median of per-post ratios 10,000/50: {ratio:.2f}; ratio of totals "
              f"{sum(b) / sum(a):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
