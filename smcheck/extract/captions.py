"""The words a photo's file carries besides its pixels: its caption metadata and its file
name. Both are published with the photo (WordPress shows an IPTC caption under it, a
gallery shows the file name, anyone can download the file), so both are text of the post.

Read here, as facts: each caption field's text as written, and the file name as words
(`Maya_Thompson_2.JPG` -> "Maya Thompson"). The N, R and C rules then read them as they
read the words in a photo (api.Checker._photo_metadata).

Caption fields read: EXIF ImageDescription, UserComment and the Windows XP title,
subject, comment and keywords; XMP dc:description, dc:title, dc:subject, photoshop:Headline,
the people tagged in it (Iptc4xmpExt:PersonInImage, MWG and Microsoft face regions) and
Lightroom's keywords; IPTC caption, headline, object name and keywords; PNG text chunks;
JPEG and GIF comments. Author fields (EXIF Artist, IPTC By-line, dc:creator) name the
photographer, an adult: not read (a camera's owner name would be a possible student name
on every photo), but `smcheck fix` strips them with the rest.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote

from smcheck.lexicon import models_dir

if TYPE_CHECKING:
    from PIL import Image as PILImage

MetaKind = Literal["caption", "filename"]

# A caption longer than this is not a caption (a tool's dump, a hostile file): the rest
# is not read, and the check says so (the field is named with "(first N characters)").
MAX_CHARS = 20_000

EXIF_IFD = 0x8769
_EXIF_FIELDS = {0x010E: "ImageDescription", 0x9C9B: "XPTitle", 0x9C9C: "XPComment",
                0x9C9F: "XPSubject", 0x9C9E: "XPKeywords"}
USER_COMMENT = 0x9286

# XMP properties read, by namespace: their usual prefix and local names.
_XMP_NS = {
    "http://purl.org/dc/elements/1.1/": ("dc", {"description", "title", "subject"}),
    "http://ns.adobe.com/photoshop/1.0/": ("photoshop", {"Headline"}),
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": ("Iptc4xmpExt", {"PersonInImage"}),
    "http://www.metadataworkinggroup.com/schemas/regions/": ("mwg-rs", {"Name"}),
    "http://ns.microsoft.com/photo/1.2/t/Region#": ("MPReg", {"PersonDisplayName"}),
    "http://ns.adobe.com/exif/1.0/": ("exif", {"UserComment"}),
    "http://ns.adobe.com/tiff/1.0/": ("tiff", {"ImageDescription"}),
    "http://ns.adobe.com/lightroom/1.0/": ("lr", {"hierarchicalSubject"}),
}
_RDF_LI = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li"

# IPTC datasets of the Application Record (2:n) read, and their names.
_IPTC_FIELDS = {120: "caption (2:120)", 105: "headline (2:105)", 5: "object name (2:05)",
                25: "keywords (2:25)"}
_IPTC_UTF8 = (1, 90)  # CodedCharacterSet; ESC % G means UTF-8

# PNG text keys that hold no words about the photo (tools, times, other metadata).
_PNG_NOT_WORDS = re.compile(r"software|creation time|source|xml:com\.adobe\.xmp|raw profile"
                            r" type .*|date:.*|exif:.*|icc:.*|signature|author|copyright",
                            re.I)


# PNG text keys named in a finding (others are the file's own words: not repeated).
_PNG_KEYS = frozenset({"title", "description", "comment", "subject", "keywords", "caption",
                       "disclaimer", "warning", "label", "parameters"})


@dataclass(frozen=True, kw_only=True)
class Caption:
    """One text a photo's file carries: a caption field (or several holding the same
    words, as Lightroom writes EXIF, XMP and IPTC at once), or the file name as words."""

    kind: MetaKind
    field: str  # "EXIF ImageDescription", "XMP dc:description", "file name", ...
    text: str  # as written; the file name as words


def read_captions(img: PILImage.Image) -> tuple[Caption, ...]:
    """Every caption field of an open image, the same words once (their fields named
    together)."""
    found: dict[str, list[str]] = {}
    for field, text in _fields(img):
        text = _clean(text)
        if text:
            if len(text) > MAX_CHARS:
                text, field = text[:MAX_CHARS], f"{field} (first {MAX_CHARS:,} characters)"
            found.setdefault(text, [])
            if field not in found[text]:
                found[text].append(field)
    return tuple(Caption(kind="caption", field=", ".join(fields), text=text)
                 for text, fields in found.items())


def _fields(img: PILImage.Image) -> Iterator[tuple[str, str]]:
    exif = img.getexif()
    for tag, name in _EXIF_FIELDS.items():
        if tag in exif:
            yield f"EXIF {name}", _exif_text(exif[tag], xp=tag != 0x010E)
    sub = exif.get_ifd(EXIF_IFD) if EXIF_IFD in exif else {}
    if USER_COMMENT in sub:
        yield "EXIF UserComment", _user_comment(sub[USER_COMMENT])
    yield from _xmp(xmp_packet(img))
    yield from _iptc(img)
    chunks = getattr(img, "text", None) if img.format == "PNG" else None
    for key, value in (chunks or {}).items():  # tEXt, zTXt and iTXt
        if isinstance(key, str) and isinstance(value, str) and \
                not _PNG_NOT_WORDS.fullmatch(key):
            # A key is the file's own text: named only when it is a known one.
            shown = key if key.casefold() in _PNG_KEYS else "(another key)"
            yield f"PNG text {shown}", value
    comment = img.info.get("comment")
    if isinstance(comment, bytes | str):
        yield "comment", _decode(comment) if isinstance(comment, bytes) else comment


def xmp_packet(img: PILImage.Image) -> bytes | None:
    """The raw XMP packet of a JPEG, PNG, WebP, GIF, TIFF or HEIC file, if any."""
    xmp = img.info.get("xmp") or img.info.get("XML:com.adobe.xmp")
    if xmp is None and hasattr(img, "tag_v2"):
        xmp = img.tag_v2.get(700)  # TIFF's XMP tag
    if isinstance(xmp, str):
        return xmp.encode("utf-8", "replace")
    if isinstance(xmp, tuple | list):  # some TIFF writers: a tuple of byte values
        try:
            return bytes(xmp)
        except (TypeError, ValueError):
            return None
    return xmp if isinstance(xmp, bytes) else None


def _xmp(packet: bytes | None) -> Iterator[tuple[str, str]]:
    if not packet:
        return
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    packet = packet.strip(b"\x00 \r\n\t")
    try:
        root = ElementTree.fromstring(packet)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        # Not XML smcheck can parse (or an entity bomb): its words are still read, as
        # text between the tags, so nothing in it goes unchecked.
        words = re.sub(rb"<[^>]{0,2000}>", b"\n", packet)
        yield "XMP (unparsed)", _decode(words)
        return
    for el in root.iter():
        for key, value in el.attrib.items():
            field = _xmp_field(key)
            if field:
                yield field, value
        field = _xmp_field(el.tag)
        if not field:
            continue
        items = [li.text or "" for li in el.iter(_RDF_LI)]
        if items:
            yield field, "\n".join(items)
        elif el.text and el.text.strip():
            yield field, el.text


def _xmp_field(qname: str) -> str | None:
    if not qname.startswith("{"):
        return None
    ns, _, local = qname[1:].partition("}")
    known = _XMP_NS.get(ns)
    if known is None or local not in known[1]:
        return None
    return f"XMP {known[0]}:{local}"


def _iptc(img: PILImage.Image) -> Iterator[tuple[str, str]]:
    from PIL import ImageFile, IptcImagePlugin

    if not isinstance(img, ImageFile.ImageFile):
        return
    try:
        info: dict[tuple[int, int], Any] | None = IptcImagePlugin.getiptcinfo(img)
    except (OSError, SyntaxError, ValueError, IndexError, KeyError):
        # A broken IPTC block: its bytes are still read as text, never skipped.
        raw = img.info.get("photoshop", {}).get(0x0404) if isinstance(
            img.info.get("photoshop"), dict) else None
        if isinstance(raw, bytes):
            yield "IPTC (unparsed)", _decode(re.sub(rb"[\x00-\x1f]+", b"\n", raw))
        return
    if not info:
        return
    utf8 = info.get(_IPTC_UTF8) in (b"\x1b%G", [b"\x1b%G"])
    for number, name in _IPTC_FIELDS.items():
        value = info.get((2, number))
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        text = "\n".join(_decode(v, utf8) for v in values if isinstance(v, bytes))
        yield f"IPTC {name}", text


def _exif_text(value: Any, xp: bool) -> str:
    """EXIF ASCII as text; the Windows XP tags are UTF-16LE in a BYTE array."""
    if isinstance(value, tuple):
        try:
            value = bytes(value)
        except (TypeError, ValueError):
            return ""
    if isinstance(value, bytes):
        if xp:
            return value.decode("utf-16-le", "replace").rstrip("\x00")
        return _decode(value)
    return str(value)


def _user_comment(value: Any) -> str:
    """EXIF UserComment: an 8-byte character code, then the text."""
    if isinstance(value, str):
        return value
    if not isinstance(value, bytes):
        return ""
    code, body = value[:8], value[8:]
    if code.startswith(b"UNICODE"):
        # Big- or little-endian as the file's byte order: the one that reads as text.
        little = body.decode("utf-16-le", "replace")
        big = body.decode("utf-16-be", "replace")
        return little if _letters(little) >= _letters(big) else big
    return _decode(body if code.rstrip(b"\x00") in (b"ASCII", b"JIS", b"") else value)


def _letters(text: str) -> int:
    return sum(c.isascii() and c.isalpha() for c in text)


def _decode(value: bytes | str, utf8: bool = True) -> str:
    if isinstance(value, str):
        return value
    if utf8:
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return value.decode("cp1252", "replace")


def _clean(text: str) -> str:
    """The words as a reader sees them: NULs and control characters (a camera's padding)
    out, blank captions (a camera's "          ") nothing."""
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text)
    return text.strip()


# ---- the file name ---------------------------------------------------------------------


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    with (models_dir() / "photos.toml").open("rb") as fh:
        data = tomllib.load(fh)
    camera = re.compile("|".join(f"(?:{p})" for p in data["camera_names"]), re.I)
    suffix = re.compile("(?:" + "|".join(f"(?:{p})" for p in data["name_suffixes"]) + ")$",
                        re.I)
    return camera, suffix


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[\s_.+\-~,;=]+")
_NAME_WORD = re.compile(r"[^\W\d_]")  # a letter: a name, an id (S1002)


def filename_words(name: str) -> str:
    """A photo's file name as the words a reader takes from it: the extension, a
    camera's name (IMG_2041), a counter and an editor's tail dropped; separators and
    camelCase as spaces. "" when nothing is left to read."""
    camera, suffix = _patterns()
    stem = unquote(name)
    stem = stem.rsplit("/", 1)[-1]
    if "." in stem.strip("."):
        stem = stem.rsplit(".", 1)[0]
    while not camera.fullmatch(stem.strip()):
        shorter = suffix.sub("", stem)
        if shorter == stem or not shorter.strip(" _.-"):
            break
        stem = shorter
    if camera.fullmatch(stem.strip()):
        return ""
    words = _SEPARATORS.sub(" ", _CAMEL.sub(" ", stem)).strip()
    return words if _NAME_WORD.search(words) else ""


def filename_caption(name: str, keeps_capital: Callable[[str], bool]) -> Caption | None:
    """The file name as a caption to read, cased as prose would case it: every word in
    capitals first, then given the case a sign's words are given (casing.recase), so
    `maya-thompson` reads "Maya Thompson" and `field-trip` does not read as a name."""
    from smcheck.extract.casing import recase

    words = filename_words(name)
    if not words:
        return None
    return Caption(kind="filename", field="file name", text=recase(words.upper(), keeps_capital))
