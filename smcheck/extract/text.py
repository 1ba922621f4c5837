"""A post's text becomes facts: sentences, roster names, other people, contacts.

One spaCy pass per post, shared by the name matcher and NER.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from smcheck.extract.index import Intervals, sorted_by, starting_in
from smcheck.extract.names import (
    NameMatcher,
    NameMention,
    is_first_name,
    person_names,
    tokenize,
    with_text,
)
from smcheck.extract.places import Place, find_places
from smcheck.extract.times import When, resolve
from smcheck.findings import Span

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from smcheck.engines import Engines


@dataclass(frozen=True, kw_only=True)
class Contact:
    kind: str  # "phone" or "email"
    span: Span


@dataclass(frozen=True, kw_only=True)
class TextFacts:
    text: str
    sentences: tuple[Span, ...]
    names: tuple[NameMention, ...]
    people: tuple[Span, ...]  # full names of people not on the roster or staff
    contacts: tuple[Contact, ...]
    # One entry a sentence, in order: "past", "present" or "future".
    tenses: tuple[str, ...] = ()
    whens: tuple[When, ...] = ()
    places: tuple[Place, ...] = ()
    # Single first names of people not on the roster ("Jordan"), for whereabouts.
    first_names: tuple[Span, ...] = ()

    def tense_of(self, sentence: Span) -> str:
        i = self.sentence_index(sentence)
        return self.tenses[i] if i is not None and i < len(self.tenses) else "present"

    def whens_in(self, sentence: Span) -> list[When]:
        return starting_in(*self._whens, sentence.start, sentence.end)

    def first_names_in(self, sentence: Span) -> list[Span]:
        return starting_in(*self._first_names, sentence.start, sentence.end)

    def places_in(self, sentence: Span) -> list[Place]:
        return starting_in(*self._places, sentence.start, sentence.end)

    # Lookups by position, sorted once: rules ask them of every sentence (see index.py).
    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s.start for s in self.sentences]

    @cached_property
    def _names(self) -> tuple[tuple[NameMention, ...], list[int]]:
        return sorted_by(self.names, lambda n: n.span.start)

    @cached_property
    def _people(self) -> tuple[tuple[Span, ...], list[int]]:
        return sorted_by(self.people, lambda p: p.start)

    @cached_property
    def _whens(self) -> tuple[tuple[When, ...], list[int]]:
        return sorted_by(self.whens, lambda w: w.span.start)

    @cached_property
    def _places(self) -> tuple[tuple[Place, ...], list[int]]:
        return sorted_by(self.places, lambda p: p.span.start)

    @cached_property
    def _first_names(self) -> tuple[tuple[Span, ...], list[int]]:
        return sorted_by(self.first_names, lambda n: n.start)

    def sentence_index(self, sentence: Span) -> int | None:
        i = bisect_left(self._sentence_starts, sentence.start)
        return i if i < len(self.sentences) and self.sentences[i] == sentence else None

    def sentence_at(self, pos: int) -> Span:
        i = bisect_right(self._sentence_starts, pos) - 1
        if i >= 0 and pos < self.sentences[i].end:
            return self.sentences[i]
        return Span(start=0, end=len(self.text), text=self.text)

    def names_in(self, sentence: Span) -> list[NameMention]:
        return starting_in(*self._names, sentence.start, sentence.end)

    def people_in(self, sentence: Span) -> list[Span]:
        return starting_in(*self._people, sentence.start, sentence.end)


# Most posts have no run of digits and no "@": no need to ask phonenumbers.
_CONTACT_HINT = re.compile(r"@|\d[\d\s().\-]{5,}\d")


_LINE_BREAK = re.compile(r"\n\s*")


def _breaks_sentence(text: str, at: int, end: int) -> bool:
    """Is the line break at `at` a sentence break? Not when a sentence is wrapped."""
    before = text[:at].rstrip(" \t")
    after = text[end:]
    if not before or not after:
        return True
    if text[at:end].count("\n") > 1:
        return True  # a blank line
    if before[-1].isalnum() or before[-1] in ",;(&-\u2013":
        # The line ends mid-sentence, unless the next one is a list item.
        return bool(re.match(r"[-*\u2022#>]|\d+[.)]\s", after))
    return True


def _sentences(text: str, doc_sents: list[tuple[int, int]]) -> tuple[Span, ...]:
    """spaCy's sentences, also split at line breaks that end a line's thought (a list
    item, a blank line, a line ending in punctuation or an emoji); wrapped lines stay one."""
    out: list[Span] = []
    for start, end in doc_sents:
        pos = start
        for m in _LINE_BREAK.finditer(text, start, end):
            if _breaks_sentence(text, m.start(), m.end()):
                _add(out, text, pos, m.start())
                pos = m.end()
        _add(out, text, pos, end)
    return tuple(out)


def _add(out: list[Span], text: str, start: int, end: int) -> None:
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Span(start=start, end=end, text=text[start:end]))


_FUTURE_WORDS = re.compile(
    r"\b(?:will|won't|'ll|shall|going\s+to|gonna|tomorrow|tonight|next|upcoming|soon|"
    r"coming\s+up|later\s+today|this\s+(?:weekend|afternoon|evening))\b", re.I)


def _tense(doc: Doc, sentence: Span) -> str:
    """Past, present or future, from the verbs and time words of one sentence."""
    if _FUTURE_WORDS.search(sentence.text):
        return "future"
    span = doc.char_span(sentence.start, sentence.end, alignment_mode="expand")
    tags = [t.tag_ for t in span] if span is not None else []
    past = tags.count("VBD")
    if re.search(r"\b(?:have|has|had)\b", sentence.text, re.I):
        past += tags.count("VBN")
    present = sum(tags.count(t) for t in ("VBZ", "VBP", "MD"))
    # "We visited the zoo and saw the lions" is over; "students who signed up leave
    # at 9:15" is not: the past verb of a clause does not outweigh the main one.
    return "past" if past > present else "present"


def extract_text(
    text: str, engines: Engines, matcher: NameMatcher, now: datetime | None = None
) -> TextFacts:
    doc = engines.parse(text)
    tokens = tokenize(text)
    mentions, strangers = matcher.find(text, tokens, doc)
    names = tuple(with_text(m, text) for m in mentions)
    roster_spans = [(m.span.start, m.span.end) for m in names]
    people = person_names(text, tokens, doc, roster_spans, matcher, strangers)
    contacts: list[Contact] = []
    if _CONTACT_HINT.search(text):
        for hit in engines.contacts(text):
            contacts.append(Contact(
                kind=hit.kind,
                span=Span(start=hit.start, end=hit.end, text=text[hit.start:hit.end]),
            ))
    sentences = _sentences(text, [(s.start_char, s.end_char) for s in doc.sents])
    tenses = tuple(_tense(doc, s) for s in sentences)
    whens: list[When] = []
    places: list[Place] = []
    contact_spans = [(c.span.start, c.span.end) for c in contacts]
    for sentence, tense in zip(sentences, tenses, strict=True):
        if now is not None:
            whens.extend(
                w for w in resolve(sentence.text, sentence.start, now, tense == "past")
                if not any(a <= w.span.start < b for a, b in contact_spans)
            )
        places.extend(find_places(text, doc, sentence.start, sentence.end))
    taken = Intervals([*roster_spans, *((p.start, p.end) for p in people)])
    first_names = tuple(
        Span(start=t.start, end=t.end, text=t.raw) for t in tokens
        if not taken.covers(t.start) and is_first_name(text, t, doc, matcher)
    )
    return TextFacts(
        text=text,
        sentences=sentences,
        first_names=first_names,
        names=names,
        people=tuple(sorted(people, key=lambda p: p.start)),
        contacts=tuple(contacts),
        tenses=tenses,
        whens=tuple(whens),
        places=tuple(places),
    )
