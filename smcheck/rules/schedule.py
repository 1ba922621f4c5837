"""S3xx: schedules that tell where students will be before they are there."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from functools import lru_cache

from smcheck import policies as P
from smcheck.extract.places import Place
from smcheck.extract.times import When
from smcheck.facts import Facts
from smcheck.findings import Severity, Span
from smcheck.lexicon import phrase_pattern
from smcheck.rules.base import Context, Hit, rule


@lru_cache(maxsize=16)
def _paragraphs(text: str) -> tuple[list[int], list[int]]:
    """Starts and ends of the blank-line-separated paragraphs, found once per text."""
    breaks = list(re.finditer(r"\n\s*\n", text))
    return [0, *(m.end() for m in breaks)], [*(m.start() for m in breaks), len(text)]


def paragraph_of(text: str, pos: int) -> Span:
    """The blank-line-separated paragraph around pos."""
    starts, ends = _paragraphs(text)
    i = bisect_right(starts, pos) - 1
    start, end = starts[i], max(ends[i], starts[i])
    return Span(start=start, end=end, text=text[start:end])


def public_words(facts: Facts, pos: int) -> str | None:
    """The words that open the event at pos to families and the public, if any."""
    if facts.post.public_event:
        return "public_event: true"
    para = paragraph_of(facts.text.text, pos)
    m = phrase_pattern("public_event_words").search(para.text)
    return m.group() if m else None


def _outside(places: list[Place]) -> list[Place]:
    return [p for p in places if p.kind != "school"]


def event_at(facts: Facts, sentence: Span) -> re.Match[str] | None:
    """The words that make a sentence an event announcement, or None."""
    strong = phrase_pattern("event_words").search(sentence.text)
    if strong:
        return strong
    weak = phrase_pattern("event_words_weak").search(sentence.text)
    if weak and _outside(facts.text.places_in(sentence)):
        return weak
    return None


def _deadline(text: str, when: When) -> bool:
    """"Sign up by Friday", "forms due Dec 3": a deadline, not where students will be."""
    before = text[max(0, when.span.start - 12):when.span.start].casefold()
    return bool(re.search(r"\b(?:by|due|before|deadline:?|rsvp)\s+(?:on\s+|the\s+)?$", before))


def _fmt(dt: datetime) -> str:
    """"Tue Nov 24, 5:00 PM"; an event that lasts the day ends "after Sat Dec 5"."""
    if dt.time() == time(0):
        day = dt - timedelta(days=1)
        return f"{day:%a %b} {day.day}"
    clock = dt.strftime("%I:%M %p").lstrip("0")
    return f"{dt:%a %b} {dt.day}, {clock}"


def _window(facts: Facts, index: int) -> list[Span]:
    """The event's sentence, and the next one when it only adds details ("Buses leave at
    9:15 from the front parking lot.") in the same paragraph."""
    sentences = facts.text.sentences
    out = [sentences[index]]
    if index + 1 < len(sentences):
        nxt = sentences[index + 1]
        same = paragraph_of(facts.text.text, nxt.start).start == \
            paragraph_of(facts.text.text, sentences[index].start).start
        if same and not event_at(facts, nxt) and facts.text.tense_of(nxt) != "past":
            out.append(nxt)
    return out


@rule(
    code="S301", name="pre-event-schedule", severity=Severity.VIOLATION,
    summary="a trip, game, meet, competition, practice, rehearsal or outing announced before "
    "it happens with where and/or when students will be; not for events open to families and "
    "the public",
    why="A schedule posted in advance tells anyone where a group of children will be and when: "
    "the district forbids it for trips, sports and activities that are not public events.",
    example="Our 3rd graders leave for OMSI on Dec. 5 at 9:15 from the front parking lot!",
    use_instead="A fun trip is coming up! (then share photos after the trip)",
    policy=(P.TACOMA_SCHEDULE, P.SPPS_PRIVATE_DATA),
)
def pre_event_schedule(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds a sentence announcing an activity that puts students somewhere (models/
    lexicon.toml `event_words`) which is still to come or under way at publish time, with
    when (a date, day or time resolved against the publish time) and/or where (a named
    place, venue or address). Past events, calendar notices with no activity ("no school
    Wednesday") and events open to families and the public ("all families welcome",
    front matter `public_event: true`) are not reported."""
    now = ctx.publish_at
    for index, sentence in enumerate(facts.text.sentences):
        event = event_at(facts, sentence)
        if event is None or public_words(facts, sentence.start):
            continue
        window = _window(facts, index)
        whens: list[When] = [w for s in window for w in facts.text.whens_in(s)
                             if not _deadline(facts.text.text, w)]
        places = [p for s in window for p in _outside(facts.text.places_in(s))]
        past_tense = facts.text.tense_of(sentence) == "past"
        if whens:
            # "Practice ended at 2pm today": begun and told in the past tense, it is over.
            upcoming = [w for w in whens if w.end > now and not w.past_marker
                        and not (past_tense and w.start <= now)]
            if not upcoming:
                continue  # over by the time the post goes out
        else:
            upcoming = []
            if past_tense or not places:
                continue
        words = [*(w.span for w in upcoming), *(p.span for p in places)]
        first = min(words, key=lambda s: s.start)
        last = max(words, key=lambda s: s.end)
        text = facts.text.text
        span = Span(start=first.start, end=last.end, text=text[first.start:last.end])
        safe = f"after {_fmt(max(w.end for w in upcoming))}" if upcoming else \
            "after the event"
        detail = ", ".join(f"\u201c{s.text}\u201d" for s in sorted(words, key=lambda s: s.start))
        # One event told over several sentences ("Field trip Friday! Buses leave at
        # 9:15.") is one finding: its paragraph's first.
        yield Hit(span=span, key=f"{paragraph_of(text, sentence.start).start}",
                  message=f"Tells where and when students will be ({detail}) before "
                          f"the event (\u201c{event.group()}\u201d) happens. Post the details "
                          f"{safe}; until then keep it general (\u201ca fun trip is coming "
                          "up!\u201d). If families and the public are invited, say so in the "
                          "post.")
