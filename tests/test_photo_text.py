"""Words written in photos (name tags, signs, whiteboards) checked by the N, R and C
rules: findings on the photo, with the box of the words. Text is rendered onto real
photos at test time (tests/photogen.py); skipped where ../shared is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from smcheck.api import Checker
from smcheck.cli import app
from smcheck.findings import Box, Finding
from smcheck.post import Post
from tests.conftest import DATA, PUBLISH_AT
from tests.photogen import FACES, write

pytestmark = pytest.mark.skipif(not FACES.is_dir(), reason="shared/testdata is not here")
PHOTO = FACES / "two_people.jpg"  # 1126 x 661, two adults


def photo_with(tmp_path: Path, *words: tuple[str, tuple[int, int], int]) -> tuple[Path, list[Box]]:
    img = Image.open(PHOTO).convert("RGB")
    boxes = [write(img, text, xy, size) for text, xy, size in words]
    path = tmp_path / "photo.jpg"
    img.save(path, quality=92)
    return path, boxes


def photo_findings(checker: Checker, path: Path, text: str = "Great week!") -> list[Finding]:
    report = checker.check_post(Post(path="post.txt", text=text, images=(path,)), PUBLISH_AT)
    return [f for f in report.findings if f.source == "image" and not f.rule.startswith("F")]


def inside(inner: Box, outer: Box, slack: int = 8) -> bool:
    return (inner.left >= outer.left - slack and inner.top >= outer.top - slack
            and inner.right <= outer.right + slack and inner.bottom <= outer.bottom + slack)


@pytest.mark.parametrize(("words", "expected"), [
    ("PRIYA R.", ("N102", "S1007")),  # a name tag in capitals; release: none
    ("LEO RAMIREZ", ("N101", "S1002")),  # full name; release: photo only
    ("HOPE", ("N102", "S1005")),  # a word-name alone on a tag is a name
    ("Call 503-555-0142", ("R503", None)),
    ("Add us on Snapchat!", ("C601", None)),
])
def test_words_on_a_tag_or_sign(checker: Checker, tmp_path: Path, words: str,
                                expected: tuple[str, str | None]) -> None:
    path, [card] = photo_with(tmp_path, (words, (300, 430), 30))
    found = photo_findings(checker, path)
    assert [(f.rule, f.student_id) for f in found] == [expected]
    [f] = found
    assert f.file == str(path) and f.span is None and f.box is not None
    assert inside(f.box, card)


@pytest.mark.parametrize("words", ["GREAT WORK", "Hope you all have a great break", "SCIENCE FAIR",
                                   "HOPE SQUAD", "WILL CALL"])
def test_words_that_name_nobody(checker: Checker, tmp_path: Path, words: str) -> None:
    path, _ = photo_with(tmp_path, (words, (150, 430), 30))
    assert photo_findings(checker, path) == []


def test_whiteboard_two_lines(checker: Checker, tmp_path: Path) -> None:
    path, boxes = photo_with(tmp_path, ("Star of the week:", (300, 420), 28),
                             ("Priya R.", (300, 470), 28))
    found = photo_findings(checker, path)
    assert [(f.rule, f.student_id) for f in found] == [("N102", "S1007")]
    assert found[0].box is not None and inside(found[0].box, boxes[1])


def test_photo_without_words(checker: Checker) -> None:
    facts = checker.extract(Post(path="post.txt", text="Hi", images=(FACES / "obama1.jpg",)))
    [image] = facts.images
    assert image.text == () and image.words is None


def test_text_lines_are_facts_in_original_pixels(checker: Checker, tmp_path: Path) -> None:
    # Stored sideways with an EXIF orientation, as phones do: boxes are in the upright
    # image's pixels, where `fix` blurs them.
    path, [card] = photo_with(tmp_path, ("Call 503-555-0142", (300, 430), 30))
    img = Image.open(path)
    exif = Image.Exif()
    exif[0x0112] = 6
    sideways = tmp_path / "sideways.jpg"
    img.transpose(Image.Transpose.ROTATE_90).save(sideways, exif=exif, quality=92)
    facts = checker.extract(Post(path="post.txt", text="Hi", images=(sideways,)))
    [line] = facts.images[0].text
    assert line.text == "Call 503-555-0142" and inside(line.box, card)


def test_json_and_redact(tmp_path: Path) -> None:
    path, _ = photo_with(tmp_path, ("PRIYA R.", (300, 430), 30))
    args = ["check", "--text", "Hi", "-r", str(DATA / "roster.csv"), "--format", "json",
            "--image", str(path)]
    out = json.loads(CliRunner().invoke(app, args).stdout)
    [f] = [f for f in out["posts"][0]["findings"] if f["rule"] == "N102"]
    assert f["source"] == "image" and f["file"] == str(path) and f["student_id"] == "S1007"
    assert set(f["box"]) == {"top", "right", "bottom", "left"} and "PRIYA" in f["message"]
    redacted = CliRunner().invoke(app, [*args, "--redact"]).stdout
    assert "PRIYA" not in redacted and "Priya" not in redacted


def test_annotate_and_report_box_the_words(tmp_path: Path) -> None:
    path, [card] = photo_with(tmp_path, ("PRIYA R.", (300, 430), 30))
    report = tmp_path / "report.html"
    r = CliRunner().invoke(app, ["check", "--text", "Hi", "-r", str(DATA / "roster.csv"),
                                 "--image", str(path), "--annotate", str(tmp_path / "ann"),
                                 "--report", str(report)])
    assert r.exit_code == 1
    assert 'class="box words" data-rule="N102"' in report.read_text()
    import numpy as np

    [png] = (tmp_path / "ann").iterdir()
    px = np.asarray(Image.open(png).convert("RGB"))
    bottom = px[card.bottom - 6:card.bottom + 12, card.left:card.right]  # no label there
    red = np.all(bottom == (220, 30, 30), axis=-1).any(axis=0)  # the violation colour
    assert 0.2 < red.mean() < 0.8  # dashed: red along part of the edge, not all of it
