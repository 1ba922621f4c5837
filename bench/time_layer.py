"""What the time-and-place layer (issue 3) costs a cold check, measured in a fresh process.

Times, in one new interpreter, the import of the layer's own modules (its patterns
compile there), the first calls of `resolve` (dates and times) and `find_places` on
every sentence of a post, and the S301 and L201 rules: what the layer adds to a cold
`smcheck check`. Compare it with the
cold check's wall time from bench/run.py. Run: uv run python bench/time_layer.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The modules only the time-and-place layer needs; their own import time (not the
# modules they share with every other check) is what the layer adds.
LAYER_MODULES = ("smcheck.extract.times", "smcheck.extract.places", "smcheck.rules.schedule",
                 "zoneinfo", "zoneinfo._common", "zoneinfo._tzpath", "_zoneinfo")

CHILD = r"""
import sys, time
from datetime import datetime
from zoneinfo import ZoneInfo
from smcheck.api import Checker
from smcheck.extract.text import extract_text
from smcheck.extract import times, places
from smcheck.facts import Facts
from smcheck.post import Post
from smcheck.rules import Context, get_rule

text = open(sys.argv[1], encoding="utf-8").read()
now = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
checker = Checker()
doc = checker.engines.parse(text)  # spaCy loaded and run outside the measurement
facts = extract_text(text, checker.engines, checker.matcher, None)  # no time layer
t0 = time.perf_counter()
for s, tense in zip(facts.sentences, facts.tenses):
    times.resolve(s.text, s.start, now, tense == "past")
    places.find_places(text, doc, s.start, s.end)
t1 = time.perf_counter()
full = extract_text(text, checker.engines, checker.matcher, now)
post = Post(path="p", text=text)
ctx = Context(config=checker.config, roster=checker.roster, publish_at=now)
t2 = time.perf_counter()
n = 0
for code in ("S301", "L201"):
    n += len(get_rule(code).run(Facts(post=post, text=full), ctx))
t3 = time.perf_counter()
print(f"{(t1 - t0) * 1000:.1f} {(t3 - t2) * 1000:.1f} {n}")
"""


def main() -> int:
    for post in sorted((HERE / "posts").glob("*.txt")):
        runs = []
        for _ in range(5):
            proc = subprocess.run([sys.executable, "-X", "importtime", "-c", CHILD, str(post)],
                                  capture_output=True, text=True, check=True)
            own = sum(int(line.split("|")[0].split(":")[1]) for line in proc.stderr.splitlines()
                      if line.startswith("import time:") and
                      line.rsplit("|", 1)[1].strip() in LAYER_MODULES)
            runs.append([str(own / 1000), *proc.stdout.split()])
        imports, extract, rules = (sorted(float(r[i]) for r in runs)[2] for i in range(3))
        total = imports + extract + rules
        print(f"{post.name:<14} imports {imports:5.1f} ms  extraction {extract:5.1f} ms  "
              f"S301+L201 {rules:5.1f} ms  total {total:5.1f} ms  findings {runs[0][3]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
