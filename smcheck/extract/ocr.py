"""Words written in a photo: a name tag, a jersey, a whiteboard, a sign.

The PP-OCR models (a text detector and a text recogniser) shipped inside the `rapidocr`
wheel, run here on onnxruntime; loaded once per process, on the first photo. Only the
model files are used: RapidOCR's Python code, which configures itself through omegaconf
and imports an HTTP client for its download code, cost ~0.5 s a process and is never
run. The pre- and post-processing below is RapidOCR's (PaddleOCR's) with its default
settings, and tests/test_ocr.py checks it against RapidOCR's own on real photos.

The detector runs on every photo at a reduced size (its cost is the price of a photo
without words). Lines it sees only faintly or only a few pixels tall at that size
(a name card across the classroom, a jersey) are looked for again on their region of
the working image, enlarged up to twice: the price of small words, paid only
where the detector saw something. Every line found is then read from the working
image. Settings chosen by measurement: bench/ocr.py.
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from smcheck.extract.onnx import session
from smcheck.findings import Box

if TYPE_CHECKING:
    from smcheck.extract.images import LoadedImage

DET_SIDE = 480  # long side the detector sees first: words ~1.2 % of the photo tall and up
MIN_SCORE = 0.6  # recognition confidence under which a line is dropped (noise, textures)
MIN_CHARS = 2  # a single character is more often a texture than a word
THREADS = 1  # per process: an audit runs one process per core

MODEL_FILES = {"det": "PP-OCRv6_det_small.onnx", "rec": "PP-OCRv6_rec_small.onnx"}

# The detector's post-processing (DB: a text probability map, binarised, each blob's
# rectangle grown back to the whole line), with RapidOCR's default settings.
BINARY = 0.3  # probability a pixel must pass to be text
BOX_SCORE = 0.5  # mean probability a blob's rectangle must reach
UNCLIP = 1.6  # how far a blob's rectangle is grown: area * UNCLIP / perimeter
MAX_BLOBS = 1000
MIN_SIDE = 3  # a blob thinner than this (detector pixels) is noise

# The second look at small and faint lines.
FAINT = 0.08  # a blob of probability above this, not in a line found, may be small words
SMALL_LINE = 20  # a line thinner than this (detector pixels) is found again, precisely
ZOOM = 2.0  # the most a region is enlarged for the second look
ZOOM_TO = 32  # working pixels: a region is enlarged until its blob is this tall
MAX_REGIONS = 12  # the most regions looked at again (strongest first)
MAX_ZOOMED = 600_000  # pixels the second look may run the detector on, per photo

# The recogniser's input: lines resized to 48 pixels tall, batches of 6 (RapidOCR's).
REC_HEIGHT = 48
REC_MIN_WIDTH = 320
REC_BATCH = 6


class OcrUnavailable(Exception):
    pass


@dataclass(frozen=True, kw_only=True)
class TextLine:
    """One line of words in a photo: what it says, and where (oriented-image pixels)."""

    text: str
    box: Box
    score: float


def _models_dir() -> Path:
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise OcrUnavailable("the rapidocr package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def _mini_box(points: Any) -> tuple[Any, float]:
    """The smallest rectangle around points, corners from the top left clockwise (as
    PaddleOCR orders them), and its shorter side."""
    import cv2

    rect = cv2.minAreaRect(points)
    p = sorted(cv2.boxPoints(rect).tolist(), key=lambda xy: xy[0])
    left = (p[0], p[1]) if p[1][1] > p[0][1] else (p[1], p[0])  # (top, bottom)
    right = (p[2], p[3]) if p[3][1] > p[2][1] else (p[3], p[2])
    box = np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)
    return box, float(min(rect[1]))


def _box_score(prob: Any, box: Any) -> float:
    """Mean probability inside the box (PaddleOCR's "fast" score)."""
    import cv2

    h, w = prob.shape
    x0 = int(np.clip(np.floor(box[:, 0].min()), 0, w - 1))
    x1 = int(np.clip(np.ceil(box[:, 0].max()), 0, w - 1))
    y0 = int(np.clip(np.floor(box[:, 1].min()), 0, h - 1))
    y1 = int(np.clip(np.ceil(box[:, 1].max()), 0, h - 1))
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), dtype=np.uint8)
    shifted = (box - np.array([x0, y0], dtype=np.float32)).astype(np.int32)
    cv2.fillPoly(mask, shifted.reshape(1, -1, 2), 1)
    return float(cv2.mean(prob[y0:y1 + 1, x0:x1 + 1], mask)[0])


def _unclip(box: Any) -> Any:
    """The blob's rectangle grown by area * UNCLIP / perimeter on every side, round
    corners (pyclipper's offset, as PaddleOCR does it)."""
    import pyclipper

    x, y = box[:, 0].astype(np.float64), box[:, 1].astype(np.float64)
    area = abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))) / 2
    length = float(np.sum(np.hypot(x - np.roll(x, 1), y - np.roll(y, 1))))
    offset = pyclipper.PyclipperOffset()
    offset.AddPath(box, pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    grown = offset.Execute(area * UNCLIP / length if length else 0.0)
    return np.array(grown, dtype=np.float32).reshape(-1, 1, 2)


def _clockwise(box: Any, width: int, height: int) -> Any:
    """Corners top left, top right, bottom right, bottom left, on whole pixels inside
    the image (PaddleOCR's final order)."""
    xs = box[np.argsort(box[:, 0], kind="stable")]
    tl, bl = xs[:2][np.argsort(xs[:2, 1], kind="stable")]
    tr, br = xs[2:][np.argsort(xs[2:, 1], kind="stable")]
    out = np.array([tl, tr, br, bl], dtype=np.float32)
    out[:, 0] = np.clip(out[:, 0], 0, width - 1).astype(np.int32)
    out[:, 1] = np.clip(out[:, 1], 0, height - 1).astype(np.int32)
    return out


def crop_line(image: Any, quad: Any) -> Any:
    """A line of words cut out and turned level (a tall, thin cut is turned on its side)."""
    import cv2

    width = int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3])))
    height = int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2])))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    out = cv2.warpPerspective(image, m, (width, height), borderMode=cv2.BORDER_REPLICATE,
                              flags=cv2.INTER_CUBIC)
    if out.shape[0] >= 1.5 * out.shape[1]:
        out = np.rot90(out)
    return out


class Ocr:
    def __init__(self, det_side: int = DET_SIDE, threads: int = THREADS) -> None:
        models = _models_dir()
        missing = [f for f in MODEL_FILES.values() if not (models / f).is_file()]
        if missing:
            raise OcrUnavailable(f"rapidocr's model files are missing ({', '.join(missing)})")
        try:
            self.det = session(models / MODEL_FILES["det"], threads)
            self.rec = session(models / MODEL_FILES["rec"], threads)
            chars = self.rec.get_modelmeta().custom_metadata_map.get("character", "")
            self._det_input = self.det.get_inputs()[0].name
            self._rec_input = self.rec.get_inputs()[0].name
        except Exception as exc:  # onnxruntime raises its own types
            raise OcrUnavailable(f"an OCR model failed to load ({exc})") from None
        if not chars:
            raise OcrUnavailable("the OCR recogniser carries no character list")
        # CTC: class 0 is "no character here"; the model's last class is a space.
        self.chars = ["", *chars.splitlines(), " "]
        self.det_side = det_side

    # ---- detection -----------------------------------------------------------------

    def probability(self, bgr: Any) -> Any:
        """The detector's text probability map of a BGR image, resized (as RapidOCR
        does) to sides that are multiples of 32."""
        import cv2

        h, w = bgr.shape[:2]
        rh, rw = max(32, round(h / 32) * 32), max(32, round(w / 32) * 32)
        img = bgr if (rh, rw) == (h, w) else cv2.resize(bgr, (rw, rh))
        x = (img.astype(np.float32) * np.float32(1 / 255) - np.float32(0.5)) / np.float32(0.5)
        x = np.ascontiguousarray(x.transpose(2, 0, 1)[np.newaxis])
        return self.det.run(None, {self._det_input: x})[0][0, 0]

    def quads(self, prob: Any, height: int, width: int) -> list[Any]:
        """The lines in a probability map, as corner quads in pixels of an image of
        `height` x `width` (PaddleOCR's DB post-processing)."""
        import cv2

        ph, pw = prob.shape
        mask = cv2.dilate((prob > BINARY).astype(np.uint8), np.ones((2, 2), np.uint8))
        contours, _ = cv2.findContours(mask * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        out = []
        for contour in contours[:MAX_BLOBS]:
            box, side = _mini_box(contour)
            if side < MIN_SIDE or _box_score(prob, box) < BOX_SCORE:
                continue
            box, side = _mini_box(_unclip(box))
            if side < MIN_SIDE + 2:
                continue
            box[:, 0] = np.clip(np.round(box[:, 0] / pw * width), 0, width)
            box[:, 1] = np.clip(np.round(box[:, 1] / ph * height), 0, height)
            box = _clockwise(box, width, height)
            if (int(np.linalg.norm(box[0] - box[1])) <= MIN_SIDE
                    or int(np.linalg.norm(box[0] - box[3])) <= MIN_SIDE):
                continue
            out.append(box)
        return out

    def _second_look(self, bgr: Any, prob: Any, f: float, lines: list[Any]) -> list[Any]:
        """Small and faint lines found again on their regions of the working image
        (bgr), enlarged: `lines` are the first look's quads in working pixels; returns
        them with the small ones replaced by what the second look found there."""
        import cv2

        h, w = bgr.shape[:2]
        ph, pw = prob.shape
        # Map pixels -> working pixels (the map is the detector's image, sides rounded).
        sx, sy = w / pw, h / ph
        small_limit = SMALL_LINE / f
        kept = [q for q in lines if _thickness(q) >= small_limit]
        small = [q for q in lines if _thickness(q) < small_limit]
        count, labels, stats, _ = cv2.connectedComponentsWithStats(
            (prob > FAINT).astype(np.uint8))
        regions: list[tuple[float, list[float]]] = []
        for i in range(1, count):
            x, y, bw, bh, area = (int(v) for v in stats[i])
            if area < 3 or bh > SMALL_LINE:
                continue  # a speck, or not small: words this tall the first look reads
            x0, y0, x1, y1 = x * sx, y * sy, (x + bw) * sx, (y + bh) * sy
            centre = ((x0 + x1) / 2, (y0 + y1) / 2)
            if any(cv2.pointPolygonTest(q, centre, False) >= 0 for q in kept):
                continue  # a part of a line already read well
            m = max(4 * sy, y1 - y0)  # room for the rest of the line and its letters
            peak = float(prob[y:y + bh, x:x + bw][labels[y:y + bh, x:x + bw] == i].max())
            zoom = min(ZOOM, max(1.0, ZOOM_TO / (y1 - y0)))
            regions.append((peak, [max(0.0, x0 - m), max(0.0, y0 - m),
                                   min(float(w), x1 + m), min(float(h), y1 + m), zoom]))
        regions.sort(key=lambda r: -r[0])
        found: list[Any] = []
        budget = MAX_ZOOMED
        for x0, y0, x1, y1, zoom in _merged([r for _, r in regions[:MAX_REGIONS]]):
            crop = bgr[int(y0):math.ceil(y1), int(x0):math.ceil(x1)]
            budget -= int(crop.shape[0] * crop.shape[1] * zoom * zoom)
            if crop.size == 0 or budget < 0:
                continue
            big = crop if zoom == 1.0 else cv2.resize(crop, None, fx=zoom, fy=zoom,
                                                      interpolation=cv2.INTER_CUBIC)
            ch, cw = big.shape[:2]
            # Pad (not stretch) to the detector's multiples of 32.
            padded = cv2.copyMakeBorder(big, 0, -ch % 32, 0, -cw % 32, cv2.BORDER_REPLICATE)
            for q in self.quads(self.probability(padded), *padded.shape[:2]):
                q = q / np.float32(zoom) + np.array([int(x0), int(y0)], np.float32)
                if not any(_inside(q, k) for k in kept):  # a piece of a line read already
                    found.append(q)
        # A small line the second look did not find again is kept as the first saw it.
        missed = [q for q in small if not any(_inside(q, n) for n in found)]
        return kept + missed + found

    # ---- recognition ---------------------------------------------------------------

    def read(self, crops: list[Any]) -> list[tuple[str, float]]:
        """Each cut-out line's text and confidence (CTC, greedy), in the order given."""
        import cv2

        out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        ratios = [c.shape[1] / float(c.shape[0]) for c in crops]
        order = np.argsort(np.array(ratios))  # like widths together: less padding
        for start in range(0, len(crops), REC_BATCH):
            batch = order[start:start + REC_BATCH]
            width = int(REC_HEIGHT * max(REC_MIN_WIDTH / REC_HEIGHT, *(ratios[i] for i in batch)))
            x = np.zeros((len(batch), 3, REC_HEIGHT, width), dtype=np.float32)
            for row, i in enumerate(batch):
                resized_w = min(width, math.ceil(REC_HEIGHT * ratios[i]))
                img = cv2.resize(crops[i], (resized_w, REC_HEIGHT)).astype(np.float32)
                x[row, :, :, :resized_w] = (img.transpose(2, 0, 1) / 255 - 0.5) / 0.5
            probs = self.rec.run(None, {self._rec_input: x})[0]
            for row, i in enumerate(batch):
                idx, conf = probs[row].argmax(axis=1), probs[row].max(axis=1)
                keep = np.ones(len(idx), dtype=bool)
                keep[1:] = idx[1:] != idx[:-1]
                keep &= idx != 0
                text = "".join(self.chars[k] for k in idx[keep])
                out[i] = (text, float(np.mean(conf[keep])) if keep.any() else 0.0)
        return out

    # ---- a photo -------------------------------------------------------------------

    def lines(self, image: LoadedImage) -> list[TextLine]:
        """Every line of words the detector finds and the recogniser reads with
        confidence, in reading order (top to bottom, then left to right)."""
        import cv2

        # RapidOCR's models take BGR, as OpenCV reads files.
        bgr = np.ascontiguousarray(image.pixels[:, :, ::-1])
        h, w = bgr.shape[:2]
        f = min(1.0, self.det_side / max(h, w))
        small = bgr if f == 1.0 else cv2.resize(
            bgr, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
        prob = self.probability(small)
        first = [q / np.float32(f) for q in self.quads(prob, *small.shape[:2])]
        quads = self._second_look(bgr, prob, f, first)
        if not quads:
            return []
        out = []
        read = self.read([crop_line(bgr, q) for q in quads])
        for quad, (raw, score) in zip(quads, read, strict=True):
            text = " ".join(raw.split())
            if score < MIN_SCORE or len(text.replace(" ", "")) < MIN_CHARS:
                continue
            s = image.scale
            xs, ys = quad[:, 0] / s, quad[:, 1] / s
            box = Box(left=max(0, int(xs.min())), top=max(0, int(ys.min())),
                      right=min(image.width, int(np.ceil(xs.max()))),
                      bottom=min(image.height, int(np.ceil(ys.max()))))
            out.append(TextLine(text=text, box=box, score=score))
        return sorted(out, key=lambda t: (t.box.top, t.box.left))


def _inside(quad: Any, other: Any) -> bool:
    """Whether a quad's centre lies in another quad."""
    import cv2

    centre = tuple(float(v) for v in quad.mean(axis=0))
    return bool(cv2.pointPolygonTest(other, centre, False) >= 0)


def _thickness(quad: Any) -> float:
    """A line's height: the shorter side of its quad."""
    return float(min(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[0] - quad[3])))


def _merged(regions: list[list[float]]) -> list[list[float]]:
    """Overlapping rectangles (x0, y0, x1, y1, zoom) joined, until none overlap; a
    joined one is enlarged as much as the most its parts need."""
    out = [list(r) for r in regions]
    joined = True
    while joined:
        joined = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                a, b = out[i], out[j]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                    out[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]),
                              max(a[3], b[3]), max(a[4], b[4])]
                    del out[j]
                    joined = True
                    break
            if joined:
                break
    return out
