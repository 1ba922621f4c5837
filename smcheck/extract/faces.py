"""Faces: find them, encode them, and measure how far each is from each roster student.

The models are face_recognition's (dlib's HOG frontal face detector, the 5-point
landmark predictor and the ResNet face encoder, shipped in face_recognition_models),
called through dlib the way face_recognition calls them. `import face_recognition`
itself loads every model (the 68-point predictor and the CNN detector too, 1.5 s),
quits the process when its models are missing, and turns off Pillow's truncated-
image check; smcheck loads only the three models it uses.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smcheck import usercache
from smcheck.errors import InputError
from smcheck.extract.images import ImageError, LoadedImage, load_image
from smcheck.findings import Box
from smcheck.roster import Roster, Student

# Settings chosen by measurement (bench/faces.py, table in bench/README.md).
WORKING_SIDE = 1600  # long side detection runs at: 12 MP photos in 0.7 s, recall 1.00
UPSAMPLE = 1  # dlib's pyramid step up: finds faces of ~40 px at working scale
SMALL_SIDE = 480  # a photo this small gets a second step: its faces are 20-40 px
THRESHOLD = 0.0  # dlib's default score threshold: -0.2 found no more, and cost precision
REFERENCE_SIDE = 800  # reference portraits: one large face, found at 800 px
MODEL_ID = "dlib-hog+sp5+resnet_v1/jitter1"


class FaceModelsUnavailable(Exception):
    """The face models could not load: every photo check becomes E902, never a pass."""


@dataclass(frozen=True, kw_only=True)
class DetectedFace:
    box: Box  # in pixels of the oriented original
    encoding: tuple[float, ...]


def _models_dir() -> Path:
    # find_spec locates the package without running its __init__ (which imports
    # pkg_resources, deprecated and slow).
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FaceModelsUnavailable("the face_recognition_models package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


class FaceModels:
    def __init__(self) -> None:
        try:
            import dlib
        except ImportError as exc:
            raise FaceModelsUnavailable(f"dlib cannot be imported ({exc})") from None
        models = _models_dir()
        try:
            self.detector = dlib.get_frontal_face_detector()
            self.landmarks = dlib.shape_predictor(
                str(models / "shape_predictor_5_face_landmarks.dat"))
            self.encoder = dlib.face_recognition_model_v1(
                str(models / "dlib_face_recognition_resnet_model_v1.dat"))
        except RuntimeError as exc:
            raise FaceModelsUnavailable(f"a face model failed to load ({exc})") from None
        self.dlib = dlib

    def detect(self, image: LoadedImage, upsample: int | None = None,
               threshold: float = THRESHOLD) -> list[tuple[Box, Any]]:
        """Face boxes in original pixels, with the dlib rectangles at working scale."""
        if upsample is None:
            small = max(image.pixels.shape[:2]) <= SMALL_SIDE
            upsample = UPSAMPLE + 1 if small else UPSAMPLE
        rects, _scores, _ = self.detector.run(image.pixels, upsample, threshold)
        out = []
        for r in rects:
            s = image.scale
            box = Box(top=max(0, round(r.top() / s)), left=max(0, round(r.left() / s)),
                      bottom=min(image.height, round(r.bottom() / s)),
                      right=min(image.width, round(r.right() / s)))
            out.append((box, r))
        return out

    def faces(self, image: LoadedImage, upsample: int | None = None) -> list[DetectedFace]:
        found = []
        for box, rect in self.detect(image, upsample):
            shape = self.landmarks(image.pixels, rect)
            vec = self.encoder.compute_face_descriptor(image.pixels, shape, 1)
            found.append(DetectedFace(box=box, encoding=tuple(float(x) for x in vec)))
        return found


def distance(a: Sequence[float], b: Sequence[float]) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5)


# ---- reference photos --------------------------------------------------------------


def cache_dir() -> Path:
    return usercache.folder("faces")


def _cached(digest: str, use_cache: bool) -> tuple[float, ...] | None:
    if not use_cache:
        return None
    path = cache_dir() / f"{digest}.txt"
    try:
        values = tuple(float(x) for x in path.read_text().split())
    except (OSError, ValueError):
        return None
    return values if len(values) == 128 else None


def _store(digest: str, encoding: tuple[float, ...]) -> None:
    usercache.write_private(cache_dir() / f"{digest}.txt", " ".join(repr(x) for x in encoding))


@dataclass(frozen=True)
class References:
    """Each roster student's face encodings, from the roster's reference photos."""

    by_student: dict[str, tuple[tuple[float, ...], ...]]

    def __bool__(self) -> bool:
        return any(self.by_student.values())

    def distances(self, encoding: Sequence[float]) -> dict[str, float]:
        """Each student's distance: the nearest of their reference encodings."""
        return {sid: min(distance(encoding, e) for e in encs)
                for sid, encs in self.by_student.items() if encs}


def load_references(roster: Roster, models: FaceModels, use_cache: bool) -> References:
    """Encode every reference photo. A photo with no face, or more than one, is a roster
    error naming the row: matching against the wrong face would be worse than none."""
    by_student: dict[str, tuple[tuple[float, ...], ...]] = {}
    for student in roster.students:
        by_student[student.id] = tuple(
            _reference(roster, student, photo, models, use_cache) for photo in student.photos)
    return References(by_student)


def reference_encoding(roster: Roster, student_id: str, photo: Path, models: FaceModels,
                       use_cache: bool) -> tuple[float, ...]:
    """One reference photo's encoding: the unit a process pool shares out."""
    student = roster.by_id(student_id)
    assert student is not None
    return _reference(roster, student, photo, models, use_cache)


def _reference(roster: Roster, student: Student, photo: Path, models: FaceModels,
               use_cache: bool) -> tuple[float, ...]:
    file = str(roster.path) if roster.path else "roster"

    def fail(problem: str) -> InputError:
        return InputError(file, f"reference photo {photo.name!r}: {problem}",
                          line=student.line, column="photo")

    try:
        data = photo.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read ({exc.strerror})") from None
    digest = hashlib.sha256(MODEL_ID.encode() + b"\0" + data).hexdigest()
    cached = _MEMORY.get(digest) or _cached(digest, use_cache)
    if cached is not None:
        _MEMORY[digest] = cached
        if use_cache and not (cache_dir() / f"{digest}.txt").exists():
            _store(digest, cached)  # asked for now, computed earlier in this process
        return cached
    try:
        image = load_image(photo, REFERENCE_SIDE)
    except ImageError as exc:
        raise fail(str(exc)) from None
    # A portrait's face is large: look without the upsampling step first, then with it.
    found = models.faces(image, upsample=0) or models.faces(image)
    if not found:
        raise fail("no face found (use a clear, front-facing portrait)")
    if len(found) > 1:
        raise fail(f"{len(found)} faces found (a reference photo must show one person)")
    if use_cache:
        _store(digest, found[0].encoding)
    _MEMORY[digest] = found[0].encoding
    return found[0].encoding


# Encodings already computed in this process (memory only), by photo hash: a process
# that checks many posts, or builds several Checkers, encodes each photo once.
_MEMORY: dict[str, tuple[float, ...]] = {}
