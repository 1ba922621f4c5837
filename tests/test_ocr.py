"""The OCR engine (smcheck/extract/ocr.py): RapidOCR's models run without RapidOCR's
code, checked against RapidOCR itself; small words found by the second look. Photos are made at test time from the shared photos
(tests/photogen.py); skipped where ../shared is absent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import smcheck.extract.ocr as ocr_module
from smcheck.api import Checker
from smcheck.extract.faces import WORKING_SIDE
from smcheck.extract.images import load_image
from smcheck.extract.ocr import Ocr, crop_line
from smcheck.post import Post
from tests.conftest import PUBLISH_AT
from tests.photogen import FACES, hand_write, words_photo

pytestmark = pytest.mark.skipif(not FACES.is_dir(), reason="shared/testdata is not here")
PHOTO = FACES / "two_people.jpg"  # 1126 x 661, two adults in dark suits
NAME, PHONE = "MAYA TORRES", "Call 503-555-0142"


@pytest.fixture(scope="module")
def ocr() -> Ocr:
    return Ocr()


def photo(tmp_path: Path, long_side: int, size: float, angle: float, hand: bool) -> Path:
    """The photo at `long_side`, with a name card and a sign whose letters are `size`
    of the long side tall (font size), turned by `angle`."""
    img = words_photo(PHOTO, long_side, [(NAME, 0.1, 0.63), (PHONE, 0.45, 0.74)], size,
                      hand=hand, angle=angle)
    path = tmp_path / f"words-{long_side}-{size}-{angle}-{hand}.jpg"
    img.save(path, quality=90)
    return path


def texts(ocr: Ocr, path: Path) -> list[str]:
    return [line.text for line in ocr.lines(load_image(path, WORKING_SIDE))]


# ---- the same models, the same pre- and post-processing as RapidOCR -----------------


@pytest.fixture(scope="module")
def rapid() -> tuple[Any, Any, Any]:
    from rapidocr import RapidOCR
    from rapidocr.ch_ppocr_rec import TextRecInput

    models = ocr_module._models_dir()
    engine = RapidOCR(params={
        "Global.log_level": "error", "Global.use_cls": False,
        "Det.limit_type": "max", "Det.limit_side_len": ocr_module.DET_SIDE,
        "Det.model_path": str(models / ocr_module.MODEL_FILES["det"]),
        "Rec.model_path": str(models / ocr_module.MODEL_FILES["rec"]),
    })
    return engine._load_det_model(), engine._load_rec_model(), TextRecInput


@pytest.mark.parametrize(("size", "angle", "hand"), [
    (0.01, 0, False), (0.02, 10, False), (0.04, -5, False),
    (0.012, 10, True), (0.02, 0, True), (0.04, 5, True),
])
def test_detection_and_reading_match_rapidocr(ocr: Ocr, rapid: tuple[Any, Any, Any],
                                              tmp_path: Path, size: float, angle: float,
                                              hand: bool) -> None:
    import cv2

    det, rec, rec_input = rapid
    image = load_image(photo(tmp_path, 1600, size, angle, hand), WORKING_SIDE)
    bgr = np.ascontiguousarray(image.pixels[:, :, ::-1])
    h, w = bgr.shape[:2]
    f = ocr_module.DET_SIDE / max(h, w)
    small = cv2.resize(bgr, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    ours = ocr.quads(ocr.probability(small), *small.shape[:2])
    theirs = det(small).boxes
    assert ours and theirs is not None
    assert sorted(q.astype(int).tolist() for q in ours) == \
        sorted(q.astype(int).tolist() for q in theirs)
    crops = [crop_line(bgr, q / np.float32(f)) for q in ours]
    read = rec(rec_input(img=crops))
    assert [t for t, _ in ocr.read(crops)] == list(read.txts)
    assert [s for _, s in ocr.read(crops)] == pytest.approx(list(read.scores), abs=1e-4)


# ---- small words --------------------------------------------------------------------


@pytest.mark.parametrize(("size", "angle", "hand"), [
    (0.01, 0, False), (0.01, 10, False), (0.012, 5, False),
    (0.01, 0, True), (0.01, 5, True), (0.011, 10, True), (0.012, 0, True),
    (0.012, 5, True), (0.013, 5, True), (0.02, 10, True),
])
def test_small_words_on_a_12_mp_photo_are_read_exactly(ocr: Ocr, tmp_path: Path, size: float,
                                                        angle: float, hand: bool) -> None:
    found = texts(ocr, photo(tmp_path, 4032, size, angle, hand))
    assert NAME in found and PHONE in found, found


def test_faint_small_lines_get_a_second_look(ocr: Ocr, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Hand lettering 1 % tall: the first look (480 pixels) boxes the phone number so
    # loosely that it misreads; the second look boxes it on the working image.
    path = photo(tmp_path, 4032, 0.01, 5, True)
    assert PHONE in texts(ocr, path)
    monkeypatch.setattr(ocr_module, "FAINT", 2.0)  # no region is faint enough
    monkeypatch.setattr(ocr_module, "SMALL_LINE", 0)  # no line is small
    assert PHONE not in texts(ocr, path)


@pytest.mark.parametrize(("regions", "expected"), [
    ([], []),
    ([[0, 0, 10, 10, 1.0]], [[0, 0, 10, 10, 1.0]]),
    ([[0, 0, 10, 10, 1.0], [20, 0, 30, 10, 2.0]], [[0, 0, 10, 10, 1.0], [20, 0, 30, 10, 2.0]]),
    ([[0, 0, 10, 10, 1.0], [5, 5, 15, 15, 2.0]], [[0, 0, 15, 15, 2.0]]),
    # a chain: the third joins the first only once the second has grown it
    ([[0, 0, 10, 10, 1.0], [20, 0, 30, 10, 1.5], [8, 0, 22, 10, 1.0]], [[0, 0, 30, 10, 1.5]]),
    ([[0, 0, 10, 10, 1.0], [10, 0, 20, 10, 1.0]], [[0, 0, 10, 10, 1.0], [10, 0, 20, 10, 1.0]]),
])
def test_regions_merged(regions: list[list[float]], expected: list[list[float]]) -> None:
    assert ocr_module._merged(regions) == expected


# ---- the words as findings ----------------------------------------------------------


@pytest.mark.parametrize(("words", "expected"), [
    ("LEO RAMIREZ", ("N101", "S1002")),
    ("Call 503-555-0142", ("R503", None)),
])
def test_hand_lettered_small_words_are_findings(checker: Checker, tmp_path: Path, words: str,
                                                expected: tuple[str, str | None]) -> None:
    img = Image.open(PHOTO).convert("RGB")
    img = img.resize((4032, round(img.height * 4032 / img.width)))
    card = hand_write(img, words, (1700, 1700), round(4032 * 0.012), angle=5)
    path = tmp_path / "card.jpg"
    img.save(path, quality=90)
    report = checker.check_post(Post(path="post.txt", text="Great week!", images=(path,)),
                                PUBLISH_AT)
    found = [f for f in report.findings if f.source == "image" and not f.rule.startswith("F")]
    assert [(f.rule, f.student_id) for f in found] == [expected]
    box = found[0].box
    assert box is not None
    assert box.left >= card.left - 40 and box.right <= card.right + 40
    assert box.top >= card.top - 40 and box.bottom <= card.bottom + 40


def _quad(x0: float, y0: float, x1: float, y1: float) -> Any:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)


@pytest.mark.parametrize(("quad", "other", "inside"), [
    (_quad(10, 10, 20, 14), _quad(0, 0, 100, 30), True),  # a piece of a line read already
    (_quad(90, 10, 130, 14), _quad(0, 0, 100, 30), False),  # its centre is past the end
    (_quad(10, 40, 20, 44), _quad(0, 0, 100, 30), False),  # the line below
])
def test_a_piece_inside_a_line(quad: Any, other: Any, inside: bool) -> None:
    assert ocr_module._inside(quad, other) is inside
