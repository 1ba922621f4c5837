"""Education records, birthdays, contact details and where a post sends people to talk,
as facts the R5xx and C6xx rules read.

Presidio's recognizers (models/recognizers.yaml) find the words; this module decides
what they are in their sentence: a record tied to a student or a small group, a
birthday with its day or the age, an office line or a personal number, an app the
post sends people to or one a safety lesson talks about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from smcheck.extract.about import About
from smcheck.extract.context import Paragraphs, opening_end, words_before
from smcheck.extract.times import When
from smcheck.findings import Span
from smcheck.lexicon import lexicon, phrase_pattern


@dataclass(frozen=True, kw_only=True)
class Record:
    """Education-record words tied to a student or a small group."""

    kind: str  # RecordKind of smcheck.extract.text
    span: Span
    sentence: Span
    student_id: str | None


@dataclass(frozen=True, kw_only=True)
class Birthday:
    """A student's date of birth: a birthday, birth or age word with its day or the age."""

    span: Span
    sentence: Span
    student_id: str | None


def tied_records(text: str, terms: Sequence[tuple[str, Span]], sentences: Sequence[Span],
                 about: Sequence[About], sentence_index: dict[int, int],
                 owners: Callable[[Span], tuple[str, ...]] | None = None,
                 named: Sequence[int] = ()) -> list[Record]:
    """Record words in sentences about a student or a few; the first of each sentence.
    Not the words of a name ("Cedar Valley Physical Therapy", a sponsor), nor a family
    member's news ("Paris's dad is in the hospital")."""
    out: list[Record] = []
    seen: set[int] = set()
    for kind, span in sorted(terms, key=lambda t: t[1].start):
        i = sentence_index.get(span.start)
        if i is None or i in seen or not about[i].individual:
            continue
        if _in_a_name(text, span) or _relative_s(text, sentences[i], span, named) or (
                kind in ("assessment", "attendance") and _group_owned(text, sentences[i], span)):
            continue
        seen.add(i)
        # "Xavier and Layla will be pulled out for speech": a record of each of them; "Aaron
        # is on academic probation, so Elena will partner with Lydia": Aaron's only.
        ids = about[i].students
        if len(ids) > 1 and owners is not None:
            ids = owners(span) or ids
        for student_id in ids or (None,):
            out.append(Record(kind=kind, span=span, sentence=sentences[i],
                              student_id=student_id))
    return out


def _group_owned(text: str, sentence: Span, span: Span) -> bool:
    """"a 3.41 team GPA", "our class average", "the school's test scores": a group's."""
    before = words_before(text, span.start, 3, sentence.start).casefold()
    return bool(re.search(r"\b(?:team|class|school|schoolwide|school-wide|district|grade|"
                          r"squad|program|cumulative\s+team|our|average)(?:'s)?\s+(?:[\d.]+\s+)?"
                          r"(?:\w+\s+)?$", before))


def _in_a_name(text: str, span: Span) -> bool:
    """Title-case record words after a capitalised word: part of a business's or a
    program's name ("Cedar Valley Physical Therapy", "Learning Support Center")."""
    words_ = span.text.split()
    if not all(w[:1].isupper() for w in words_) or span.text.isupper():
        return False
    before = text[max(0, span.start - 30):span.start].split()
    # "River's EpiPen": an owner before it, not a name it is part of.
    return bool(before) and before[-1][:1].isupper() and \
        not before[-1].endswith((".", ":", "'s", "\u2019s"))


@cache
def _relative() -> re.Pattern[str]:
    members = "|".join(re.escape(w) for w in lexicon()["family_members"])
    return re.compile(rf"(?:'s|\b(?:his|her|their|my|our))\s+(?:[\w-]+\s+)?(?:{members})\b",
                      re.I)


def _relative_s(text: str, sentence: Span, span: Span, named: Sequence[int]) -> bool:
    """"Paris's dad is in the hospital", "her grandma had surgery": the news is a
    relative's (the words before the record name one, and no student or "she" after)."""
    before = text[sentence.start:span.start]
    found = list(_relative().finditer(before))
    if not found:
        return False
    after = sentence.start + found[-1].end()
    if any(after <= n < span.start for n in named):
        return False  # "with his family's blessing ... Martin is at ... after surgery"
    return not re.search(r"\b(?:she|he|they)\b", before[found[-1].end():], re.I)


@cache
def _birth_words() -> re.Pattern[str]:
    return phrase_pattern("birth_words")


_AGE = re.compile(r"\b(?:turns?|turned|turning)\s+(?:\d{1,2}|one|two|three|four|five|six|seven|"
                  r"eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
                  r"eighteen)\b|\b\d{1,2}(?:st|nd|rd|th)\s+(?:birthday|b-?day)\b"
                  r"|\b(?:\d{1,2}|ten|nine|eight|seven|six|five)\s+years?\s+old\b", re.I)


def birthdays(text: str, sentences: Sequence[Span], about: Sequence[About],
              whens: Sequence[When]) -> list[Birthday]:
    """A birthday, "born", "DOB" or "turns N" with a day ("March 3rd", "today", "3/14/2016")
    or the age, in a sentence about a student. "We sang happy birthday to Tessa this
    week" gives neither."""
    out: list[Birthday] = []
    for i, s in enumerate(sentences):
        birth = _birth_words().search(text, s.start, s.end) or _AGE.search(text, s.start, s.end)
        if birth is None or not about[i].individual:
            continue
        day = next((w for w in whens if s.start <= w.span.start < s.end
                    and not w.recurring and w.end - w.start <= timedelta(days=1)), None)
        age = _AGE.search(text, s.start, s.end)
        if day is None and age is None:
            continue
        parts = [birth.span(), *([(day.span.start, day.span.end)] if day else []),
                 *([age.span()] if age else [])]
        start, end = min(a for a, _ in parts), max(b for _, b in parts)
        ids = about[i].students
        out.append(Birthday(span=Span(start=start, end=end, text=text[start:end]), sentence=s,
                            student_id=ids[0] if len(ids) == 1 else None))
    return out


def office_line(text: str, span: Span, sentence: Span) -> bool:
    """A phone number labelled as a school or district line ("call the front office at"),
    or with an office extension ("ext. 4412"): not personal."""
    if re.search(r"\b(?:ext|extension|x)\.?\s*\d", span.text, re.I):
        return True
    # The label may be the line above: "Maple Ridge Office\n(503) 555-0180", or right
    # after the number: "503-555-0100 (main office)".
    floor = text.rfind("\n", 0, max(0, sentence.start - 1)) + 1
    offices = phrase_pattern("office_phone_words")
    line_end = text.find("\n", span.end)
    after = text[span.end:min(span.end + 25, line_end if line_end >= 0 else len(text))]
    return bool(offices.search(words_before(text, span.start, 8, floor)) or
                (re.match(r"\s*[(\-\u2013\u2014,]\s*", after) and offices.search(after)))


def directs_to_app(text: str, span: Span, sentence: Span, paragraphs: Paragraphs) -> bool:
    """Does the sentence send people to the app, rather than talk about it (a safety
    lesson in its paragraph, "please don't use Snapchat")?"""
    s = text[sentence.start:sentence.end]
    lesson = paragraphs.search(phrase_pattern("app_discussion_words"), span.start)
    talk = lesson and not phrase_pattern("app_directive_words").search(s) and \
        not re.search(r"@\w", s)
    return not talk and not negated_before(text, sentence, span.start)


def invites_privately(text: str, span: Span, sentence: Span, paragraphs: Paragraphs) -> bool:
    """An invitation to students to a private channel; not "please don't DM me", not a
    district platform ("message me on Google Classroom"), and not a line written to
    parents ("Parents, text me with questions": R503 reports a personal number)."""
    if phrase_pattern("district_platforms").search(text, sentence.start, sentence.end):
        return False
    parents = phrase_pattern("parent_audience")
    if (paragraphs.search(parents, span.start) or
            parents.search(text, 0, opening_end(text, 400))) and \
            not phrase_pattern("student_audience").search(text, sentence.start, sentence.end):
        return False  # written to parents: in its paragraph, or in the post's title and greeting
    return not negated_before(text, sentence, span.start)


def negated_before(text: str, sentence: Span, pos: int) -> bool:
    """"Please don't DM me": the few words right before `pos` forbid the thing ("don't
    miss an update: add our Snapchat" does not)."""
    return bool(_negation().search(words_before(text, pos, 5, sentence.start)))


@cache
def _negation() -> re.Pattern[str]:
    items = sorted(lexicon()["negations"], key=len, reverse=True)
    alternation = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)
    return re.compile(rf"\b(?:{alternation})\b(?!\s+(?:miss|forget)\b)[^.!?:;]*$", re.I)
