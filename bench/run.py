"""Cold single-post `smcheck check` against a bare Presidio + spaCy script, same text.

Each round starts fresh processes, alternating the two so that machine noise hits
both alike; the figure is the median wall time. Run: uv run python bench/run.py
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ROSTER = ROOT / "sample_posts" / "roster.csv"


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    py = sys.executable
    # Python caches a module's bytecode the first time it runs, except where
    # PYTHONDONTWRITEBYTECODE is set (as on these machines). Installed packages get it
    # on smcheck's first run (smcheck/__main__.py); the project itself is an
    # editable install, so compile it here: a teacher's second check finds it cached.
    subprocess.run([py, "-m", "compileall", "-q", str(ROOT / "smcheck")], check=True)
    print(f"{'post':<14} {'bare presidio+spacy':>20} {'smcheck check':>14} {'ratio':>6} "
          f"{'paired':>7}")
    for post in sorted((HERE / "posts").glob("*.txt")):
        bare_cmd = [py, str(HERE / "bare_presidio.py"), str(post)]
        ours_cmd = [py, "-m", "smcheck", "check", str(post), "--roster", str(ROSTER),
                    "--format", "json"]
        wall(bare_cmd), wall(ours_cmd)  # warm the OS file cache: cold process, warm disk
        bare: list[float] = []
        ours: list[float] = []
        for _ in range(args.rounds):
            bare.append(wall(bare_cmd))
            ours.append(wall(ours_cmd))
        b, o = statistics.median(bare), statistics.median(ours)
        # Each round's pair ran back to back: the median of their ratios shrugs off
        # a slow moment of the machine better than the ratio of medians.
        paired = statistics.median(x / y for x, y in zip(ours, bare, strict=True))
        print(f"{post.name:<14} {b:>19.2f}s {o:>13.2f}s {o / b:>6.2f} {paired:>7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
