"""F4xx and L203: the people in a post's photos, and where the photos were taken."""

from __future__ import annotations

from collections.abc import Iterator

from smcheck import policies as P
from smcheck.facts import Face, Facts, ImageFacts
from smcheck.findings import Severity
from smcheck.roster import Student
from smcheck.rules.base import Context, Hit, rule

# Past the tolerance a face may still be that student: the dlib model is trained on
# adults, and children's faces sit closer together. Up to 0.6 (where look-alike adults
# sit, bench/README.md), or 0.1 past a looser tolerance, a person must check.
REVIEW_BAND = 0.1
REVIEW_UP_TO = 0.6
# A match must be clearly nearer to its student than to anyone else.
MARGIN = 0.08


def _restricted(student: Student, ctx: Context) -> bool:
    return student.safety_flag or not ctx.release(student).photos_allowed


def _verdict(face: Face, ctx: Context) -> tuple[str, Student | None, float | None]:
    """What a face is: ("match", student, d), ("ambiguous", restricted student, d), or
    ("unknown", None, nearest d)."""
    tol = ctx.config.face_tolerance
    ranked = [(ctx.roster.by_id(sid), d) for sid, d in face.distances]
    ranked = [(s, d) for s, d in ranked if s is not None]
    if not ranked:
        return "unknown", None, None
    best, d0 = ranked[0]
    d1 = ranked[1][1] if len(ranked) > 1 else None
    if best is not None and d0 <= tol and (d1 is None or d1 - d0 >= MARGIN):
        return "match", best, d0
    review = max(tol + REVIEW_BAND, REVIEW_UP_TO)
    near = [(s, d) for s, d in ranked if s is not None and d <= review]
    restricted = [(s, d) for s, d in near if _restricted(s, ctx)]
    if restricted:
        return "ambiguous", restricted[0][0], restricted[0][1]
    return "unknown", None, d0


def _faces(facts: Facts) -> Iterator[tuple[ImageFacts, int, Face]]:
    for image in facts.images:
        for n, face in enumerate(image.faces, start=1):
            yield image, n, face


def _key(image: ImageFacts, face: Face) -> str:
    b = face.box
    return f"{image.file}:{b.top},{b.left},{b.bottom},{b.right}"


def _hit(image: ImageFacts, n: int, face: Face, message: str, student: Student | None = None,
         confidence: float | None = None) -> Hit:
    return Hit(source="image", file=image.file, box=face.box, student=student,
               confidence=confidence, key=_key(image, face),
               message=f"Face {n}: {message}")


@rule(
    code="F400", name="recognised-face", severity=Severity.INFO,
    summary="a face matches a roster student whose release allows photos",
    why="Shown so a person can see who was recognised; nothing to fix.",
    example="class-photo.jpg, face 2: Ava Thompson (photo release: full)",
    use_instead="Nothing: the student's release allows photos.",
    policy=(P.SPPS_PRIVATE_DATA,),
)
def recognised_face(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Reports each face that clearly matches one roster student whose media release
    allows photos, with the face distance as confidence."""
    for image, n, face in _faces(facts):
        kind, student, d = _verdict(face, ctx)
        if kind == "match" and student is not None and not _restricted(student, ctx):
            yield _hit(image, n, face, "a student whose media release allows photos.",
                       student, d)


@rule(
    code="F401", name="unverified-face", severity=Severity.WARNING,
    summary="a face that matches no student with a photo release (every face when no roster "
    "photos are given)",
    why="A face nobody has checked may be a student whose family refused publication; "
    "every student pictured needs a media release on file.",
    example="field-trip.jpg: face 3 matches no roster photo",
    use_instead="Check the face against the media releases, crop it out, or blur it "
    "(smcheck fix).",
    policy=(P.SPPS_PRIVATE_DATA, P.PPS_CONSENT),
)
def unverified_face(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Reports each face that matches no roster student clearly (distance over
    `face_tolerance`, or nearly as close to another student), and no student without a
    release either; and every face when the roster has no reference photos."""
    for image, n, face in _faces(facts):
        if not image.references:
            yield _hit(image, n, face, "no roster reference photos to check this face "
                       "against: make sure this person has a media release.")
            continue
        kind, _, d = _verdict(face, ctx)
        if kind == "unknown":
            yield _hit(image, n, face, "matches no student on the roster: check that this "
                       "person has a media release, or crop or blur the face.", None, d)


@rule(
    code="F402", name="unreleased-student-face", severity=Severity.VIOLATION,
    summary="a face matches a student whose release does not allow photos (or has expired)",
    why="The family has not consented, or has refused, for this child to be pictured.",
    example="concert.jpg: face 1 is Leo R. (release: name only)",
    use_instead="Use a photo without this student, crop them out, or blur their face.",
    policy=(P.TACOMA_RESTRICTED, P.SPPS_PRIVATE_DATA),
)
def unreleased_student_face(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Reports each face that clearly matches a roster student whose media release does
    not allow photos (name only, none, or expired)."""
    for image, n, face in _faces(facts):
        kind, student, d = _verdict(face, ctx)
        if kind == "match" and student is not None and not student.safety_flag and \
                not ctx.release(student).photos_allowed:
            yield _hit(image, n, face, "this student's media release does not allow photos: "
                       "remove the photo, crop the student out, or blur the face.", student, d)


@rule(
    code="F403", name="safety-flagged-face", severity=Severity.CRITICAL,
    summary="a face matches a safety-flagged student",
    why="A student with a custody or safety concern must not be findable through a "
    "school's posts.",
    example="assembly.jpg: face 4 is a student with a safety flag",
    use_instead="Do not post this photo; choose one without this student.",
    policy=(P.TACOMA_CUSTODY, P.TACOMA_RESTRICTED),
)
def safety_flagged_face(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Reports each face that clearly matches a roster student with a safety flag."""
    for image, n, face in _faces(facts):
        kind, student, d = _verdict(face, ctx)
        if kind == "match" and student is not None and student.safety_flag:
            yield _hit(image, n, face, "a student with a custody or safety flag: do not post "
                       "this photo.", student, d)


@rule(
    code="F404", name="ambiguous-face", severity=Severity.WARNING,
    summary="a face is close to more than one student and one of them lacks a photo release",
    why="The face model cannot tell these children apart with confidence, and one of them "
    "may not be pictured: a person must look.",
    example="recess.jpg: face 2 is close to Ava L. (no release) and Ava T.",
    use_instead="Check who it is against the releases, or crop or blur the face.",
    policy=(P.SPPS_PRIVATE_DATA, P.TACOMA_RESTRICTED),
)
def ambiguous_face(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Reports each face that is not a clear match but is close (a distance up to 0.6, or
    `face_tolerance` + 0.1 if that is more) to a student without a photo release or with
    a safety flag, naming the nearest such student."""
    for image, n, face in _faces(facts):
        kind, student, d = _verdict(face, ctx)
        if kind == "ambiguous" and student is not None:
            yield _hit(image, n, face, "may be a student whose media release does not allow "
                       "photos (or who has a safety flag): check who this is before posting.",
                       student, d)


@rule(
    code="L203", name="image-location-metadata", severity=Severity.VIOLATION,
    summary="an image carries GPS coordinates in its metadata",
    why="A phone photo's GPS tag gives the exact spot it was taken: a classroom, a field "
    "trip, a student's home.",
    example="trip.jpg: GPS coordinates in the EXIF data",
    use_instead="Strip the location (smcheck fix, or your phone's share settings) before "
    "posting.",
    policy=(P.TACOMA_NAMES_LOCATION, P.SPPS_PRIVATE_DATA),
)
def image_location(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Reports each image with GPS coordinates in its EXIF data, or a GPS position in XMP."""
    for image in facts.images:
        if image.location:
            yield Hit(source="image", file=image.file, key=image.file,
                      message=f"The photo carries {image.location}: strip its location "
                              "metadata before posting.")
