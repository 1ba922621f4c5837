"""Image loading on generated images: formats by content, orientation, limits, metadata."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from smcheck.extract.images import ImageError, load_image


def picture(w: int = 120, h: int = 80) -> Image.Image:
    y, x = np.mgrid[0:h, 0:w]
    arr = np.stack([(x * 2) % 256, (y * 3) % 256, ((x + y) * 5) % 256], -1).astype("uint8")
    return Image.fromarray(arr, "RGB")


@pytest.mark.parametrize(("name", "save"), [
    ("a.jpg", lambda im, p: im.save(p, "JPEG")),
    ("a.png", lambda im, p: im.save(p, "PNG")),
    ("rgba.png", lambda im, p: im.convert("RGBA").save(p, "PNG")),
    ("palette.png", lambda im, p: im.convert("P").save(p, "PNG")),
    ("gray16.png", lambda im, p: Image.fromarray(
        np.asarray(im.convert("L"), dtype=np.uint16) * 256).save(p, "PNG")),
    ("cmyk.jpg", lambda im, p: im.convert("CMYK").save(p, "JPEG")),
    ("a.webp", lambda im, p: im.save(p, "WEBP")),
    ("a.gif", lambda im, p: im.save(p, "GIF", save_all=True,
                                    append_images=[im.rotate(90)])),
    ("a.tiff", lambda im, p: im.save(p, "TIFF")),
    ("a.bmp", lambda im, p: im.save(p, "BMP")),
    ("wrong-extension.png", lambda im, p: im.save(p, "JPEG")),  # by content, not name
])
def test_formats(tmp_path: Path, name: str, save) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    save(picture(), path)
    img = load_image(path, 1600)
    assert img.pixels.shape == (80, 120, 3) and img.pixels.dtype == np.uint8
    assert (img.width, img.height) == (120, 80)


def test_heic(tmp_path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    path = tmp_path / "iphone.heic"
    try:
        pillow_heif.from_pillow(picture()).save(path, quality=90)
    except (RuntimeError, OSError, ValueError) as exc:
        pytest.skip(f"this pillow-heif build cannot encode HEIC: {exc}")
    assert load_image(path, 1600).pixels.shape == (80, 120, 3)


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways, shown turned 90 degrees clockwise
    picture(120, 80).save(path, exif=exif)
    img = load_image(path, 1600)
    assert img.pixels.shape == (120, 80, 3)  # upright: taller than wide
    assert (img.width, img.height) == (80, 120)


def test_large_photo_is_scaled_and_boxes_map_back(tmp_path: Path) -> None:
    path = tmp_path / "big.jpg"
    picture(4032, 3024).save(path, quality=80)
    img = load_image(path, 1600)
    assert max(img.pixels.shape[:2]) <= 1600
    assert (img.width, img.height) == (4032, 3024)
    assert abs(img.scale - img.pixels.shape[1] / 4032) < 1e-9


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0")) \
        + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header(100_000, 100_000))  # 10 G pixels claimed in 60 bytes
    with pytest.raises(ImageError, match="safety limit"):
        load_image(path, 1600)


def test_just_over_the_limit_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(_png_header(10_000, 9_000))  # over the limit, under twice it
    with pytest.raises(ImageError, match="safety limit"):
        load_image(path, 1600)


def test_truncated_jpeg(tmp_path: Path) -> None:
    buf = io.BytesIO()
    picture(400, 300).save(buf, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(ImageError, match="corrupt or truncated"):
        load_image(path, 1600)


def test_truncated_stays_an_error_after_face_recognition_is_imported(tmp_path: Path) -> None:
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # what `import face_recognition` does
    test_truncated_jpeg(tmp_path)


@pytest.mark.parametrize("content", [b"not an image at all", b"", b"\x89PNG\r\n\x1a\nrubbish"])
def test_not_an_image(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.jpg"
    path.write_bytes(content)
    with pytest.raises(ImageError):
        load_image(path, 1600)


def test_gps_in_exif(tmp_path: Path) -> None:
    path = tmp_path / "gps.jpg"
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (45.0, 31.0, 12.5), 3: "W", 4: (122.0, 40.0, 30.2)})
    exif[0x8825] = gps
    picture().save(path, exif=exif)
    assert load_image(path, 1600).gps == "GPS coordinates in the EXIF data"


def test_gps_in_xmp(tmp_path: Path) -> None:
    path = tmp_path / "xmp.png"
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
           b'exif:GPSLatitude="45,31.2N" exif:GPSLongitude="122,40.5W"/></rdf:RDF></x:xmpmeta>')
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp.decode())
    picture().save(path, pnginfo=info)
    assert load_image(path, 1600).gps == "a GPS position in the XMP data"


def test_no_gps_and_other_exif_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "plain.jpg"
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make, no location
    picture().save(path, exif=exif)
    assert load_image(path, 1600).gps is None
