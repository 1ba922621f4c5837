"""Face detection settings measured: recall, precision and time per photo.

Ground truth: ../shared/testdata/dlib-faces (43 boxed faces in nine PASCAL VOC photos,
dlib's examples). Variants made here in a temp folder, never committed: 12 MP
upscales (4000 px wide JPEGs), phone-style rotated files (pixels stored sideways with
EXIF orientation 6), low light, and half size. Run: uv run python bench/faces.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image, ImageEnhance

from smcheck.extract.faces import FaceModels
from smcheck.extract.images import load_image
from smcheck.findings import Box

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "testdata" / "dlib-faces"
SETTINGS = [  # (working long side, upsample, threshold)
    (2048, 0, 0.0), (1024, 1, 0.0), (1600, 1, 0.0), (2048, 1, 0.0), (2048, 1, -0.2),
    (2048, 2, 0.0),
]


def truth() -> dict[str, list[Box]]:
    out: dict[str, list[Box]] = {}
    for xml in ("training.xml", "testing.xml"):
        for image in ET.parse(DATA / xml).getroot().iter("image"):
            boxes = [Box(top=int(b.get("top", 0)), left=int(b.get("left", 0)),
                         bottom=int(b.get("top", 0)) + int(b.get("height", 0)),
                         right=int(b.get("left", 0)) + int(b.get("width", 0)))
                     for b in image.iter("box")]
            out[str(image.get("file"))] = boxes
    return out


def iou(a: Box, b: Box) -> float:
    w = min(a.right, b.right) - max(a.left, b.left)
    h = min(a.bottom, b.bottom) - max(a.top, b.top)
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    area = (a.right - a.left) * (a.bottom - a.top) + (b.right - b.left) * (b.bottom - b.top)
    return inter / (area - inter)


def scaled(box: Box, f: float) -> Box:
    return Box(top=round(box.top * f), left=round(box.left * f), bottom=round(box.bottom * f),
               right=round(box.right * f))


def variants(tmp: Path, gt: dict[str, list[Box]]) -> dict[str, list[tuple[Path, list[Box]]]]:
    out: dict[str, list[tuple[Path, list[Box]]]] = {
        "original": [], "12 MP": [], "rotated (EXIF 6)": [], "low light": [], "half size": []}
    for name, boxes in gt.items():
        src = DATA / name
        img = Image.open(src).convert("RGB")
        out["original"].append((src, boxes))
        f = 4000 / img.width
        big = tmp / f"12mp-{name}"
        img.resize((4000, round(img.height * f)), Image.Resampling.BICUBIC).save(big, quality=90)
        out["12 MP"].append((big, [scaled(b, f) for b in boxes]))
        rot = tmp / f"rot-{name}"
        exif = Image.Exif()
        exif[0x0112] = 6  # stored rotated: the viewer turns it 90 degrees clockwise
        img.transpose(Image.Transpose.ROTATE_90).save(rot, exif=exif, quality=92)
        out["rotated (EXIF 6)"].append((rot, boxes))
        dark = tmp / f"dark-{name}"
        ImageEnhance.Brightness(img).enhance(0.35).save(dark, quality=92)
        out["low light"].append((dark, boxes))
        half = tmp / f"half-{name}"
        img.resize((img.width // 2, img.height // 2)).save(half, quality=92)
        out["half size"].append((half, [scaled(b, 0.5) for b in boxes]))
    return out


def main() -> int:
    if not DATA.is_dir():
        sys.exit(f"{DATA} is not here (it is in the CI checkout's shared/ folder)")
    models = FaceModels()
    gt = truth()
    with tempfile.TemporaryDirectory() as tmp:
        sets = variants(Path(tmp), gt)
        print("| set | working side | upsample | threshold | recall | precision | ms/photo |")
        print("|---|---|---|---|---|---|---|")
        for label, items in sets.items():
            for side, up, thr in SETTINGS:
                hit = total = good = bad = 0
                ms = []
                for path, boxes in items:
                    t = time.perf_counter()
                    dets = [b for b, _ in models.detect(load_image(path, side), up, thr)]
                    ms.append((time.perf_counter() - t) * 1000)
                    total += len(boxes)
                    hit += sum(any(iou(d, b) >= 0.3 for d in dets) for b in boxes)
                    matched = sum(any(iou(d, b) >= 0.3 for b in boxes) for d in dets)
                    good += matched
                    bad += len(dets) - matched
                precision = good / (good + bad) if good + bad else 1.0
                print(f"| {label} | {side} | {up} | {thr} | {hit / total:.2f} | "
                      f"{precision:.2f} | {statistics.median(ms):.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
