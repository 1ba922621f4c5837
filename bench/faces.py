"""Face detection measured: recall, precision and time per photo, for the detection
settings in smcheck.extract.faces.Detection.

Ground truth: ../shared/testdata/dlib-faces (43 boxed faces in nine PASCAL VOC photos,
dlib's examples). Variants made in a temp folder, never committed (tests/photogen.py):
heads tilted by +-20 and +-35 degrees (the photo turned), 12 MP upscales (upright and
tilted), class photos of 28-30 people with faces of 50-120 px at 12 MP, phone-style
files stored sideways (EXIF orientation 6), low light and half size.
A detection counts when it overlaps a true face (IoU >= 0.3) or each centre lies in
the other box. Time is decode + detect per photo (no encoding).

Run: uv run python bench/faces.py [SET-PREFIX ...]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageEnhance

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from smcheck.extract.faces import UPSAMPLE, WORKING_SIDE, Detection, FaceModels  # noqa: E402
from smcheck.extract.images import load_image  # noqa: E402
from smcheck.findings import Box  # noqa: E402
from tests.photogen import DLIB, class_photo, scaled, score, tilted, truth  # noqa: E402

VARIANTS = {
    "HOG (before)": Detection(mtcnn=False, hog_large=UPSAMPLE, hog_large_small_faces=UPSAMPLE),
    "HOG + MTCNN": Detection(hog_large=UPSAMPLE),
    "MTCNN, HOG on its faces": Detection(hog_small=None, hog_medium=None, hog_large=None,
                                         hog_large_small_faces=None),
    "chosen: MTCNN + HOG where it pays": Detection(),
    "chosen, one HOG step on small photos": Detection(hog_small=UPSAMPLE),
}

Items = list[tuple[Path, list[Box]]]


def sets(tmp: Path) -> dict[str, Items]:
    gt = truth()
    out: dict[str, Items] = {}

    def add(label: str, name: str, img: Image.Image, boxes: list[Box], **save: object) -> None:
        path = tmp / f"{sum(map(len, out.values()))}-{name}"
        img.save(path, quality=90, **save)  # type: ignore[arg-type]
        out.setdefault(label, []).append((path, boxes))

    for name, boxes in gt.items():
        img = Image.open(DLIB / name).convert("RGB")
        add("upright", name, img, boxes)
        for angle in (20, -20, 35, -35):
            add(f"tilted {angle:+}", name, *tilted(img, boxes, angle))
        add("12 MP upright", name, *scaled(img, boxes, 4032))
        add("12 MP tilted +35", name, *scaled(*tilted(img, boxes, 35), 4032))
        exif = Image.Exif()
        exif[0x0112] = 6  # stored sideways: the viewer turns it 90 degrees clockwise
        add("EXIF-rotated", name, img.transpose(Image.Transpose.ROTATE_90), boxes, exif=exif)
        add("low light", name, ImageEnhance.Brightness(img).enhance(0.35), boxes)
        add("half size", name, *scaled(img, boxes, max(img.size) // 2))
    for n, cols, px in ((28, 7, (60, 120)), (30, 6, (50, 80))):
        img, boxes = class_photo(n=n, cols=cols, face_px=px)
        add(f"class photo, {n} faces of {px[0]}-{px[1]} px, 12 MP", "class.jpg", img, boxes)
    return out


def main() -> int:
    if not DLIB.is_dir():
        sys.exit(f"{DLIB} is not here (it is in the CI checkout's shared/ folder)")
    only = sys.argv[1:]
    models = FaceModels()
    with tempfile.TemporaryDirectory() as tmp:
        print("| set | detection | found | extra | ms/photo |")
        print("|---|---|---|---|---|")
        for label, items in sets(Path(tmp)).items():
            if only and not any(label.startswith(o) for o in only):
                continue
            for vname, how in VARIANTS.items():
                hits = total = extra = 0
                ms = []
                for path, boxes in items:
                    t = time.perf_counter()
                    dets = [c.box for c in models.detect(load_image(path, WORKING_SIDE),
                                                         how=how)]
                    ms.append((time.perf_counter() - t) * 1000)
                    h, e = score(dets, boxes)
                    hits, extra, total = hits + h, extra + e, total + len(boxes)
                print(f"| {label} | {vname} | {hits}/{total} | {extra} | "
                      f"{statistics.mean(ms):.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
