"""Who each sentence is about: a particular student (or a few), or nobody in particular.

An education record or a birthday is only a problem when it is tied to a student or a
small group: "Amara scored 95% on the state test", "two of my students", "she"; not
"our class average", "the team", "92% of our 3rd graders". A pronoun counts when the
person it stands for is a student, not "Ms. Holt" of the sentence before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from smcheck.extract.names import NameMention, is_title_before
from smcheck.findings import Span
from smcheck.lexicon import lexicon, phrase_pattern, words


@dataclass(frozen=True, kw_only=True)
class About:
    """Who one sentence is about."""

    individual: bool  # a named student or person, a small group, or a pronoun for one
    students: tuple[str, ...] = ()  # roster ids it names (or, for "you"/"she", the one before)


@cache
def _small_group() -> re.Pattern[str]:
    numbers = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in lexicon()["small_numbers"])
    kids = "|".join(re.escape(w) for w in lexicon()["student_nouns"])
    return re.compile(
        rf"\b(?:{numbers}|\d{{1,2}})\s+(?:of\s+(?:my|our|the|these)\s+)?(?:[\w-]+\s+)?(?:{kids})\b"
        rf"|\b(?:this|that|a|one|my|our)\s+(?:[\w-]+\s+)?(?:student|kid|child|boy|girl|player|"
        rf"athlete|scholar|learner|kiddo)\b"
        r"|\bmy\s+(?:son|daughter)\b", re.I)


_PRONOUN = re.compile(r"\b(?:he|she|him|his|hers|her|he's|she's)\b", re.I)
_YOU = re.compile(r"\byou\b", re.I)
_TITLED = re.compile(r"\b[A-Z][a-z'\-]+")


def _adult_named(text: str, sentence: Span) -> bool:
    """A titled adult in the sentence: "Ms. Holt broke her wrist" is about an adult."""
    titles = words("adult_titles")
    for m in _TITLED.finditer(text, sentence.start, sentence.end):
        if is_title_before(text, m.start(), titles):
            return True
    return False


_TITLE_CHARS = 80


def _role_named(text: str, sentence: Span) -> bool:
    """An adult by role in the sentence: "our coach had surgery" is not the student the
    post's title names."""
    return bool(phrase_pattern("adult_roles").search(text, sentence.start, sentence.end))


def about_sentences(text: str, sentences: Sequence[Span], names: Sequence[NameMention],
                    people: Sequence[Span], paragraph_breaks: Sequence[int]) -> tuple[About, ...]:
    """One About for each sentence. `paragraph_breaks` are the starts of paragraphs: a
    pronoun or "you" reaches back to the sentence before only inside a paragraph."""
    from bisect import bisect_left, bisect_right

    name_starts = [n.span.start for n in names]
    people_starts = [p.start for p in people]

    def named(s: Span) -> list[NameMention]:
        return list(names[bisect_left(name_starts, s.start):bisect_left(name_starts, s.end)])

    def persons(s: Span) -> list[Span]:
        return list(people[bisect_left(people_starts, s.start):
                           bisect_left(people_starts, s.end)])

    def same_paragraph(a: Span, b: Span) -> bool:
        return bisect_right(paragraph_breaks, a.start) == bisect_right(paragraph_breaks, b.start)

    # A post whose title names one student ("#TobiasStrong", "Congrats, Maya!") is about
    # that student: "he" and "our teammate" further down with nobody named before them.
    title_end = paragraph_breaks[1] if len(paragraph_breaks) > 1 else len(text)
    title_ids: tuple[str, ...] = ()
    if text[:title_end].strip() and len(text[:title_end].strip()) <= _TITLE_CHARS and \
            "\n" not in text[:title_end].strip():
        in_title = tuple(dict.fromkeys(
            n.students[0].id for n in names if n.span.start < title_end and n.student))
        title_ids = in_title if len(in_title) == 1 else ()
    out: list[About] = []
    for i, s in enumerate(sentences):
        here = named(s)
        ids = tuple(dict.fromkeys(n.students[0].id for n in here if n.student is not None))
        if here or persons(s) or _small_group().search(text, s.start, s.end):
            out.append(About(individual=True, students=ids))
            continue
        before = sentences[i - 1] if i and same_paragraph(sentences[i - 1], s) else None
        before_names = named(before) if before is not None else []
        before_ids = tuple(dict.fromkeys(
            n.students[0].id for n in before_names if n.student is not None))
        if _YOU.search(text, s.start, s.end) and before_names:
            # "Welcome back, Sofia! We missed you while you were in the hospital."
            out.append(About(individual=True, students=before_ids))
            continue
        if _PRONOUN.search(text, s.start, s.end) and not _adult_named(text, s) and not (
                before is not None and _adult_named(text, before) and not before_names):
            if not before_ids and _role_named(text, s):
                out.append(About(individual=False))  # "Our coach had surgery on his knee"
                continue
            by_title = title_ids if s.start >= title_end and before is None else ()
            out.append(About(individual=True, students=before_ids or by_title))
            continue
        out.append(About(individual=False))
    return tuple(out)
