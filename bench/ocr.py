"""Words in photos (OCR) measured: what each detector size reads, and what it costs.

Photos made in a temp folder (never committed): a 12 MP photo and a phone-sized one
with a name tag and a sign rendered onto them (tests/photogen.py), and the same photos
without words. Per photo: the detector alone, and detector + reading the lines found,
for each detector long side; one thread (an audit runs one process per core).

Run: uv run python bench/ocr.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from smcheck.extract.faces import WORKING_SIDE  # noqa: E402
from smcheck.extract.images import load_image  # noqa: E402
from smcheck.extract.ocr import Ocr  # noqa: E402
from tests.photogen import FACES, write  # noqa: E402

SIDES = (480, 640, 960)
WORDS = ["MAYA T.", "Call 503-555-0142"]


def photos(tmp: Path) -> list[tuple[str, Path]]:
    out = []
    for long_side in (4032, 1600):
        img = Image.open(FACES / "two_people.jpg").convert("RGB")
        f = long_side / img.width
        img = img.resize((long_side, round(img.height * f)))
        plain = tmp / f"plain-{long_side}.jpg"
        img.save(plain, quality=88)
        size = round(long_side / 45)  # words about 2 % of the photo's width tall
        write(img, WORDS[0], (round(long_side * 0.22), round(img.height * 0.7)), size)
        write(img, WORDS[1], (round(long_side * 0.57), round(img.height * 0.8)), size)
        words = tmp / f"words-{long_side}.jpg"
        img.save(words, quality=88)
        mp = f"{long_side}x{img.height}"
        out += [(f"{mp}, no words", plain), (f"{mp}, name tag + sign", words)]
    return out


def main() -> int:
    if not FACES.is_dir():
        sys.exit(f"{FACES} is not here (it is in the CI checkout's shared/ folder)")
    t = time.perf_counter()
    Ocr()
    print(f"OCR models load: {time.perf_counter() - t:.2f} s (once per process)\n")
    with tempfile.TemporaryDirectory() as tmp:
        items = photos(Path(tmp))
        print("| photo | detector side | detector ms | detector + reading ms | read |")
        print("|---|---|---|---|---|")
        for side in SIDES:
            ocr = Ocr(det_side=side)
            for label, path in items:
                image = load_image(path, WORKING_SIDE)
                det, full = [], []
                for _ in range(3):
                    t0 = time.perf_counter()
                    ocr.det(image.pixels[:, :, ::-1].copy() if side >= max(
                        image.pixels.shape[:2]) else _small(image.pixels, side))
                    t1 = time.perf_counter()
                    lines = ocr.lines(image)
                    full.append((time.perf_counter() - t1) * 1000)
                    det.append((t1 - t0) * 1000)
                read = ", ".join(line.text for line in lines) or "-"
                print(f"| {label} | {side} | {statistics.median(det):.0f} | "
                      f"{statistics.median(full):.0f} | {read} |", flush=True)
    return 0


def _small(pixels: object, side: int) -> object:
    import cv2
    import numpy as np

    arr = np.asarray(pixels)
    h, w = arr.shape[:2]
    f = side / max(h, w)
    return np.ascontiguousarray(cv2.resize(arr, (round(w * f), round(h * f)),
                                           interpolation=cv2.INTER_AREA)[:, :, ::-1])


if __name__ == "__main__":
    raise SystemExit(main())
