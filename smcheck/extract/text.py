"""A post's text becomes facts: sentences, names, contacts, identifiers, record words,
times and places.

The text is made canonical first (smcheck.extract.normalize): every fact's span is in
canonical characters, and `TextFacts.to_original` maps a span back to what the teacher
wrote. One spaCy pass; Presidio's AnalyzerEngine runs on that parse with the
recognizers of models/recognizers.yaml and the roster's (names, ids).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from smcheck.extract.about import About, about_sentences
from smcheck.extract.context import PARAGRAPH_BREAK, Paragraphs
from smcheck.extract.events import Event, find_events
from smcheck.extract.index import Intervals, sorted_by, starting_in
from smcheck.extract.lines import breaks
from smcheck.extract.names import FamilyName, NameMatcher, NameMention, family_names, name_parts
from smcheck.extract.normalize import Canonical, canonical
from smcheck.extract.places import Address, Place, find_places, home_addresses
from smcheck.extract.records import (
    Birthday,
    Record,
    birthdays,
    directs_to_app,
    invites_privately,
    office_line,
    tied_records,
)
from smcheck.extract.times import When, resolve
from smcheck.findings import Span

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer, RecognizerResult
    from spacy.tokens import Doc

    from smcheck.extract.parsed import Models
    from smcheck.roster import Roster

ContactKind = Literal["phone", "email"]
IdentifierKind = Literal["roster_id", "student_number", "ssn"]
RecordKind = Literal["assessment", "health", "service", "discipline", "attendance", "lunch"]


@dataclass(frozen=True, kw_only=True)
class Contact:
    kind: ContactKind
    span: Span
    office: bool = False  # a phone labelled as a school or district line
    # A disguised address read plainly ("jsmith [at] gmail [dot] com" is jsmith@gmail.com).
    address: str | None = None


@dataclass(frozen=True, kw_only=True)
class Identifier:
    kind: IdentifierKind
    span: Span
    student_id: str | None = None  # a roster id: whose


@dataclass(frozen=True, kw_only=True)
class Term:
    """A word or phrase a recognizer found: an ephemeral app, a private-message invitation."""

    span: Span


@dataclass(frozen=True, kw_only=True)
class TextFacts:
    text: str  # canonical: every span below is in its characters
    sentences: tuple[Span, ...] = ()
    names: tuple[NameMention, ...] = ()
    people: tuple[Span, ...] = ()  # full names of people not on the roster or staff
    contacts: tuple[Contact, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    # Record words tied to a student or a small group, and students' birth dates.
    records: tuple[Record, ...] = ()
    birthdays: tuple[Birthday, ...] = ()
    # Snapchat and anonymous apps the post sends people to (not a lesson about them).
    apps: tuple[Term, ...] = ()
    # Invitations to DMs and texts ("DM me", "text me", "my cell"), not forbidden ones.
    private_channels: tuple[Term, ...] = ()
    about: tuple[About, ...] = ()  # who each sentence is about
    events: tuple[Event, ...] = ()  # activities and whereabouts, with who, where and when
    addresses: tuple[Address, ...] = ()  # street addresses tied to a home or family
    # One entry a sentence, in order: "past", "present" or "future".
    tenses: tuple[str, ...] = ()
    whens: tuple[When, ...] = ()
    places: tuple[Place, ...] = ()
    # Single first names of people not on the roster ("Jordan"), for whereabouts.
    first_names: tuple[Span, ...] = ()
    # Families named by a student's surname ("the Okoye family"): a first name elsewhere
    # in the post makes it the student's full name.
    families: tuple[FamilyName, ...] = ()
    source: Canonical | None = field(default=None, compare=False, repr=False)

    def to_original(self, span: Span) -> Span:
        """The span as the teacher wrote it (the canonical text may differ)."""
        if self.source is None or self.source.identical:
            return span
        start, end = self.source.original_span(span.start, span.end)
        return Span(start=start, end=end, text=self.source.original[start:end])

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


def _sentences(text: str, doc_sents: list[tuple[int, int]]) -> tuple[Span, ...]:
    """spaCy's sentences, also split at line breaks that end a line's thought (a list
    item, a heading, a blank line, a line ending in punctuation or an emoji); wrapped
    lines stay one."""
    out: list[Span] = []
    for start, end in doc_sents:
        pos = start
        for at, nxt in breaks(text, start, end):
            _add(out, text, pos, at)
            pos = nxt
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


def _tenses(text: str, doc: Doc, sentences: Sequence[Span]) -> tuple[str, ...]:
    """Each sentence's tense. A line without a verb (a list item, a heading) takes the
    tense of the sentence before it in its paragraph: a recap's list is past."""
    own = [_tense(doc, s) for s in sentences]
    out: list[str] = []
    for i, s in enumerate(sentences):
        tense = own[i]
        if tense == "none":
            same = i > 0 and "\n\n" not in text[sentences[i - 1].end:s.start]
            # A heading takes the tense of what it heads: "Our Trip to the Art Museum"
            # over "Last Thursday our fourth graders took the MAX downtown..."
            ahead = next((t for t in own[i + 1:i + 4] if t != "none"), "present")
            tense = out[-1] if same else ahead
        out.append(tense)
    return tuple(out)


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
    if not past and not present and not any(t.startswith("VB") for t in tags):
        return "none"  # no verb: see _tenses
    # "We visited the zoo and saw the lions" is over; "students who signed up leave
    # at 9:15" is not: the past verb of a clause does not outweigh the main one.
    return "past" if past > present else "present"


@dataclass
class _Found:
    """What the recognizers found, sorted into the facts they make."""

    names: list[NameMention] = field(default_factory=list)
    people: list[Span] = field(default_factory=list)
    first_names: list[Span] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    records: list[tuple[str, Span]] = field(default_factory=list)
    apps: list[Term] = field(default_factory=list)
    private: list[Term] = field(default_factory=list)


def _sort(text: str, results: Sequence[RecognizerResult], roster: Roster) -> _Found:
    from smcheck.extract.recognizers import ENTITY_KINDS, FIRST_NAME, PERSON_NAME, STUDENT_NAME

    found = _Found()
    for r in results:
        span = Span(start=r.start, end=r.end, text=text[r.start:r.end])
        meta = r.recognition_metadata or {}
        if r.entity_type == STUDENT_NAME:
            students = tuple(s for s in map(roster.by_id, meta["students"]) if s is not None)
            found.names.append(NameMention(span=span, students=students, kind=meta["kind"],
                                           via=meta["via"]))
        elif r.entity_type == PERSON_NAME:
            found.people.append(span)
        elif r.entity_type == FIRST_NAME:
            found.first_names.append(span)
        elif r.entity_type in ENTITY_KINDS:
            group, kind = ENTITY_KINDS[r.entity_type]
            if group == "contact":
                found.contacts.append(Contact(kind=kind, span=span,  # type: ignore[arg-type]
                                              address=meta.get("address")))
            elif group == "identifier":
                found.identifiers.append(Identifier(kind=kind, span=span,  # type: ignore[arg-type]
                                                    student_id=meta.get("student_id")))
            elif group == "record":
                found.records.append((kind, span))
            elif group == "app":
                found.apps.append(Term(span=span))
            else:
                found.private.append(Term(span=span))
    # A phone number inside an email address is the address's.
    emails = [c.span for c in found.contacts if c.kind == "email"]
    found.contacts = [c for c in found.contacts if c.kind == "email" or not any(
        e.start <= c.span.start < e.end for e in emails)]
    return found


def _resolved(names: list[NameMention]) -> list[NameMention]:
    """A first name several students share, made one student's when the post names one
    of them in full ("Eli Castro ... Eli"). Anything else stays ambiguous: the SPEC makes
    it N102's warning for a person to decide."""
    full = {s.id for m in names if m.kind == "full" for s in m.students}
    out = []
    for m in names:
        if len(m.students) > 1 and m.kind != "full":
            named = [s for s in m.students if s.id in full]
            if len(named) == 1:
                m = replace(m, students=(named[0],))
        out.append(m)
    return out


def _with_families(names: list[NameMention], families: Sequence[FamilyName]) -> list[NameMention]:
    """"The Okoye family welcomed a baby brother for Marcus": a first name and the
    family's surname elsewhere in the post are the student's full name."""
    if not names or not families:
        return names
    ids = {f.student.id for f in families}
    out = []
    for m in names:
        if m.kind != "full":
            given = [s for s in m.students if s.id in ids]
            if len(given) == 1:
                m = replace(m, students=(given[0],), kind="full", via="family")
        out.append(m)
    return out


def extract_text(
    original: str, engines: Models, matcher: NameMatcher,
    recognizers: Sequence[EntityRecognizer], now: datetime | None = None,
    public_event: bool = False,
) -> TextFacts:
    source = canonical(original, matcher)
    text = source.text
    parsed = engines.parse(text)
    doc = parsed.doc
    found = _sort(text, engines.analyze(parsed, recognizers), matcher.roster)
    families = family_names(text, matcher)
    names = _resolved(_with_families(found.names, families))
    sentences = _sentences(text, [(s.start_char, s.end_char) for s in doc.sents])
    sentence_of = _sentence_lookup(sentences)
    tenses = _tenses(text, doc, sentences)
    whens: list[When] = []
    places: list[Place] = []
    contact_spans = Intervals((c.span.start, c.span.end) for c in found.contacts)
    for sentence, tense in zip(sentences, tenses, strict=True):
        if now is not None:
            whens.extend(
                w for w in resolve(sentence.text, sentence.start, now, tense == "past")
                if not contact_spans.covers(w.span.start)
            )
        places.extend(find_places(text, doc, sentence.start, sentence.end))
    names = sorted(names, key=lambda n: n.span.start)
    people = sorted(found.people, key=lambda p: p.start)
    paragraphs = [0, *(m.end() for m in PARAGRAPH_BREAK.finditer(text))]
    about = about_sentences(text, sentences, names, people, paragraphs)
    by_paragraph = Paragraphs(text, paragraphs)
    index = {span.start: sentence_of(span.start) for _, span in found.records}
    records = tied_records(text, found.records, sentences, about,
                           {k: v for k, v in index.items() if v is not None},
                           lambda span: _subject_students(doc, span, names),
                           [n.span.start for n in names])
    born = birthdays(text, sentences, about, whens)

    def around(span: Span) -> Span:
        i = sentence_of(span.start)
        return sentences[i] if i is not None else Span(start=0, end=len(text), text=text)

    not_places = [(i.span.start, i.span.end) for i in found.identifiers] + \
        [(c.span.start, c.span.end) for c in found.contacts]
    surnames = {name_parts(f.student.last_name)[0]: f.student.id for f in families}
    events = find_events(text, doc, sentences, tenses, whens, places, names,
                         found.first_names, people, by_paragraph, public_event, not_places,
                         surnames)

    def named_in(s: Span) -> list[str | None]:
        return [n.student.id if n.student is not None else None
                for n in names if s.start <= n.span.start < s.end] + \
            [None for p in people if s.start <= p.start < s.end]

    addresses = home_addresses(text, sentences, places, named_in, matcher.surname_ids,
                               [n.students[0].id for n in names if n.student is not None])
    contacts = [replace(c, office=c.kind == "phone" and office_line(text, c.span,
                                                                    around(c.span)))
                for c in found.contacts]
    apps = [a for a in found.apps if directs_to_app(text, a.span, around(a.span),
                                                    by_paragraph)]
    private = [p for p in found.private if invites_privately(text, p.span, around(p.span),
                                                             by_paragraph)]
    return TextFacts(
        text=text,
        source=source,
        sentences=sentences,
        first_names=tuple(found.first_names),
        names=tuple(names),
        people=tuple(people),
        contacts=tuple(contacts),
        identifiers=tuple(found.identifiers),
        records=tuple(records),
        birthdays=tuple(born),
        apps=tuple(apps),
        private_channels=tuple(private),
        about=about,
        events=tuple(events),
        addresses=tuple(addresses),
        tenses=tenses,
        whens=tuple(whens),
        places=tuple(places),
        families=tuple(families),
    )


def _subject_students(doc: Doc, span: Span, names: Sequence[NameMention]) -> tuple[str, ...]:
    """The roster students who are the subject of the clause a record's words are in."""
    from smcheck.extract.events import _clause, _subject

    tokens = doc.char_span(span.start, span.end, alignment_mode="expand")
    if not tokens:
        return ()
    clause = _clause(tokens[0])
    subject = _subject(clause)
    for _ in range(3):
        # "Georgia grabbed 9 boards after sitting out the first half for ...": a clause
        # without a subject of its own (a gerund, a participle) has its verb's.
        if subject or clause.head.i == clause.i:
            break
        clause = _clause(clause.head)
        subject = _subject(clause)
    if not subject:
        return ()
    lo, hi = subject[0].idx, subject[-1].idx + len(subject[-1].text)
    sentence = tokens[0].sent
    named = [n for n in names if n.student is not None
             and sentence.start_char <= n.span.start < sentence.end_char]
    owners = [n for n in named if lo <= n.span.start < hi]
    # Narrow only when every other name belongs to another clause ("..., so Elena will
    # partner with Lydia"); a parse that lost the subject keeps them all.
    others = [n for n in named if n not in owners]
    if not owners or not all(_other_verb_clause(doc, n.span.start, clause.i) for n in others):
        return ()
    return tuple(dict.fromkeys(n.students[0].id for n in owners))


def _other_verb_clause(doc: Doc, pos: int, clause: int) -> bool:
    """Is the word at pos in the clause of another verb than the token `clause`?"""
    from smcheck.extract.events import _clause

    tokens = doc.char_span(pos, pos + 1, alignment_mode="expand")
    if not tokens:
        return False
    own = _clause(tokens[0])
    return own.i != clause and own.pos_ in ("VERB", "AUX")


def _sentence_lookup(sentences: Sequence[Span]) -> Callable[[int], int | None]:
    starts = [s.start for s in sentences]

    def index(pos: int) -> int | None:
        i = bisect_right(starts, pos) - 1
        return i if i >= 0 and pos < sentences[i].end else None

    return index
