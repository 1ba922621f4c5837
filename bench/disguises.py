"""What reading names in disguise costs the canonical text (issue 18, item 6).

    uv run python bench/disguises.py [ROUNDS]

Times smcheck.extract.normalize.canonical, with the sample roster's names, on texts of
about 1 MB: ordinary prose (most posts: one scan finds no disguise), and four hostile
ones, each all disguise candidates: made-up words with digits and signs for letters
(every one's readings looked up), letters spaced apart, closed right-to-left overrides,
regional indicators. Prints the median of ROUNDS (default 3), warm, and the one-time
loads a first disguise costs (WordNet's words, the census names as sets).
"""

from __future__ import annotations

import random
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import spacy  # noqa: F401  (imported by any run before a disguise is read)

from smcheck.extract import names
from smcheck.extract.names import NameMatcher
from smcheck.extract.normalize import canonical
from smcheck.roster import load_roster

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
ROOT = Path(__file__).resolve().parent.parent


def signed_words(n: int) -> str:
    rng = random.Random(1)
    return " ".join(rng.choice(string.ascii_letters) +
                    "".join(rng.choice("a1e3o0i!s5@") for _ in range(6)) for _ in range(n))


TEXTS = {
    "prose, no disguise": "Our class planted tulips today with Maya, and 3 of us went "
                          "to Room 4B at 10am. " * 13000,
    "made-up words with signs (a1e3o0i!)": signed_words(125000),
    "letters spaced apart (a b a b ...)": "a b " * 250000,
    "closed overrides (\\u202eab\\u202c)": "\u202eab\u202c " * 200000,
    "regional indicators": "\U0001f1e7\U0001f1ee" * 250000,
}


def main() -> None:
    roster = load_roster(ROOT / "sample_posts" / "roster.csv")
    matcher = NameMatcher(roster.students, ())
    t = time.perf_counter()
    names._wordnet()
    wordnet = time.perf_counter() - t
    t = time.perf_counter()
    names._census_set("first")
    names._census_set("last")
    census = time.perf_counter() - t
    print(f"one-time: WordNet's words {wordnet * 1000:.0f} ms, census sets "
          f"{census * 1000:.0f} ms")
    print("| text | characters | canonical, median |")
    print("|---|---|---|")
    for label, text in TEXTS.items():
        times = []
        for _ in range(ROUNDS):
            t = time.perf_counter()
            canonical(text, matcher)
            times.append(time.perf_counter() - t)
        print(f"| {label} | {len(text):,} | {statistics.median(times):.2f} s |")


if __name__ == "__main__":
    main()
