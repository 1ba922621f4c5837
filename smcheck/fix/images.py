"""A photo, fixed: upright, its flagged faces and words made unrecognisable, and
re-encoded from its pixels alone, so no metadata survives (captions included), and
given a neutral file name (`neutral_names`).

Masking: each box is padded beyond what the detector found (hair, ears, the edge of a
name tag), pixelated to a few coarse blocks (every detail inside a block averaged
away, so there is nothing left for a deblurring or de-mosaic tool to recover), then
blurred so it reads as "hidden" rather than as a glitch. Padding stops short of a face
that stays (a released student's), so a neighbour is not hidden with it.

Re-encoding: a new image is built from the pixels and saved in the original format
(HEIC as JPEG: see `copy_name`) with only the pixels and an ICC colour profile (which
describes colours, not the photo): no EXIF (GPS, maker notes, thumbnail, camera,
time, ImageDescription, UserComment, the Windows XP title, comment and subject, Artist),
XMP, IPTC, comments or PNG text. The EXIF orientation is applied to the pixels first.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from smcheck.extract.captions import filename_words, read_captions
from smcheck.extract.images import GPS_IFD, ImageError, open_image
from smcheck.findings import Box
from smcheck.post import PostSource

if TYPE_CHECKING:
    from PIL import Image as PILImage

MaskKind = Literal["face", "words"]

# How far past the detected box a mask reaches, as a share of the box's width/height
# (left and right, top, bottom). A HOG face box runs from the brows to the chin and
# cheek to cheek: hair, forehead, ears and jaw are outside it.
PAD = {"face": (0.35, 0.6, 0.35), "words": (0.15, 0.3, 0.3)}
# Coarse blocks across the padded box's long side: about five across the face itself.
BLOCKS = {"face": 8, "words": 6}
JPEG_QUALITY = 90
# HEIC is written as JPEG: browsers other than Safari cannot show it, many sites refuse
# it, and HEVC encoding takes seconds a photo (x265) where JPEG takes a tenth of one.
HEIC_SUFFIXES = (".heic", ".heif")

EXIF_IFD = 0x8769
MAKER_NOTE = 0x927C
USER_COMMENT = 0x9286
ORIENTATION = 0x0112
AUTHOR_TAGS = (0x013B, 0x9C9D, 0x8298)  # Artist, XPAuthor, Copyright


@dataclass(frozen=True, kw_only=True)
class Mask:
    box: Box  # as the finding gives it, in pixels of the oriented image
    kind: MaskKind
    rule: str
    student_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class FixedImage:
    data: bytes
    format: str  # Pillow's name of what was written: JPEG, PNG, WEBP, TIFF...
    removed: tuple[str, ...]  # the metadata the original carried, none of it written
    oriented: bool  # an EXIF orientation was turned into pixels
    masked: tuple[tuple[Mask, Box], ...]  # each mask and the padded box it covered
    note: str = ""


def copy_name(path: Path) -> Path:
    """The fixed copy's file name: an iPhone's HEIC is written as JPEG (README: Fix)."""
    return path.with_suffix(".jpg") if path.suffix.lower() in HEIC_SUFFIXES else path


def neutral_names(sources: Sequence[PostSource],
                  place: Callable[[Path, Path], Path]) -> dict[Path, str]:
    """Each photo's copy named after nothing in it (SPEC section 7): a file name is
    published with the photo and `maya-thompson.jpg` names her. A camera's name
    (`IMG_2041.jpg`: nothing in it is read, extract/captions.py) is kept; any other photo
    of a post takes the post's own name, as `audit` pairs them (`trip.jpg`, or
    `trip-1.jpg`, `trip-2.jpg`); a photo without a post is `photo-1.jpg`, `photo-2.jpg`,
    ... in its folder. No two copies in a folder share a name, nor take a post text's.
    Keys: the photos' resolved paths; `place(file, post_dir)` is where a file's copy goes
    under its original name."""
    def post_dir(s: PostSource) -> Path:
        return s.text_file.parent if s.text_file is not None else \
            (s.images[0].parent if s.images else Path("."))

    taken: dict[Path, set[str]] = {}
    out: dict[Path, str] = {}
    for s in sources:  # first what keeps its name: post texts, cameras' names
        for file in (s.text_file, *s.images):
            if file is None or (file != s.text_file and filename_words(file.name)):
                continue
            target = place(file, post_dir(s))
            taken.setdefault(target.parent, set()).add(target.name.casefold())
            if file != s.text_file:
                out[file.resolve()] = target.name
    for s in sources:
        stem = s.text_file.stem if s.text_file is not None else "photo"
        numbered = s.text_file is None or len(s.images) > 1
        for k, image in enumerate(s.images, start=1):
            key = image.resolve()
            if key in out:
                continue
            target = place(image, post_dir(s))
            names = taken.setdefault(target.parent, set())
            n = k if numbered else 0
            while True:
                name = f"{stem}-{n}{target.suffix.lower()}" if n else \
                    f"{stem}{target.suffix.lower()}"
                if name.casefold() not in names:
                    break
                n += 1
            names.add(name.casefold())
            out[key] = name
    return out


def renamed(text: str, names: dict[str, str]) -> str:
    """Front matter with each photo's file name (`images: [maya-thompson.jpg]`) given
    its copy's, in one pass: a name is replaced whole, never inside a longer one."""
    changed = {old: new for old, new in names.items() if old != new}
    if not changed or not text:
        return text
    pattern = re.compile(r"(?<![\w.-])(?:" + "|".join(
        re.escape(n) for n in sorted(changed, key=len, reverse=True)) + r")(?![\w.-])")
    return pattern.sub(lambda m: changed[m.group()], text)


def padded(box: Box, kind: MaskKind, width: int, height: int,
           keep: Sequence[Box] = ()) -> Box:
    """The box a mask covers: padded, inside the image, short of faces that stay."""
    w, h = box.right - box.left, box.bottom - box.top
    side, up, down = PAD[kind]
    left = max(0, math.floor(box.left - side * w))
    right = min(width, math.ceil(box.right + side * w))
    top = max(0, math.floor(box.top - up * h))
    bottom = min(height, math.ceil(box.bottom + down * h))
    for k in keep:
        if not (k.left < right and left < k.right and k.top < bottom and top < k.bottom):
            continue
        if k.left < box.right and box.left < k.right and k.top < box.bottom and \
                box.top < k.bottom:
            continue  # the detected boxes themselves overlap: the mask wins
        # Give up the padding on the side the kept face is on.
        if k.left >= box.right:
            right = min(right, k.left)
        elif k.right <= box.left:
            left = max(left, k.right)
        elif k.top >= box.bottom:
            bottom = min(bottom, k.top)
        else:
            top = max(top, k.bottom)
    return Box(top=top, right=right, bottom=bottom, left=left)


def obscure(img: PILImage.Image, area: Box, kind: MaskKind) -> None:
    """Pixelate `area` of `img` to coarse blocks, then blur it, in place."""
    from PIL import Image, ImageFilter

    w, h = area.right - area.left, area.bottom - area.top
    if w <= 0 or h <= 0:
        return
    block = max(2, math.ceil(max(w, h) / BLOCKS[kind]))
    region = img.crop((area.left, area.top, area.right, area.bottom))
    small = region.resize((max(1, math.ceil(w / block)), max(1, math.ceil(h / block))),
                          Image.Resampling.BOX)
    blocky = small.resize((w, h), Image.Resampling.NEAREST)
    img.paste(blocky.filter(ImageFilter.GaussianBlur(block * 0.6)), (area.left, area.top))


def metadata_of(img: PILImage.Image) -> tuple[str, ...]:
    """What the file carries besides pixels (and a colour profile)."""
    found: list[str] = []
    exif = img.getexif()
    if len(exif):
        found.append("EXIF")
        if GPS_IFD in exif and len(exif.get_ifd(GPS_IFD)):
            found.append("GPS")
        sub = exif.get_ifd(EXIF_IFD) if EXIF_IFD in exif else {}
        if MAKER_NOTE in sub:
            found.append("maker notes")
        if USER_COMMENT in sub:
            found.append("EXIF comment")
        if any(tag in exif for tag in AUTHOR_TAGS):
            found.append("author")
    try:
        if read_captions(img):  # EXIF, XMP, IPTC, PNG text, comments: said by name
            found.append("captions")
    except (OSError, SyntaxError, ValueError):  # a broken block: stripped all the same
        pass
    info = img.info
    if info.get("xmp") or info.get("XML:com.adobe.xmp"):
        found.append("XMP")
    if info.get("photoshop") or info.get("iptc"):
        found.append("IPTC")
    if info.get("comment"):
        found.append("comment")
    text = getattr(img, "text", None)
    if isinstance(text, dict) and any(k not in ("XML:com.adobe.xmp",) for k in text):
        found.append("text chunks")
    if "exif" in info and not len(exif) and "EXIF" not in found:
        found.append("EXIF")
    return tuple(found)


def _working_mode(img: PILImage.Image) -> str:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        return "RGBA"
    if img.mode in ("L", "1"):
        return "L"
    return "RGB"


def _save(img: PILImage.Image, fmt: str, icc: bytes | None) -> tuple[bytes, str]:
    """Encode with nothing but the pixels and the colour profile."""
    out = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if icc:
        kwargs["icc_profile"] = icc
    if fmt in ("JPEG", "MPO", "HEIF"):
        fmt = "JPEG"
        if img.mode == "RGBA":
            img = _on_white(img)
        kwargs.update(quality=JPEG_QUALITY)
    elif fmt == "WEBP":
        kwargs.update(quality=JPEG_QUALITY)
    elif fmt == "TIFF":
        kwargs.update(compression="tiff_lzw")
    elif fmt == "BMP":
        kwargs.pop("icc_profile", None)
        if img.mode == "RGBA":
            img = _on_white(img)
    elif fmt not in ("PNG", "GIF"):
        fmt = "PNG"
    img.save(out, fmt, **kwargs)
    return out.getvalue(), fmt


def _on_white(img: PILImage.Image) -> PILImage.Image:
    from PIL import Image

    background = Image.new("RGB", img.size, (255, 255, 255))
    background.paste(img, mask=img.getchannel("A"))
    return background


@dataclass(frozen=True, kw_only=True)
class Prepared:
    """A photo decoded upright, with what it carried: the work of fixing it that does
    not depend on the check, so it can run while the check does."""

    image: PILImage.Image  # upright, a new image with no info of the original's
    format: str
    removed: tuple[str, ...]
    oriented: bool
    icc: bytes | None
    frames: int


def prepare(path: Path) -> Prepared:
    """Decode and turn upright; raises ImageError for a photo that cannot be read."""
    from PIL import ImageOps

    img = open_image(path)
    with img:
        try:
            removed = metadata_of(img)
            oriented = img.getexif().get(ORIENTATION, 1) not in (1, None)
            fmt = img.format or "PNG"
            frames = getattr(img, "n_frames", 1)
            icc = img.info.get("icc_profile")
            img.load()
            upright = ImageOps.exif_transpose(img) or img.copy()
            if upright.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
                upright = _sixteen_bit(upright)
            elif upright.mode != _working_mode(upright):
                upright = upright.convert(_working_mode(upright))
        except (OSError, SyntaxError, ValueError) as exc:
            raise ImageError(f"corrupt or truncated image ({exc})") from None
    # A new image object, never the file's: nothing of the original's info comes along.
    upright.info = {}
    return Prepared(image=upright, format=fmt, removed=removed, oriented=oriented,
                    icc=icc if isinstance(icc, bytes) else None, frames=frames)


def finish(prepared: Prepared, masks: Sequence[Mask], keep: Sequence[Box] = ()) -> FixedImage:
    """Mask and encode a prepared photo."""
    clean, fmt = prepared.image, prepared.format
    masked = []
    for mask in masks:
        area = padded(mask.box, mask.kind, clean.width, clean.height, keep)
        obscure(clean, area, mask.kind)
        masked.append((mask, area))
    data, written = _save(clean, fmt, prepared.icc)
    note = "an animated image: only its first frame (the one checked) was kept" \
        if prepared.frames > 1 and fmt not in ("MPO", "HEIF") else ""
    if fmt == "HEIF":
        note = "HEIC written as JPEG: most browsers cannot show HEIC"
    elif written != fmt and fmt != "MPO":
        note = f"written as {written}: smcheck cannot write {fmt}"
    return FixedImage(data=data, format=written, removed=prepared.removed,
                      oriented=prepared.oriented, masked=tuple(masked), note=note)


def fix_image(path: Path, masks: Sequence[Mask], keep: Sequence[Box] = ()) -> FixedImage:
    """The fixed photo's bytes; raises ImageError for a photo that cannot be read."""
    return finish(prepare(path), masks, keep)


def _sixteen_bit(img: PILImage.Image) -> PILImage.Image:
    import numpy as np
    from PIL import Image

    arr = np.asarray(img, dtype=np.float64)
    top = arr.max() or 1.0
    return Image.fromarray((arr * (255.0 / top)).astype("uint8"), "L")
