"""Where a post puts students: named places, venues, street addresses."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smcheck.extract.context import words_before
from smcheck.extract.index import entities, starting_in
from smcheck.extract.normalize import fold
from smcheck.findings import Span
from smcheck.lexicon import phrase_pattern, words

if TYPE_CHECKING:
    from spacy.tokens import Doc

_SUFFIX = (r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Court|Ct|Way|"
           r"Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Loop|Trail|Trl|Crescent|"
           r"Square|Sq|Alley|Row)")
ADDRESS = re.compile(
    rf"\b\d{{1,6}}[A-Za-z]?\s+(?:(?:[NSEW]|NE|NW|SE|SW|North|South|East|West)\.?\s+)?"
    rf"(?:[A-Z0-9][\w'.]*\s+){{1,3}}{_SUFFIX}\b\.?"
    rf"(?:\s+(?:NE|NW|SE|SW|N|S|E|W)\b)?(?:,?\s*(?:Apt\.?|Apartment|Unit|#)\s*\w+)?"
)

_VENUE = (r"(?:Park|Museum|Zoo|Stadium|Field|Fields|Center|Centre|Arena|Aquarium|Library|"
          r"Theater|Theatre|Hall|Gym|Beach|Lake|Farm|Mountain|Trail|Hospital|Station|Airport|"
          r"Capitol|Courthouse|Pool|Rink|Observatory|Planetarium|Garden|Gardens|Pavilion|"
          r"Auditorium|High\s+School|Middle\s+School|Elementary|Academy|Campus|Complex|Bowl|"
          r"Square|Market|Mall|Island|Falls|Creek|River|Forest|Reserve|Preserve|Refuge|Coliseum|"
          r"Fairgrounds|Speedway|Lanes|Church|Temple|Cathedral|University|College|Clinic)")
_NAMED_VENUE = re.compile(
    rf"\b(?:(?:[A-Z][\w'.&-]*|of|the)\s+){{0,4}}[A-Z][\w'.&-]*\s+{_VENUE}\b"
    r"|\b(?:Mt\.?|Mount)\s+[A-Z][\w'-]+\b"
)
_GENERIC_VENUE = re.compile(
    r"\b(?:the\s+)?(?:front\s+|back\s+|north\s+|south\s+|east\s+|west\s+|main\s+|"
    r"public\s+|city\s+|county\s+|local\s+|neighborhood\s+|neighbourhood\s+)?"
    r"(?:park|zoo|museum|aquarium|fire\s+station|police\s+station|pumpkin\s+patch|beach|farm|"
    r"hospital|parking\s+lot|bus\s+loop|bus\s+circle|trailhead|stadium|arena|ice\s+rink|"
    r"skating\s+rink|pool|theater|theatre|planetarium|science\s+center|nature\s+center|"
    r"community\s+center|airport|train\s+station|courthouse|capitol|mall|library|gym|"
    r"field(?!\s+(?:trips?|day|days))|"
    r"entrance|front\s+doors?|flagpole|campground|lodge|cabin|dock)\b",
    re.I,
)
# "heading to Bend", "trip to Salem": a capitalised name after travel words is a place.
_TRAVEL_TO = re.compile(
    r"\b(?:heading|headed|head|travel(?:s|ing|ling)?|trip|going|goes|go|leaves?|leaving|"
    r"drive|driving|fly|flying|bus(?:es)?|off|road\s+trip|mov(?:e|es|ed|ing)|"
    r"relocat(?:e|es|ed|ing))\s+(?:to|for)\s+"
    r"(?P<place>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})\b")
# "at the Hilton", "in Eugene": a capitalised name after at/in, when NER says nothing.
_AT_NAME = re.compile(r"(?:\b(?:at|in)|(?<!\S)@)\s+(?:the\s+)?"
                      r"(?P<place>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,3})"
                      r"(?!['\u2019]s\s+(?:class|room))")
_NOT_PLACES = {"math", "science", "english", "spanish", "reading", "writing", "art", "music",
               "pe", "history", "social", "class", "room", "grade", "kindergarten", "first",
               "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "morning",
               "afternoon", "evening", "fall", "spring", "summer", "winter", "honor", "honors",
               "advanced", "our", "my", "your", "their", "his", "her", "zoom", "person",
               "google", "canvas", "seesaw"}
# An organisation is a place where one goes ("at OMSI", "visit the Audubon Society"),
# not one that is joined ("in Math Club").
_PLACE_PREPOSITION = re.compile(
    r"\b(?:at|to|from|near|visit|visiting|visits|toward|towards|outside|inside)\s+"
    r"(?:the\s+)?$", re.I)


_SCHOOL_ACRONYM = re.compile(r"[A-Z]{2,6}\s+\S.*")
_AGAINST = re.compile(r"\b(?:vs\.?|versus|v\.)\s+$", re.I)

# An event's name is not a place: "at the Winter Concert", "in the Spelling Bee".
_EVENT_WORD = re.compile(r"concerts?|shows?|games?|meets?|bees?|fairs?|nights?|assembly|"
                         r"recitals?|performances?|tournaments?|banquets?|dances?|festivals?|"
                         r"parades?|sales?|drives?|days?|weeks?|competitions?|contests?")


@dataclass(frozen=True, kw_only=True)
class Place:
    span: Span
    kind: str  # "address", "named" (a proper name), "generic" ("the park"), "school"

    @property
    def specific(self) -> bool:
        """A place outside the school that someone could go to."""
        return self.kind in ("address", "named")


def find_places(text: str, doc: Doc, start: int, end: int) -> list[Place]:
    """The places in text[start:end] (one sentence), longest first where they overlap."""
    sentence = text[start:end]
    found: list[Place] = []

    def add(s: int, e: int, kind: str) -> None:
        s, e = start + s, start + e
        if any(p.span.start < e and s < p.span.end for p in found):
            return
        if _AGAINST.search(text, max(0, s - 10), s):
            return  # "Wrestling vs. Union": the other team, not a place
        words = text[s:e]
        bare = re.sub(r"^(?:the|our|my)\s+", "", words.strip())
        if kind != "address" and phrase_pattern("school_places").fullmatch(bare.casefold()):
            kind = "school"
        elif kind == "named" and _SCHOOL_ACRONYM.fullmatch(bare) and \
                phrase_pattern("school_initials_places").fullmatch(
                    bare.split(maxsplit=1)[1].casefold()):
            kind = "school"  # "CVHS Pool", "LHS Gym": the school's own, by its initials
        found.append(Place(span=Span(start=s, end=e, text=words), kind=kind))

    for m in ADDRESS.finditer(sentence):
        add(m.start(), m.end(), "address")
    for m in _NAMED_VENUE.finditer(sentence):
        add(m.start(), m.end(), "named")
    ents, ent_starts = entities(doc)
    for ent in starting_in(ents, ent_starts, start, end):
        if ent.end_char > end:
            continue
        before = text[max(start, ent.start_char - 14):ent.start_char]
        if ent.text.split()[0].casefold() in _NOT_PLACES:
            continue  # "Math Club", "Spanish"
        if _EVENT_WORD.fullmatch(ent.text.split()[-1].casefold()):
            continue  # "at the Winter Concert": an event's name, not where it is
        if ent.label_ in ("GPE", "LOC", "FAC") or (
            ent.label_ == "ORG" and _PLACE_PREPOSITION.search(before)
        ):
            add(ent.start_char - start, ent.end_char - start, "named")
    for m in _TRAVEL_TO.finditer(sentence):
        if m.group("place").split()[0].casefold() not in words("adult_titles"):
            add(m.start("place"), m.end("place"), "named")  # not "going to Grandma's"
    skip = _NOT_PLACES | words("not_surnames") | words("adult_titles")
    for m in _AT_NAME.finditer(sentence):
        if re.search(r"\b(?:part|participate|participating|participated|involved|enrolled|"
                     r"interested|believe|believes)\s+$", sentence[:m.start()]):
            continue  # "taking part in Hoops for Heart": an activity, not a place
        first, last = m.group("place").split()[0].casefold(), m.group("place").split()[-1]
        if first not in skip and not _EVENT_WORD.fullmatch(last.casefold()):
            add(m.start("place"), m.end("place"), "named")  # not "at the Winter Concert"
    for m in _GENERIC_VENUE.finditer(sentence):
        add(m.start(), m.end(), "generic")
    for m in re.finditer(r"\b(?:room|rm\.?)\s+\d+\b|\bour\s+(?:school|classroom|class)\b",
                         sentence, re.I):
        add(m.start(), m.end(), "school")
    return sorted(found, key=lambda p: p.span.start)


@dataclass(frozen=True, kw_only=True)
class Address:
    """A street address tied to a home or family (L202), and whose it is when the post
    says: a student named in its sentence, or the one roster student whose family
    ("the Nguyen family") the post names."""

    span: Span
    sentence: Span
    student_id: str | None


def home_addresses(text: str, sentences: Sequence[Span], places: Sequence[Place],
                   named_in: Callable[[Span], Sequence[str | None]],
                   families: Mapping[str, str], post_students: Sequence[str]) -> list[Address]:
    """Addresses in a sentence with home or family words (home, house, lives, family,
    mom, pick up...), or with a named person and no venue word just before the address
    ("the school is at", "the library at"), whose addresses are public."""
    homes = phrase_pattern("home_words")
    venues = phrase_pattern("venue_words")
    out: list[Address] = []
    starts = [s.start for s in sentences]
    for place in places:
        if place.kind != "address":
            continue
        i = bisect_right(starts, place.span.start) - 1
        if i < 0:
            continue
        sentence = sentences[i]
        home = homes.search(text, sentence.start, sentence.end)
        named = named_in(sentence)
        venue = venues.search(words_before(text, place.span.start, 6, sentence.start))
        if not (home or (named and not venue)):
            continue
        span = place.span
        if span.text.endswith(".") and len(span.text.rstrip(".").split()[-1]) > 4:
            # "Street." ends the sentence; "St." is the street.
            span = Span(start=span.start, end=span.end - 1, text=span.text[:-1])
        ids = [n for n in named if n is not None]
        student = ids[0] if len(set(ids)) == 1 else None
        if student is None and not named and len(set(post_students)) == 1:
            student = post_students[0]  # "their relatives' home at...": the post's student
        if student is None:
            for m in _FAMILY.finditer(text, sentence.start, sentence.end):
                student = families.get(fold(m.group(1) or m.group(2)))
                if student is not None:
                    break
        out.append(Address(span=span, sentence=sentence, student_id=student))
    return out


_FAMILY = re.compile(r"\b[Tt]he\s+([A-Z][\w'\u00c0-\u024f-]+?)(?:s|es)?\s+family\b"
                     r"|\b[Tt]he\s+([A-Z][\w'\u00c0-\u024f-]+?)(?:s|es)'?(?=[\s,.!?]|$)")
