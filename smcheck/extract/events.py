"""Events and whereabouts: who will be where, when, doing what.

An announcement tells where children will be when it has all four: students (a
class, a team, "we", a named student; not "a naturalist will visit our classroom"),
an activity that puts them somewhere (a trip, a game, a practice, walking, swimming,
a bus leaving; not "book order closes Monday"), and when and/or where. The parse
ties a time or a place to the activity of its own clause: in "every wrestler gets a
skin check before every competition, so we are not scrambling on Thursday" nothing
happens on Thursday. Cancelled events are not schedules; an explicit date beats a
weekday (smcheck.extract.times); a student's name is never a place.

Whereabouts (L201) are the same facts without an activity: a student or a group
being, staying or spending time at a place ("Jordan is at Mary Bridge Children's
Hospital", "he's down in Eugene until Sunday"), not "Paris's dad is in the
hospital" (the dad is) nor "applying to schools in the Pacific Northwest".

Vocabulary: models/lexicon.toml, section "events".
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Literal

from smcheck.extract.context import Paragraphs, opening_end
from smcheck.extract.index import Intervals, sorted_by, starting_in, token_starts
from smcheck.extract.names import NameMention, is_title_before
from smcheck.extract.places import Place
from smcheck.extract.times import When
from smcheck.findings import Span
from smcheck.lexicon import phrase_pattern, words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

EventKind = Literal["activity", "performance", "presence"]


@dataclass(frozen=True, kw_only=True)
class Event:
    kind: EventKind
    trigger: Span  # the words that make it an event: "field trip", "leave", "is at"
    sentence: Span
    whens: tuple[When, ...]  # attached to it, of any precision
    places: tuple[Place, ...]  # attached to it, outside the school or in it
    students: tuple[str, ...] = ()  # roster students named as going or being there
    subject: Span | None = None  # who, as written (whereabouts)
    cancelled: bool = False
    public: str | None = None  # the words (or front matter) that open it to the public
    past: bool = False  # told in the past tense

    def upcoming(self, now: datetime) -> list[When]:
        """Its times that are not over at `now` and say when (not "this month")."""
        return [w for w in self.whens if w.end > now and not w.past_marker and precise(w)
                and not (self.past and (w.start <= now or w.weekday_only))]

    @property
    def outside(self) -> list[Place]:
        return [p for p in self.places if p.kind != "school"]

    @property
    def reachable(self) -> list[Place]:
        """Places outside the school a class can go to today: not "Japan" (a class that
        "visits Japan" without a date is learning about it)."""
        far = words("far_places")
        return [p for p in self.outside
                if re.sub(r"^the\s+", "", p.span.text.casefold()) not in far]


def precise(when: When) -> bool:
    """Says when students will be somewhere: a clock time, a day or a few, a weekly
    day; not "this week" or "this month"."""
    return when.has_time or when.recurring or when.end - when.start <= timedelta(days=4)


@cache
def _pattern(name: str) -> re.Pattern[str]:
    return phrase_pattern(name)


def _sentence_doc(doc: Doc, sentence: Span) -> SpacySpan | None:
    return doc.char_span(sentence.start, sentence.end, alignment_mode="expand")


def _clause(tok: Token) -> Token:
    """The verb (or root) a token's clause hangs from."""
    # spaCy makes a new Token object on each access: compare positions, never identity.
    t = tok
    while t.head.i != t.i:
        if t.pos_ in ("VERB", "AUX") and t.dep_ not in ("aux", "auxpass"):
            return t
        t = t.head
    return t


def _linked(a: Token, b: Token) -> bool:
    """Are two tokens in the same clause, or in clauses joined as one thought ("walk over
    at 3; parents pick up at 5")?"""
    ca, cb = _clause(a), _clause(b)
    if ca.i == cb.i:
        return True
    joined = {"conj", "xcomp", "ccomp", "parataxis", "advcl", "pcomp", "acl", "relcl"}
    return (ca.head.i == cb.i and ca.dep_ in joined) or (cb.head.i == ca.i and cb.dep_ in joined)


def _token_at(sent: SpacySpan, pos: int) -> Token | None:
    """The token of `sent` at character pos (or the next one); None outside the sentence."""
    if not len(sent) or pos < sent[0].idx or pos >= sent[-1].idx + len(sent[-1].text):
        return None
    # By bisection over the document's token starts, not a walk along the sentence: asked
    # for every name, time and place, and a sentence of a pasted blob may be thousands of
    # tokens long.
    doc = sent.doc
    i = bisect_right(token_starts(doc), pos) - 1  # the last token starting at or before pos
    t = doc[i]
    return t if pos < t.idx + max(1, len(t.text)) else doc[i + 1]


@dataclass(frozen=True)
class _Trigger:
    kind: EventKind
    span: Span
    token: Token
    strong: bool  # a noun that is an event by itself ("field trip"): may use the next sentence
    noun: bool  # found by its noun ("the meet"), whatever the tagger called the word


def _triggers(text: str, sent: SpacySpan, sentence: Span) -> Iterator[_Trigger]:
    not_after = words("event_noun_not_after")
    nouns: tuple[tuple[re.Pattern[str], EventKind], ...] = (
        (_pattern("event_nouns"), "activity"), (_pattern("performance_nouns"), "performance"))
    for pattern, kind in nouns:
        for m in pattern.finditer(text, sentence.start, sentence.end):
            tok = _token_at(sent, m.end() - 1)
            if tok is None or (" " not in m.group() and _verbal(tok)):
                continue  # "we invite you", "practice your lines"
            before = text[max(sentence.start, m.start() - 20):m.start()].split()
            if before and before[-1].casefold().strip("-,") in not_after:
                continue  # "card game", "spelling practice", "every competition"
            head = tok
            if any(c.dep_ == "det" and c.lower_ in ("every", "each", "any", "no")
                   for c in head.children):
                continue
            yield _Trigger(kind, Span(start=m.start(), end=m.end(), text=m.group()), tok,
                           strong=kind == "activity", noun=True)
    for m in _pattern("versus_words").finditer(text, sentence.start, sentence.end):
        before = text[sentence.start:m.start()].split()[-1:]
        after = text[m.end():sentence.end].split()[:1]
        tok = _token_at(sent, m.start())
        if tok is not None and before and after and before[0][:1].isupper() and \
                after[0][:1].isupper():
            yield _Trigger("activity", Span(start=m.start(), end=m.end(), text=m.group()), tok,
                           strong=True, noun=True)
    verbs = words("activity_verbs")
    performing = words("performance_verbs")
    for tok in sent:
        if tok.lower_ in verbs and (tok.pos_ == "VERB" or tok.tag_.startswith("VB")):
            verb_kind: EventKind = "performance" if tok.lower_ in performing else "activity"
            start = tok.idx
            yield _Trigger(verb_kind, Span(start=start, end=start + len(tok.text), text=tok.text),
                           tok, strong=False, noun=False)


def _verbal(tok: Token) -> bool:
    """Is an event noun used as a verb? "we practice daily", "invite you"; not "meet
    tomorrow at 9" (the tagger often calls a fragment's noun a verb)."""
    if tok.tag_ in ("VBD", "VBZ", "VBG", "VBN"):
        return True
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    return tok.pos_ in ("VERB", "AUX") and nxt is not None and nxt.pos_ in ("PRON", "DET")


def _subject(tok: Token) -> list[Token]:
    """The words of the subject of a verb (or of the verb it is joined to)."""
    for t in (tok, tok.head) if tok.head.i != tok.i else (tok,):
        subj = [c for c in t.children if c.dep_ in ("nsubj", "nsubjpass", "expl")]
        if subj:
            return list(subj[0].subtree)
        if t.dep_ not in ("conj", "xcomp"):
            break
    return []


def _who(trigger: _Trigger, names: Intervals, roster: Intervals,
         text: str) -> Literal["students", "visitors", "readers", "other"]:
    """Who the activity is done by."""
    if trigger.noun:
        return "students"  # "the field trip", "Saturday's meet"
    subject = _subject(trigger.token)
    if not subject:
        # "Leave school at 1:00"? An order to the reader ("Go to SchoolCafe", "Head to the
        # office") is not students going; a fragment ("Walking to the park at 1!") is.
        first = trigger.token.i == trigger.token.sent.start or (
            trigger.token.i > 0 and trigger.token.nbor(-1).lower_ in ("please", "then", "and"))
        return "readers" if trigger.token.tag_ == "VB" and first else "students"
    lowered = {t.lower_ for t in subject}
    verb = trigger.token.lower_
    # The subject's own head decides: "Ms. Lee's class walks" is the class.
    head = next((t for t in subject if t.dep_ in ("nsubj", "nsubjpass")), subject[-1])
    heads = {head.lower_} | {c.lower_ for c in head.children if c.dep_ == "conj"}
    if heads & (words("group_words") | words("vehicle_words") | {"i", "you", "he", "she",
                                                                 "they"}):
        return "students"
    if heads & words("visitor_words") or is_title_before(text, head.idx, words("adult_titles")):
        return "visitors"
    if any(names.covers(t.idx) for t in subject):
        # A roster student goes; a stranger who visits the school is a visitor ("Dan
        # Santat will visit Fernhill K-8").
        return "visitors" if verb.startswith(("visit", "come", "stop")) and not any(
            roster.covers(t.idx) for t in subject) else "students"
    if lowered & words("group_words") or lowered & words("vehicle_words"):
        return "students"
    if lowered & words("visitor_words"):
        return "visitors"
    if verb in words("contest_verbs") and any(t.pos_ == "PROPN" for t in subject):
        return "students"  # "Cedar Valley takes on Prairie", "the Cougars host Heritage"
    return "other"


def _one_student(verb: Token, roster: Intervals) -> bool:
    """Is the subject one roster student, and nobody else ("Ravi leaves", not "Ravi and the
    team leave")?"""
    subject = _subject(verb)
    named = [t for t in subject if roster.covers(t.idx)]
    others = [t for t in subject if t.lower_ in words("group_words") or t.lower_ == "and"]
    return bool(named) and not others and verb.lower_ in words("travel_verbs")


def _to_school(trigger: _Trigger, places: Sequence[Place]) -> bool:
    """The activity comes to the school: "visit our classroom", "come to the gym"."""
    return bool(places) and all(p.kind == "school" for p in places)


def find_events(text: str, doc: Doc, sentences: Sequence[Span], tenses: Sequence[str],
                whens: Sequence[When], places: Sequence[Place], names: Sequence[NameMention],
                first_names: Sequence[Span], people: Sequence[Span],
                paragraphs: Paragraphs, public_post: bool,
                not_places: Sequence[tuple[int, int]] = (),
                families: Mapping[str, str] | None = None) -> list[Event]:
    """Every activity and whereabouts the post announces, with its attached facts."""
    # A student's (or a person's) name is never the place: "Paris Young is at..." Lone
    # first names of strangers are not excluded: "Eugene" and "Austin" are cities too.
    named = Intervals([(n.span.start, n.span.end) for n in names] +
                      [(s.start, s.end) for s in people])
    roster_named = Intervals([(n.span.start, n.span.end) for n in names])
    # Nor are an id, a phone number or an address's words a place students go.
    named = Intervals([*((n.span.start, n.span.end) for n in names),
                       *((s.start, s.end) for s in people), *not_places])
    whens = [w for w in whens if not _deadline(text, w)]
    cancel = _pattern("cancel_words")
    moved = _pattern("reschedule_words")
    recap = _pattern("recap_words")
    # Times and places by position: each sentence takes its own slice (a long post has
    # thousands of sentences and of times: no rescans).
    whens = sorted(whens, key=lambda w: w.span.start)
    places = sorted(places, key=lambda p: p.span.start)
    when_starts = [w.span.start for w in whens]
    place_starts = [p.span.start for p in places]
    # Names too: a sentence's whereabouts read the names in it (and, for "he" or "she", in
    # the 400 characters before it), never the whole post's.
    by_name, name_starts = sorted_by(names, lambda n: n.span.start)
    firsts, first_starts = sorted_by(first_names, lambda s: s.start)
    persons, person_starts = sorted_by(people, lambda s: s.start)

    def whens_in(s: Span) -> list[When]:
        return whens[bisect_left(when_starts, s.start):bisect_left(when_starts, s.end)]

    def places_in(s: Span) -> list[Place]:
        return [p for p in places[bisect_left(place_starts, s.start):
                                  bisect_left(place_starts, s.end)]
                if not named.overlaps(p.span.start, p.span.end)]

    # "This week at home ... Admission: adults $6": an opening that invites the public
    # covers the post's events (games, meets, shows) at school or at an unnamed place
    # ("the CVHS pool"), not a trip ("leave for", a named place, an address).
    found = _pattern("public_event_words").search(text, 0, opening_end(text, 500))
    opening = found.group() if found else None
    out: list[Event] = []
    for i, sentence in enumerate(sentences):
        sent = _sentence_doc(doc, sentence)
        if sent is None:
            continue
        here_whens = whens_in(sentence)
        here_places = places_in(sentence)
        public = _public(sentence, paragraphs, public_post)
        past = tenses[i] == "past"
        # "Right now our 5th graders are hiking at Mt. Tabor": where they are (L201), not an
        # announcement of where they will be.
        happening = bool(_pattern("happening_now_words").search(text, sentence.start,
                                                               sentence.end))
        triggers = [] if happening else list(_triggers(text, sent, sentence))
        seen: set[int] = set()
        for trig in sorted(triggers, key=lambda t: (t.span.start, not t.strong)):
            if trig.token.i in seen:
                continue
            seen.update(t.i for t in trig.token.subtree if t.i == trig.token.i)
            who = _who(trig, named, roster_named, text)
            if who in ("readers", "other"):
                continue
            if not trig.noun and any(c.dep_ == "neg" for c in trig.token.children):
                continue  # "will not compete until their grades come up"
            t_whens = [w for w in here_whens if _attached(sent, trig, w.span)]
            t_places = [p for p in here_places if _attached(sent, trig, p.span, place=True)]
            if who == "visitors" or (trig.token.lower_.startswith("visit") and
                                     _to_school(trig, t_places)):
                continue  # a visitor coming to the class: nobody goes anywhere
            if trig.kind == "activity" and trig.token.lower_ in words(
                    "activity_verbs_need_place") and not [p for p in t_places
                                                          if p.kind != "school"]:
                continue  # "we go over our words", "play nicely at recess"
            if not trig.noun and _one_student(trig.token, roster_named) and not any(
                    t.noun for t in triggers):
                continue  # "Ravi leaves for Stuttgart": a student's own travel is where he
                # is (whereabouts, below), not a school outing
            if trig.strong and i + 1 < len(sentences) and not past:
                nxt = sentences[i + 1]
                if paragraphs.same(sentence.start, nxt.start) and tenses[i + 1] != "past" \
                        and not _has_trigger(text, doc, nxt) and not _LINE_OF_ITS_OWN.match(
                            text, nxt.start):
                    # "Field trip Friday! Please be at school by 8:15." adds the details.
                    t_whens += whens_in(nxt)
                    t_places += places_in(nxt)
            window = text[sentence.start:sentence.end]
            cancelled = bool(cancel.search(window)) and not moved.search(window)
            over = past or _past_clause(trig.token) or bool(recap.search(window))
            if re.search(r"\bno\s+(?:\w+\s+)?" + re.escape(trig.span.text.split()[-1]),
                         window, re.I):
                cancelled = True  # "no practice today", "there is no game Friday"
            if not t_whens and not over and trig.noun and not _ahead(sent, trig.token):
                t_places = []  # "thanks for a terrific conference": no announcement
            out.append(Event(kind=trig.kind, trigger=trig.span, sentence=sentence,
                             whens=tuple(t_whens), places=tuple(t_places),
                             cancelled=cancelled,
                             public=public or (opening if trig.noun and all(
                                 p.kind in ("school", "generic") for p in t_places) else None),
                             past=over))
        lo, hi = sent.start_char, sent.end_char
        out.extend(_whereabouts(text, sent, sentence, here_whens, here_places,
                                starting_in(by_name, name_starts,
                                            min(lo, sentence.start - 400), hi),
                                starting_in(firsts, first_starts, lo, hi),
                                starting_in(persons, person_starts, lo, hi),
                                past, public, families or {}))
    return out


def _attached(sent: SpacySpan, trigger: _Trigger, span: Span, place: bool = False) -> bool:
    """Is this time or place the event's? In a fragment ("Soccer practice Tuesday 3:30 at
    Lents Park") everything is. Otherwise a noun's event takes what is inside its own
    phrase ("Friday's game at Roosevelt") or what its scheduling verb carries ("the game
    is Friday", "practice starts at 3"), and a verb's event what its clause carries. A
    place must be where one goes or is ("at", "to", "in"...), or what one visits."""
    tok = _token_at(sent, span.start)
    if tok is None:
        return False
    if place and not _place_role(tok, trigger, span):
        return False
    if not any(t.pos_ in ("VERB", "AUX") for t in sent):
        return True  # a fragment: a heading, a calendar line
    trig = trigger.token
    if not trigger.noun:
        return _linked(trig, tok)
    if trig.left_edge.i <= tok.i <= trig.right_edge.i:
        return True
    clause = _clause(trig)
    if clause.i == trig.i:
        return True  # the noun is the root of a verbless clause
    if trig.dep_ == "compound" and trig.head.pos_ in ("NOUN", "PROPN") and \
            not _pattern("event_nouns").fullmatch(trig.head.lower_):
        return False  # "summer camp registration opens February 1": the registration does
    return clause.lower_ in words("schedule_verbs") and _clause(tok).i == clause.i


def _place_role(tok: Token, trigger: _Trigger, span: Span) -> bool:
    head = _np_head(tok)
    if head.idx >= span.end:
        return False  # a modifier: "the Evergreen MUN secretariat" is not Evergreen
    # The words right before say it first ("to Bend", "at the zoo"): the tagger sometimes
    # makes a town a verb ("heading to Bend").
    before = tok.nbor(-1) if tok.i > 0 else None
    if before is not None and before.lower_ in ("the", "a") and tok.i > 1:
        before = tok.nbor(-2)
    if before is not None and (before.lower_ in words("presence_prepositions")
                               or before.lower_ == "for"):
        return True
    prep = _preposition(tok)
    if prep is not None:
        return prep.lower_ in words("presence_prepositions") or prep.lower_ == "for"
    if head.dep_ in ("dobj", "attr", "appos", "ROOT", "npadvmod", "nsubj", "conj") and (
            head.head.lower_.startswith(("visit", "tour")) or head.dep_ in ("ROOT", "appos",
                                                                             "conj", "npadvmod")):
        return True  # "visit the fire station"; a fragment's place
    return head.dep_ == "nsubj" and head.head.i == trigger.token.i


def _np_head(tok: Token) -> Token:
    t = tok
    while t.head.i != t.i and t.dep_ in ("compound", "amod", "nmod", "poss", "nummod", "det",
                                          "flat", "case", "punct"):
        t = t.head
    return t


# A calendar line or list item is its own entry, not the details of the line before.
_LINE_OF_ITS_OWN = re.compile(r"\s*(?:[-*\u2022]|\d+[.)]\s|(?:mon|tues|wednes|thurs|fri|satur|sun)"
                              r"day\b|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?"
                              r"\s+\d)", re.I)


def _past_clause(tok: Token) -> bool:
    """The event's own clause tells it as done: "after spraining his ankle in Monday's
    practice", "the meet we won"."""
    clause = _clause(tok)
    if clause.tag_ == "VBD":
        return True
    if clause.tag_ in ("VBG", "VBN") and clause.head.lower_ in ("after", "since", "during"):
        return True
    return clause.tag_ == "VBG" and clause.dep_ == "pcomp" and \
        clause.head.lower_ in ("after", "since")


def _ahead(sent: SpacySpan, tok: Token) -> bool:
    """Does a sentence without a time look ahead ("we will", "is heading", a fragment)?"""
    if not any(t.pos_ in ("VERB", "AUX") for t in sent):
        return True  # a fragment: "Field trip to the pumpkin patch!"
    clause = _clause(tok)
    auxes = {c.lower_ for c in clause.children if c.dep_ in ("aux", "auxpass")}
    return bool(auxes & {"will", "'ll", "shall", "going"}) or clause.tag_ == "VBG" or \
        clause.tag_ == "MD"


def _has_trigger(text: str, doc: Doc, sentence: Span) -> bool:
    sent = _sentence_doc(doc, sentence)
    return sent is not None and any(True for _ in _triggers(text, sent, sentence))


def _public(sentence: Span, paragraphs: Paragraphs, public_post: bool) -> str | None:
    """The words that open an event to families and the public: in its paragraph (searched
    once for all its sentences), or the front matter's `public_event: true`."""
    if public_post:
        return "public_event: true"
    m = paragraphs.search(_pattern("public_event_words"), sentence.start)
    return m.group() if m else None


def _whereabouts(text: str, sent: SpacySpan, sentence: Span, whens: Sequence[When],
                 places: Sequence[Place], names: Sequence[NameMention],
                 first_names: Sequence[Span], people: Sequence[Span], past: bool,
                 public: str | None, families: Mapping[str, str]) -> Iterator[Event]:
    """A student, a person or a group placed at a place outside the school, by the verb
    of the place's own clause ("is at", "is staying at", "are hiking at")."""
    presence = words("presence_verbs")
    groups = words("group_words")
    for place in places:
        if place.kind == "school":
            continue
        tok = _token_at(sent, place.span.start)
        if tok is None:
            continue
        verb = _governing_verb(tok)
        if verb is None or verb.lower_ not in presence:
            continue  # "are learning about Mt. Hood", "is applying to schools in..."
        prep = _preposition(tok)
        if prep is not None and prep.lower_ not in words("presence_prepositions") and not (
                prep.lower_ in words("named_place_prepositions") and place.kind == "named"):
            continue
        subject = [t for t in _subject(verb) if sentence.start <= t.idx < sentence.end]
        if [t.lower_ for t in subject] in (["who"], ["that"]) and verb.dep_ == "relcl" and \
                sentence.start <= verb.head.idx < sentence.end:
            subject = [verb.head]  # "sending love to Reed, who is at Doernbecher": Reed
        if not subject:
            continue
        in_subject = {t.i for t in subject}
        who: list[Span] = []
        ids: list[str] = []
        for n in names:
            t = _token_at(sent, n.span.start)
            if t is not None and t.i in in_subject and t.dep_ != "poss" \
                    and n.span.start < place.span.start:
                who.append(n.span)
                if n.student is not None:
                    ids.append(n.student.id)
        for s in (*first_names, *people):
            t = _token_at(sent, s.start)
            # Somebody not on the roster is where they are ("Jordan is at the hospital"),
            # but one who visits or travels may be anyone ("Dan Santat will visit").
            if t is not None and t.i in in_subject and t.dep_ != "poss" and \
                    verb.lower_ not in words("travel_verbs"):
                who.append(s)
        head = subject[-1] if subject else None
        for t in subject:
            # The group is the subject itself ("our class"), not a word of it ("the student
            # ID", "our student parking lot").
            if t.lower_ in groups and t.dep_ in ("nsubj", "nsubjpass", "conj"):
                who.append(Span(start=subject[0].idx, end=t.idx + len(t.text),
                                text=text[subject[0].idx:t.idx + len(t.text)]))
                family = [families[k] for k in (u.lower_ for u in subject) if k in families]
                if t.lower_ in ("family", "families") and len(set(family)) == 1:
                    ids.append(family[0])  # "the Kowalczyk family is moving to Boise"
                break
        pronoun = next((t for t in subject if t.lower_ in ("he", "she") and
                        t.dep_ in ("nsubj", "nsubjpass")), None)
        if pronoun is not None and not who:
            before = [n for n in names if n.span.start < pronoun.idx and n.student is not None
                      and n.span.start >= sentence.start - 400]
            if before:
                who.append(Span(start=pronoun.idx, end=pronoun.idx + len(pronoun.text),
                                text=pronoun.text))
                ids.append(before[-1].students[0].id)
        if not who or head is None:
            continue
        first = min(who, key=lambda s: s.start)
        yield Event(kind="presence", trigger=Span(start=verb.idx, end=verb.idx + len(verb.text),
                                                  text=verb.text),
                    sentence=sentence, whens=tuple(whens), places=(place,),
                    students=tuple(dict.fromkeys(ids)), subject=first, public=public, past=past)


def _governing_verb(tok: Token) -> Token | None:
    """The verb a place hangs from: "is at [the zoo]", "staying at [the Hilton]"; None when
    a noun comes between ("applying to schools in [the Northwest]")."""
    t = tok
    # Up to the head of the place's own noun phrase ("Legacy Emanuel [hospital]").
    while t.head.i != t.i and t.dep_ in ("compound", "amod", "nmod", "poss", "nummod", "det",
                                          "flat", "case", "punct", "appos"):
        t = t.head
    for _ in range(4):
        if t.head.i == t.i:
            return t if t.pos_ in ("VERB", "AUX") else None
        parent = t.head
        if parent.pos_ in ("VERB", "AUX"):
            return parent
        if parent.pos_ == "ADP" or parent.dep_ == "prep" or t.dep_ == "pobj":
            t = parent
            continue
        if parent.pos_ == "ADV":  # "down in Eugene", "back at home"
            t = parent
            continue
        if parent.pos_ in ("NOUN", "PROPN") and parent.dep_ == "pobj" and t.dep_ == "prep" \
                and parent.head.lower_ == "with":
            t = parent  # "with [his grandparents] in Guadalajara": still where he is
            continue
        return None
    return None


def _deadline(text: str, when: When) -> bool:
    """"Sign up by Friday", "forms due Dec 3": a deadline, not where students will be."""
    before = text[max(0, when.span.start - 14):when.span.start].casefold()
    return bool(re.search(r"\b(?:by|due|before|deadline:?|rsvp|until|closes?|ends?)\s+"
                          r"(?:on\s+|the\s+)?$", before))


def _preposition(tok: Token) -> Token | None:
    """The preposition a place's noun phrase hangs from ("at", "in", "about")."""
    t = _np_head(tok)
    return t.head if t.dep_ == "pobj" else None
