"""Photos as pixels a face detector can use: any format by content, upright, RGB.

Phones store photos sideways with an EXIF orientation tag: without applying it no
face is found. A file larger than Pillow's decompression-bomb limit is refused
before it is decoded, and a truncated file is an error, never a half-grey image.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smcheck.extract.captions import Caption, read_captions
from smcheck.textfile import open_regular

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image as PILImage

GPS_IFD = 0x8825
_XMP_GPS = re.compile(rb"(?:exif:GPSLatitude|exif:GPSLongitude|GPSLatitude|GPSLongitude)", re.I)


class ImageError(Exception):
    """An image that cannot be read; the message names the problem, not the file."""


@dataclass(frozen=True, kw_only=True)
class LoadedImage:
    """An upright RGB image at working scale, and how it maps back to the oriented original."""

    pixels: np.ndarray  # H x W x 3, uint8, at working scale
    width: int  # of the oriented original
    height: int
    scale: float  # working pixels per original pixel
    gps: str | None  # what location metadata the file carries, if any
    # The words its caption metadata holds, field by field (extract/captions.py).
    captions: tuple[Caption, ...] = ()


@cache
def _pillow() -> Any:
    from PIL import Image

    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:  # HEIC then reads as "cannot identify image file"
        pass
    return Image


def location_metadata(img: PILImage.Image) -> str | None:
    """GPS coordinates in EXIF, or a GPS position in XMP."""
    exif = img.getexif()
    gps = exif.get_ifd(GPS_IFD) if GPS_IFD in exif else {}
    if any(tag in gps for tag in (1, 2, 3, 4)):  # latitude ref/value, longitude ref/value
        return "GPS coordinates in the EXIF data"
    xmp = img.info.get("xmp") or img.info.get("XML:com.adobe.xmp")
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8", "replace")
    if isinstance(xmp, bytes) and _XMP_GPS.search(xmp):
        return "a GPS position in the XMP data"
    return None


def open_image(path: Path | bytes) -> PILImage.Image:
    """Open a photo by its content, refusing a decompression bomb before any pixel is
    decoded; raises ImageError. The caller loads and closes it. Bytes are a photo from
    inside a draft (smcheck.documents), read in memory."""
    Image = _pillow()
    from PIL import ImageFile, UnidentifiedImageError

    # `import face_recognition` (anywhere in the process, at any time) sets this to True,
    # which turns a truncated photo into a half-grey one instead of an error.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    source: Path | io.BytesIO
    if isinstance(path, bytes):
        source = io.BytesIO(path)
    else:
        source = path
        try:
            # A pipe or a device named photo.jpg would block Pillow for ever: only a
            # regular file is opened (checked without blocking on it).
            open_regular(path).close()
        except FileNotFoundError:
            raise ImageError("image file not found") from None
        except OSError as exc:
            raise ImageError(f"cannot read image: {exc.strerror or exc}") from None
    try:
        with warnings.catch_warnings():
            # Over the limit Pillow only warns; over twice the limit it raises. Both
            # are refused here, before any pixel is decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img: PILImage.Image = Image.open(source)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageError(
            f"image is larger than the {Image.MAX_IMAGE_PIXELS:,}-pixel safety limit "
            "(a decompression bomb, or a photo that needs resizing)") from None
    except UnidentifiedImageError:
        raise ImageError("not an image smcheck can read (or a corrupt file)") from None
    except FileNotFoundError:
        raise ImageError("image file not found") from None
    except OSError as exc:
        raise ImageError(f"cannot read image: {exc}") from None
    return img


def load_image(path: Path | bytes, max_side: int) -> LoadedImage:
    """Decode, orient and scale a photo so its long side is at most max_side."""
    import numpy as np

    Image = _pillow()
    from PIL import ImageOps

    img = open_image(path)
    with img:
        try:
            gps = location_metadata(img)
            orientation = img.getexif().get(0x0112, 1)
            w, h = img.size
            if orientation in (5, 6, 7, 8):
                w, h = h, w
            scale = min(1.0, max_side / max(w, h))
            if img.format == "JPEG" and scale < 0.5:
                # Let the JPEG decoder skip what we would throw away: 3x faster on 12 MP.
                img.draft("RGB", (int(img.size[0] * scale) + 1, int(img.size[1] * scale) + 1))
            img.load()
            # After load: a PNG's text chunks after its pixels are read with them.
            captions = read_captions(img)
            upright = ImageOps.exif_transpose(img) or img
            rgb = _to_rgb(upright)
        except (OSError, SyntaxError, ValueError) as exc:
            raise ImageError(f"corrupt or truncated image ({exc})") from None
        if max(rgb.size) > max_side:
            factor = max_side / max(rgb.size)
            rgb = rgb.resize((max(1, round(rgb.size[0] * factor)),
                              max(1, round(rgb.size[1] * factor))), Image.Resampling.BILINEAR)
        return LoadedImage(pixels=np.asarray(rgb, dtype=np.uint8), width=w, height=h,
                           scale=rgb.size[0] / w, gps=gps, captions=captions)


def _to_rgb(img: PILImage.Image) -> PILImage.Image:
    """RGBA, LA and palette images on white; 16-bit and CMYK converted."""
    from PIL import Image

    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        import numpy as np

        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() or 1.0
        gray = Image.fromarray((arr * (255.0 / top)).astype("uint8"), "L")
        return gray.convert("RGB")
    return img.convert("RGB")
