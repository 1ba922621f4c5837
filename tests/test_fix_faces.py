"""Faces hidden by `smcheck fix`, on real photos (../shared/testdata; skipped where absent).

The roster is test_faces.py's: Obama no release, Biden full, Kit Harington photo only,
Rose Leslie safety-flagged, Alex Lacamoire name only. A hidden face must be beyond the
detector even at upsample 2; a released student's face must still be recognised.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smcheck.cli import app
from smcheck.engines import shared_engines
from smcheck.extract.faces import WORKING_SIDE
from smcheck.extract.images import load_image
from smcheck.findings import Box
from tests.conftest import SHARED
from tests.test_faces import ROSTER

FACES = SHARED / "testdata" / "faces"
DLIB = SHARED / "testdata" / "dlib-faces"
pytestmark = pytest.mark.skipif(not FACES.is_dir(), reason="shared/testdata is not here")


@pytest.fixture(scope="module")
def roster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("roster") / "roster.csv"
    path.write_text(ROSTER)
    return path


def fix(photo: Path, tmp_path: Path, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    src = tmp_path / "in"
    src.mkdir(exist_ok=True)
    post = src / "post.txt"
    post.write_text("Photos from our week!")
    (src / f"post{photo.suffix}").write_bytes(photo.read_bytes())
    r = CliRunner().invoke(app, ["fix", str(post), "--out", str(tmp_path / "out"),
                                 "--format", "json", *args])
    assert r.exit_code in (0, 1), r.output
    return r.exit_code, json.loads(r.stdout)["posts"][0]


def _box(d: dict[str, int]) -> Box:
    return Box(**d)


def _centre_inside(face: Box, area: Box) -> bool:
    cx, cy = (face.left + face.right) / 2, (face.top + face.bottom) / 2
    return area.left <= cx <= area.right and area.top <= cy <= area.bottom


def found_at_upsample_2(path: Path) -> list[Box]:
    """HOG at upsample 2, and the checker's own detection (MTCNN and HOG)."""
    image = load_image(path, WORKING_SIDE)
    models = shared_engines().faces
    return [c.box for c in [*models.detect(image, upsample=2), *models.detect(image)]]


@pytest.mark.parametrize(("photo", "hidden", "kept"), [
    ("obama_and_biden.jpg", {"F401", "F402"}, {("F400", "S2")}),
    ("alex_lacamoire1.jpg", {"F402"}, set()),
])
def test_hidden_faces_stay_hidden(roster: Path, tmp_path: Path, photo: str,
                                  hidden: set[str], kept: set[tuple[str, str]]) -> None:
    code, post = fix(FACES / photo, tmp_path, "-r", str(roster))
    [image] = post["images"]
    assert {m["rule"] for m in image["masked"]} == hidden
    areas = [_box(m["area"]) for m in image["masked"]]
    for m in image["masked"]:  # padded beyond the detected box
        box, area = _box(m["box"]), _box(m["area"])
        assert area.left <= box.left and area.top < box.top and area.right >= box.right
    fixed = Path(image["out"])
    assert not [f for f in found_at_upsample_2(fixed) if any(_centre_inside(f, a)
                                                              for a in areas)]
    after = {(f["rule"], f["student_id"]) for f in post["after"]}
    assert after == kept  # released students still recognised; nothing else found
    assert code == 0 and post["verdict_after"] == "ok"


def test_group_photo_without_reference_photos(tmp_path: Path) -> None:
    code, post = fix(DLIB / "bald_guys.jpg", tmp_path)
    [image] = post["images"]
    assert len(image["masked"]) == 24
    assert found_at_upsample_2(Path(image["out"])) == []
    assert post["after"] == [] and code == 0


def test_keep_unverified(roster: Path, tmp_path: Path) -> None:
    code, post = fix(FACES / "obama_and_biden.jpg", tmp_path, "-r", str(roster),
                     "--faces", "keep-unverified")
    [image] = post["images"]
    assert {m["rule"] for m in image["masked"]} == {"F402"}
    after = sorted(f["rule"] for f in post["after"])
    assert after == ["F400", "F401"]  # the unverified face stays, and a person is told
    assert [f["rule"] for f in post["needs_a_person"]] == ["F401"] and code == 1


def test_rotated_photo_is_fixed_upright(roster: Path, tmp_path: Path) -> None:
    from PIL import Image

    sideways = tmp_path / "sideways.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.open(FACES / "obama-240p.jpg").transpose(Image.Transpose.ROTATE_90).save(sideways,
                                                                                exif=exif)
    code, post = fix(sideways, tmp_path, "-r", str(roster))
    [image] = post["images"]
    assert image["oriented"] is True and [m["rule"] for m in image["masked"]] == ["F402"]
    with Image.open(image["out"]) as fixed:
        assert fixed.size == Image.open(FACES / "obama-240p.jpg").size
    assert found_at_upsample_2(Path(image["out"])) == [] and code == 0


def test_words_in_a_photo_are_hidden(tmp_path: Path) -> None:
    """A name tag and a phone number written on a photo (OCR findings with a box) are
    hidden like faces: the copy's check reads neither."""
    from PIL import Image

    from tests.conftest import DATA
    from tests.photogen import write

    img = Image.open(FACES / "two_people.jpg").convert("RGB")
    write(img, "PRIYA R.", (40, 470), 44)
    write(img, "Call 503-555-0142", (560, 560), 36)
    photo = tmp_path / "tags.jpg"
    img.save(photo, quality=92)
    _, post = fix(photo, tmp_path, "-r", str(DATA / "roster.csv"), "--faces",
                  "keep-unverified")
    words = {f["rule"] for f in post["before"] if f["source"] == "image"
             and not f["rule"].startswith("F")}
    assert words == {"N102", "R503"}
    [image] = post["images"]
    assert {m["rule"] for m in image["masked"] if m["kind"] == "words"} == {"N102", "R503"}
    assert not [f for f in post["after"] if not f["rule"].startswith("F")]


# ---- a safety-flagged student in the photo: left out, never "ok" (issue 18) -------------

@pytest.mark.parametrize("dry", [(), ("--dry-run",)])
def test_a_photo_of_a_flagged_student_is_left_out(roster: Path, tmp_path: Path,
                                                  dry: tuple[str, ...]) -> None:
    """Rose Leslie is safety-flagged: blurring her face would leave her hair, clothes and
    the setting. The photo stays out of the copy and the post is never ok."""
    code, post = fix(FACES / "kit_with_rose.jpg", tmp_path, "-r", str(roster), *dry)
    assert code == 1 and post["images"] == []
    [left] = post["not_written"]
    assert left["file"].endswith("post.jpg") and "custody or safety flag" in left["reason"]
    assert "needs a person" in left["reason"]
    need = [(f["rule"], f["severity"], f["student_id"]) for f in post["needs_a_person"]]
    assert ("F403", "critical", "S4") in need
    assert post["verdict_after"] in (("block",) if not dry else (None,))
    assert not (tmp_path / "out" / "post.jpg").exists()
    if not dry:  # the text is still fixed and written
        assert (tmp_path / "out" / "post.txt").read_text() == "Photos from our week!"


def test_a_photo_alone_of_a_flagged_student(roster: Path, tmp_path: Path) -> None:
    photo = tmp_path / "rose.jpg"
    photo.write_bytes((FACES / "kit_with_rose.jpg").read_bytes())
    r = CliRunner().invoke(app, ["fix", str(photo), "--out", str(tmp_path / "out"),
                                 "-r", str(roster), "--format", "json"])
    assert r.exit_code == 1, r.output
    [post] = json.loads(r.stdout)["posts"]
    assert post["verdict_after"] == "block" and post["images"] == []
    assert {f["rule"] for f in post["needs_a_person"]} >= {"F403"}
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    page = tmp_path / "fix.html"
    text = CliRunner().invoke(app, ["fix", str(photo), "--out", str(tmp_path / "out2"),
                                    "-r", str(roster), "--report", str(page)]).output
    assert "BLOCK \u2192 BLOCK" in text and "nothing left for a person" not in text
    assert "OK" not in text.split("\n")[0]
    html = page.read_text()
    assert "not written" in html and "custody or safety flag" in html
    assert "Needs a person" in html and "Nothing left for a person" not in html


def test_a_photo_without_a_flagged_student_is_still_fixed(roster: Path, tmp_path: Path) -> None:
    """The negative: no flagged student (Obama, no release; Biden, full): blurred,
    written, and the copy is ok."""
    code, post = fix(FACES / "obama_and_biden.jpg", tmp_path, "-r", str(roster))
    assert post["not_written"] == [] and len(post["images"]) == 1 and code == 0


def test_a_flagged_name_in_the_photo_leaves_it_out(tmp_path: Path) -> None:
    """N104 in the words read from the photo: the photo is about that child."""
    from PIL import Image

    from tests.conftest import DATA
    from tests.photogen import write

    img = Image.open(FACES / "two_people.jpg").convert("RGB")
    write(img, "JAYLEN BROOKS", (40, 470), 44)
    photo = tmp_path / "tag.jpg"
    img.save(photo, quality=92)
    code, post = fix(photo, tmp_path, "-r", str(DATA / "roster.csv"), "--faces",
                     "keep-unverified")
    assert [(f["rule"], f["source"]) for f in post["before"] if f["rule"] == "N104"] == [
        ("N104", "image")]
    assert code == 1 and post["images"] == [] and post["verdict_after"] == "block"
    assert "custody or safety flag" in post["not_written"][0]["reason"]
    assert "N104" in {f["rule"] for f in post["needs_a_person"]}


def test_front_matter_does_not_list_the_photo_left_out(roster: Path, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "rose.jpg").write_bytes((FACES / "kit_with_rose.jpg").read_bytes())
    (src / "post.md").write_text("---\nimages: [rose.jpg]\n---\nPhotos from our week!\n")
    r = CliRunner().invoke(app, ["fix", str(src / "post.md"), "--out", str(tmp_path / "out"),
                                 "-r", str(roster), "--format", "json"])
    assert r.exit_code == 1, r.output
    [post] = json.loads(r.stdout)["posts"]
    assert (tmp_path / "out" / "post.md").read_text() == \
        "---\nimages: []\n---\nPhotos from our week!\n"
    # What needs a person is the photo left out, not a missing file.
    assert [f["rule"] for f in post["needs_a_person"]] == ["F403"]
    assert post["verdict_after"] == "block"
