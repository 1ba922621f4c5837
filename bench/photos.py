"""Photo checks measured against face_recognition's own `face_detection` CLI (issue 4).

1. A folder of photo-only posts (the shared test photos, a third of them upscaled to
   12 MP; made in a temp folder, never committed): faces found by `smcheck audit` and
   by `face_detection` (HOG, its defaults), and each one's wall time.
2. A cold `smcheck check` of one 12 MP photo against a cold text-only check.
3. Per-photo time inside a warm process: decode, detect, encode.

Run: uv run python bench/photos.py   (needs ../shared/testdata)
     uv run python bench/photos.py --per-photo   (3. alone)
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "testdata"
BIN = Path(sys.executable).parent


def photos(folder: Path) -> list[Path]:
    sources = sorted(p for p in (SHARED / "faces").glob("*.*") if p.suffix != ".md")
    sources += sorted((SHARED / "dlib-faces").glob("*.jpg"))
    out = []
    for n, src in enumerate(sources):
        if n % 3 == 0:  # every third one as a 12 MP phone photo
            img = Image.open(src).convert("RGB")
            f = 4032 / max(img.size)
            dst = folder / f"{src.stem}-12mp.jpg"
            img.resize((round(img.width * f), round(img.height * f)),
                       Image.Resampling.BICUBIC).save(dst, quality=88)
        else:
            dst = folder / src.name
            shutil.copy(src, dst)
        out.append(dst)
    return out


def wall(cmd: list[str]) -> tuple[float, str]:
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - t, proc.stdout


def main() -> int:
    if not SHARED.is_dir():
        sys.exit(f"{SHARED} is not here (it is in the CI checkout's shared/ folder)")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "smcheck")], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        files = photos(folder)
        big = sum("-12mp" in f.name for f in files)
        print(f"## Folder of {len(files)} photo-only posts ({big} of them 12 MP)\n")
        ours_t, out = wall([sys.executable, "-m", "smcheck", "audit", str(folder),
                            "--format", "json", "--exit-zero"])
        ours = {Path(p["path"]).name: sum(1 for f in p["findings"] if f["box"]) for p in
                json.loads(out)["posts"]}
        theirs_t, out = wall([str(BIN / "face_detection"), str(folder)])
        theirs: dict[str, int] = dict.fromkeys(ours, 0)
        for line in out.splitlines():
            name = Path(line.split(",")[0]).name
            theirs[name] = theirs.get(name, 0) + 1
        print("| photo | face_detection | smcheck |\n|---|---|---|")
        for name in sorted(ours):
            flag = "" if ours[name] >= theirs.get(name, 0) else "  <- fewer"
            print(f"| {name} | {theirs.get(name, 0)} | {ours[name]}{flag} |")
        print(f"| **total** | **{sum(theirs.values())}** | **{sum(ours.values())}** |\n")
        print(f"wall time: face_detection {theirs_t:.1f} s (detection only, one process), "
              f"smcheck audit {ours_t:.1f} s (detection, encoding, text and rules)\n")

        print("## Cold single checks (median of 5)\n")
        text = ["--text", "Our class had a great week!"]
        twelve = next(f for f in files if "-12mp" in f.name)
        cold_text = statistics.median(wall([sys.executable, "-m", "smcheck", "check", *text,
                                            "--format", "json"])[0] for _ in range(5))
        cold_photo = statistics.median(wall([sys.executable, "-m", "smcheck", "check", *text,
                                             "--image", str(twelve), "--format", "json"])[0]
                                       for _ in range(5))
        print(f"text only {cold_text:.2f} s; text + one 12 MP photo ({twelve.name}) "
              f"{cold_photo:.2f} s; ratio {cold_photo / cold_text:.2f} (goal < 2.5)\n")

        per_photo(files)
    return 0


def per_photo(files: list[Path]) -> None:
    """Each stage of each photo in one warm process, one thread: decode, detect faces
    (MTCNN, HOG where it pays), encode them, and read the words (text detector on every
    photo; reading only where it found lines)."""
    from smcheck.extract.faces import WORKING_SIDE, FaceModels
    from smcheck.extract.images import load_image
    from smcheck.extract.ocr import Ocr

    models, ocr = FaceModels(), Ocr()
    models.mtcnn  # noqa: B018 - loaded before the first photo's clock starts
    models.encode([])  # the encoder too
    print("## Per photo, warm process\n")
    print("| photo | size | decode ms | detect ms | encode ms | faces | words ms | words |")
    print("|---|---|---|---|---|---|---|---|")
    totals = [0.0, 0.0, 0.0, 0.0]
    for f in files:
        t0 = time.perf_counter()
        img = load_image(f, WORKING_SIDE)
        t1 = time.perf_counter()
        found = models.detect(img)
        t2 = time.perf_counter()
        models.encode(found)
        t3 = time.perf_counter()
        lines = ocr.lines(img)
        t4 = time.perf_counter()
        ms = [(t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000, (t4 - t3) * 1000]
        totals = [a + b for a, b in zip(totals, ms, strict=True)]
        words = ", ".join(line.text for line in lines) or "-"
        print(f"| {f.name} | {img.width}x{img.height} | {ms[0]:.0f} | {ms[1]:.0f} | "
              f"{ms[2]:.0f} | {len(found)} | {ms[3]:.0f} | {words} |", flush=True)
    print(f"| **total** | | **{totals[0]:.0f}** | **{totals[1]:.0f}** | **{totals[2]:.0f}** | "
          f"| **{totals[3]:.0f}** | |")
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    if sys.argv[1:] == ["--per-photo"]:
        with tempfile.TemporaryDirectory() as tmp:
            per_photo(photos(Path(tmp)))
        raise SystemExit(0)
    raise SystemExit(main())
