"""Drafts and sheets as office programs save them (smcheck.documents): every text one
read as a reader sees it, every other file of a post named as not checked, never OK.

Every file here is built in the test from the libraries (python-docx, openpyxl) or
written out by hand (ODF, RTF, HTML): no one's data.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from smcheck.api import Checker
from smcheck.cli import app
from smcheck.documents import read_draft, sniff
from smcheck.errors import InputError
from smcheck.post import PostSource, discover, read_post
from smcheck.roster import Release, load_roster
from tests.conftest import DATA, PUBLISH_AT

WHEN = "2026-11-20T15:00:00-08:00"
ROSTER = str(DATA / "roster.csv")
NAME = "Hope\u00a0Williams"  # a roster student with no release, behind a no-break space
PHONE = "503\u2011555\u20110199"  # behind no-break hyphens (&#8209;)


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


# ---- building drafts -------------------------------------------------------------------


def photo(gps: bool = False, fmt: str = "JPEG") -> bytes:
    """A small photo; with GPS in its EXIF, a check of it has something to find (L203)."""
    img = Image.linear_gradient("L").resize((64, 48)).convert("RGB")
    out = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (45.0, 31.0, 12.5), 3: "W",
                                     4: (122.0, 39.0, 5.0)})
    img.save(out, fmt, exif=exif) if fmt == "JPEG" else img.save(out, fmt)
    return out.getvalue()


def docx_bytes(paragraphs: list[str], picture: bytes | None = None, alt: str = "",
               caption: str = "", table: tuple[str, str] | None = None) -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if picture is not None:
        inline = d.add_paragraph().add_run().add_picture(io.BytesIO(picture))
        if alt:
            inline._inline.docPr.set("descr", alt)
    if caption:
        d.add_paragraph(caption, style="Caption")
    if table:
        t = d.add_table(rows=1, cols=2)
        t.cell(0, 0).text, t.cell(0, 1).text = table
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


_ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
           'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
           'xmlns:xlink="http://www.w3.org/1999/xlink" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')


def odf_bytes(mime: str, body: str, files: dict[str, bytes] | None = None,
              prolog: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), f"application/vnd.oasis.opendocument.{mime}")
        z.writestr("content.xml", f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
                   f'<office:document-content {_ODF_NS}><office:body>{body}</office:body>'
                   "</office:document-content>")
        for name, data in (files or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def odt_bytes(paragraphs: str, picture: bytes | None = None) -> bytes:
    files = {"Pictures/p.jpg": picture} if picture is not None else {}
    return odf_bytes("text", f"<office:text>{paragraphs}</office:text>", files)


def rtf_bytes(body: str, picture: bytes | None = None) -> bytes:
    pict = ""
    if picture is not None:
        pict = (r"{\*\shppict{\pict\jpegblip\picw64\pich48{\*\blipuid 0a1b}"
                + picture.hex() + r"}}{\nonshppict{\pict\wmetafile8 0100}}\par ")
    return (r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}\f0 " + body + pict
            + "}").encode("ascii")


def html_bytes(body: str) -> bytes:
    return (f"<!doctype html><html><head><meta charset=utf-8><title>Hope Williams</title>"
            f"<style>p {{color: red}}</style><script>var x = 'Sofia Hernandez';</script>"
            f"</head><body>{body}</body></html>").encode()


def docx_with_header() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("Body words")
    d.sections[0].header.paragraphs[0].text = "Draft about Hope Williams"
    d.sections[0].footer.paragraphs[0].text = "Footer by Grace Park"
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def text_of(data: bytes, name: str) -> str:
    return read_draft(data, name, Path(name).suffix).text


# ---- each format read as a reader sees it ------------------------------------------------

# (file name, bytes, what its text holds, what it must not hold)
READ = [
    ("entities.html", html_bytes("<p>Congrats to Hope&nbsp;Williams!</p><p>Call 503&#8209;555"
                                 "&#x2011;0199 &amp; more</p>"),
     ["Congrats to " + NAME + "!", "Call " + PHONE + " & more"], ["&nbsp;", "&#8209;", "<p>"]),
    ("alt.html", html_bytes('<p>Game day</p><img src="data:image/png;base64,'
                            + base64.b64encode(photo(fmt="PNG")).decode()
                            + '" alt="Sofia Hernandez with the cup"><figure><figcaption>'
                              "Our star, Grace Park</figcaption></figure>"),
     ["Game day", "Sofia Hernandez with the cup", "Our star, Grace Park"], ["base64"]),
    ("hidden.html", html_bytes("<p>Visible words</p>"),
     ["Visible words"], ["Hope Williams", "Sofia", "color"]),
    ("lines.html", html_bytes("<p>one\n   two</p><div>three<br>four</div><pre>a\n  b</pre>"),
     ["one two\n\nthree\nfour\n\na\nb"], []),  # <pre> keeps its line breaks
    ("draft.docx", docx_bytes(["Congrats to " + NAME + "!", "Call " + PHONE + "."],
                              photo(), alt="Sofia Hernandez holding the trophy",
                              caption="Photo: Grace Park at the game",
                              table=("Cell one", "Cell two")),
     ["Congrats to " + NAME + "!\n\nCall " + PHONE + ".", "Sofia Hernandez holding the trophy",
      "Photo: Grace Park at the game", "Cell one\n\nCell two"], []),
    ("header.docx", docx_with_header(),
     ["Body words\n\nDraft about Hope Williams\n\nFooter by Grace Park"], []),
    ("draft.odt", odt_bytes("<text:p>Congrats to Hope<text:s/>Williams<office:annotation>"
                            "<text:p>reviewer note Sofia Hernandez</text:p></office:annotation>"
                            "!</text:p><text:p>Call 503&#8209;555&#8209;0199<text:line-break/>"
                            "today</text:p><text:p><draw:frame><svg:title>Team</svg:title>"
                            "<svg:desc>Grace Park with the cup</svg:desc><draw:image "
                            'xlink:href="Pictures/p.jpg"/></draw:frame></text:p>', photo()),
     ["Congrats to Hope Williams!", "Call " + PHONE + "\ntoday", "Grace Park with the cup"],
     ["reviewer note", "Sofia"]),
    ("draft.rtf", rtf_bytes(r"Congrats to Hope\~Williams!\par Call 503\_555\u8209?0199.\par "
                            r"Caf\'e9 day\par {\shp{\*\shpinst{\sp{\sn wzDescription}{\sv "
                            r"Grace Park smiling}}}}", photo()),
     ["Congrats to " + NAME + "!", "Call " + PHONE + ".", "Caf\u00e9 day",
      "Grace Park smiling"], ["Arial", "fonttbl", "jpegblip"]),
]


@pytest.mark.parametrize(("name", "data", "holds", "lacks"), READ, ids=[r[0] for r in READ])
def test_draft_text_as_a_reader_sees_it(name: str, data: bytes, holds: list[str],
                                        lacks: list[str]) -> None:
    text = text_of(data, name)
    for words in holds:
        assert words in text
    for words in lacks:
        assert words not in text
    assert "\n\n\n" not in text  # paragraphs apart by one blank line


@pytest.mark.parametrize(("name", "data", "label"), [
    ("d.docx", docx_bytes(["x"], photo()), "d.docx#word/media/image1.jpg"),
    ("d.odt", odt_bytes('<text:p>x<draw:frame><draw:image xlink:href="Pictures/p.jpg"/>'
                        "</draw:frame></text:p>", photo()), "d.odt#Pictures/p.jpg"),
    ("d.rtf", rtf_bytes("x", photo()), "d.rtf#picture1.jpg"),
    ("d.html", html_bytes('<img src="data:image/jpeg;base64,'
                          + base64.b64encode(photo()).decode() + '">'), "d.html#image1"),
])
def test_embedded_photos_come_out_whole(name: str, data: bytes, label: str) -> None:
    draft = read_draft(data, name, Path(name).suffix)
    assert [e.label for e in draft.embedded] == [label]
    assert draft.embedded[0].data == photo()


def test_parts_that_cannot_be_checked_are_named() -> None:
    html = read_draft(html_bytes('<p>x</p><img src="https://cdn.example.org/a/team.jpg">'
                                 '<img src="photos/local.png">'), "n.html", ".html")
    assert [(u.label, u.rule) for u in html.unchecked] == [
        ("n.html#cdn.example.org/.../team.jpg", "E902")]
    assert html.linked == ("photos/local.png",)
    emf = rtf_bytes(r"x\par {\pict\emfblip 0100}")
    assert [(u.label, u.rule) for u in read_draft(emf, "e.rtf", ".rtf").unchecked] == [
        ("e.rtf#picture1", "E901")]


# ---- what a file is, and what a refused one says -----------------------------------------


@pytest.mark.parametrize(("data", "kind"), [
    (docx_bytes(["x"]), "docx"), (odt_bytes("<text:p>x</text:p>"), "odt"),
    (odf_bytes("spreadsheet", ""), "ods"), (rtf_bytes("x"), "rtf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "ole"), (b"%PDF-1.7\n", "pdf"),
    (b"Hello", None), (b"<p>Hello</p>", None), (b"PK\x03\x04broken", "zip"),
])
def test_sniff(data: bytes, kind: str | None) -> None:
    assert sniff(data) == kind


@pytest.mark.parametrize(("name", "data", "says"), [
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Save As .docx"),
    ("old.txt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Save As .docx"),
    ("flyer.pdf", b"%PDF-1.7\n" + bytes(100), "paste its text into a .txt post"),
    ("scan.txt", b"%PDF-1.7\n" + bytes(100), "paste its text into a .txt post"),
    ("junk.txt", b"\x00\x01\x02" * 50, "Word .docx, OpenDocument .odt, rich text .rtf"),
    ("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(50), "does not check video clips"),
    ("broken.docx", b"PK\x03\x04 not really", "open it and save it again"),
    ("empty.docx", docx_bytes([]), "post is empty"),
])
def test_refused_posts_say_what_to_do(tmp_path: Path, name: str, data: bytes,
                                      says: str) -> None:
    file = tmp_path / name
    file.write_bytes(data)
    with pytest.raises(InputError) as err:
        read_post(PostSource(label=name, text_file=file, images=()))
    assert says in err.value.problem
    result = run("check", str(file), "--publish-at", WHEN, "--roster", ROSTER)
    assert result.exit_code == 2
    assert says in result.stderr and "Traceback" not in result.output


def test_a_word_file_under_a_txt_name_is_read_as_word(tmp_path: Path) -> None:
    file = tmp_path / "renamed.txt"
    file.write_bytes(docx_bytes(["Congrats to " + NAME + "!"]))
    post = read_post(PostSource(label="renamed.txt", text_file=file, images=()))
    assert post.text == "Congrats to " + NAME + "!\n"


# ---- archives and XML that attack the reader -------------------------------------------


def test_zip_bomb_refused_by_its_declared_size() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", b" " * 60_000_000)  # 60 MB of spaces: ~60 KB zipped
    assert len(out.getvalue()) < 200_000
    with pytest.raises(InputError, match="over 50 MB"):
        read_draft(out.getvalue(), "bomb.odt", ".odt")


def test_entity_bomb_refused() -> None:
    laughs = ('<!DOCTYPE x [<!ENTITY a "haha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    data = odf_bytes("text", "<office:text><text:p>&c;</text:p></office:text>", prolog=laughs)
    with pytest.raises(InputError, match="entities or a DTD"):
        read_draft(data, "laughs.odt", ".odt")


@pytest.mark.parametrize(("name", "depth"), [("deep.odt", 50_000), ("deep.html", 2_000)])
def test_deep_nesting_is_read_to_the_end(name: str, depth: int) -> None:
    if name.endswith(".odt"):
        data = odt_bytes("<text:p>Hope Williams " + "<text:span>" * depth + "deep"
                         + "</text:span>" * depth + "</text:p><text:p>Call 503-555-0199</text:p>")
    else:
        data = html_bytes("<p>Hope Williams " + "<span>" * depth + "deep" + "</span>" * depth
                          + "<p>Call 503-555-0199")
    text = text_of(data, name)
    assert "Hope Williams deep" in text and "Call 503-555-0199" in text


def test_html_too_deep_to_read_to_the_end_is_refused() -> None:
    # libxml2 stops at 2,048 levels: what follows would pass unchecked, so it is an error.
    data = html_bytes("<p>x" + "<span>" * 3000 + "deep" + "</span>" * 3000
                      + "<p>Call 503-555-0199")
    with pytest.raises(InputError, match="nested over 2,048"):
        read_draft(data, "deep.html", ".html")


@pytest.mark.parametrize(("name", "data"), [
    ("tags.html", b"<p>" + b"<a " * 300_000),  # html.parser: minutes; libxml2: instant
    ("fields.rtf", b"{\\rtf1 " + b"{\\field{\\*\\fldinst{ HYPERLINK " * 30_000 + b"}"),
])
def test_hostile_markup_is_read_in_one_pass(name: str, data: bytes) -> None:
    # No timing here (bench/drafts.py measures): a quadratic reader would not finish.
    read_draft(data, name, Path(name).suffix)


def test_rtf_link_address_is_text() -> None:
    data = rtf_bytes(r'See {\field{\*\fldinst{HYPERLINK "https://instagram.com/hope.williams"}}'
                     r"{\fldrslt{her page}}}\par ")
    text = text_of(data, "link.rtf")
    assert "See her page" in text and "https://instagram.com/hope.williams" in text
    assert "HYPERLINK" not in text


# ---- a folder of drafts, clips and PDFs beside posts -----------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    posts = tmp_path / "posts"
    posts.mkdir()
    words = ["Congrats to Hope&nbsp;Williams on the award!",
             "Questions? Call 503&#8209;555&#8209;0199."]
    (posts / "award.html").write_bytes(html_bytes("".join(f"<p>{w}</p>" for w in words)))
    (posts / "award.docx").write_bytes(docx_bytes(
        ["Congrats to " + NAME + " on the award!", "Questions? Call " + PHONE + "."]))
    (posts / "award.rtf").write_bytes(rtf_bytes(
        r"Congrats to Hope\~Williams on the award!\par Questions? Call 503\u8209?555\u8209?"
        r"0199.\par "))
    (posts / "award.odt").write_bytes(odt_bytes(
        "<text:p>Congrats to Hope\u00a0Williams on the award!</text:p>"
        "<text:p>Questions? Call 503&#8209;555&#8209;0199.</text:p>"))
    (posts / "caption.html").write_bytes(html_bytes(
        '<p>Our science fair.</p><img alt="Sofia Hernandez and her volcano">'))
    (posts / "concert.txt").write_text("The winter concert was lovely.\n")
    (posts / "concert.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    (posts / "flyer.pdf").write_bytes(b"%PDF-1.7\n" + bytes(64))
    return posts


def _by_path(report: dict[str, object]) -> dict[str, dict[str, object]]:
    posts = report["posts"]
    assert isinstance(posts, list)
    return {Path(p["path"]).name: p for p in posts}


def test_audit_checks_every_draft_and_names_what_it_did_not(folder: Path) -> None:
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    result = run("audit", str(folder), "--format", "json", "--publish-at", WHEN,
                 "--roster", ROSTER, "--jobs", "1")
    assert result.exit_code == 1, result.output
    posts = _by_path(json.loads(result.stdout))
    assert set(posts) == {"award.html", "award.docx", "award.rtf", "award.odt",
                          "caption.html", "concert.txt", "flyer.pdf"}
    for name in ("award.html", "award.docx", "award.rtf", "award.odt"):
        found = {(f["rule"], f["student_id"]) for f in posts[name]["findings"]}
        assert ("N101", "S1005") in found, name  # the name behind &nbsp;
        assert ("R503", None) in found, name  # the phone behind &#8209;
        phone = next(f for f in posts[name]["findings"] if f["rule"] == "R503")
        text = phone["span"]["text"]
        assert text.replace("\u2011", "-") == "503-555-0199"
    alt = {(f["rule"], f["student_id"]) for f in posts["caption.html"]["findings"]}
    assert ("N101", "S1003") in alt  # alt text is text of the post
    concert = posts["concert.txt"]
    assert concert["images"] == [str(folder / "concert.mp4")]
    assert [(f["rule"], f["file"]) for f in concert["findings"]] == [
        ("E902", str(folder / "concert.mp4"))]
    assert concert["verdict"] == "block"
    assert [(f["rule"], f["file"]) for f in posts["flyer.pdf"]["findings"]] == [
        ("E901", str(folder / "flyer.pdf"))]
    assert "paste its text" in posts["flyer.pdf"]["findings"][0]["message"]
    assert all(p["verdict"] != "ok" for p in posts.values())
    # Inputs untouched, nothing written beside them.
    assert before == {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                      for p in folder.iterdir()}


@pytest.mark.parametrize("fmt", ["text", "sarif", "github"])
def test_every_format_lists_the_files_not_checked(folder: Path, fmt: str) -> None:
    result = run("audit", str(folder), "--format", fmt, "--publish-at", WHEN,
                 "--roster", ROSTER, "--jobs", "1")
    assert result.exit_code == 1
    for name in ("concert.mp4", "flyer.pdf"):
        assert name in result.stdout


def test_html_report_lists_the_files_not_checked(folder: Path, tmp_path: Path) -> None:
    report = tmp_path / "out" / "report.html"
    result = run("audit", str(folder), "--format", "json", "--publish-at", WHEN,
                 "--roster", ROSTER, "--jobs", "1", "--report", str(report))
    assert result.exit_code == 1
    page = report.read_text()
    assert "concert.mp4: a video clip, not checked (see its E902)" in page
    assert "flyer.pdf" in page


def test_clip_and_pdf_belong_to_their_post(tmp_path: Path) -> None:
    (tmp_path / "trip.txt").write_text("Great day.\n")
    for name in ("trip.mov", "trip-2.webm", "trip_notes.pdf", "other.m4v", "LICENSE.pdf",
                 "notes.csv", "trip.zip"):
        (tmp_path / name).write_bytes(b"x")
    sources = {s.label: [i.name for i in s.images] for s in discover(tmp_path)}
    assert sources == {str(tmp_path / "trip.txt"): ["trip-2.webm", "trip.mov", "trip.zip"],
                       str(tmp_path / "other.m4v"): ["other.m4v"],
                       str(tmp_path / "trip_notes.pdf"): ["trip_notes.pdf"]}


def test_check_file_with_a_clip_beside_it_is_not_ok(tmp_path: Path) -> None:
    (tmp_path / "news.docx").write_bytes(docx_bytes(["The concert was lovely."]))
    (tmp_path / "news.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    result = run("check", str(tmp_path / "news.docx"), "--format", "json",
                 "--publish-at", WHEN, "--roster", ROSTER)
    assert result.exit_code == 1
    [post] = json.loads(result.stdout)["posts"]
    assert [(f["rule"], Path(f["file"]).name) for f in post["findings"]] == [
        ("E902", "news.mp4")]


def test_html_draft_brings_the_local_photos_it_shows(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "image1.png").write_bytes(photo(fmt="PNG"))
    (tmp_path / "news.html").write_bytes(html_bytes('<p>Hi</p><img src="images/image1.png">'))
    sources = list(discover(tmp_path))
    assert [(s.label, [i.name for i in s.images]) for s in sources] == [
        (str(tmp_path / "news.html"), ["image1.png"])]  # not also a photo-only post


# ---- embedded photos are checked as the post's photos ------------------------------------


def test_embedded_photos_are_checked(checker: Checker, tmp_path: Path) -> None:
    gps = photo(gps=True)
    drafts = {
        "a.docx": docx_bytes(["Our garden."], gps),
        "b.odt": odt_bytes('<text:p>Our garden.<draw:frame><draw:image xlink:href='
                           '"Pictures/p.jpg"/></draw:frame></text:p>', gps),
        "c.rtf": rtf_bytes(r"Our garden.\par ", gps),
        "d.html": html_bytes('<p>Our garden.</p><img src="data:image/jpeg;base64,'
                             + base64.b64encode(gps).decode() + '">'),
    }
    expect = {"a.docx": "a.docx#word/media/image1.jpg", "b.odt": "b.odt#Pictures/p.jpg",
              "c.rtf": "c.rtf#picture1.jpg", "d.html": "d.html#image1"}
    for name, data in drafts.items():
        (tmp_path / name).write_bytes(data)
        post = read_post(PostSource(label=name, text_file=tmp_path / name, images=()))
        report = checker.check_post(post, PUBLISH_AT)
        assert report.images == (expect[name],)
        # The GPS in the photo inside the draft is found, on that photo.
        assert [f.file for f in report.findings if f.rule == "L203"] == [expect[name]], name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(drafts)  # nothing written


def test_fix_leaves_a_draft_to_a_person(tmp_path: Path) -> None:
    (tmp_path / "news.docx").write_bytes(docx_bytes(["Congrats to " + NAME + "!"]))
    out = tmp_path / "out"
    result = run("fix", str(tmp_path / "news.docx"), "--out", str(out), "--publish-at", WHEN,
                 "--roster", ROSTER)
    assert result.exit_code == 1
    assert "paste this draft's text into a .txt post" in result.output
    assert not (out / "news.docx").exists()


# ---- rosters as workbooks ------------------------------------------------------------------

ROWS = [["Student ID", "First Name", "Last Name", "Media Release", "Release Expires"],
        ["S1", "Liam", "Chen", "none", None],
        ["S2", "Maya", "Thompson", "full", "2027-06-30"]]


def xlsx(path: Path, rows: list[list[object]], title_rows: int = 0) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for _ in range(title_rows):
        sheet.append(["Roster export, fall term"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _ods_cell(value: object) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, int):
        return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'


def ods(path: Path, rows: list[list[object]], title_rows: int = 0) -> Path:
    body = "".join("<table:table-row>" + _ods_cell("Roster export, fall term")
                   + "</table:table-row>" for _ in range(title_rows))
    for row in rows:
        body += "<table:table-row>" + "".join(_ods_cell(v) for v in row) + \
            '<table:table-cell table:number-columns-repeated="16000"/></table:table-row>'
    body += '<table:table-row table:number-rows-repeated="1048000"><table:table-cell ' \
            'table:number-columns-repeated="16384"/></table:table-row>'
    path.write_bytes(odf_bytes("spreadsheet", "<office:spreadsheet><table:table "
                               f'table:name="Students">{body}</table:table>'
                               "</office:spreadsheet>"))
    return path


SHEETS = {"xlsx": xlsx, "ods": ods}


@pytest.mark.parametrize("kind", SHEETS)
def test_sheet_roster_reads_like_csv(tmp_path: Path, kind: str) -> None:
    csv = tmp_path / "roster.csv"
    csv.write_text("\n".join(",".join("" if c is None else str(c) for c in r)
                             for r in ROWS) + "\n")
    sheet = load_roster(SHEETS[kind](tmp_path / f"roster.{kind}", ROWS), check_photos=False)
    plain = load_roster(csv, check_photos=False)
    assert [(s.id, s.first_name, s.last_name, s.release, s.release_expires, s.line)
            for s in sheet.students] == \
        [(s.id, s.first_name, s.last_name, s.release, s.release_expires, s.line)
         for s in plain.students]
    assert sheet.students[0].release is Release.NONE


@pytest.mark.parametrize("kind", SHEETS)
def test_sheet_roster_header_below_a_title(tmp_path: Path, kind: str) -> None:
    roster = load_roster(SHEETS[kind](tmp_path / f"r.{kind}", ROWS, title_rows=2),
                         check_photos=False)
    assert [(s.id, s.line) for s in roster.students] == [("S1", 4), ("S2", 5)]


@pytest.mark.parametrize("kind", SHEETS)
@pytest.mark.parametrize(("rows", "line", "column", "says"), [
    ([ROWS[0], ["S1", "Liam", "Chen", "perhaps", None]], 2, "Media Release",
     "unknown media_release value"),
    ([ROWS[0], ["S1", "Liam", "Chen", "none", None], ["S1", "Ana", "Diaz", "full", None]],
     3, "Student ID", "duplicate student_id"),
    ([ROWS[0], ["S1", "Liam", "Chen", "none", "next spring"]], 2, "Release Expires",
     "not a date"),
    ([["Student ID", "First Name", "Last Name"], ["S1", "Liam", "Chen"]], 1, None,
     "missing required column(s): media_release"),
])
def test_sheet_roster_errors_name_file_row_and_column(
        tmp_path: Path, kind: str, rows: list[list[object]], line: int, column: str | None,
        says: str) -> None:
    path = SHEETS[kind](tmp_path / f"roster.{kind}", rows)
    with pytest.raises(InputError) as err:
        load_roster(path, check_photos=False)
    assert (err.value.file, err.value.line, err.value.column) == (str(path), line, column)
    assert says in err.value.problem


@pytest.mark.parametrize(("name", "data", "says"), [
    ("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Save As .xlsx"),
    ("roster.csv", docx_bytes(["x"]), "an Excel .xlsx or an OpenDocument .ods sheet"),
    ("roster.xlsx", b"student_id,first_name\n", "save it from the spreadsheet program"),
    ("roster.xlsx", b"PK\x03\x04 broken", "save it again"),
])
def test_refused_rosters_say_what_to_do(tmp_path: Path, name: str, data: bytes,
                                        says: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        load_roster(path)
    assert says in err.value.problem
    result = run("check", "--text", "Hello", "--roster", str(path))
    assert result.exit_code == 2
    assert says in result.stderr and "Traceback" not in result.output


def test_xlsx_roster_on_the_command_line(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "roster.xlsx", ROWS)
    result = run("check", "--text", "Congrats to Liam Chen!", "--format", "json",
                 "--publish-at", WHEN, "--roster", str(path))
    assert result.exit_code == 1
    [post] = json.loads(result.stdout)["posts"]
    assert ("N101", "S1") in {(f["rule"], f["student_id"]) for f in post["findings"]}


def test_accepting_a_finding_on_a_photo_inside_a_draft_follows_its_content(
        tmp_path: Path) -> None:
    draft = tmp_path / "garden.docx"
    draft.write_bytes(docx_bytes(["Our garden."], photo(gps=True)))

    def l203() -> str:
        result = run("check", str(draft), "--format", "json", "--publish-at", WHEN,
                     "--roster", ROSTER)
        [post] = json.loads(result.stdout)["posts"]
        [found] = [f for f in post["findings"] if f["rule"] == "L203"]
        assert found["file"] == f"{draft}#word/media/image1.jpg"
        return str(found["severity"])

    assert l203() == "violation"
    result = run("accept", str(draft), "-r", ROSTER, "--rule", "L203", "--reason", "school garden")
    assert result.exit_code == 0, result.output
    assert l203() == "info"
    # Another photo in the same place of the draft: the acceptance does not cover it.
    other = Image.new("RGB", (64, 48), (20, 120, 40))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (45.0, 31.0, 12.5), 3: "W", 4: (122.0, 39.0, 5.0)})
    out = io.BytesIO()
    other.save(out, "JPEG", exif=exif)
    draft.write_bytes(docx_bytes(["Our garden."], out.getvalue()))
    assert l203() == "violation"


@pytest.mark.parametrize(("media", "rule", "says"), [
    ("clip.mov", "E902", "does not check video clips yet"),
    ("talk.m4a", "E902", "does not check sound"),
    ("flyer.pdf", "E901", "paste its text"),
    ("logo.svg", "E901", "export it as JPEG or PNG"),
])
def test_media_given_with_image_is_named_not_passed(tmp_path: Path, media: str, rule: str,
                                                    says: str) -> None:
    (tmp_path / media).write_bytes(b"\x00\x01 not decoded")
    result = run("check", "--text", "A lovely day.", "--image", str(tmp_path / media),
                 "--format", "json", "--publish-at", WHEN, "--roster", ROSTER)
    assert result.exit_code == 1
    [post] = json.loads(result.stdout)["posts"]
    assert [(f["rule"], f["file"]) for f in post["findings"]] == [(rule, str(tmp_path / media))]
    assert says in post["findings"][0]["message"]
    assert post["verdict"] == "block"
