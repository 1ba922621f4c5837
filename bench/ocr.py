"""Words in photos (OCR) measured: what each setting reads, and what it costs.

Photos made in a temp folder (never committed, tests/photogen.py): the shared photo of
two people at 12 MP and at 1600 px, with a name card ("MAYA TORRES"), a sign ("Call
503-555-0142") and a handle ("@mrsk_class") printed (DejaVu Sans Bold) or
hand-lettered (OpenCV's Hershey script strokes), their letters 0.6-3 % of the photo's
long side (font size), level or turned 10 degrees.

Table 1, cost: per photo, the first look alone (the detector at each long side) and
the whole of `Ocr.lines` (first look, second look, reading); one thread (an audit
runs one process per core); median of 3.
Table 2, reading: how many of the three lines are read exactly (letters and digits,
case ignored), with the first look alone and with the second look.

Run: uv run python bench/ocr.py [--quick]
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import smcheck.extract.ocr as ocr_module  # noqa: E402
from smcheck.extract.faces import WORKING_SIDE  # noqa: E402
from smcheck.extract.images import load_image  # noqa: E402
from smcheck.extract.ocr import Ocr  # noqa: E402
from tests.photogen import FACES, words_photo  # noqa: E402

SIDES = (480, 640, 960)
WORDS = ["MAYA TORRES", "Call 503-555-0142", "@mrsk_class"]
SPOTS = [(0.05, 0.62), (0.45, 0.72), (0.1, 0.85)]  # where each goes (fractions of w, h)
SIZES = (0.006, 0.008, 0.01, 0.0125, 0.015, 0.02, 0.03)


def make(path: Path, long_side: int, size: float | None, hand: bool = False,
         angle: float = 0.0) -> Path:
    words = [] if size is None else [(t, x, y) for t, (x, y) in zip(WORDS, SPOTS, strict=True)]
    words_photo(FACES / "two_people.jpg", long_side, words, size or 0.0, hand=hand,
                angle=angle).save(path, quality=90)
    return path


def _key(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def exact(lines: list[str]) -> int:
    keys = [_key(t) for t in lines]
    return sum(any(_key(w) in k for k in keys) for w in WORDS)


@contextlib.contextmanager
def first_look_only() -> Iterator[None]:
    """The OCR without its second look: nothing is faint enough, no line small enough."""
    saved = ocr_module.FAINT, ocr_module.SMALL_LINE
    ocr_module.FAINT, ocr_module.SMALL_LINE = 2.0, 0
    try:
        yield
    finally:
        ocr_module.FAINT, ocr_module.SMALL_LINE = saved


def cost(tmp: Path) -> None:
    print("| photo | detector side | first look ms | whole OCR ms | read |")
    print("|---|---|---|---|---|")
    for side in SIDES:
        ocr = Ocr(det_side=side)
        for long_side in (4032, 1600):
            for size in (None, 0.02, 0.01):
                path = make(tmp / "cost.jpg", long_side, size)
                image = load_image(path, WORKING_SIDE)
                firsts, wholes = [], []
                for _ in range(3):
                    with first_look_only():
                        t0 = time.perf_counter()
                        ocr.lines(image)
                        firsts.append((time.perf_counter() - t0) * 1000)
                    t0 = time.perf_counter()
                    lines = ocr.lines(image)
                    wholes.append((time.perf_counter() - t0) * 1000)
                label = f"{image.width}x{image.height}, " + (
                    "no words" if size is None else f"words {size:.0%}".replace("%", " %"))
                read = ", ".join(line.text for line in lines) or "-"
                print(f"| {label} | {side} | {statistics.median(firsts):.0f} | "
                      f"{statistics.median(wholes):.0f} | {read} |", flush=True)


def reading(tmp: Path, quick: bool) -> None:
    ocr = Ocr()
    sizes = SIZES[1:5] if quick else SIZES
    print("\n| photo | letters | turned | " + " | ".join(f"{s * 100:g} %" for s in sizes) + " |")
    print("|---|---|---|" + "---|" * len(sizes))
    totals = [0, 0, 0]
    for long_side in (4032, 1600):
        for hand in (False, True):
            for angle in (0, 10):
                cells = []
                for size in sizes:
                    image = load_image(make(tmp / "read.jpg", long_side, size, hand, angle),
                                       WORKING_SIDE)
                    with first_look_only():
                        first = exact([t.text for t in ocr.lines(image)])
                    both = exact([t.text for t in ocr.lines(image)])
                    totals = [totals[0] + first, totals[1] + both, totals[2] + len(WORDS)]
                    cells.append(f"{first} → {both}")
                kind = "hand" if hand else "print"
                print(f"| {long_side} px | {kind} | {angle}° | " + " | ".join(cells) + " |",
                      flush=True)
    print(f"\nread exactly: first look alone {totals[0]}/{totals[2]}, "
          f"with the second look {totals[1]}/{totals[2]} (cells: first → with the second)")


def main() -> int:
    if not FACES.is_dir():
        sys.exit(f"{FACES} is not here (it is in the CI checkout's shared/ folder)")
    t = time.perf_counter()
    Ocr()
    print(f"OCR models load: {time.perf_counter() - t:.2f} s (once per process)\n")
    with tempfile.TemporaryDirectory() as tmp:
        cost(Path(tmp))
        reading(Path(tmp), "--quick" in sys.argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
