"""Helpers the rules share: is a sentence about a particular student or a small group?"""

from __future__ import annotations

import re

from smcheck.facts import Facts
from smcheck.findings import Span
from smcheck.roster import Student

_NUM = r"(?:a|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few|few|several|some|\d{1,2})"
_KIDS = (r"(?:students?|kids?|children|child|boys?|girls?|kiddos?|scholars?|learners?|"
         r"players?|athletes?|classmates?|friends?|members?)")
# A particular student or a small group, not "our students" or "the class".
_SMALL_GROUP = re.compile(
    rf"\b{_NUM}\s+(?:of\s+(?:my|our|the|these)\s+)?(?:\w+\s+)?{_KIDS}\b"
    rf"|\b(?:this|that|a|one|my|our)\s+(?:\w+\s+)?(?:student|kid|child|boy|girl|player)\b"
    r"|\b(?:he|she|him|his|hers|her)\b"
    r"|\bmy\s+(?:son|daughter)\b",
    re.I,
)


def tied_to_student(facts: Facts, sentence: Span) -> bool:
    """The sentence names a student or a person, or points at one or a few students ("she",
    "two of my students", "you" right after a name: "Welcome back, Sofia! We missed you
    while you were in the hospital.")."""
    if facts.text.names_in(sentence) or facts.text.people_in(sentence):
        return True
    if _SMALL_GROUP.search(sentence.text):
        return True
    before = previous_sentence(facts, sentence)
    return before is not None and bool(re.search(r"\byou\b", sentence.text, re.I)) and bool(
        facts.text.names_in(before))


def previous_sentence(facts: Facts, sentence: Span) -> Span | None:
    """The sentence before, if it is in the same paragraph."""
    sentences = facts.text.sentences
    i = facts.text.sentence_index(sentence)
    if not i:
        return None
    gap = facts.text.text[sentences[i - 1].end:sentence.start]
    return sentences[i - 1] if "\n\n" not in gap.replace("\r", "") else None


def student_of(facts: Facts, sentence: Span) -> Student | None:
    """The one student a sentence (or, for "you", the one before it) is about, if clear."""
    names = facts.text.names_in(sentence)
    if not names:
        before = previous_sentence(facts, sentence)
        names = facts.text.names_in(before) if before is not None else []
    students = {n.student.id: n.student for n in names if n.student is not None}
    return next(iter(students.values())) if len(students) == 1 else None


def negated_before(sentence: Span, pos: int) -> bool:
    """"Please don't DM me": the words before `pos` in its sentence forbid the thing."""
    before = sentence.text[: max(0, pos - sentence.start)].casefold()
    return bool(_NEGATION.search(before))


_NEGATION = re.compile(
    r"\b(?:do\s+not|don'?t|never|avoid|should\s+not|shouldn'?t|can'?t|cannot|won'?t|"
    r"will\s+not|instead\s+of|no\s+need\s+to|please\s+no)\b[^.!?]*$"
)


def sub_span(sentence: Span, start: int, end: int) -> Span:
    """Characters [start, end) of a sentence, as a span of the whole post."""
    return Span(start=sentence.start + start, end=sentence.start + end,
                text=sentence.text[start:end])
