"""L2xx: where students live and where they are."""

from __future__ import annotations

import re
from collections.abc import Iterator

from smcheck import policies as P
from smcheck.extract.normalize import fold
from smcheck.extract.places import ADDRESS, Place
from smcheck.facts import Facts
from smcheck.findings import Severity, Span
from smcheck.lexicon import phrase_pattern
from smcheck.roster import Student
from smcheck.rules.base import Context, Hit, rule
from smcheck.rules.schedule import event_at, public_words

# Who: a class, a team, a grade, "we" (a teacher with the class).
_GROUP = re.compile(
    r"\b(?:our|my|the|these|those)\s+(?:\w+\s+)?(?:\d{1,2}(?:st|nd|rd|th)[\s-]*grade(?:r)?s?|"
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|kindergarten|k)[\s-]*grade(?:r)?s?|"
    r"kindergartners|kinders|students|class|kids|kiddos|scholars|team|players|athletes|"
    r"choir|band|orchestra|seniors|juniors|sophomores|freshmen|cast|squad|club|runners|"
    r"swimmers|girls|boys|learners|readers|friends)\b"
    r"|\broom\s+\d+\b|\bwe(?:'re|\s+are|\s+will\s+be|'ll\s+be)\b",
    re.I,
)
# Being or going somewhere: "is at", "are hiking at", "will be at", "on our way to".
_LOCATIVE = re.compile(
    r"\b(?:is|are|'re|'s|am|will\s+be|'ll\s+be|be|are\s+going|is\s+going|heading|headed|"
    r"on\s+(?:our|their|the)\s+way|spending|spend|staying|stay|arrive|arriving|arrives|"
    r"leave|leaving|leaves|travel(?:ing|ling)?|going|go|hiking|camping|visiting|touring|"
    r"competing|performing|playing|swimming|skating|walking|riding|exploring|working|"
    r"currently|right\s+now)\b", re.I)
_PREPOSITION = re.compile(
    r"\b(?:at|in|to|on|inside|near|around|from)\s+(?:the\s+)?(?:[A-Z][\w'.-]*\s+){0,3}$")
_EXTERNAL_GENERIC = re.compile(
    r"park|zoo|museum|aquarium|fire\s+station|police\s+station|pumpkin\s+patch|beach|farm|"
    r"hospital|trailhead|stadium|arena|rink|pool|theat(?:er|re)|planetarium|center|airport|"
    r"train\s+station|courthouse|capitol|mall|campground|lodge|cabin|dock", re.I)


@rule(
    code="L202", name="home-address", severity=Severity.VIOLATION,
    summary="a street address tied to a student or family",
    why="A home address tells anyone where a child sleeps; with a custody concern it can "
    "lead someone straight to them.",
    example="Thanks to the Nguyen family for hosting the class picnic at 4521 SE Oak Street!",
    use_instead="Thanks to the Nguyen family for hosting our class picnic!",
    policy=(P.TACOMA_NAMES_LOCATION, P.SPPS_PRIVATE_DATA),
)
def home_address(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds a street address in a sentence that ties it to a home or family (home,
    house, lives, family, mom, pick up...) or to a named student. An address introduced as
    the school's or a public venue's, with no home words, is public."""
    homes = phrase_pattern("home_words")
    venues = phrase_pattern("venue_words")
    for sentence in facts.text.sentences:
        for m in ADDRESS.finditer(sentence.text):
            home = homes.search(sentence.text)
            named = facts.text.names_in(sentence) or facts.text.people_in(sentence)
            venue = venues.search(sentence.text[max(0, m.start() - 50):m.start()])
            if not (home or (named and not venue)):
                continue
            found = m.group()
            if found.endswith(".") and len(found.rstrip(".").split()[-1]) > 4:
                found = found[:-1]  # "Street." ends the sentence; "St." is the street
            span = Span(start=sentence.start + m.start(),
                        end=sentence.start + m.start() + len(found), text=found)
            yield Hit(span=span, student=_family_student(facts, ctx, sentence),
                      key=m.group().casefold(),
                      message="A street address tied to a student or family: remove it; share "
                              "it privately through district email if families need it.")


_FAMILY = re.compile(r"\b[Tt]he\s+([A-Z][\w'\u00c0-\u024f-]+?)(?:s|es)?\s+family\b"
                     r"|\b[Tt]he\s+([A-Z][\w'\u00c0-\u024f-]+?)(?:s|es)'?(?=[\s,.!?]|$)")


def _family_student(facts: Facts, ctx: Context, sentence: Span) -> Student | None:
    """The student of a sentence, or of "the Nguyen family" when one roster student has
    that last name."""
    names = facts.text.names_in(sentence)
    if len(names) == 1 and names[0].student is not None:
        return names[0].student
    for m in _FAMILY.finditer(sentence.text):
        surname = fold(m.group(1) or m.group(2))
        matches = [s for s in ctx.roster.students if fold(s.last_name) == surname]
        if len(matches) == 1:
            return matches[0]
    return None


def _external(place: Place) -> bool:
    return place.specific or (place.kind == "generic" and bool(
        _EXTERNAL_GENERIC.search(place.span.text)))


@rule(
    code="L201", name="student-whereabouts", severity=Severity.VIOLATION,
    summary="a named student (or my students, a class, a team) placed at a specific place "
    "now or later",
    why="Saying where a child is, or is about to be, tells a stranger or a non-custodial "
    "parent where to find them.",
    example="Right now our 5th graders are hiking at Mt. Tabor until 4:30!",
    use_instead="Our 5th graders are having a great time outdoors today! (share the place "
    "after they are back)",
    policy=(P.TACOMA_NAMES_LOCATION, P.SPPS_PRIVATE_DATA),
)
def student_whereabouts(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds a sentence that puts a roster student, a named person, or a class, team or
    grade ("our 3rd graders", "the team", "we're") at a specific place outside the school
    (a named place, an address, the park, the hospital) now or later: "Jordan is at Legacy
    Emanuel hospital". A finished visit ("last week we visited the fire station"), a place
    inside the school, and events open to the public are not whereabouts; an announced
    schedule is S301's."""
    now = ctx.publish_at
    for sentence in facts.text.sentences:
        if facts.text.tense_of(sentence) == "past":
            continue
        whens = facts.text.whens_in(sentence)
        if whens and not any(w.end > now and not w.past_marker for w in whens):
            continue
        if event_at(facts, sentence) and (whens or any(
                p.kind != "school" for p in facts.text.places_in(sentence))):
            continue  # an announced activity: S301 reports it
        if public_words(facts, sentence.start):
            continue
        names = facts.text.names_in(sentence)
        who: list[Span] = [n.span for n in names] + facts.text.people_in(sentence)
        who += facts.text.first_names_in(sentence)
        group = _GROUP.search(sentence.text)
        if group:
            who.append(Span(start=sentence.start + group.start(),
                            end=sentence.start + group.end(), text=group.group()))
        if not who:
            continue
        text = facts.text.text
        for place in facts.text.places_in(sentence):
            if not _external(place):
                continue
            subject = min(who, key=lambda w: w.start)
            between = text[subject.end:place.span.start]
            if subject.start > place.span.start:
                continue
            if not (_LOCATIVE.search(between) or _LOCATIVE.search(subject.text)):
                continue  # "our class loves the zoo": no one is anywhere
            if not _PREPOSITION.search(text[max(sentence.start, place.span.start - 12):
                                            place.span.start]):
                continue
            student = names[0].student if len(names) == 1 else None
            span = Span(start=subject.start, end=place.span.end,
                        text=text[subject.start:place.span.end])
            yield Hit(span=span, student=student, key=f"{sentence.start}",
                      message=f"Tells where students are or will be (\u201c{place.span.text}"
                              "\u201d): leave the place out until they are back, or share "
                              "it privately with families.")
            break
