"""Helpers the rules share: is a sentence about a particular student or a small group?"""

from __future__ import annotations

import re

from smcheck.facts import Facts
from smcheck.findings import Span

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
    """The sentence names a student or a person, or points at one or a few students."""
    return bool(
        facts.text.names_in(sentence)
        or facts.text.people_in(sentence)
        or _SMALL_GROUP.search(sentence.text)
    )


def negated_before(sentence: Span, pos: int) -> bool:
    """"Please don't DM me": the words before `pos` in its sentence forbid the thing."""
    before = sentence.text[: max(0, pos - sentence.start)].casefold()
    return bool(_NEGATION.search(before))


_NEGATION = re.compile(
    r"\b(?:do\s+not|don'?t|never|avoid|should\s+not|shouldn'?t|can'?t|cannot|won'?t|"
    r"will\s+not|instead\s+of|no\s+need\s+to|please\s+no)\b[^.!?]*$"
)
