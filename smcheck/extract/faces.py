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
from typing import TYPE_CHECKING, Any

from smcheck import usercache
from smcheck.errors import SetupError
from smcheck.extract.images import ImageError, LoadedImage, load_image
from smcheck.findings import Box
from smcheck.roster import Roster, Student

if TYPE_CHECKING:
    from smcheck.extract.encoder import Encoder
    from smcheck.extract.mtcnn import Mtcnn, Proposal

# Settings chosen by measurement (bench/faces.py, tables in bench/README.md).
WORKING_SIDE = 1600  # long side detection runs at: 12 MP photos in 0.7 s, recall 1.00
UPSAMPLE = 1  # dlib's pyramid step up: finds faces of ~40 px at working scale
SMALL_SIDE = 480  # a photo this small gets a second step: its faces are 20-40 px
THRESHOLD = 0.0  # dlib's default score threshold: -0.2 found no more, and cost precision
REFERENCE_SIDE = 800  # reference portraits: one large face, found at 800 px
MODEL_ID = "dlib-hog+sp5+resnet_v1/jitter1"


@dataclass(frozen=True, kw_only=True)
class Detection:
    """How faces are looked for: MTCNN (any tilt up to ~45 degrees, small faces, cheap)
    and dlib's HOG (frontal faces upright within ~20 degrees), their union with
    duplicates dropped. HOG's cost grows fourfold with each upsampling step, so the
    step is taken where it pays: small photos, and photos where MTCNN saw small faces
    (a group photo). Bench: bench/faces.py."""

    mtcnn: bool = True
    mtcnn_min_face: float = 20.0  # pixels at working scale
    mtcnn_thresholds: tuple[float, float, float] = (0.6, 0.7, 0.7)
    # HOG over the whole photo: upsampling steps for a photo of at most SMALL_SIDE,
    # of at most `medium_side`, and above (None: no whole-photo HOG there).
    hog_small: int | None = UPSAMPLE + 1
    hog_medium: int | None = UPSAMPLE
    hog_large: int | None = None
    medium_side: int = 1000
    # ... and with the upsampling step on a large photo where MTCNN is sure of at least
    # `small_faces` faces this small (working pixels): a group photo, whose other small
    # faces MTCNN alone may miss. One unsure small face is more often a false start.
    small_face: float = 48.0
    small_faces: int = 2
    small_face_score: float = 0.95
    hog_large_small_faces: int | None = UPSAMPLE
    # An MTCNN face HOG did not find is kept when HOG, run again on the face turned
    # upright, finds it at this threshold, or when MTCNN is this sure on its own.
    verify_threshold: float = -0.5
    accept_score: float = 0.99


DETECTION = Detection()


class FaceModelsUnavailable(Exception):
    """The face models could not load: every photo check becomes E902, never a pass."""


@dataclass(frozen=True, kw_only=True)
class DetectedFace:
    box: Box  # in pixels of the oriented original
    encoding: tuple[float, ...]


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """A face found, and what its encoding is computed from: `pixels` (the working
    image, or an upright crop around a tilted face) and a dlib rectangle on them."""

    box: Box  # in pixels of the oriented original
    pixels: Any
    rect: Any
    source: str  # "hog" or "mtcnn"


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
        except RuntimeError as exc:
            raise FaceModelsUnavailable(f"a face model failed to load ({exc})") from None
        self.dlib = dlib
        self._encoder_file = models / "dlib_face_recognition_resnet_model_v1.dat"
        self._encoder: Encoder | None = None
        self._dlib_encoder: Any = None
        self._mtcnn: Mtcnn | None = None

    def _encoders(self) -> tuple[Encoder | None, Any]:
        """The encoder on onnxruntime, or (when it cannot load) dlib's own: the same
        network and weights, 20x slower here (encoder.py says why)."""
        if self._encoder is None and self._dlib_encoder is None:
            from smcheck.extract.encoder import Encoder, EncoderUnavailable
            from smcheck.extract.threads import model_threads

            try:
                self._encoder = Encoder(self._encoder_file, threads=model_threads())
            except EncoderUnavailable:
                try:
                    self._dlib_encoder = self.dlib.face_recognition_model_v1(
                        str(self._encoder_file))
                except RuntimeError as exc:
                    raise FaceModelsUnavailable(
                        f"a face model failed to load ({exc})") from None
        return self._encoder, self._dlib_encoder

    @property
    def mtcnn(self) -> Mtcnn:
        if self._mtcnn is None:
            from smcheck.extract.mtcnn import Mtcnn, MtcnnUnavailable

            try:
                from smcheck.extract.threads import model_threads

                self._mtcnn = Mtcnn(threads=model_threads())
            except MtcnnUnavailable as exc:
                raise FaceModelsUnavailable(str(exc)) from None
        return self._mtcnn

    def _box(self, image: LoadedImage, left: float, top: float, right: float,
             bottom: float) -> Box:
        s = image.scale
        return Box(top=max(0, round(top / s)), left=max(0, round(left / s)),
                   bottom=min(image.height, round(bottom / s)),
                   right=min(image.width, round(right / s)))

    def detect(self, image: LoadedImage, upsample: int | None = None,
               threshold: float = THRESHOLD,
               how: Detection | None = None) -> list[Candidate]:
        """Every face: boxes in original pixels, and what to encode each from.
        `upsample` forces one whole-photo HOG pass with that step, and no MTCNN."""
        how = how or DETECTION
        proposals = self.mtcnn.detect(image.pixels, how.mtcnn_min_face, how.mtcnn_thresholds) \
            if how.mtcnn and upsample is None else []
        if upsample is None:
            side = max(image.pixels.shape[:2])
            if side <= SMALL_SIDE:
                upsample = how.hog_small
            elif side <= how.medium_side:
                upsample = how.hog_medium
            elif sum(p.width < how.small_face and p.score >= how.small_face_score
                     for p in proposals) >= how.small_faces:
                upsample = how.hog_large_small_faces
            else:
                upsample = how.hog_large
        rects = self.detector.run(image.pixels, upsample, threshold)[0] \
            if upsample is not None else []
        found = [Candidate(box=self._box(image, r.left(), r.top(), r.right(), r.bottom()),
                           pixels=image.pixels, rect=r, source="hog") for r in rects]
        seen = [(r.left(), r.top(), r.right(), r.bottom()) for r in rects]
        for p in proposals:
            mine = (p.left, p.top, p.right, p.bottom)
            if any(same_face(mine, other) for other in seen):
                continue
            upright = self._upright(image.pixels, p, how)
            if upright is None:
                continue
            pixels, rect = upright
            found.append(Candidate(box=self._box(image, *mine), pixels=pixels, rect=rect,
                                   source="mtcnn"))
            seen.append(mine)
        return found

    def _upright(self, pixels: Any, p: Proposal, how: Detection) -> tuple[Any, Any] | None:
        """The face turned upright in a crop of its own, and its dlib rectangle there:
        HOG's own, when HOG finds it upright, else one derived from MTCNN's box. None
        when neither HOG (upright) nor MTCNN's own score vouches for it."""
        import cv2

        face = max(p.width, p.bottom - p.top)
        # HOG's window is 80 px: bring the face to ~120 px (HOG's box is ~0.8 of MTCNN's).
        k = CROP_FACE / face
        size = round(CROP_FACE * CROP_MARGIN)
        cx, cy = (p.left + p.right) / 2, (p.top + p.bottom) / 2
        m = cv2.getRotationMatrix2D((cx, cy), p.eye_angle(), k)
        m[0, 2] += size / 2 - cx
        m[1, 2] += size / 2 - cy
        crop = cv2.warpAffine(pixels, m, (size, size), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REPLICATE)
        rects, scores, _ = self.detector.run(crop, 0, how.verify_threshold)
        c = size / 2
        best = None
        for r, score in zip(rects, scores, strict=True):
            rx, ry = (r.left() + r.right()) / 2, (r.top() + r.bottom()) / 2
            if abs(rx - c) < CROP_FACE / 2 and abs(ry - c) < CROP_FACE / 2 and (
                    best is None or score > best[1]):
                best = (r, score)
        if best is not None:
            return crop, best[0]
        if p.score < how.accept_score:
            return None
        # MTCNN's box reaches from the brow to the chin; HOG's from the eyebrows to
        # the lip, a little narrower: the landmark model expects HOG's.
        w = CROP_FACE * HOG_FROM_MTCNN[0]
        top = c - CROP_FACE / 2 + CROP_FACE * HOG_FROM_MTCNN[1]
        rect = self.dlib.rectangle(round(c - w / 2), round(top), round(c + w / 2),
                                   round(top + w))
        return crop, rect

    def faces(self, image: LoadedImage, upsample: int | None = None,
              how: Detection | None = None) -> list[DetectedFace]:
        found = self.detect(image, upsample, how=how)
        return [DetectedFace(box=c.box, encoding=e)
                for c, e in zip(found, self.encode(found), strict=True)]

    def encode(self, candidates: Sequence[Candidate]) -> list[tuple[float, ...]]:
        """Each face's 128 numbers: its five landmarks, the 150-pixel chip dlib cuts
        from them, and the encoder over all of a photo's chips at once."""
        from smcheck.extract.encoder import CHIP, CHIP_PADDING

        encoder, dlib_encoder = self._encoders()
        shapes = [self.landmarks(c.pixels, c.rect) for c in candidates]
        if encoder is None:
            return [tuple(float(x) for x in dlib_encoder.compute_face_descriptor(c.pixels, s, 1))
                    for c, s in zip(candidates, shapes, strict=True)]
        return encoder.encode([self.dlib.get_face_chip(c.pixels, s, size=CHIP,
                                                       padding=CHIP_PADDING)
                               for c, s in zip(candidates, shapes, strict=True)])


CROP_FACE = 120  # pixels a tilted face is brought to in its upright crop
CROP_MARGIN = 2.0  # the crop's side, in faces
# A HOG-style box inside MTCNN's: (width, top offset) as fractions of MTCNN's side.
HOG_FROM_MTCNN = (0.8, 0.18)


def same_face(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Two boxes (left, top, right, bottom) of one face: each one's centre inside the
    other. HOG's boxes are tighter than MTCNN's, so overlap alone would undercount."""
    ax, ay = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    bx, by = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    return (b[0] <= ax <= b[2] and b[1] <= ay <= b[3]
            and a[0] <= bx <= a[2] and a[1] <= by <= a[3])


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

    def fail(problem: str) -> SetupError:
        # Counted, not named: photo files are often named after the student.
        which = student.photos.index(photo) + 1 if photo in student.photos else 1
        return SetupError(file, f"reference photo {which} of {len(student.photos) or 1}: "
                          f"{problem}", line=student.line, column="photo")

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
