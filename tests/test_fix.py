"""`smcheck fix` through the CLI: where copies go and where they may not, exit codes, the
originals untouched, metadata stripped, what needs a person, the JSON and HTML reports."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from smcheck.cli import app
from tests.conftest import DATA, ROOT

runner = CliRunner()
ROSTER = str(DATA / "roster.csv")
WHEN = "2026-11-20T15:00:00-08:00"
SAMPLES = ROOT / "sample_posts"


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def fix_json(*args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    r = run("fix", *args, "--format", "json", "--publish-at", WHEN)
    assert r.exit_code in (0, 1), r.output
    return r.exit_code, json.loads(r.stdout)


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def gps_jpeg(path: Path, size: tuple[int, int] = (320, 200), orientation: int = 1) -> None:
    """A photo as a phone writes it: GPS, camera, orientation, XMP and a comment."""
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (45.0, 31.0, 12.5), 3: "W", 4: (122.0, 39.0, 5.0)})
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
           b'02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/"'
           b' exif:GPSLatitude="45,31.2N"/></rdf:RDF></x:xmpmeta>')
    img = Image.linear_gradient("L").resize(size).convert("RGB")
    img.save(path, exif=exif, comment=b"Room 12, Lincoln Elementary", xmp=xmp)


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "names.txt").write_text(
        "Congrats to Mateo García! Hope Williams read a poem. Great job, Leo R.!\n")
    (folder / "trip.md").write_text(
        "---\npublish_at: 2026-11-20T15:00:00-08:00\n---\n"
        "Our class leaves for the zoo on Dec. 5 at 9:15 from the front parking lot.\n")
    (folder / "clean.txt").write_text("Our class planted tulips to\u00adday!\u200b\n")
    sub = folder / "garden"
    sub.mkdir()
    (sub / "post.txt").write_text("Look how our garden has grown!\n")
    gps_jpeg(sub / "photo.jpg", orientation=6)
    return folder


# ---- a folder ---------------------------------------------------------------------------

def test_fix_folder(posts: Path, tmp_path: Path) -> None:
    before = hashes(posts)
    out = tmp_path / "fixed"
    code, data = fix_json(str(posts), "--out", str(out), "-r", ROSTER)
    assert hashes(posts) == before  # the originals, byte for byte
    assert code == 1  # the trip's schedule needs a person
    # The photo's copy has a neutral name: its post's (fix/images.py: neutral_names).
    assert sorted(hashes(out)) == ["clean.txt", "garden/post.jpg", "garden/post.txt",
                                   "names.txt", "trip.md"]
    assert (out / "names.txt").read_text() == \
        "Congrats to Mateo! A student read a poem. Great job!\n"
    assert (out / "clean.txt").read_text() == "Our class planted tulips today!\n"
    assert (out / "trip.md").read_text().startswith("---\npublish_at: 2026-11-20T15:00")
    by_path = {Path(p["path"]).name: p for p in data["posts"]}
    assert by_path["names.txt"]["verdict_before"] == "block"
    assert by_path["names.txt"]["verdict_after"] == "ok"
    assert [c["rule"] for c in by_path["names.txt"]["text_changes"]] == ["N101", "N101", "N102"]
    trip = by_path["trip.md"]
    assert trip["verdict_after"] == "block"
    assert [f["rule"] for f in trip["needs_a_person"]] == ["S301"]
    assert by_path["post.txt"]["verdict_before"] == "block"  # L203: GPS
    assert by_path["post.txt"]["verdict_after"] == "ok"
    [photo] = by_path["post.txt"]["images"]
    assert photo["oriented"] is True
    assert {"EXIF", "GPS", "XMP", "comment"} <= set(photo["metadata_removed"])
    assert data["summary"]["need_a_person"] == 1
    assert data["summary"]["after"] == {"block": 1, "review": 0, "ok": 3}


def test_fixed_copy_passes_a_re_audit(posts: Path, tmp_path: Path) -> None:
    (posts / "trip.md").unlink()
    out = tmp_path / "fixed"
    code, _ = fix_json(str(posts), "--out", str(out), "-r", ROSTER)
    assert code == 0
    r = run("audit", str(out), "-r", ROSTER, "--format", "json", "--publish-at", WHEN)
    assert r.exit_code == 0, r.output
    assert all(p["verdict"] == "ok" for p in json.loads(r.stdout)["posts"])


def test_text_output_lists_changes_and_what_needs_a_person(posts: Path, tmp_path: Path) -> None:
    r = run("fix", str(posts), "--out", str(tmp_path / "fixed"), "-r", ROSTER,
            "--publish-at", WHEN)
    assert r.exit_code == 1, r.output
    assert "“Mateo García” → “Mateo”" in r.output
    assert "needs a person:" in r.output and "S301" in r.output
    assert "1 needs a person" in r.output


def test_dry_run_writes_nothing(posts: Path, tmp_path: Path) -> None:
    out = tmp_path / "fixed"
    code, data = fix_json(str(posts), "--out", str(out), "-r", ROSTER, "--dry-run")
    assert not out.exists()
    assert code == 1 and data["dry_run"] is True and data["summary"]["after"] is None
    names = next(p for p in data["posts"] if p["path"].endswith("names.txt"))
    assert [c["after"]["text"] for c in names["text_changes"]] == ["Mateo", "A student", ""]
    assert names["needs_a_person"] == [] and names["verdict_after"] is None


def test_clean_posts_exit_0(tmp_path: Path) -> None:
    post = tmp_path / "in" / "post.txt"
    post.parent.mkdir()
    post.write_text("Congratulations to Mateo García!")
    code, data = fix_json(str(post), "--out", str(tmp_path / "out"), "-r", ROSTER)
    assert code == 0
    assert (tmp_path / "out" / "post.txt").read_text() == "Congratulations to Mateo!"
    assert data["posts"][0]["verdict_before"] == "review"


def test_exit_zero(posts: Path, tmp_path: Path) -> None:
    r = run("fix", str(posts), "--out", str(tmp_path / "fixed"), "-r", ROSTER, "--exit-zero")
    assert r.exit_code == 0


# ---- where copies may not go ----------------------------------------------------------------

def test_refuses_out_equal_to_the_folder(posts: Path) -> None:
    before = hashes(posts)
    r = run("fix", str(posts), "--out", str(posts), "-r", ROSTER)
    assert r.exit_code == 2 and "inside the folder being fixed" in r.output
    assert hashes(posts) == before


def test_refuses_out_inside_the_folder(posts: Path) -> None:
    r = run("fix", str(posts), "--out", str(posts / "garden" / "fixed"), "-r", ROSTER)
    assert r.exit_code == 2 and "inside the folder being fixed" in r.output
    assert not (posts / "garden" / "fixed").exists()


def test_refuses_out_through_a_symlink(posts: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(posts)
    r = run("fix", str(posts), "--out", str(link), "-r", ROSTER)
    assert r.exit_code == 2


def test_refuses_the_posts_own_folder(posts: Path) -> None:
    before = hashes(posts)
    r = run("fix", str(posts / "names.txt"), "--out", str(posts), "-r", ROSTER)
    assert r.exit_code == 2 and "overwrite the original" in r.output
    assert hashes(posts) == before


def test_refuses_a_copy_over_an_input(posts: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.link(posts / "names.txt", out / "names.txt")  # the same file under the copy's name
    before = hashes(posts)
    r = run("fix", str(posts), "--out", str(out), "-r", ROSTER)
    assert r.exit_code == 2 and "is an input" in r.output
    assert hashes(posts) == before and sorted(hashes(out)) == ["names.txt"]


def test_refuses_an_image_in_out(posts: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    photo = out / "photo.jpg"
    gps_jpeg(photo)
    before = photo.read_bytes()
    r = run("fix", str(posts / "names.txt"), "--image", str(photo), "--out", str(out),
            "-r", ROSTER)
    assert r.exit_code == 2
    assert photo.read_bytes() == before and not (out / "names.txt").exists()


def test_refuses_two_inputs_to_one_copy(tmp_path: Path) -> None:
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "post.txt").write_text("Hello!")
    r = run("fix", str(tmp_path / "a" / "post.txt"), str(tmp_path / "b" / "post.txt"),
            "--out", str(tmp_path / "out"))
    assert r.exit_code == 2 and "two inputs" in r.output


def test_refuses_out_that_is_a_file(posts: Path, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    r = run("fix", str(posts), "--out", str(target), "-r", ROSTER)
    assert r.exit_code == 2 and "must be a folder" in r.output


def test_standard_input_is_refused_with_a_reason(tmp_path: Path) -> None:
    r = runner.invoke(app, ["fix", "-", "--out", str(tmp_path / "out")], input="Hi Leo\n")
    assert r.exit_code == 2
    assert "save the post from standard input to a file" in r.output
    assert not (tmp_path / "out").exists()


def test_missing_post_is_a_usage_error(tmp_path: Path) -> None:
    r = run("fix", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "out"))
    assert r.exit_code == 2 and "file not found" in r.output


# ---- photos ----------------------------------------------------------------------------------

def _metadata(path: Path) -> dict[str, object]:
    with Image.open(path) as img:
        return {"exif": dict(img.getexif()), "info": {k: v for k, v in img.info.items()
                                                     if k not in ("jfif", "jfif_version",
                                                                  "jfif_unit", "jfif_density",
                                                                  "dpi")}}


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF", "HEIF"])
def test_metadata_stripped(tmp_path: Path, fmt: str) -> None:
    src = tmp_path / "in"
    src.mkdir()
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    exif[0x0112] = 6
    exif.get_ifd(0x8825).update({1: "N", 2: (45.0, 31.0, 12.5), 3: "W", 4: (122.0, 39.0, 5.0)})
    suffix = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "TIFF": "tif", "HEIF": "heic"}[fmt]
    photo = src / f"trip.{suffix}"
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    Image.new("RGB", (64, 40), (30, 120, 60)).save(photo, fmt, exif=exif.tobytes())
    assert _metadata(photo)["exif"]
    r = run("check", "--text", "Our trip!", "--image", str(photo), "--format", "json")
    assert "L203" in r.stdout
    out = tmp_path / "out"
    code, data = fix_json(str(photo), "--out", str(out))
    fixed = Path(data["posts"][0]["images"][0]["out"])
    assert fixed.parent == out and fixed.stem == "photo-1"  # a neutral name
    if fmt == "HEIF":  # written as JPEG, renamed
        assert fixed.suffix == ".jpg"
        fmt = "JPEG"
    meta = _metadata(fixed)
    exif = meta["exif"]
    assert isinstance(exif, dict) and not {0x010F, 0x0112, 0x8825} & set(exif)
    assert not meta["info"].get("exif") and not meta["info"].get("xmp")
    with Image.open(fixed) as img:
        assert img.format == fmt and img.size == (40, 64)  # turned upright
    assert code == 0 and data["posts"][0]["verdict_after"] == "ok"
    assert "GPS" in data["posts"][0]["images"][0]["metadata_removed"]


def test_png_text_and_comment_stripped(tmp_path: Path) -> None:
    from PIL.PngImagePlugin import PngInfo

    src = tmp_path / "in"
    src.mkdir()
    info = PngInfo()
    info.add_text("Comment", "Taken at 12 Elm St")
    info.add_text("Author", "Ms. Garcia")
    Image.new("RGBA", (30, 20), (10, 20, 30, 128)).save(src / "a.png", pnginfo=info)
    _, data = fix_json(str(src / "a.png"), "--out", str(tmp_path / "out"))
    with Image.open(data["posts"][0]["images"][0]["out"]) as img:
        assert not img.info.get("Comment") and not img.info.get("Author")
        assert img.mode == "RGBA"  # transparency kept
    assert "text chunks" in data["posts"][0]["images"][0]["metadata_removed"]


def test_unreadable_photo_is_not_written_and_needs_a_person(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "post.txt").write_text("Our garden!")
    (src / "post.jpg").write_bytes(b"not a photo at all")
    code, data = fix_json(str(src), "--out", str(tmp_path / "out"))
    assert code == 1
    assert not (tmp_path / "out" / "post.jpg").exists()
    assert data["posts"][0]["not_written"][0]["reason"] == "could not be read"


def test_photo_outside_the_post_folder(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "photos").mkdir()
    gps_jpeg(tmp_path / "photos" / "trip.jpg")
    post = tmp_path / "posts" / "trip.md"
    post.write_text("---\nimages: [../photos/trip.jpg]\n---\nOur garden!\n")
    code, data = fix_json(str(post), "--out", str(tmp_path / "out"))
    assert (tmp_path / "out" / "trip.jpg").exists()
    assert "front matter" in data["posts"][0]["images"][0]["note"]
    assert code == 1  # the copy's front matter points at a photo that is not there


# ---- the report ------------------------------------------------------------------------------

def test_html_report(posts: Path, tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "17-space-day.jpg", posts / "names.jpg")
    report = tmp_path / "fix.html"
    r = run("fix", str(posts), "--out", str(tmp_path / "fixed"), "-r", ROSTER,
            "--report", str(report), "--publish-at", WHEN)
    assert r.exit_code == 1, r.output
    html = report.read_text()
    assert "<del>Mateo García</del><ins" in html and ">Mateo</ins>" in html
    assert html.count('<div class="pair">') == 2  # a photo pair per photo
    assert html.count("data:image/jpeg;base64,") == 4  # before and after, each
    assert "Needs a person" in html and "S301" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "<link" not in html
    redacted = tmp_path / "redacted.html"
    run("fix", str(posts), "--out", str(tmp_path / "fixed2"), "-r", ROSTER, "--redact",
        "--report", str(redacted))
    text = redacted.read_text()
    assert "Mateo" not in text and "Hope" not in text and "data:image" not in text


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")
def test_html_report_renders_in_a_browser(posts: Path, tmp_path: Path) -> None:
    report = tmp_path / "fix.html"
    run("fix", str(posts), "--out", str(tmp_path / "fixed"), "-r", ROSTER, "--report",
        str(report), "--publish-at", WHEN)
    assert CHROMIUM is not None
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         report.as_uri()], capture_output=True, text=True, timeout=120,
        env={**os.environ, "HOME": str(tmp_path)})
    dom = proc.stdout
    assert "smcheck fix" in dom and dom.count('<section class="post') == 4
    assert "<del>Mateo García</del>" in dom and 'class="pair"' in dom


def test_redacted_json_names_no_one(posts: Path, tmp_path: Path) -> None:
    _, data = fix_json(str(posts), "--out", str(tmp_path / "fixed"), "-r", ROSTER, "--redact")
    dumped = json.dumps(data, ensure_ascii=False)
    for secret in ("Mateo", "García", "Hope", "Leo", "S1009", "S1005"):
        assert secret not in dumped


def test_fixed_photo_bytes_hold_no_metadata(posts: Path, tmp_path: Path) -> None:
    out = tmp_path / "fixed"
    fix_json(str(posts), "--out", str(out), "-r", ROSTER)
    data = (out / "garden" / "post.jpg").read_bytes()
    for marker in (b"Exif", b"Phone maker", b"Lincoln", b"xmpmeta", b"GPS"):
        assert marker not in data
    assert Image.open(io.BytesIO(data)).size == (200, 320)


# ---- the samples and accepted findings -------------------------------------------------------

def test_sample_posts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every kind of fix the samples show (sample_posts/README.md), and what is left."""
    monkeypatch.chdir(ROOT)
    before = hashes(SAMPLES)
    out = tmp_path / "fixed"
    code, data = fix_json("sample_posts", "--out", str(out))
    assert code == 1 and hashes(SAMPLES) == before
    after = {Path(p["path"]).name: p["verdict_after"] for p in data["posts"]}
    need = {Path(p["path"]).stem[:2] for p in data["posts"] if p["needs_a_person"]}
    assert need == {"04", "05", "06", "07", "08", "09", "13", "14", "20"}
    assert all(v == "ok" for k, v in after.items() if k[:2] not in need)
    # 05's one sentence is about a safety-flagged student: it goes, and nothing is left.
    assert after["05-spelling-bee.txt"] == "block"
    assert not (out / "05-spelling-bee.txt").exists()
    assert (out / "19-welcome-back.txt").read_text() == (
        "Welcome back, readers! Mateo's poster won first prize, and Amara read\n"
        "it aloud. Two students painted the backdrop, and a student's sister helped. "
        "Great job! #proud\n")
    field_day = next(p for p in data["posts"] if p["path"].endswith("20-field-day.txt"))
    [photo] = field_day["images"]
    assert photo["oriented"] and [m["rule"] for m in photo["masked"]] == ["F402"]
    assert [f["rule"] for f in field_day["needs_a_person"]] == ["S301"]


def test_accepted_findings_stay_accepted(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    post = src / "post.txt"
    post.write_text("Great job today, Leo! Hope read a poem.")
    r = run("accept", str(post), "-r", ROSTER, "--rule", "N102", "--all", "--reason",
            "Signed release 11/20", "--by", "office")
    assert r.exit_code == 0, r.output
    code, data = fix_json(str(post), "--out", str(tmp_path / "out"), "-r", ROSTER)
    # Both were accepted (one N102 finding a student): nothing rewritten, nothing left.
    assert (tmp_path / "out" / "post.txt").read_text() == post.read_text()
    [p] = data["posts"]
    assert p["text_changes"] == [] and code == 0
    assert {f["severity"] for f in p["after"]} == {"info"}


def test_no_roster_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "post.txt").write_text("Hello!")
    _, data = fix_json(str(tmp_path / "in" / "post.txt"), "--out", str(tmp_path / "out"))
    assert {n["code"] for n in data["notices"]} >= {"no-roster"}


def test_a_bug_on_one_post_does_not_stop_the_run(posts: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import smcheck.fix as fix_module

    real = fix_module.fix_text

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        if "Mateo" in args[1].post.text:
            raise RuntimeError("boom")
        return real(*args, **kwargs)

    monkeypatch.setattr(fix_module, "fix_text", broken)
    code, data = fix_json(str(posts), "--out", str(tmp_path / "fixed"), "-r", ROSTER)
    by_path = {Path(p["path"]).name: p for p in data["posts"]}
    assert code == 1 and len(by_path) == 4
    assert "RuntimeError" in by_path["names.txt"]["not_written"][0]["reason"]
    assert not (tmp_path / "fixed" / "names.txt").exists()
    assert (tmp_path / "fixed" / "clean.txt").exists()


def test_animated_gif_keeps_its_first_frame(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    frames = [Image.new("RGB", (40, 30), c) for c in ((200, 0, 0), (0, 200, 0))]
    frames[0].save(src / "a.gif", save_all=True, append_images=frames[1:], comment=b"hi")
    _, data = fix_json(str(src / "a.gif"), "--out", str(tmp_path / "out"))
    with Image.open(data["posts"][0]["images"][0]["out"]) as img:
        assert getattr(img, "n_frames", 1) == 1 and not img.info.get("comment")
    assert "first frame" in data["posts"][0]["images"][0]["note"]


# ---- what gets a mask, and how far it reaches ------------------------------------------------

@pytest.mark.parametrize(("rule", "faces", "kind"), [
    ("F401", "blur", "face"), ("F402", "blur", "face"), ("F403", "blur", "face"),
    ("F404", "blur", "face"), ("F400", "blur", None),
    ("F401", "keep-unverified", None), ("F402", "keep-unverified", "face"),
    # Words read in a photo (a name tag, a whiteboard): any N, R or C finding with a box.
    ("N102", "blur", "words"), ("N104", "blur", "words"), ("R503", "blur", "words"),
    ("C601", "blur", "words"), ("L203", "blur", None), ("S301", "blur", None),
])
def test_what_is_masked(rule: str, faces: str, kind: str | None) -> None:
    from smcheck.fix import FixOptions

    assert FixOptions(out=Path("x"), faces=faces).masks(rule) == kind  # type: ignore[arg-type]


def test_padding_stops_short_of_a_kept_face() -> None:
    from smcheck.findings import Box
    from smcheck.fix.images import padded

    hidden = Box(top=100, left=100, bottom=200, right=200)
    alone = padded(hidden, "face", 1000, 1000)
    assert (alone.left, alone.top, alone.right, alone.bottom) == (65, 40, 235, 235)
    kept = Box(top=90, left=210, bottom=190, right=310)  # a released face just right of it
    beside = padded(hidden, "face", 1000, 1000, keep=[kept])
    assert beside.right == 210 and beside.left == 65
    edge = padded(Box(top=5, left=5, bottom=50, right=50), "face", 60, 60)
    assert (edge.left, edge.top, edge.right, edge.bottom) == (0, 0, 60, 60)


def test_heic_post_becomes_jpeg_and_its_front_matter_follows(tmp_path: Path) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    src = tmp_path / "in"
    src.mkdir()
    Image.new("RGB", (64, 40), (30, 120, 60)).save(src / "IMG_0042.HEIC", "HEIF")
    (src / "trip.md").write_text("---\nimages: [IMG_0042.HEIC]\n---\nOur garden!\n")
    code, data = fix_json(str(src / "trip.md"), "--out", str(tmp_path / "out"))
    assert (tmp_path / "out" / "trip.md").read_text().startswith("---\nimages: [IMG_0042.jpg]")
    with Image.open(tmp_path / "out" / "IMG_0042.jpg") as img:
        assert img.format == "JPEG"
    [image] = data["posts"][0]["images"]
    assert image["format"] == "JPEG" and "HEIC written as JPEG" in image["note"]
    assert code == 0 and data["posts"][0]["after"] == []


# ---- a safety-flagged student: never cleared (issue 18) ----------------------------------

@pytest.mark.parametrize(("text", "fixed", "held"), [
    # The sentence right after, in its paragraph, with a pronoun: kept, for a person.
    ("Great meet today!\nJJ took second place!\nShe was so proud.",
     "Great meet today!\nShe was so proud.", "She was so proud."),
    ("Welcome back, JJ! We missed you so much.", "We missed you so much.",
     "We missed you so much."),
    ("Great meet! JJ won the race. They trained all year. Go team!",
     "Great meet! They trained all year. Go team!", "They trained all year."),
    # No pronoun, or another paragraph: nothing to hold.
    ("Great meet! JJ won the race. The relay team ran fast too.",
     "Great meet! The relay team ran fast too.", None),
    ("JJ took second place!\n\nShe and her class planted tulips.",
     "She and her class planted tulips.", None),
])
def test_a_sentence_about_a_flagged_student_goes(tmp_path: Path, text: str, fixed: str,
                                                 held: str | None) -> None:
    post = tmp_path / "in" / "post.txt"
    post.parent.mkdir()
    post.write_text(text)
    code, data = fix_json(str(post), "--out", str(tmp_path / "out"), "-r", ROSTER)
    [p] = data["posts"]
    assert (tmp_path / "out" / "post.txt").read_text() == fixed
    [change] = [c for c in p["text_changes"] if c["rule"] == "N104"]
    assert change["action"] == "sentence" and change["after"]["text"] == ""
    assert "whole sentence" in change["note"]
    need = [(f["rule"], f["span"]["text"]) for f in p["needs_a_person"]]
    if held is None:
        assert need == [] and p["verdict_after"] == "ok" and code == 0
    else:
        assert need == [("N104", held)] and p["verdict_after"] == "review" and code == 1
        [f] = p["needs_a_person"]
        assert f["student_id"] == "S1006" and fixed[f["span"]["start"]:f["span"]["end"]] == held


def test_a_flagged_sentence_in_the_text_report(tmp_path: Path) -> None:
    post = tmp_path / "in" / "post.txt"
    post.parent.mkdir()
    post.write_text("Welcome back, JJ! We missed you.")
    r = run("fix", str(post), "--out", str(tmp_path / "out"), "-r", ROSTER)
    assert r.exit_code == 1
    assert "BLOCK \u2192 REVIEW" in r.output and "the whole sentence removed" in r.output
    assert "needs a person" in r.output and "nothing left for a person" not in r.output
    page = tmp_path / "fix.html"
    r = run("fix", str(post), "--out", str(tmp_path / "out2"), "-r", ROSTER, "--report",
            str(page))
    html = page.read_text()
    assert "Needs a person" in html and "Nothing left for a person" not in html
    assert "the whole sentence removed" in html


def test_a_post_all_about_a_flagged_student_is_not_written(tmp_path: Path) -> None:
    post = tmp_path / "in" / "post.txt"
    post.parent.mkdir()
    post.write_text("Huge congratulations to JJ, who took second place!")
    for dry in ((), ("--dry-run",)):
        code, data = fix_json(str(post), "--out", str(tmp_path / "out"), "-r", ROSTER, *dry)
        [p] = data["posts"]
        assert code == 1 and not (tmp_path / "out").exists()
        assert "every sentence was about a student with a custody or safety flag" in \
            p["not_written"][0]["reason"]
        assert [(f["rule"], f["severity"]) for f in p["needs_a_person"]] == [
            ("N104", "critical")]
        assert p["verdict_after"] in ("block", None)


def test_a_fix_leaves_exactly_the_accepted_place(tmp_path: Path) -> None:
    """One of two mentions of Leo accepted: that one stays, the other is fixed, and the
    copy carries the acceptance."""
    src = tmp_path / "in"
    src.mkdir()
    post = src / "post.txt"
    post.write_text("Great job, Leo!\nThen Leo read his poem aloud.")
    r = run("accept", str(post), "-r", ROSTER, "--reason", "Signed release", "--by", "office")
    assert r.exit_code == 0, r.output
    code, data = fix_json(str(post), "--out", str(tmp_path / "out"), "-r", ROSTER)
    assert (tmp_path / "out" / "post.txt").read_text() == \
        "Great job, Leo!\nThen a student read his poem aloud."
    [p] = data["posts"]
    assert [(f["rule"], f["severity"]) for f in p["after"]] == [("N102", "info")]
    assert p["verdict_after"] == "ok" and code == 0


@pytest.mark.parametrize(("front", "expected"), [
    ("---\nimages: [rose.jpg]\n---\n", "---\nimages: []\n---\n"),
    ("---\nimages: [a.jpg, rose.jpg, b.jpg]\n---\n", "---\nimages: [a.jpg, b.jpg]\n---\n"),
    ('---\nimages: ["photos/rose.jpg", b.jpg]\n---\n', "---\nimages: [b.jpg]\n---\n"),
    ("---\nimages:\n  - photos/rose.jpg\n  - b.jpg\n---\n", "---\nimages:\n  - b.jpg\n---\n"),
    ("---\nimages:\n  - rose.jpg\n---\n", "---\nimages: []\n---\n"),
    # Not another photo whose name ends the same way, nor anything but the list.
    ("---\nimages: [primrose.jpg, rose.jpg]\n---\n", "---\nimages: [primrose.jpg]\n---\n"),
    ("---\nimages: [primrose.jpg]\n---\n", "---\nimages: [primrose.jpg]\n---\n"),
    ("---\ntitle: x\nimages:\n- rose.jpg\npublish_at: 2026-01-01\n---\n",
     "---\ntitle: x\nimages: []\npublish_at: 2026-01-01\n---\n"),
])
def test_a_photo_left_out_is_not_listed(front: str, expected: str) -> None:
    from smcheck.fix import unlisted

    assert unlisted(front, ["rose.jpg"]) == expected


@pytest.mark.parametrize(("name", "caption", "source"), [
    ("post.jpg", "Jaylen Brooks at the district meet", "caption"),
    ("jaylen-brooks.jpg", "", "filename"),
])
def test_a_flagged_name_on_the_photo_leaves_it_out(tmp_path: Path, name: str, caption: str,
                                                   source: str) -> None:
    """A safety-flagged student named in the photo's caption or file name: the photo is
    about that child, so it is left out, never blurred and passed."""
    src = tmp_path / "in"
    src.mkdir()
    exif = Image.Exif()
    if caption:
        exif[0x010E] = caption  # ImageDescription
    Image.new("RGB", (320, 200), (120, 160, 90)).save(src / name, exif=exif)
    r = run("fix", str(src / name), "--out", str(tmp_path / "out"), "-r", ROSTER,
            "--format", "json")
    assert r.exit_code == 1, r.output
    [p] = json.loads(r.stdout)["posts"]
    assert p["images"] == [] and p["verdict_after"] == "block"
    assert "custody or safety flag" in p["not_written"][0]["reason"]
    assert [(f["rule"], f["source"]) for f in p["needs_a_person"]] == [("N104", source)]


def test_a_name_without_a_flag_on_the_photo_is_fixed_not_left_out(tmp_path: Path) -> None:
    """The negative: Leo (no name release) in the caption: the caption is stripped and
    the photo written."""
    src = tmp_path / "in"
    src.mkdir()
    exif = Image.Exif()
    exif[0x010E] = "Leo Ramirez at the district meet"
    Image.new("RGB", (320, 200), (120, 160, 90)).save(src / "post.jpg", exif=exif)
    r = run("fix", str(src / "post.jpg"), "--out", str(tmp_path / "out"), "-r", ROSTER,
            "--format", "json")
    [p] = json.loads(r.stdout)["posts"]
    assert p["not_written"] == [] and len(p["images"]) == 1
    assert [f["rule"] for f in p["before"]] == ["N101"]
