"""N1xx: student names in the post text."""

from __future__ import annotations

from collections.abc import Iterator

from smcheck import policies as P
from smcheck.extract.names import NameMention
from smcheck.facts import Facts
from smcheck.findings import Severity
from smcheck.roster import Student
from smcheck.rules.base import Context, Hit, rule


def _flagged(m: NameMention) -> tuple[Student, ...]:
    return tuple(s for s in m.students if s.safety_flag)


@rule(
    code="N101", name="student-full-name", severity=Severity.VIOLATION,
    summary="a roster student's full name appears",
    why="A first and last name together identify a child to anyone; the district's best "
    "practice is first names only, and a student without a name release may not be named "
    "at all.",
    example="Congratulations to Ava Thompson on her science fair ribbon!",
    use_instead="Congratulations to Ava on her science fair ribbon!",
    policy=(P.SPPS_FIRST_NAME, P.TACOMA_NAMES_LOCATION, P.TACOMA_RESTRICTED),
)
def student_full_name(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds a roster student's full name (first or preferred name with the last name), in
    any case, with or without accents, possessive or hyphenated. A warning when the
    student's release allows names, a violation when it does not."""
    for m in facts.text.names:
        if m.kind != "full" or _flagged(m):
            continue
        for s in m.students:
            if ctx.release(s).names_allowed:
                yield Hit(span=m.span, student=s, severity=Severity.WARNING,
                          message=f"Full name of a student: use the first name only "
                                  f"(\"{s.first_names()[-1]}\"), as the district advises.")
            else:
                yield Hit(span=m.span, student=s, severity=Severity.VIOLATION,
                          message="Full name of a student whose media release does not allow "
                                  "names: remove every mention of this student's name.")


@rule(
    code="N102", name="unreleased-student-named", severity=Severity.VIOLATION,
    summary="a student without a name release is named by first name, initial or nickname",
    why="Families who restricted the release of their child's information have a signed "
    "form on file; the district may not post that child's name in any form.",
    example="Great job today, Leo R.!  (Leo's release is 'photo only')",
    use_instead="Great job today, readers!  (or get a name release first)",
    policy=(P.TACOMA_RESTRICTED, P.TACOMA_NAMES_LOCATION),
)
def unreleased_student_named(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds a first name, preferred name, or first name plus last initial of a roster
    student whose release does not allow names. When several roster students share the
    name and only some lack a release, it is a warning: a person must decide who it is."""
    # A student whose full name is reported (N101) is one problem, not two.
    full_named = {s.id for m in facts.text.names if m.kind == "full" for s in m.students}
    for m in facts.text.names:
        if m.kind == "full" or _flagged(m):
            continue
        restricted = [s for s in m.students if not ctx.release(s).names_allowed]
        if len(m.students) == 1 and m.students[0].id in full_named:
            continue
        if not restricted:
            continue
        if len(m.students) == 1:
            yield Hit(span=m.span, student=restricted[0],
                      message="This student's media release does not allow their name: "
                              "remove it, or describe the group instead (\"our readers\").")
        else:
            student = restricted[0] if len(restricted) == 1 else None
            yield Hit(span=m.span, student=student, severity=Severity.WARNING,
                      key=f"ambiguous:{m.span.text.casefold()}",
                      message=f"\"{m.span.text}\" is the name of {len(m.students)} students "
                              f"on the roster, and {len(restricted)} of them may not be named: "
                              "check who is meant, or leave the name out.")


@rule(
    code="N103", name="possible-student-full-name", severity=Severity.WARNING,
    summary="a person's full name that is not on the roster, not staff and not a title",
    why="Without a roster entry smcheck cannot tell a student from a parent or guest; a "
    "full name of a student is personally identifiable information.",
    example="Shout-out to Marcus Bell for the winning goal!",
    use_instead="Shout-out to Marcus for the winning goal! (or add adults to `staff`)",
    policy=(P.SPPS_FIRST_NAME, P.GENERIC_PII),
)
def possible_student_full_name(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds full names of people (NER, and roster first names followed by an unknown
    surname) that are not roster students, not listed staff, not public figures, and not
    introduced by an adult title (Mr., Ms., Dr., Coach, Principal...)."""
    for p in facts.text.people:
        yield Hit(span=p, key=p.text.casefold(),
                  message="This looks like a person's full name. If it is a student, use the "
                          "first name only; if an adult, add them to `staff` in smcheck.toml.")


@rule(
    code="N104", name="safety-flagged-student", severity=Severity.CRITICAL,
    summary="any mention of a student with a custody or safety flag",
    why="A student with a custody or safety concern can be put in danger by a post that "
    "shows where they go to school; no form of their name may appear.",
    example="Jaylen did an amazing job at the spelling bee!  (Jaylen is safety-flagged)",
    use_instead="Our spellers did an amazing job at the spelling bee!",
    policy=(P.TACOMA_CUSTODY, P.TACOMA_RESTRICTED),
)
def safety_flagged_student(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds any mention (full name, first name, initial, nickname) of a roster student
    with a safety flag, including a name shared with a flagged student."""
    for m in facts.text.names:
        for s in _flagged(m):
            shared = "" if len(m.students) == 1 else " (or a student with the same name)"
            yield Hit(span=m.span, student=s,
                      message=f"This names a student with a custody or safety flag{shared}: "
                              "remove every mention of this student before posting.")
