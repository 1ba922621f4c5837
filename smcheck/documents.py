"""Drafts and rosters as office programs save them (SPEC sections 2 and 3).

Posts: Word `.docx`, OpenDocument `.odt`, rich text `.rtf` and web `.html`/`.htm`
drafts become the post's text as a reader sees it: entities decoded, one paragraph
after another with a blank line between them (a line break inside a paragraph stays
one line break), a photo's alt text and a caption as paragraphs of their own where
the photo is. Spans and line numbers of findings point into that extracted text
(`PostReport.text`), not into the file's bytes. Photos embedded in a `.docx`, `.odt`,
`.rtf` or `.html` (a `data:` image) are the post's photos, kept in memory: nothing is
written to disk and the input is never modified.

Rosters: the first sheet of an Excel `.xlsx` or an OpenDocument `.ods` workbook is
read as rows of cells, as a CSV is; line numbers are the sheet's row numbers.

Files that belong to a post but cannot be checked (a clip, a PDF, a Word 97-2003
`.doc`) are listed in models/files.toml with what to do instead: `unchecked_kind`.

Why these readers: python-docx (a maintained reader of the Word package; its lxml
parser never resolves entities), openpyxl (the standard `.xlsx` reader; it parses
through defusedxml once installed), striprtf (a small pure-Python RTF-to-text
converter that decodes `\\uN`, `\\'hh` and code pages), lxml's HTML parser
(libxml2: linear time, no network, no entities beyond HTML's own) and defusedxml for the
OpenDocument XML (odfpy's last release is from 2020 and its SAX loader offers no
defence). Each archive is measured before it is opened: a zip bomb is refused by
its declared sizes, which zipfile enforces while reading.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import tomllib
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import PurePosixPath
from typing import Any, Literal, cast
from urllib.parse import unquote, urlsplit

from smcheck.errors import InputError
from smcheck.lexicon import models_dir
from smcheck.textfile import decode

DRAFT_SUFFIXES = (".docx", ".odt", ".rtf", ".html", ".htm")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods")
POST_FORMATS = (".txt or .md (UTF-8, UTF-16 or Windows-1252), Word .docx, OpenDocument "
                ".odt, rich text .rtf or web .html")
ROSTER_FORMATS = ("a CSV file (UTF-8 or Windows-1252; in Excel: File > Save As > CSV "
                  "UTF-8), an Excel .xlsx or an OpenDocument .ods sheet")

MAX_DRAFT_BYTES = 100_000_000  # a draft with a dozen 12 MP photos inside
MAX_UNZIPPED = 400_000_000  # every member of an archive, as declared
MAX_XML_PART = 50_000_000  # one XML part: far more text than any post or roster
MAX_MEMBERS = 10_000
MAX_EMBEDDED_IMAGE = 60_000_000
MAX_SHEET_ROWS = 200_000
MAX_SHEET_COLUMNS = 1_000
MAX_TEXT_CHARS = 1_000_000  # as a .txt post (smcheck.post.MAX_TEXT_BYTES)


@dataclass(frozen=True, kw_only=True)
class Embedded:
    """A photo inside a draft: its name in the output ("posts/trip.docx#word/media/
    image1.png") and its bytes, in memory."""

    label: str
    data: bytes


@dataclass(frozen=True, kw_only=True)
class Unread:
    """A part of a draft that was not checked: an E901 (cannot be read) or an E902 (no
    check for it) on the post, naming it."""

    label: str
    reason: str
    rule: Literal["E901", "E902"] = "E902"


@dataclass(frozen=True, kw_only=True)
class Draft:
    text: str
    embedded: tuple[Embedded, ...] = ()
    # Local images an .html draft shows (`<img src="images/a.png">`), relative to it.
    linked: tuple[str, ...] = ()
    unchecked: tuple[Unread, ...] = ()


# ---- files smcheck cannot check (models/files.toml) ------------------------------------


@dataclass(frozen=True, kw_only=True)
class Unchecked:
    kind: str
    rule: Literal["E901", "E902"]
    advice: str


@cache
def _unchecked_table() -> dict[str, Unchecked]:
    with (models_dir() / "files.toml").open("rb") as fh:
        data = tomllib.load(fh)
    table: dict[str, Unchecked] = {}
    for entry in data["unchecked"]:
        rule = entry["rule"]
        assert rule in ("E901", "E902"), entry
        kind = Unchecked(kind=entry["kind"], rule=rule, advice=entry["advice"])
        for suffix in entry["suffixes"]:
            table[suffix.casefold()] = kind
    return table


def unchecked_suffixes() -> tuple[str, ...]:
    return tuple(_unchecked_table())


def unchecked_kind(name: str) -> Unchecked | None:
    """What a file of this name is, when smcheck cannot check it (a clip, a PDF...)."""
    suffix = PurePosixPath(name.casefold()).suffix
    return _unchecked_table().get(suffix) if suffix else None


# ---- what a file really is ---------------------------------------------------------

Kind = Literal["docx", "xlsx", "odt", "ods", "odf", "ole", "pdf", "rtf", "zip", "pages"]


def sniff(data: bytes) -> Kind | None:
    """The format of a file by its first bytes (and a zip's member names), whatever
    its name: a Word file renamed .txt is still a Word file."""
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                mime = z.read("mimetype")[:100] if "mimetype" in names else b""
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
            return "zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if mime.startswith(b"application/vnd.oasis.opendocument.text"):
            return "odt"
        if mime.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            return "ods"
        if mime.startswith(b"application/vnd.oasis.opendocument"):
            return "odf"
        if "Index/Document.iwa" in names or "index.xml" in names:
            return "pages"
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: .doc, .xls, encrypted
        return "ole"
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:5] == b"{\\rtf":
        return "rtf"
    return None


def refuse_post(data: bytes, file: str) -> None:
    """For a post file that is no text smcheck reads: an error that says what to do."""
    kind = sniff(data)
    if kind == "ole":
        raise InputError(file, "is a Word 97-2003 .doc (or a password-protected Office "
                         "file): open it in Word and Save As .docx (no password), or "
                         "paste the text into a .txt post")
    if kind == "pdf":
        raise InputError(file, "is a PDF, which smcheck does not read: paste its text into "
                         "a .txt post, or check the draft it was made from")
    if kind == "pages":
        raise InputError(file, "is an Apple Pages document: in Pages, File > Export To > "
                         "Word (.docx), or paste the text into a .txt post")
    if kind in ("xlsx", "ods"):
        raise InputError(file, "is a spreadsheet, not a post (a roster goes with --roster)")
    if kind is not None or _binary(data):
        raise InputError(file, f"is a binary file, not post text; smcheck reads posts as "
                         f"{POST_FORMATS}")


def _binary(data: bytes) -> bool:
    """NUL bytes with no UTF-16 byte-order mark (UTF-16 text is full of them)."""
    return b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))


def refuse_roster(data: bytes, file: str) -> None:
    """For a roster file that is no CSV and no sheet smcheck reads."""
    kind = sniff(data)
    if kind == "ole":
        raise InputError(file, "is an Excel 97-2003 .xls (or a password-protected "
                         "workbook): in Excel, Save As .xlsx (no password) or CSV UTF-8")
    if kind is not None or _binary(data):
        raise InputError(file, f"is a binary file, not a roster; a roster is {ROSTER_FORMATS}")


# ---- archives, measured before they are opened ---------------------------------------


def _zip(data: bytes, file: str, what: str) -> zipfile.ZipFile:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(file, f"is not a {what} smcheck can read ({_why(exc)}): open it "
                         "and save it again") from None
    infos = z.infolist()
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_MEMBERS or total > MAX_UNZIPPED:
        z.close()
        raise InputError(file, f"is a {what} that unpacks to over {MAX_UNZIPPED // 10**6} "
                         f"MB or {MAX_MEMBERS:,} parts: refused (a zip bomb, or not a draft)")
    return z


def _member(z: zipfile.ZipFile, name: str, file: str, what: str, limit: int) -> bytes:
    try:
        info = z.getinfo(name)
    except KeyError:
        raise InputError(file, f"is not a {what} smcheck can read (no {name} inside): "
                         "open it and save it again") from None
    if info.file_size > limit:
        raise InputError(file, f"holds a part over {limit // 10**6} MB ({name}): refused")
    try:
        return z.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError) as exc:
        raise InputError(file, f"is a damaged {what} ({_why(exc)}): open it and save it "
                         "again") from None


def _why(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:80] if str(exc) else ""
    return text or type(exc).__name__


# ---- the text a reader sees ----------------------------------------------------------


class _Text:
    """Paragraphs, in order: one blank line between paragraphs, spaces at their ends
    trimmed, empty ones dropped."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []

    def add(self, paragraph: str) -> None:
        lines = [line.strip(" \t") for line in paragraph.split("\n")]
        text = "\n".join(lines).strip("\n")
        if text.strip():
            self.paragraphs.append(text)

    def text(self, file: str) -> str:
        out = "\n\n".join(self.paragraphs)
        if len(out) > MAX_TEXT_CHARS:
            raise InputError(file, f"holds over {MAX_TEXT_CHARS // 10**6} MB of text; a "
                             "post over 1 MB is not a post")
        return out + "\n" if out else ""


def _walk(root: Any, skip: Callable[[Any], bool]) -> Iterator[tuple[str, Any]]:
    """An element tree in document order, without recursion (a file may nest elements
    100,000 deep): ("start", el), ("end", el), or ("skipped", el) for an element whose
    subtree is left out (its tail still follows it)."""
    yield "start", root
    stack = [(root, iter(root))]
    while stack:
        el, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            yield "end", el
        elif not isinstance(child.tag, str) or skip(child):
            yield "skipped", child
        else:
            yield "start", child
            stack.append((child, iter(child)))


def _image_name(name: str) -> str:
    return name.lstrip("/")


# ---- Word .docx ------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_V = "{urn:schemas-microsoft-com:vml}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Text boxes are written twice, as DrawingML and as a VML fallback: one is read.
_DOCX_EXTRA = re.compile(r"/word/(?:header\d*|footer\d*|footnotes|endnotes)\.xml")
_DOCX_SKIP = frozenset({f"{_MC}Fallback", f"{_W}del", f"{_W}instrText"})


def _docx(data: bytes, file: str) -> Draft:
    _zip(data, file, "Word document").close()
    import docx
    from lxml import etree

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # a damaged package fails in many ways, none is ours
        raise InputError(file, f"is not a Word document smcheck can read ({_why(exc)}): "
                         "open it in Word and Save As .docx again, or paste the text into "
                         "a .txt post") from None
    out = _Text()
    runs: list[list[str]] = []
    alts: list[str] = []
    images: dict[str, Embedded] = {}
    unchecked: list[Unread] = []

    def picture(part: Any, rid: str | None, linked: bool) -> None:
        if not rid:
            return
        if linked:
            unchecked.append(Unread(label=f"{file}#{rid}", reason="this draft shows a "
                                    "photo from outside the file, which was not checked; "
                                    "insert the photo itself, or put it beside the draft"))
            return
        target = part.related_parts.get(rid)
        if target is None:
            return
        name = _image_name(str(target.partname))
        if name in images:
            return
        blob = target.blob
        if len(blob) > MAX_EMBEDDED_IMAGE:
            unchecked.append(Unread(label=f"{file}#{name}", rule="E901",
                                    reason="a photo over 60 MB inside the draft"))
            return
        images[name] = Embedded(label=f"{file}#{name}", data=blob)

    def skip(el: Any) -> bool:
        return el.tag in _DOCX_SKIP

    def read(part: Any, root: Any) -> None:
        for event, el in _walk(root, skip):
            tag = el.tag
            if event == "start":
                if tag == f"{_W}p":
                    runs.append([])
                elif tag == f"{_W}t" and runs:
                    runs[-1].append(el.text or "")
                elif tag in (f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen") and \
                        runs and el.getparent() is not None and \
                        el.getparent().tag == f"{_W}r":
                    runs[-1].append({f"{_W}tab": "\t", f"{_W}noBreakHyphen": "\u2011"}
                                    .get(tag, "\n"))
                elif tag == f"{_WP}docPr":  # a drawing's alt text and title
                    alts.extend(v for v in (el.get("title"), el.get("descr")) if v)
                elif tag == f"{_A}blip":
                    picture(part, el.get(f"{_R}embed"), False)
                    picture(part, el.get(f"{_R}link"), True)
                elif tag == f"{_V}imagedata":
                    picture(part, el.get(f"{_R}id"), False)
                elif tag == f"{_V}shape" and el.get("alt"):
                    alts.append(el.get("alt"))
            elif event == "end" and tag == f"{_W}p":
                out.add("".join(runs.pop()))
                for alt in alts:
                    out.add(alt)
                alts.clear()

    try:
        read(document.part, document.element.body)
        # Headers, footers, footnotes and endnotes are printed with the document: read
        # after the body (comments and deleted text are not: they are never published).
        from docx.oxml.parser import parse_xml

        for extra in document.part.package.iter_parts():
            if _DOCX_EXTRA.fullmatch(str(extra.partname)):
                if len(extra.blob) > MAX_XML_PART:
                    raise InputError(file, f"holds a part over {MAX_XML_PART // 10**6} MB "
                                     f"({extra.partname}): refused")
                read(extra, parse_xml(extra.blob))
    except (ValueError, KeyError, etree.LxmlError) as exc:
        raise InputError(file, f"is a damaged Word document ({_why(exc)}): open it in "
                         "Word and Save As .docx again") from None
    return Draft(text=out.text(file), embedded=tuple(images.values()),
                 unchecked=tuple(unchecked))


# ---- OpenDocument .odt and .ods --------------------------------------------------------

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_SVG = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_XLINK = "{http://www.w3.org/1999/xlink}"
# Comments and deleted text are not published; a footnote's number is not words.
_ODF_SKIP = frozenset({f"{_OFFICE}annotation", f"{_OFFICE}annotation-end",
                       f"{_TEXT}tracked-changes", f"{_TEXT}note-citation",
                       f"{_OFFICE}automatic-styles", f"{_OFFICE}font-face-decls",
                       f"{_OFFICE}scripts", f"{_TEXT}sequence-decls"})
_ODF_PARAGRAPHS = frozenset({f"{_TEXT}p", f"{_TEXT}h"})


def _odf_xml(data: bytes, file: str, what: str) -> tuple[Any, zipfile.ZipFile]:
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    z = _zip(data, file, what)
    xml = _member(z, "content.xml", file, what, MAX_XML_PART)
    try:
        root = SafeET.fromstring(xml)
    except DefusedXmlException:
        z.close()
        raise InputError(file, f"is a {what} whose XML declares entities or a DTD: "
                         "refused (a document saved by an office program has none)") from None
    except Exception as exc:  # ParseError, and expat's own limits
        z.close()
        raise InputError(file, f"is a damaged {what} ({_why(exc)}): open it and save it "
                         "again") from None
    return root, z


def _odf_pieces(event: str, el: Any) -> str:
    """What one ODF element adds to the paragraph it is in."""
    tag = el.tag
    if event == "start":
        if tag == f"{_TEXT}s":
            try:
                count = int(el.get(f"{_TEXT}c", "1"))
            except ValueError:
                count = 1
            return " " * max(1, min(count, 1000))
        if tag == f"{_TEXT}tab":
            return "\t"
        if tag == f"{_TEXT}line-break":
            return "\n"
        return el.text or ""
    return el.tail or ""


def _odt(data: bytes, file: str) -> Draft:
    root, z = _odf_xml(data, file, "OpenDocument text")
    out = _Text()
    stack: list[list[str]] = []
    alts: list[str] = []
    images: dict[str, Embedded] = {}
    unchecked: list[Unread] = []
    with z:
        body = root.find(f"{_OFFICE}body")
        if body is None:
            raise InputError(file, "is an OpenDocument file with no text body: open it "
                             "and save it again as .odt")
        for event, el in _walk(body, lambda e: e.tag in _ODF_SKIP):
            tag = el.tag
            if event == "start" and tag in _ODF_PARAGRAPHS:
                stack.append([el.text or ""])
                continue
            if event == "end" and tag in _ODF_PARAGRAPHS:
                out.add("".join(stack.pop()))
                for alt in alts:
                    out.add(alt)
                alts.clear()
                if stack:
                    stack[-1].append(el.tail or "")
                continue
            if event == "start" and tag in (f"{_SVG}title", f"{_SVG}desc"):
                alts.append("".join(el.itertext()))
            elif event == "start" and tag == f"{_DRAW}image":
                href = el.get(f"{_XLINK}href") or ""
                if href and not urlsplit(href).scheme and not href.startswith("/"):
                    name = unquote(href).lstrip("./")
                    if name not in images:
                        try:
                            blob = _member(z, name, file, "OpenDocument text",
                                           MAX_EMBEDDED_IMAGE)
                        except InputError as exc:
                            unchecked.append(Unread(label=f"{file}#{name}", rule="E901",
                                                    reason=exc.problem))
                        else:
                            images[name] = Embedded(label=f"{file}#{name}", data=blob)
                elif href:
                    unchecked.append(Unread(label=f"{file}#{_short_url(href)}", reason=(
                        "this draft shows a photo from outside the file, which was not "
                        "checked; insert the photo itself, or put it beside the draft")))
            if stack and tag not in (f"{_SVG}title", f"{_SVG}desc"):
                if event == "skipped":
                    stack[-1].append(el.tail or "")
                else:
                    stack[-1].append(_odf_pieces(event, el))
    return Draft(text=out.text(file), embedded=tuple(images.values()),
                 unchecked=tuple(unchecked))


def _odf_paragraph(p: Any) -> str:
    pieces = []
    for event, el in _walk(p, lambda e: e.tag in _ODF_SKIP):
        if el is p:
            pieces.append(p.text or "" if event == "start" else "")
        elif event == "skipped":
            pieces.append(el.tail or "")
        else:
            pieces.append(_odf_pieces(event, el))
    return "".join(pieces)


def _odf_cell_text(cell: Any) -> str:
    if cell.get(f"{_OFFICE}value-type") == "date":
        return (cell.get(f"{_OFFICE}date-value") or "")[:10]
    return "\n".join(_odf_paragraph(p) for p in cell.iter(f"{_TEXT}p"))


def _ods_rows(data: bytes, file: str) -> list[tuple[int, list[str]]]:
    root, z = _odf_xml(data, file, "OpenDocument spreadsheet")
    z.close()
    table = root.find(f".//{_TABLE}table")
    if table is None:
        raise InputError(file, "is an OpenDocument spreadsheet with no sheet: open it and "
                         "save it again")
    rows: list[tuple[int, list[str]]] = []
    line = 0
    for row in table.iter(f"{_TABLE}table-row"):
        repeat = _count(row.get(f"{_TABLE}number-rows-repeated"))
        cells: list[str] = []
        blanks = 0
        for cell in row:
            if cell.tag not in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                continue
            times = _count(cell.get(f"{_TABLE}number-columns-repeated"))
            value = _odf_cell_text(cell)
            if not value.strip():
                blanks += times  # a row padded to the sheet's last column
                continue
            if len(cells) + blanks + times > MAX_SHEET_COLUMNS:
                raise InputError(file, f"has a row over {MAX_SHEET_COLUMNS:,} columns",
                                 line=line + 1)
            cells += [""] * blanks + [value] * times
            blanks = 0
        # Empty rows repeated to the sheet's end are one blank row each time, only counted.
        for _ in range(1 if not cells else min(repeat, 2)):
            line += 1
            rows.append((line, list(cells)))
        line += repeat - (1 if not cells else min(repeat, 2))
        if len(rows) > MAX_SHEET_ROWS:
            raise InputError(file, f"has over {MAX_SHEET_ROWS:,} rows; not a roster")
    return rows


def _count(value: str | None) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1


# ---- Excel .xlsx -----------------------------------------------------------------------


def _xlsx_rows(data: bytes, file: str) -> list[tuple[int, list[str]]]:
    _zip(data, file, "Excel workbook").close()
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise InputError(file, f"is not an Excel workbook smcheck can read ({_why(exc)}): "
                         "open it in Excel and save it again as .xlsx, or as CSV UTF-8") \
            from None
    rows: list[tuple[int, list[str]]] = []
    try:
        sheet = book.worksheets[0]
        # A workbook may declare a sheet of 16,384 columns and a million rows: read the
        # cells it holds, not the size it claims.
        sheet.reset_dimensions()
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values]
            while cells and not cells[-1].strip():
                cells.pop()
            if len(cells) > MAX_SHEET_COLUMNS:
                raise InputError(file, f"has a row over {MAX_SHEET_COLUMNS:,} columns",
                                 line=line)
            rows.append((line, cells))
            if line > MAX_SHEET_ROWS:
                raise InputError(file, f"has over {MAX_SHEET_ROWS:,} rows; not a roster")
    except InputError:
        raise
    except Exception as exc:
        raise InputError(file, f"is a damaged Excel workbook ({_why(exc)}): open it in "
                         "Excel and save it again as .xlsx, or as CSV UTF-8") from None
    finally:
        book.close()
    return rows


def _cell(value: object) -> str:
    """A cell as the CSV Excel would write shows it: 1002 not 1002.0, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def sheet_rows(data: bytes, file: str, suffix: str) -> list[tuple[int, list[str]]] | None:
    """A roster's rows (row number, cells) when it is a workbook, else None (a CSV)."""
    kind = sniff(data)
    if kind == "xlsx" or (kind == "zip" and suffix in (".xlsx", ".xlsm")):
        return _xlsx_rows(data, file)
    if kind == "ods":
        return _ods_rows(data, file)
    if suffix in SHEET_SUFFIXES and kind is None:
        raise InputError(file, f"is not an {'OpenDocument' if suffix == '.ods' else 'Excel'} "
                         "workbook (a text file with a workbook's name?): save it from the "
                         "spreadsheet program again, or as CSV UTF-8")
    return None


# ---- rich text .rtf --------------------------------------------------------------------

_RTF_ALT = re.compile(r"\{\\sn\s+(?:wzDescription|wzTitle)\}\s*\{\\sv\s+((?:[^{}\\]|\\.)*)\}")
_RTF_LINK = re.compile(r'HYPERLINK\s+"([^"\\{}]{1,2000})"')
_RTF_WORD = re.compile(r"\\[a-zA-Z]+-?\d* ?|\\[^a-zA-Z]")
_RTF_BLIP = {"pngblip": "png", "jpegblip": "jpg"}


def _rtf(data: bytes, file: str) -> Draft:
    from striprtf.striprtf import rtf_to_text as untyped

    rtf_to_text = cast(Callable[..., str], untyped)
    raw = data.decode("latin-1")  # RTF is 7-bit; \'hh and \uN carry everything else
    images, unchecked = _rtf_pictures(raw, file)
    # striprtf rewrites hyperlinks with a regular expression that backtracks over the
    # rest of the line for every field: a 250 KB line of fields took 68 s. A space after
    # `\field` (a control word's own delimiter, so the RTF means the same) keeps it from
    # matching; the link's words are read as any words, and its address is read here.
    raw = raw.replace("{\\field{", "{\\field {")
    links = [m.group(1) for m in _RTF_LINK.finditer(raw)]
    try:
        text = rtf_to_text(raw, errors="replace")
        alts = [rtf_to_text(m.group(1), errors="replace") for m in _RTF_ALT.finditer(raw)]
    except (ValueError, LookupError, IndexError) as exc:
        raise InputError(file, f"is a damaged rich-text file ({_why(exc)}): open it and "
                         "save it again, or as .docx") from None
    out = _Text()
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        out.add(paragraph.replace("|", " "))  # striprtf writes table cells apart with |
    for alt in alts:
        out.add(alt)
    for link in links:  # where a link goes is published with it
        out.add(link)
    return Draft(text=out.text(file), embedded=images, unchecked=unchecked)


def _rtf_pictures(raw: str, file: str) -> tuple[tuple[Embedded, ...], tuple[Unread, ...]]:
    """The PNG and JPEG pictures of an RTF file (hex in `{\\pict ...}` groups); any other
    picture is named as not checked. A `\\nonshppict` group repeats a picture for old
    readers and is skipped."""
    images: list[Embedded] = []
    unchecked: list[Unread] = []
    pos = 0
    n = 0
    while (start := raw.find("{\\pict", pos)) != -1:
        depth, i = 0, start
        while i < len(raw):
            c = raw[i]
            if c == "\\":
                i += 2
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        group = raw[start:i + 1]
        pos = i + 1
        if "\\nonshppict" in raw[max(0, start - 16):start]:
            continue
        n += 1
        label = f"{file}#picture{n}"
        kind = next((ext for word, ext in _RTF_BLIP.items() if f"\\{word}" in group), None)
        if kind is None or "\\bin" in group:
            unchecked.append(Unread(label=label, rule="E901", reason=(
                "a picture in this rich-text draft is in a format smcheck cannot read; "
                "save the draft as .docx, or put the photo beside it as JPEG or PNG")))
            continue
        # {\*\blipuid ...} and {\*\picprop ...} go; a space keeps the control word before
        # them from running into the hex digits after them.
        inner = re.sub(r"\{[^{}]*\}", " ", group[1:-1])
        digits = re.sub(r"[^0-9a-fA-F]", "", _RTF_WORD.sub("", inner))
        try:
            blob = binascii.unhexlify(digits[: len(digits) // 2 * 2])
        except binascii.Error:
            blob = b""
        if not blob:
            unchecked.append(Unread(label=label, rule="E901",
                                    reason="a damaged picture in this rich-text draft"))
            continue
        images.append(Embedded(label=f"{label}.{kind}", data=blob))
    return tuple(images), tuple(unchecked)


# ---- web .html -------------------------------------------------------------------------

_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    "body", "html", "center",
})
# Never shown to a reader.
# (Not <head>: its end tag may be left out, and everything after would vanish.)
_HIDDEN = frozenset({"script", "style", "template", "title"})
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # not U+00A0: &nbsp; is kept, NFKC folds it later


class _Html:
    """What a browser shows of a parsed page, paragraph by paragraph."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.out = _Text()
        self.current: list[str] = []
        self.pre = 0
        self.images: list[Embedded] = []
        self.linked: list[str] = []
        self.unchecked: list[Unread] = []

    def flush(self) -> None:
        self.out.add("".join(self.current))
        self.current = []

    def data(self, text: str | None) -> None:
        if text:
            self.current.append(text if self.pre else _HTML_SPACE.sub(" ", text))

    def read(self, root: Any) -> None:
        for event, el in _walk(root, lambda e: e.tag.lower() in _HIDDEN):
            if event == "skipped":
                self.data(el.tail)
                continue
            tag = el.tag.lower()
            if event == "start":
                if tag in _BLOCKS:
                    self.flush()
                    self.pre += tag == "pre"
                elif tag == "br":
                    self.current.append("\n")
                elif tag == "img":
                    self.image(el.get("src") or "")
                    texts = [v for v in (el.get("alt"), el.get("title")) if v and v.strip()]
                    if texts:
                        self.flush()
                        for t in texts:
                            self.out.add(_HTML_SPACE.sub(" ", t))
                self.data(el.text)
            else:
                if tag in _BLOCKS:
                    self.flush()
                    self.pre -= tag == "pre"
                if el is not root:
                    self.data(el.tail)
        self.flush()

    def image(self, src: str) -> None:
        src = src.strip()
        if not src:
            return
        if src[:5].lower() == "data:":
            header, _, payload = src.partition(",")
            n = len(self.images) + 1
            label = f"{self.file}#image{n}"
            if ";base64" not in header.lower() or len(payload) > MAX_EMBEDDED_IMAGE * 4 // 3:
                self.unchecked.append(Unread(label=label, rule="E901", reason=(
                    "an image inside this draft that smcheck cannot read (not base64, or "
                    "over 60 MB)")))
                return
            try:
                blob = base64.b64decode(payload, validate=False)
            except (binascii.Error, ValueError):
                self.unchecked.append(Unread(label=label, rule="E901",
                                             reason="a damaged image inside this draft"))
                return
            self.images.append(Embedded(label=label, data=blob))
            return
        parts = urlsplit(src)
        if parts.scheme or src.startswith("//"):
            self.unchecked.append(Unread(label=f"{self.file}#{_short_url(src)}", reason=(
                "this draft shows an image from the web, which smcheck never fetches "
                "(it works offline); save the image beside the draft and point to it")))
            return
        local = unquote(parts.path)
        if local and local not in self.linked:
            self.linked.append(local)


def _short_url(url: str) -> str:
    parts = urlsplit(url)
    name = PurePosixPath(parts.path).name
    return f"{parts.netloc}/.../{name}" if parts.netloc else (name or url[:60])


def _html(data: bytes, file: str) -> Draft:
    from lxml import etree

    text = decode(data, file, what="web page text")
    # libxml2's HTML parser: linear time on any input (the standard library's
    # html.parser took minutes on 250 KB of unclosed tags), entities decoded, nothing
    # fetched. Our own decoding first: a page's <meta charset> is not trusted over it.
    parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                              huge_tree=True, encoding="utf-8")
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except (etree.LxmlError, ValueError) as exc:
        raise InputError(file, f"is not a web page smcheck can read ({_why(exc)}): save "
                         "it again, or paste the text into a .txt post") from None
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        # The parser stops reading there: what follows would pass unchecked.
        raise InputError(file, "is a web page nested over 2,048 elements deep, which "
                         "smcheck does not read to the end: save it again from the "
                         "editor, or paste the text into a .txt post")
    reader = _Html(file)
    if root is not None:
        reader.read(root)
    return Draft(text=reader.out.text(file), embedded=tuple(reader.images),
                 linked=tuple(reader.linked), unchecked=tuple(reader.unchecked))


def html_images(data: bytes, file: str) -> tuple[str, ...]:
    """The local images an .html draft shows, relative to it (for discovery)."""
    return _html(data, file).linked


# ---- the front door ------------------------------------------------------------------

_READERS: dict[str, Callable[[bytes, str], Draft]] = {
    ".docx": _docx, ".odt": _odt, ".rtf": _rtf, ".html": _html, ".htm": _html,
}
_BY_KIND: dict[str, Callable[[bytes, str], Draft]] = {
    "docx": _docx, "odt": _odt, "rtf": _rtf,
}


def is_draft(name: str) -> bool:
    return PurePosixPath(name.casefold()).suffix in DRAFT_SUFFIXES


def read_draft(data: bytes, file: str, suffix: str) -> Draft:
    """A draft's text, photos and unchecked parts, by what the file is (its content
    first: a .docx renamed .rtf is read as Word), else by its name."""
    kind = sniff(data)
    reader = _BY_KIND.get(kind) if kind in _BY_KIND else \
        (_READERS.get(suffix) if kind in (None, "zip") else None)
    if reader is None:
        refuse_post(data, file)
        raise InputError(file, f"is not a draft smcheck reads ({POST_FORMATS})")
    return reader(data, file)
