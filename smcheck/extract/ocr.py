"""Words written in a photo: a name tag, a jersey, a whiteboard, a sign.

RapidOCR's PP-OCR models (text detection, text recognition), shipped inside the
`rapidocr` wheel and run on onnxruntime; loaded once per process, on the first photo,
from the wheel's own files (given by path, so RapidOCR never reaches for its download
code). The detector runs on every photo at a reduced size (its cost is the price of a
photo without text); only the lines it finds are read, cut from the working image at
its full resolution. Settings chosen by measurement: bench/ocr.py.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smcheck.findings import Box

if TYPE_CHECKING:
    from smcheck.extract.images import LoadedImage

DET_SIDE = 480  # long side the text detector sees: words ~1.5 % of the photo tall and up
MIN_SCORE = 0.6  # recognition confidence under which a line is dropped (noise, textures)
MIN_CHARS = 2  # a single character is more often a texture than a word
THREADS = 1  # per process: an audit runs one process per core


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


class Ocr:
    def __init__(self, det_side: int = DET_SIDE, threads: int = THREADS) -> None:
        models = _models_dir()
        files = {"Det": "PP-OCRv6_det_small.onnx", "Rec": "PP-OCRv6_rec_small.onnx"}
        missing = [f for f in files.values() if not (models / f).is_file()]
        if missing:
            raise OcrUnavailable(f"rapidocr's model files are missing ({', '.join(missing)})")
        try:
            from rapidocr import RapidOCR
            from rapidocr.ch_ppocr_rec import TextRecInput
            from rapidocr.utils.process_img import get_rotate_crop_image
        except ImportError as exc:
            raise OcrUnavailable(f"rapidocr cannot be imported ({exc})") from None
        params: dict[str, Any] = {
            "Global.log_level": "error",
            "Global.use_cls": False,  # upside-down text is rare in a photo; saves a model
            "Det.limit_type": "max",
            "Det.limit_side_len": det_side,
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
        for task, name in files.items():
            params[f"{task}.model_path"] = str(models / name)
        try:
            engine = RapidOCR(params=params)
            self.det = engine._load_det_model()  # type: ignore[no-untyped-call]
            self.rec = engine._load_rec_model()  # type: ignore[no-untyped-call]
        except Exception as exc:  # onnxruntime and omegaconf raise their own types
            raise OcrUnavailable(f"an OCR model failed to load ({exc})") from None
        self.det_side = det_side
        self._rec_input = TextRecInput
        self._crop = get_rotate_crop_image

    def lines(self, image: LoadedImage) -> list[TextLine]:
        """Every line of words the detector finds and the recogniser reads with
        confidence, in reading order (top to bottom, then left to right)."""
        import cv2
        import numpy as np

        pixels = image.pixels
        h, w = pixels.shape[:2]
        f = min(1.0, self.det_side / max(h, w))
        small = pixels if f == 1.0 else cv2.resize(
            pixels, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
        # RapidOCR's models take BGR, as OpenCV reads files.
        found = self.det(np.ascontiguousarray(small[:, :, ::-1]))
        if found.boxes is None or not len(found.boxes):
            return []
        quads = [np.asarray(q, dtype=np.float32) / np.float32(f) for q in found.boxes]
        bgr = np.ascontiguousarray(pixels[:, :, ::-1])
        crops = [self._crop(bgr, q.copy()) for q in quads]
        read = self.rec(self._rec_input(img=crops))
        out = []
        for quad, text, score in zip(quads, read.txts or (), read.scores or (), strict=False):
            text = " ".join(str(text).split())
            if float(score) < MIN_SCORE or len(text.replace(" ", "")) < MIN_CHARS:
                continue
            s = image.scale
            xs, ys = quad[:, 0] / s, quad[:, 1] / s
            box = Box(left=max(0, int(xs.min())), top=max(0, int(ys.min())),
                      right=min(image.width, int(np.ceil(xs.max()))),
                      bottom=min(image.height, int(np.ceil(ys.max()))))
            out.append(TextLine(text=text, box=box, score=float(score)))
        return sorted(out, key=lambda t: (t.box.top, t.box.left))
