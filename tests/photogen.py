"""Test photos made at test (and bench) time from the shared photos, never committed:
tilted copies, class photos of many small faces, words written onto photos.

Ground truth: the 43 boxed faces of ../shared/testdata/dlib-faces (imglab XML).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from smcheck.findings import Box

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "testdata"
DLIB = SHARED / "dlib-faces"
FACES = SHARED / "faces"


def truth() -> dict[str, list[Box]]:
    """Each boxed photo's faces."""
    out: dict[str, list[Box]] = {}
    for xml in ("training.xml", "testing.xml"):
        for image in ET.parse(DLIB / xml).getroot().iter("image"):
            out[str(image.get("file"))] = [
                Box(top=int(b.get("top", 0)), left=int(b.get("left", 0)),
                    bottom=int(b.get("top", 0)) + int(b.get("height", 0)),
                    right=int(b.get("left", 0)) + int(b.get("width", 0)))
                for b in image.iter("box")]
    return out


def found(detected: Box, true: Box) -> bool:
    """A detection of a true face: overlapping it, or each centre inside the other (a
    tilted face's true box is the bounding box of the turned square, larger than any
    detector's)."""
    if detected.iou(true) >= 0.3:
        return True
    dx, dy = (detected.left + detected.right) / 2, (detected.top + detected.bottom) / 2
    tx, ty = (true.left + true.right) / 2, (true.top + true.bottom) / 2
    return (true.left <= dx <= true.right and true.top <= dy <= true.bottom
            and detected.left <= tx <= detected.right and detected.top <= ty <= detected.bottom)


def score(detected: list[Box], true: list[Box]) -> tuple[int, int]:
    """(true faces found, detections matching no true face)."""
    hits = sum(any(found(d, t) for d in detected) for t in true)
    extra = sum(not any(found(d, t) for t in true) for d in detected)
    return hits, extra


def tilted(img: Image.Image, boxes: list[Box], degrees: float) -> tuple[Image.Image, list[Box]]:
    """The photo turned counter-clockwise by `degrees` (canvas grown to hold it all), and
    each face's box: the bounding box of its turned square."""
    w, h = img.size
    out = img.rotate(degrees, expand=True, resample=Image.Resampling.BICUBIC)
    big_w, big_h = out.size
    a = math.radians(degrees)
    turned = []
    for b in boxes:
        xs, ys = [], []
        for x, y in ((b.left, b.top), (b.right, b.top), (b.left, b.bottom), (b.right, b.bottom)):
            dx, dy = x - w / 2, y - h / 2
            xs.append(dx * math.cos(a) + dy * math.sin(a) + big_w / 2)
            ys.append(-dx * math.sin(a) + dy * math.cos(a) + big_h / 2)
        turned.append(Box(left=round(min(xs)), right=round(max(xs)), top=round(min(ys)),
                          bottom=round(max(ys))))
    return out, turned


def scaled(img: Image.Image, boxes: list[Box], long_side: int) -> tuple[Image.Image, list[Box]]:
    f = long_side / max(img.size)
    out = img.resize((round(img.width * f), round(img.height * f)), Image.Resampling.BICUBIC)
    return out, [Box(left=round(b.left * f), top=round(b.top * f), right=round(b.right * f),
                     bottom=round(b.bottom * f)) for b in boxes]


def class_photo(n: int = 28, cols: int = 7, size: tuple[int, int] = (4032, 3024),
                face_px: tuple[int, int] = (60, 120)) -> tuple[Image.Image, list[Box]]:
    """A class photo: n people (head and shoulders cut from the boxed photos, each face
    scaled to between face_px pixels wide) in rows on a plain wall."""
    people = [(file, b) for file, boxes in sorted(truth().items()) for b in boxes]
    w, h = size
    shade = np.linspace(1.0, 0.7, h)[:, None, None]
    wall = (np.array([200, 190, 170]) * shade).astype(np.uint8)
    canvas = Image.fromarray(np.broadcast_to(wall, (h, w, 3)).copy())
    rows = math.ceil(n / cols)
    cw, ch = w // cols, h // rows
    boxes = []
    for i in range(n):
        file, b = people[i * len(people) // n]
        src = Image.open(DLIB / file).convert("RGB")
        face = face_px[0] + (face_px[1] - face_px[0]) * ((i * 11) % n) / max(1, n - 1)
        bw, bh = b.right - b.left, b.bottom - b.top
        f = face / bw
        cx, cy = (b.left + b.right) / 2, (b.top + b.bottom) / 2
        cut = (round(cx - bw * 0.8), round(cy - bh * 0.9), round(cx + bw * 0.8),
               round(cy + bh * 1.4))
        person = src.crop(cut).resize((round((cut[2] - cut[0]) * f),
                                       round((cut[3] - cut[1]) * f)), Image.Resampling.BICUBIC)
        r, c = divmod(i, cols)
        x0 = c * cw + (cw - person.width) // 2 + ((i * 37) % 41 - 20) * 4
        y0 = r * ch + (ch - person.height) // 2 + ((i * 53) % 31 - 15) * 4
        canvas.paste(person, (x0, y0))
        fx, fy = x0 + (b.left - cut[0]) * f, y0 + (b.top - cut[1]) * f
        boxes.append(Box(left=round(fx), top=round(fy), right=round(fx + bw * f),
                         bottom=round(fy + bh * f)))
    return canvas, boxes


@cache
def font_file() -> str | None:
    """A TrueType font: DejaVu from matplotlib or the system, if either is here."""
    candidates = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
                  Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")]
    try:
        import matplotlib

        candidates.insert(0, Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"
                          / "DejaVuSans-Bold.ttf")
    except ImportError:
        pass
    return next((str(p) for p in candidates if p.is_file()), None)


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = font_file()
    if path is not None:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)  # Pillow's own scalable font


def write(img: Image.Image, text: str, xy: tuple[int, int], size: int,
          card: bool = True, angle: float = 0.0) -> Box:
    """Words on the photo (on a white card, like a name tag or a sign, unless card is
    False), turned by `angle` degrees; returns the box they cover."""
    f = font(size)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    _, _, right, bottom = probe.textbbox((0, 0), text, font=f)
    pad = size // 3
    tile = Image.new("RGBA", (right + 2 * pad, bottom + 2 * pad), (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile)
    if card:
        draw.rectangle((0, 0, tile.width - 1, tile.height - 1), fill=(250, 250, 245, 255),
                       outline=(30, 60, 160, 255), width=max(2, size // 10))
    draw.text((pad, pad), text, font=f, fill=(15, 15, 15, 255))
    if angle:
        tile = tile.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    img.paste(tile, xy, tile)
    return Box(left=xy[0], top=xy[1], right=xy[0] + tile.width, bottom=xy[1] + tile.height)


def hand_write(img: Image.Image, text: str, xy: tuple[int, int], size: int,
               angle: float = 0.0) -> Box:
    """Words in strokes on a white card: OpenCV's Hershey script font, the nearest
    thing to hand lettering that needs no font file; `size` as for write()."""
    import cv2

    font, scale = cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, size / 30
    thickness = max(2, round(size / 14))
    (width, height), base = cv2.getTextSize(text, font, scale, thickness)
    pad = size // 3
    card = np.full((height + base + 2 * pad, width + 2 * pad, 3), 248, np.uint8)
    cv2.putText(card, text, (pad, pad + height), font, scale, (20, 20, 90), thickness,
                cv2.LINE_AA)
    tile = Image.fromarray(card).convert("RGBA")
    if angle:
        tile = tile.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    img.paste(tile, xy, tile)
    return Box(left=xy[0], top=xy[1], right=xy[0] + tile.width, bottom=xy[1] + tile.height)


def words_photo(source: Path, long_side: int, words: list[tuple[str, float, float]],
                size: float, hand: bool = False, angle: float = 0.0) -> Image.Image:
    """`source` scaled to `long_side`, with each (text, x, y) written at that fraction of
    the photo's width and height, letters `size` of the long side tall (font size),
    printed or hand-lettered, turned by `angle`."""
    img = Image.open(source).convert("RGB")
    img = img.resize((long_side, round(img.height * long_side / img.width)))
    pen = hand_write if hand else write
    for text, x, y in words:
        pen(img, text, (round(img.width * x), round(img.height * y)),
            max(6, round(long_side * size)), angle=angle)
    return img
