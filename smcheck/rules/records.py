"""R5xx: education records, identifiers, personal contact details, birth dates."""

from __future__ import annotations

import re
from collections.abc import Iterator

from smcheck import policies as P
from smcheck.facts import Facts
from smcheck.findings import Severity, Span
from smcheck.lexicon import phrase_pattern
from smcheck.rules.base import Context, Hit, rule
from smcheck.rules.common import student_of, sub_span, tied_to_student

# Letter grades and scores, which the word list cannot say.
_GRADE_PATTERNS = (
    re.compile(r"\b(?:got|gets|get|earned|earns|received|receives|made|brought\s+home)\s+"
               r"(?:an?\s+|straight\s+)?[A-F][+-]?(?:'?s)?(?=[\s.,!?]|$)(?!\s+(?:in\s+)?\d)"),
    re.compile(r"\b(?:scored|scoring|score\s+of)\s+(?:an?\s+)?\d{1,3}(?:\.\d+)?\s*(?:%|percent|"
               r"/\s*\d+|out\s+of\s+\d+)?\s+on\s+(?:the|her|his|their|a|an)?\s*\w*\s*"
               r"(?:test|quiz|exam|assessment|final|midterm|sbac|map)", re.I),
    re.compile(r"\b\d{1,3}(?:\.\d+)?\s*(?:%|percent)\s+on\s+(?:the|her|his|their|a)\s+\w*\s*"
               r"(?:test|quiz|exam|assessment|final|midterm)", re.I),
    re.compile(r"\b(?:failed|failing|fails|flunked)\s+(?!to\b)(?:her|his|their|the|a|an)?\s*\w*"
               r"\s*(?:class|test|quiz|exam|course|grade|subject|math|reading|science|english)",
               re.I),
    re.compile(r"\b(?:his|her|their|my)\s+(?:\w+\s+)?grades?\b", re.I),
    re.compile(r"\b(?:reads?|reading|performing|working|testing|tested)\s+(?:at|above|below|"
               r"on)\s+(?:a|the)?\s*(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|"
               r"sixth|seventh|eighth|kindergarten)?[\s-]*grade[\s-]+level\b", re.I),
    re.compile(r"\b(?:passed|passing|passes|retook|retaking)\s+(?:his|her|their|the|a)\s+"
               r"(?:\w+\s+){0,2}(?:test|exam|quiz|assessment|final|midterm)\b", re.I),
    re.compile(r"\bgrades?\s+(?:went|are|is|were|dropped|improved|slipped)\b", re.I),
)


def _record_spans(sentence: Span) -> Iterator[Span]:
    for m in phrase_pattern("education_record").finditer(sentence.text):
        yield sub_span(sentence, m.start(), m.end())
    for pattern in _GRADE_PATTERNS:
        for m in pattern.finditer(sentence.text):
            yield sub_span(sentence, m.start(), m.end())


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
    """Finds education-record words (models/lexicon.toml `education_record`) and grade or
    score phrases in a sentence that names a student or points at one or a few ("two of my
    students", "she"). Class-wide and school-wide statements are not records."""
    for sentence in facts.text.sentences:
        spans = sorted(_record_spans(sentence), key=lambda s: s.start)
        if not spans or not tied_to_student(facts, sentence):
            continue
        span = spans[0]
        yield Hit(span=span, student=student_of(facts, sentence), key=f"{sentence.start}",
                  message=f"\"{span.text}\" is education-record information about a student: "
                          "leave it out; celebrate effort or the whole class instead.")


_ID_PATTERN = re.compile(
    r"\b(?:student\s*(?:id|number|no\.?|#)|id\s*(?:#|number|no\.?)|lunch\s*(?:number|pin|code)"
    r"|student\s+account)\s*(?:is|was|=)?\s*[:#]?\s*[A-Z]{0,2}\d{3,}\b",
    re.I,
)


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
    """Finds any roster student id as a whole word, and "student ID/number/#" or "lunch
    number/PIN" followed by digits."""
    text = facts.text.text
    for s in ctx.roster.students:
        if len(s.id) < 3:
            continue  # "7" would match every seventh-grade mention
        for m in re.finditer(rf"(?<![\w-]){re.escape(s.id)}(?![\w-])", text, re.I):
            yield Hit(span=Span(start=m.start(), end=m.end(), text=m.group()), student=s,
                      message="A student id: remove it.")
    for m in _ID_PATTERN.finditer(text):
        yield Hit(span=Span(start=m.start(), end=m.end(), text=m.group()),
                  key=m.group().casefold(), message="A student number: remove it.")


def _is_office_line(facts: Facts, span: Span) -> bool:
    """Labelled as a school or district line, or an office extension ("ext. 4412")."""
    sentence = facts.text.sentence_at(span.start)
    before = facts.text.text[max(sentence.start, span.start - 60):span.start]
    if re.search(r"\b(?:ext|extension|x)\.?\s*\d", span.text, re.I):
        return True
    return bool(phrase_pattern("office_phone_words").search(before))


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
            if not _district_email(c.span.text, domains):
                yield Hit(span=c.span, key=key,
                          message="An email address outside the district's domains: use your "
                                  "district email address instead.")
        elif not _is_office_line(facts, c.span):
            yield Hit(span=c.span, key=key,
                      message="A phone number: do not publish personal numbers; point families "
                              "to the school office or your district email.")


_BIRTH = re.compile(
    r"\b(?:birthdays?|b-?days?|born|date\s+of\s+birth|dob|turns?\s+\d{1,2}|turned\s+\d{1,2}"
    r"|turning\s+\d{1,2})\b", re.I)
_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE = re.compile(
    rf"\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?"
    rf"{_MONTHS}\b|\b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
    r"|\btoday\b|\btomorrow\b|\byesterday\b|\bthis\s+(?:week|weekend)\b"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b",
    re.I,
)


@rule(
    code="R504", name="birth-date", severity=Severity.VIOLATION,
    summary="a student's date of birth",
    why="A date of birth with a name is a key to identity theft and to school records.",
    example="Happy 9th birthday to Ava, born March 3rd!",
    use_instead="Happy birthday to all our March birthdays!",
    policy=(P.GENERIC_PII, P.TACOMA_NAMES_LOCATION),
)
def birth_date(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds a birthday, birth or age word together with a date ("March 3rd", "3/14",
    "today") in a sentence about a student."""
    for sentence in facts.text.sentences:
        birth = _BIRTH.search(sentence.text)
        date = _DATE.search(sentence.text)
        if not birth or not date or not tied_to_student(facts, sentence):
            continue
        start, end = min(birth.start(), date.start()), max(birth.end(), date.end())
        names = facts.text.names_in(sentence)
        student = names[0].student if len(names) == 1 else None
        yield Hit(span=sub_span(sentence, start, end), student=student, key=f"{sentence.start}",
                  message="This gives a student's date of birth: wish a happy birthday "
                          "without the date, or celebrate the month's birthdays together.")
