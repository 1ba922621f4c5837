"""A photo's caption metadata and its file name are text of the post: the N, R and C
rules read them (findings with source "caption" or "filename", the field named, the span
in the field's text), and `smcheck fix` strips every caption and gives each photo a
neutral name. Real files are written here: EXIF and PNG text by Pillow, XMP (JPEG APP1)
and IPTC (JPEG APP13, a Photoshop 8BIM 0x0404 block) by hand, as cameras, Lightroom and
WordPress write them."""

from __future__ import annotations

import io
import json
import re
import struct
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from typer.testing import CliRunner

from smcheck.api import Checker
from smcheck.cli import app
from smcheck.extract.captions import Caption, filename_words, read_captions
from smcheck.findings import Finding
from smcheck.lexicon import models_dir
from smcheck.post import Post
from tests.conftest import DATA, PUBLISH_AT

runner = CliRunner()
ROSTER = str(DATA / "roster.csv")
WHEN = "2026-11-20T15:00:00-08:00"

# ---- writing real files ---------------------------------------------------------------


def _pixels() -> Image.Image:
    return Image.linear_gradient("L").resize((96, 64)).convert("RGB")


def jpeg(path: Path, *segments: tuple[int, bytes], exif: Image.Exif | None = None,
         comment: bytes | None = None) -> Path:
    """A JPEG with these APPn segments right after its SOI marker."""
    buf = io.BytesIO()
    kwargs: dict[str, object] = {}
    if exif is not None:
        kwargs["exif"] = exif
    if comment is not None:
        kwargs["comment"] = comment
    _pixels().save(buf, "JPEG", **kwargs)
    data = buf.getvalue()
    extra = b"".join(b"\xff" + bytes([marker]) + struct.pack(">H", len(body) + 2) + body
                     for marker, body in segments)
    path.write_bytes(data[:2] + extra + data[2:])
    return path


def xmp(description: str = "", people: tuple[str, ...] = (), headline: str = "",
        regions: tuple[str, ...] = ()) -> tuple[int, bytes]:
    """An XMP packet in a JPEG APP1 segment, as Lightroom writes one."""
    li = "".join(f"<rdf:li>{p}</rdf:li>" for p in people)
    regs = "".join(f'<rdf:li mwg-rs:Name="{r}" mwg-rs:Type="Face"/>' for r in regions)
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        'xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"'
        + (f' photoshop:Headline="{headline}"' if headline else "") + ">"
        + (f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{description}</rdf:li>'
           "</rdf:Alt></dc:description>" if description else "")
        + (f"<Iptc4xmpExt:PersonInImage><rdf:Bag>{li}</rdf:Bag></Iptc4xmpExt:PersonInImage>"
           if people else "")
        + (f"<mwg-rs:RegionInfo><mwg-rs:RegionList><rdf:Bag>{regs}</rdf:Bag>"
           "</mwg-rs:RegionList></mwg-rs:RegionInfo>" if regions else "")
        + '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')
    return 0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + packet.encode("utf-8")


def iptc(*datasets: tuple[int, str], utf8: bool = True) -> tuple[int, bytes]:
    """IPTC Application Record datasets (2:n) in a Photoshop 8BIM 0x0404 resource of a
    JPEG APP13 segment, as Photoshop and WordPress's media library read them."""
    data = b"\x1c\x01\x5a\x00\x03\x1b%G" if utf8 else b""
    for number, value in datasets:
        v = value.encode("utf-8" if utf8 else "cp1252")
        data += b"\x1c\x02" + bytes([number]) + struct.pack(">H", len(v)) + v
    block = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(data))
    block += data + (b"\x00" if len(data) % 2 else b"")
    return 0xED, b"Photoshop 3.0\x00" + block


def exif(**fields: str) -> Image.Exif:
    """EXIF as a camera or Windows writes it: ImageDescription, the XP tags (UTF-16LE
    bytes), UserComment (an 8-byte character code first), Artist."""
    tags = {"ImageDescription": 0x010E, "XPTitle": 0x9C9B, "XPComment": 0x9C9C,
            "XPSubject": 0x9C9F, "Artist": 0x013B}
    out = Image.Exif()
    for name, value in fields.items():
        if name == "UserComment":
            out.get_ifd(0x8769)[0x9286] = b"ASCII\x00\x00\x00" + value.encode("ascii")
        elif name.startswith("XP"):
            out[tags[name]] = value.encode("utf-16-le") + b"\x00\x00"
        else:
            out[tags[name]] = value
    return out


def png(path: Path, itxt: bool = False, **chunks: str) -> Path:
    info = PngImagePlugin.PngInfo()
    for key, value in chunks.items():
        (info.add_itxt if itxt else info.add_text)(key, value)
    _pixels().save(path, pnginfo=info)
    return path


def plain(path: Path) -> Path:
    _pixels().save(path)
    return path


# ---- the file name as words -----------------------------------------------------------


@pytest.mark.parametrize(("name", "words"), [
    ("maya-thompson.jpg", "maya thompson"),
    ("Maya_Thompson_2.JPG", "Maya Thompson"),
    ("MayaThompson.png", "Maya Thompson"),
    ("maya.thompson.jpeg", "maya thompson"),
    ("Maya%20Thompson.jpg", "Maya Thompson"),
    ("Maya Thompson (1).jpg", "Maya Thompson"),
    ("maya thompson copy 2.jpg", "maya thompson"),
    ("maya-thompson-2-scaled-1024x768.jpg", "maya thompson"),
    ("maya-thompson-e1612345678.jpg", "maya thompson"),
    ("Leo_Ramirez-edited.heic", "Leo Ramirez"),
    ("field-trip.jpg", "field trip"),
    ("spring-concert-2026.png", "spring concert"),
    ("S1002.jpg", "S1002"),
    # a camera's, a phone's or an app's name: nothing to read
    ("IMG_2041.jpg", ""), ("DSC00012.JPG", ""), ("DSCN0012.jpg", ""), ("_MG_1234.jpg", ""),
    ("P1010012.JPG", ""), ("GOPR0012.jpg", ""), ("DJI_0012.jpg", ""), ("IMG_E1234.HEIC", ""),
    ("IMG_1234 2.jpg", ""), ("PXL_20260114_093012345.MP.jpg", ""), ("image-12.png", ""),
    ("20260114_093012.jpg", ""), ("20260114_093012_HDR.jpg", ""),
    ("Screenshot 2026-01-14 at 9.30.12 AM.png", ""),
    ("Screenshot_20260114-093012_Gallery.jpg", ""),
    ("WhatsApp Image 2026-01-14 at 09.30.12.jpeg", ""), ("IMG-20260114-WA0003.jpg", ""),
    ("Photo Jan 14, 9 30 12 AM.jpg", ""), ("12345.jpg", ""), ("a3f9c2e1b7.jpg", ""),
    ("3f2504e0-4f89-11d3-9a0c-0305e82c3301.jpg", ""), ("IMG_2041-scaled.jpg", ""),
])
def test_filename_words(name: str, words: str) -> None:
    assert filename_words(name) == words


def test_every_file_name_pattern_has_an_example() -> None:
    """models/photos.toml: each camera name and each tail is used by a name above."""
    data = tomllib.loads((models_dir() / "photos.toml").read_text(encoding="utf-8"))
    names = [p.values[0] for p in _marks(test_filename_words)]
    stems = [n.rsplit(".", 1)[0] for n in names]
    for pattern in data["camera_names"]:
        assert any(re.fullmatch(pattern, s, re.I) for s in stems), pattern
    for pattern in data["name_suffixes"]:
        assert any(re.search(f"(?:{pattern})$", s, re.I) for s in stems), pattern


def _marks(fn: Callable[..., None]) -> list[pytest.ParameterSet]:
    [mark] = [m for m in getattr(fn, "pytestmark", []) if m.name == "parametrize"]
    return [pytest.param(*v) if isinstance(v, tuple) else v for v in mark.args[1]]


# ---- caption fields, read -------------------------------------------------------------


def captions_of(path: Path) -> list[tuple[str, str]]:
    with Image.open(path) as img:
        img.load()
        return [(c.field, c.text) for c in read_captions(img)]


def test_each_caption_field_is_read(tmp_path: Path) -> None:
    both = jpeg(tmp_path / "a.jpg",
                xmp(description="Ava at the fair", people=("Priya Raman",), headline="Fair",
                    regions=("Leo Ramirez",)),
                iptc((120, "Sofía Hernández wins"), (105, "Big day"), (25, "fair"),
                     (25, "Grace Park")),
                exif=exif(ImageDescription="Hope reading", XPComment="Noah XP",
                          XPTitle="Title", XPSubject="Subject", UserComment="Summer note",
                          Artist="Tom Miller"),
                comment=b"Room 12")
    assert captions_of(both) == [
        ("EXIF ImageDescription", "Hope reading"), ("EXIF XPTitle", "Title"),
        ("EXIF XPComment", "Noah XP"), ("EXIF XPSubject", "Subject"),
        ("EXIF UserComment", "Summer note"),
        ("XMP photoshop:Headline", "Fair"), ("XMP dc:description", "Ava at the fair"),
        ("XMP Iptc4xmpExt:PersonInImage", "Priya Raman"), ("XMP mwg-rs:Name", "Leo Ramirez"),
        ("IPTC caption (2:120)", "Sofía Hernández wins"), ("IPTC headline (2:105)", "Big day"),
        ("IPTC keywords (2:25)", "fair\nGrace Park"), ("comment", "Room 12"),
    ]  # the Artist (the photographer) is not read: fix strips it
    assert captions_of(png(tmp_path / "t.png", Description="Maya T.", Software="GIMP",
                           Mystery="x")) == [("PNG text Description", "Maya T."),
                                             ("PNG text (another key)", "x")]
    assert captions_of(png(tmp_path / "i.png", itxt=True, Title="Sofía")) == \
        [("PNG text Title", "Sofía")]
    assert captions_of(plain(tmp_path / "none.jpg")) == []


def test_the_same_words_in_three_fields_are_read_once(tmp_path: Path) -> None:
    """Lightroom writes a caption to EXIF, XMP and IPTC at once: one finding, three
    fields named."""
    path = jpeg(tmp_path / "a.jpg", xmp(description="Leo Ramirez"), iptc((120, "Leo Ramirez")),
                exif=exif(ImageDescription="Leo Ramirez"))
    assert captions_of(path) == [
        ("EXIF ImageDescription, XMP dc:description, IPTC caption (2:120)", "Leo Ramirez")]


def test_unparseable_xmp_and_latin1_iptc_are_still_read(tmp_path: Path) -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
            b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>Leo Ramirez &a;</x:xmpmeta>")
    path = jpeg(tmp_path / "a.jpg", (0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + bomb),
                iptc((120, "Sofía Hernández"), utf8=False))
    found = captions_of(path)
    assert ("IPTC caption (2:120)", "Sofía Hernández") in found
    assert any(f == "XMP (unparsed)" and "Leo Ramirez" in t for f, t in found)


# ---- the rules on them ----------------------------------------------------------------


def meta_findings(checker: Checker, path: Path, text: str = "Great week!") -> list[Finding]:
    report = checker.check_post(Post(path="post.txt", text=text, images=(path,)), PUBLISH_AT)
    return [f for f in report.findings if f.source in ("caption", "filename")]


POSITIVES: list[tuple[str, Callable[[Path], Path], tuple[str, str | None, str, str, str]]] = [
    ("exif description", lambda d: jpeg(d / "a.jpg", exif=exif(
        ImageDescription="Leo Ramirez at the science fair")),
     ("N101", "S1002", "caption", "EXIF ImageDescription", "Leo Ramirez")),
    ("exif xp comment", lambda d: jpeg(d / "a.jpg", exif=exif(XPComment="Priya Raman")),
     ("N101", "S1007", "caption", "EXIF XPComment", "Priya Raman")),
    ("exif user comment", lambda d: jpeg(d / "a.jpg", exif=exif(
        UserComment="Jaylen Brooks on stage")),
     ("N104", "S1006", "caption", "EXIF UserComment", "Jaylen Brooks")),
    ("xmp description", lambda d: jpeg(d / "a.jpg", xmp(
        description="Congratulations Sofía Hernández!")),
     ("N101", "S1003", "caption", "XMP dc:description", "Sofía Hernández")),
    ("xmp person in image", lambda d: jpeg(d / "a.jpg", xmp(people=("Priya",))),
     ("N102", "S1007", "caption", "XMP Iptc4xmpExt:PersonInImage", "Priya")),
    ("xmp face region", lambda d: jpeg(d / "a.jpg", xmp(regions=("Hope Williams",))),
     ("N101", "S1005", "caption", "XMP mwg-rs:Name", "Hope Williams")),
    ("iptc caption", lambda d: jpeg(d / "a.jpg", iptc((120, "Leo Ramírez receives an award"))),
     ("N101", "S1002", "caption", "IPTC caption (2:120)", "Leo Ramírez")),
    ("iptc phone", lambda d: jpeg(d / "a.jpg", iptc((120, "Questions? Call 503-555-0142"))),
     ("R503", None, "caption", "IPTC caption (2:120)", "503-555-0142")),
    ("png text", lambda d: png(d / "a.png", Description="Summer Davis, grade 5"),
     ("N101", "S1012", "caption", "PNG text Description", "Summer Davis")),
    ("png itxt", lambda d: png(d / "a.png", itxt=True, Comment="Add us on Snapchat!"),
     ("C601", None, "caption", "PNG text Comment", "Snapchat")),
    ("caption in capitals", lambda d: jpeg(d / "a.jpg", exif=exif(
        ImageDescription="PRIYA RAMAN")),
     ("N101", "S1007", "caption", "EXIF ImageDescription", "PRIYA RAMAN")),
    ("file name", lambda d: plain(d / "leo-ramirez.jpg"),
     ("N101", "S1002", "filename", "file name", "Leo Ramirez")),
    ("file name, camel case and counter", lambda d: plain(d / "PriyaRaman_2.png"),
     ("N101", "S1007", "filename", "file name", "Priya Raman")),
    ("file name, hyphenated first name", lambda d: plain(d / "mary-kate-obrien.jpg"),
     ("N101", "S1011", "filename", "file name", "Mary Kate Obrien")),
    ("file name, not on the roster", lambda d: plain(d / "maya-thompson.jpg"),
     ("N103", None, "filename", "file name", "Maya Thompson")),
    ("file name, student id", lambda d: plain(d / "S1002.jpg"),
     ("R502", None, "filename", "file name", "S1002")),
]


@pytest.mark.parametrize(("make", "expected"), [pytest.param(m, e, id=i) for i, m, e in POSITIVES])
def test_names_in_captions_and_file_names_are_found(
        checker: Checker, tmp_path: Path, make: Callable[[Path], Path],
        expected: tuple[str, str | None, str, str, str]) -> None:
    path = make(tmp_path)
    found = meta_findings(checker, path)
    rule, student, source, field, words = expected
    assert [(f.rule, f.student_id if rule != "R502" else None, f.source, f.field)
            for f in found] == [(rule, student, source, field)]
    [f] = found
    assert f.file == str(path) and f.box is None and f.span is not None
    assert f.span.text == words
    assert f.message.startswith("In the photo's ")


def test_spans_point_into_the_field(checker: Checker, tmp_path: Path) -> None:
    caption = "Our winner: Leo Ramirez, grade 4"
    path = jpeg(tmp_path / "a.jpg", iptc((120, caption)))
    [f] = meta_findings(checker, path, text="A long post text that says nothing at all.")
    assert f.span is not None
    assert caption[f.span.start:f.span.end] == "Leo Ramirez" == f.span.text


NEGATIVES: list[tuple[str, Callable[[Path], Path]]] = [
    ("IMG_2041", lambda d: plain(d / "IMG_2041.jpg")),
    ("field trip", lambda d: plain(d / "field-trip.jpg")),
    ("spring concert", lambda d: plain(d / "spring-concert-2026.png")),
    ("DSC", lambda d: plain(d / "DSC00012.JPG")),
    ("science fair", lambda d: plain(d / "science-fair-winners.jpg")),
    ("hope", lambda d: plain(d / "hope.jpg")),
    ("summer camp", lambda d: plain(d / "summer-camp.jpg")),
    ("will call", lambda d: plain(d / "will-call.jpg")),
    ("camera caption", lambda d: jpeg(d / "a.jpg", exif=exif(
        ImageDescription="OLYMPUS DIGITAL CAMERA"))),
    ("sony", lambda d: jpeg(d / "a.jpg", exif=exif(ImageDescription="SONY DSC"))),
    ("blank caption", lambda d: jpeg(d / "a.jpg", exif=exif(ImageDescription="          "))),
    ("plain caption", lambda d: jpeg(d / "a.jpg", iptc((120, "Fall festival fun for everyone")),
                                     xmp(description="Our readers at the library"))),
    ("first name only, released", lambda d: jpeg(d / "a.jpg", xmp(
        description="Great job, Amara!"))),
    ("staff photographer", lambda d: jpeg(d / "a.jpg", exif=exif(Artist="Jennifer Smith"))),
    ("staff in caption", lambda d: jpeg(d / "a.jpg", iptc((120, "Maria Garcia's class")))),
    ("software chunk", lambda d: png(d / "a.png", Software="Adobe Photoshop Lightroom")),
]


@pytest.mark.parametrize("make", [pytest.param(m, id=i) for i, m in NEGATIVES])
def test_captions_and_file_names_that_name_nobody(
        checker: Checker, tmp_path: Path, make: Callable[[Path], Path]) -> None:
    assert meta_findings(checker, make(tmp_path)) == []


# ---- the CLI --------------------------------------------------------------------------


def test_cli_json_names_source_and_field(tmp_path: Path) -> None:
    photo = jpeg(tmp_path / "leo-ramirez.jpg", iptc((120, "Priya Raman smiles")))
    r = runner.invoke(app, ["check", "--text", "Great week!", "--image", str(photo),
                            "--roster", ROSTER, "--format", "json", "--publish-at", WHEN])
    assert r.exit_code == 1, r.output
    findings = json.loads(r.stdout)["posts"][0]["findings"]
    meta = sorted((f["rule"], f["source"], f["field"], f["span"]["text"], f["student_id"],
                   f["file"]) for f in findings if f["source"] in ("caption", "filename"))
    assert meta == [
        ("N101", "caption", "IPTC caption (2:120)", "Priya Raman", "S1007", str(photo)),
        ("N101", "filename", "file name", "Leo Ramirez", "S1002", str(photo))]
    # Findings of the post's own text keep the shape of SPEC section 6 (no `field`).
    assert all("field" not in f for f in findings if f["source"] not in ("caption", "filename"))

    r = runner.invoke(app, ["check", "--text", "Great week!", "--image", str(photo),
                            "--roster", ROSTER, "--publish-at", WHEN])
    assert f"{photo} (file name)" in r.output and f"{photo} (IPTC caption (2:120))" in r.output

    r = runner.invoke(app, ["check", "--text", "Great week!", "--image", str(photo),
                            "--roster", ROSTER, "--format", "sarif", "--publish-at", WHEN])
    results = json.loads(r.stdout)["runs"][0]["results"]
    fields = sorted(x["properties"].get("field", "") for x in results)
    assert "file name" in fields and "IPTC caption (2:120)" in fields
    assert "Priya" not in r.stdout and "Ramirez" not in r.stdout  # SARIF: no names


def test_cli_redact_keeps_names_out(tmp_path: Path) -> None:
    photo = jpeg(tmp_path / "leo-ramirez.jpg", iptc((120, "Priya Raman smiles")))
    r = runner.invoke(app, ["check", "--text", "Great week!", "--image", str(photo),
                            "--roster", ROSTER, "--format", "json", "--redact",
                            "--publish-at", WHEN])
    findings = json.loads(r.stdout)["posts"][0]["findings"]
    meta = [f for f in findings if f["source"] in ("caption", "filename")]
    assert len(meta) == 2
    assert all(f["span"]["text"] == "" and "Priya" not in f["message"] for f in meta)


# ---- fix ------------------------------------------------------------------------------


CAPTION_WORDS = ("Priya", "Raman", "Leo Ramirez", "Sof", "Hope", "Summer", "Jennifer")


def test_fix_strips_captions_and_names_photos_neutrally(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "trip.txt").write_text("---\nimages: [Leo_Ramirez_2.jpg]\n---\nGreat week!\n",
                                     encoding="utf-8")
    jpeg(folder / "Leo_Ramirez_2.jpg", xmp(description="Priya Raman", people=("Hope Williams",)),
         iptc((120, "Sofía Hernández"), (25, "Priya")),
         exif=exif(ImageDescription="Priya Raman", XPComment="Hope", UserComment="Summer",
                   Artist="Jennifer Smith"), comment=b"Priya Raman")
    png(folder / "summer-davis.png", Description="Summer Davis")
    png(folder / "IMG_2041.png")
    out = tmp_path / "out"
    r = runner.invoke(app, ["fix", str(folder), "--out", str(out), "--roster", ROSTER,
                            "--format", "json", "--publish-at", WHEN])
    assert r.exit_code in (0, 1), r.output
    report = json.loads(r.stdout)
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    # A camera's name says nothing of anyone: kept. The others: the post's name, or photo-N.
    assert written == ["IMG_2041.png", "photo-1.png", "trip.jpg", "trip.txt"]
    assert "images: [trip.jpg]" in (out / "trip.txt").read_text(encoding="utf-8")
    for p in out.rglob("*"):
        data = p.read_bytes()
        for word in CAPTION_WORDS:
            assert word.encode() not in data, (p.name, word)
            assert word.encode("utf-16-le") not in data, (p.name, word)
        if p.suffix != ".txt":
            assert captions_of(p) == []
    by_file = {i["file"]: i for post in report["posts"] for i in post["images"]}
    photo = by_file[str(folder / "Leo_Ramirez_2.jpg")]
    assert photo["out"] == str(out / "trip.jpg")
    assert {"captions", "author", "XMP", "IPTC"} <= set(photo["metadata_removed"])
    before = [f for post in report["posts"] for f in post["before"]
              if f["source"] in ("caption", "filename")]
    after = [f for post in report["posts"] for f in post["after"] or []
             if f["source"] in ("caption", "filename")]
    assert {f["field"] for f in before} >= {"file name", "PNG text Description"}
    assert after == []

    r = runner.invoke(app, ["fix", str(folder), "--out", str(tmp_path / "o2"), "--roster",
                            ROSTER, "--publish-at", WHEN])
    assert "captions" in r.output and "neutral" in r.output


def test_fix_names_keep_photos_with_their_post(tmp_path: Path) -> None:
    """Copies named after the post are the post's photos when the copy is audited."""
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "concert.txt").write_text("What a concert!\n", encoding="utf-8")
    plain(folder / "concert-1.jpg")
    plain(folder / "concert-2.jpg")
    out = tmp_path / "out"
    r = runner.invoke(app, ["fix", str(folder), "--out", str(out), "--roster", ROSTER,
                            "--format", "json", "--publish-at", WHEN])
    assert r.exit_code in (0, 1), r.output
    assert sorted(p.name for p in out.iterdir()) == ["concert-1.jpg", "concert-2.jpg",
                                                     "concert.txt"]


def test_caption_is_a_fact_of_the_image(checker: Checker, tmp_path: Path) -> None:
    path = jpeg(tmp_path / "IMG_0001.jpg", iptc((120, "Leo Ramirez")))
    facts = checker.extract(Post(path="post.txt", text="Hi", images=(path,)))
    [image] = facts.images
    [group] = image.captions  # the caption and nothing of the camera's file name
    assert group.captions == (
        Caption(kind="caption", field="IPTC caption (2:120)", text="Leo Ramirez"),)
    assert group.reading == "Leo Ramirez" and group.words is not None


def test_a_worker_s_report_keeps_source_field_and_span(checker: Checker, tmp_path: Path) -> None:
    """`audit --jobs N` and the result cache carry findings as dicts: field included."""
    from smcheck.batch import _report_from, _report_to

    path = jpeg(tmp_path / "leo-ramirez.jpg", iptc((120, "Priya Raman")))
    report = checker.check_post(Post(path="post.txt", text="Hi!", images=(path,)), PUBLISH_AT)
    again = _report_from(json.loads(json.dumps(_report_to(report))), checker.roster)
    meta = [f for f in again.findings if f.source in ("caption", "filename")]
    assert sorted((f.source, f.field, f.span.text if f.span else "") for f in meta) == [
        ("caption", "IPTC caption (2:120)", "Priya Raman"),
        ("filename", "file name", "Leo Ramirez")]


def test_html_report_and_dry_run(tmp_path: Path) -> None:
    photo = jpeg(tmp_path / "leo-ramirez.jpg", iptc((120, "Priya Raman")))
    page = tmp_path / "report.html"
    runner.invoke(app, ["check", "--text", "Hi!", "--image", str(photo), "--roster", ROSTER,
                        "--report", str(page), "--publish-at", WHEN])
    html = page.read_text(encoding="utf-8")
    assert "(file name)" in html and "(IPTC caption (2:120))" in html

    r = runner.invoke(app, ["fix", str(photo), "--out", str(tmp_path / "out"), "--dry-run",
                            "--roster", ROSTER, "--format", "json", "--publish-at", WHEN])
    [post] = json.loads(r.stdout)["posts"]
    assert post["images"][0]["out"] == str(tmp_path / "out" / "photo-1.jpg")
    # The planned copy answers both: nothing about them needs a person.
    assert [f for f in post["needs_a_person"] if f["source"] in ("caption", "filename")] == []
    assert not (tmp_path / "out").exists()


XMP_LEO = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
           '02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
           "<dc:description><rdf:Alt><rdf:li>Leo Ramirez</rdf:li></rdf:Alt></dc:description>"
           "</rdf:Description></rdf:RDF></x:xmpmeta>")


def _tiff(path: Path) -> None:
    from PIL import TiffImagePlugin

    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[700] = XMP_LEO.encode()  # TIFF's XMP tag
    info.tagtype[700] = 1
    info[270] = "Priya Raman"  # ImageDescription
    _pixels().save(path, tiffinfo=info)


def _png_xmp(path: Path) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP_LEO)
    _pixels().save(path, exif=exif(ImageDescription="Priya Raman").tobytes(), pnginfo=info)


def _with_xmp(fmt: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        _pixels().save(path, fmt, exif=exif(ImageDescription="Priya Raman").tobytes(),
                       xmp=XMP_LEO.encode())
    return write


@pytest.mark.parametrize(("name", "write", "expected"), [
    ("a.tif", _tiff, [("EXIF ImageDescription", "Priya Raman"),
                      ("XMP dc:description", "Leo Ramirez")]),
    ("a.png", _png_xmp, [("EXIF ImageDescription", "Priya Raman"),
                         ("XMP dc:description", "Leo Ramirez")]),
    ("a.webp", _with_xmp("WEBP"), [("EXIF ImageDescription", "Priya Raman"),
                                   ("XMP dc:description", "Leo Ramirez")]),
    ("a.heic", _with_xmp("HEIF"), [("EXIF ImageDescription", "Priya Raman"),
                                   ("XMP dc:description", "Leo Ramirez")]),
    ("a.gif", lambda p: _pixels().save(p, comment=b"Priya Raman"), [("comment", "Priya Raman")]),
])
def test_captions_of_every_format(tmp_path: Path, name: str, write: Callable[[Path], None],
                                  expected: list[tuple[str, str]]) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    write(tmp_path / name)
    assert captions_of(tmp_path / name) == expected


def test_accepting_a_caption_finding_covers_that_field_only(tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text("---\nimages: [leo-ramirez.jpg]\n---\nGreat week!\n", encoding="utf-8")
    jpeg(tmp_path / "leo-ramirez.jpg", iptc((120, "Leo Ramirez at the fair")))

    def meta() -> list[tuple[str, str, str]]:
        r = runner.invoke(app, ["check", str(post), "-r", ROSTER, "--format", "json"])
        return sorted((f["rule"], f["field"], f["severity"])
                      for f in json.loads(r.stdout)["posts"][0]["findings"] if "field" in f)

    assert meta() == [("N101", "IPTC caption (2:120)", "violation"),
                      ("N101", "file name", "violation")]
    text = runner.invoke(app, ["check", str(post), "-r", ROSTER]).stdout
    number = next(line.split("]")[0].strip().lstrip("[") for line in text.splitlines()
                  if "(file name)" in line)
    r = runner.invoke(app, ["accept", str(post), "-r", ROSTER, "--finding", number,
                            "--reason", "the family asked for it"])
    assert r.exit_code == 0, r.output
    assert meta() == [("N101", "IPTC caption (2:120)", "violation"),
                      ("N101", "file name", "info")]


@pytest.mark.parametrize(("make", "text"), [
    (lambda d: jpeg(d / "a.jpg", iptc((120, "Leo Ramirez at the science fair"))),
     "Leo Ramirez at the science fair"),
    (lambda d: jpeg(d / "a.jpg", exif=exif(ImageDescription="Jaylen Brooks on stage")),
     "Jaylen Brooks on stage"),
    (lambda d: png(d / "a.png", Description="Ava Thompson reads"), "Ava Thompson reads"),
    (lambda d: plain(d / "priya-raman.jpg"), "Priya Raman"),
    (lambda d: plain(d / "Ava_Thompson_3.JPG"), "Ava Thompson"),
])
def test_same_rule_and_severity_as_in_the_post(checker: Checker, tmp_path: Path,
                                               make: Callable[[Path], Path], text: str) -> None:
    """A name in a caption or a file name is found as it is in the post's text."""
    in_text = checker.check_post(Post(path="post.txt", text=text), PUBLISH_AT).findings
    in_photo = meta_findings(checker, make(tmp_path))
    assert in_text and [(f.rule, f.severity, f.student_id) for f in in_photo] == \
        [(f.rule, f.severity, f.student_id) for f in in_text]
