"""L2xx: where students live and where they are."""

from __future__ import annotations

from collections.abc import Iterator

from smcheck import policies as P
from smcheck.facts import Facts
from smcheck.findings import Severity, Span
from smcheck.rules.base import Context, Hit, rule


@rule(
    code="L202", name="home-address", severity=Severity.VIOLATION,
    summary="a street address tied to a student or family",
    why="A home address tells anyone where a child sleeps; with a custody concern it can "
    "lead someone straight to them.",
    example="Thanks to the Nguyen family for hosting the class picnic at 4521 SE Oak Street!",
    use_instead="Thanks to the Nguyen family for hosting our class picnic!",
    policy=(P.TACOMA_NAMES_LOCATION, P.SPPS_PRIVATE_DATA),
)
def home_address(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds a street address in a sentence that ties it to a home or family (home,
    house, lives, family, mom, pick up...) or to a named student. An address introduced as
    the school's or a public venue's, with no home words, is public."""
    for a in facts.text.addresses:
        student = ctx.roster.by_id(a.student_id) if a.student_id else None
        yield Hit(span=a.span, student=student, key=a.span.text.casefold(),
                  message="A street address tied to a student or family: remove it; share "
                          "it privately through district email if families need it.")


def _paragraph(text: str, pos: int) -> int:
    return text.rfind("\n\n", 0, pos)


@rule(
    code="L201", name="student-whereabouts", severity=Severity.VIOLATION,
    summary="a named student (or my students, a class, a team) placed at a specific place "
    "now or later",
    why="Saying where a child is, or is about to be, tells a stranger or a non-custodial "
    "parent where to find them.",
    example="Right now our 5th graders are hiking at Mt. Tabor until 4:30!",
    use_instead="Our 5th graders are having a great time outdoors today! (share the place "
    "after they are back)",
    policy=(P.TACOMA_NAMES_LOCATION, P.SPPS_PRIVATE_DATA),
)
def student_whereabouts(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds a sentence that puts a roster student, a named person, or a class, team or
    grade ("our 3rd graders", "the team", "we're") at a specific place outside the school
    (a named place, an address, the park, the hospital) now or later, by the verb of the
    place's own clause: "Jordan is at Legacy Emanuel hospital", "he's down in Eugene until
    Sunday". "Paris's dad is in the hospital" places the dad. A finished visit, a place
    inside the school, and events open to the public are not whereabouts; an announced
    activity is S301's."""
    now = ctx.publish_at
    text = facts.text.text
    # Whereabouts told as part of an announced activity ("We are staying at the Silver
    # Cloud Hotel" in a trip's paragraph) are the schedule's: S301 reports them.
    announced = {_paragraph(text, e.sentence.start) for e in facts.text.events
                 if e.kind == "activity" and not e.cancelled and not e.public
                 and (e.whens or e.outside)}
    for e in facts.text.events:
        if e.kind != "presence" or e.past or e.public or e.subject is None:
            continue
        if _paragraph(text, e.sentence.start) in announced:
            continue
        if e.whens and not any(w.end > now and not w.past_marker for w in e.whens):
            continue  # over
        place = e.places[0]
        if not (place.specific or place.kind == "generic"):
            continue
        student = ctx.roster.by_id(e.students[0]) if len(e.students) == 1 else None
        start, end = min(e.subject.start, place.span.start), place.span.end
        yield Hit(span=Span(start=start, end=end, text=text[start:end]), student=student,
                  key=f"{e.sentence.start}",
                  message=f"Tells where students are or will be (\u201c{place.span.text}"
                          "\u201d): leave the place out until they are back, or share "
                          "it privately with families.")
