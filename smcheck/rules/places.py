"""L2xx: where students live and are (L201 and S301 come with the time layer)."""

from __future__ import annotations

from collections.abc import Iterator

from smcheck import policies as P
from smcheck.extract.places import ADDRESS
from smcheck.facts import Facts
from smcheck.findings import Severity, Span
from smcheck.lexicon import phrase_pattern
from smcheck.rules.base import Context, Hit, rule


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
            names = facts.text.names_in(sentence)
            yield Hit(span=span, student=names[0].student if len(names) == 1 else None,
                      key=m.group().casefold(),
                      message="A street address tied to a student or family: remove it; share "
                              "it privately through district email if families need it.")
