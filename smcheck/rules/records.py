"""R5xx: education records, identifiers, personal contact details, birth dates."""

from __future__ import annotations

from collections.abc import Iterator

from smcheck import policies as P
from smcheck.facts import Facts
from smcheck.findings import Severity
from smcheck.rules.base import Context, Hit, rule


@rule(
    code="R501", name="education-record", severity=Severity.VIOLATION,
    summary="grades, scores, IEP/504, disability, discipline, attendance, health or lunch "
    "status tied to a student or a small group",
    why="These are education records under FERPA and district student-records policy: "
    "confidential, and never for social media without written consent.",
    example="So proud of Mateo, who finally passed his reading test after his IEP meeting!",
    use_instead="So proud of our readers for all their hard work this month!",
    policy=(P.TACOMA_CONFIDENTIAL, P.PPS_FERPA, P.PSESD_CONFIDENTIAL),
)
def education_record(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds education-record words and phrases (Presidio recognizers of models/
    recognizers.yaml: assessment results, health, services, discipline, attendance,
    free/reduced lunch) in a sentence about a student or a few ("two of my students",
    "she"). Class-wide and team statements are not records."""
    for r in facts.text.records:
        student = ctx.roster.by_id(r.student_id) if r.student_id else None
        yield Hit(span=r.span, student=student, key=f"{r.sentence.start}:{r.student_id}",
                  message=f"\"{r.span.text}\" is education-record information about a student: "
                          "leave it out; celebrate effort or the whole class instead.")


@rule(
    code="R502", name="student-identifier", severity=Severity.VIOLATION,
    summary="a roster student id, or a student number, in the text",
    why="A student number unlocks records and accounts; it is personally identifiable "
    "student information.",
    example="Lost lunch card for student #204519, please bring it to the office.",
    use_instead="A lunch card was found: please check with the office.",
    policy=(P.GENERIC_PII, P.TACOMA_CONFIDENTIAL),
)
def student_identifier(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds any roster student id as a whole word, "student ID/number/#" or "lunch
    number/PIN" followed by digits, a district's student-number pattern
    (`student_number_pattern`), and social security numbers."""
    for ident in facts.text.identifiers:
        student = ctx.roster.by_id(ident.student_id) if ident.student_id else None
        what = {"roster_id": "A student id", "student_number": "A student number",
                "ssn": "A social security number"}[ident.kind]
        yield Hit(span=ident.span, student=student,
                  key=None if student else ident.span.text.casefold(),
                  message=f"{what}: remove it.")


def _district_email(address: str, domains: tuple[str, ...]) -> bool:
    domain = address.rsplit("@", 1)[-1].casefold().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in domains)


@rule(
    code="R503", name="personal-contact", severity=Severity.VIOLATION,
    summary="a phone number, or an email address outside the district domains",
    why="Staff must communicate through district email and platforms, which keep a record; "
    "a personal number or address takes the conversation off the record.",
    example="Questions? Text me at 503-555-0142 or write to coach.kim@gmail.com.",
    use_instead="Questions? Email me at kim@pps.net or call the front office.",
    policy=(P.SPPS_DISTRICT_CONTACT, P.PPS_PRIVATE_MESSAGES),
)
def personal_contact(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds phone numbers and email addresses (Presidio's recognizers, offline). District
    addresses (`district_email_domains`) and numbers labelled as a school or district
    office line are fine."""
    domains = ctx.config.district_email_domains
    for c in facts.text.contacts:
        key = c.span.text.casefold()
        if c.kind == "email":
            if not _district_email(c.address or c.span.text, domains):
                yield Hit(span=c.span, key=key,
                          message="An email address outside the district's domains: use your "
                                  "district email address instead.")
        elif not c.office:
            yield Hit(span=c.span, key=key,
                      message="A phone number: do not publish personal numbers; point families "
                              "to the school office or your district email.")


@rule(
    code="R504", name="birth-date", severity=Severity.VIOLATION,
    summary="a student's date of birth",
    why="A date of birth with a name is a key to identity theft and to school records.",
    example="Happy 9th birthday to Ava, born March 3rd!",
    use_instead="Happy birthday to all our March birthdays!",
    policy=(P.GENERIC_PII, P.TACOMA_NAMES_LOCATION),
)
def birth_date(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds a birthday, birth or age word with its day ("March 3rd", "3/14", "today") or
    the age ("turns 10", "9th birthday") in a sentence about a student. A birthday wish
    without a day or an age is not a date of birth."""
    for b in facts.text.birthdays:
        student = ctx.roster.by_id(b.student_id) if b.student_id else None
        yield Hit(span=b.span, student=student, key=f"{b.sentence.start}",
                  message="This gives a student's date of birth: wish a happy birthday "
                          "without the date, or celebrate the month's birthdays together.")
