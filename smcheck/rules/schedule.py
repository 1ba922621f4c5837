"""S3xx: schedules that tell where students will be before they are there."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta

from smcheck import policies as P
from smcheck.facts import Facts
from smcheck.findings import Severity, Span
from smcheck.rules.base import Context, Hit, rule


def _fmt(dt: datetime) -> str:
    """"Tue Nov 24, 5:00 PM"; an event that lasts the day ends "after Sat Dec 5"."""
    if dt.time() == time(0):
        day = dt - timedelta(days=1)
        return f"{day:%a %b} {day.day}"
    clock = dt.strftime("%I:%M %p").lstrip("0")
    return f"{dt:%a %b} {dt.day}, {clock}"


def _paragraph_key(text: str, pos: int) -> str:
    """One event told over several sentences of a paragraph is one finding."""
    return str(text.rfind("\n\n", 0, pos))


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
    """Finds an activity that puts students somewhere (a trip, game, meet, practice,
    rehearsal, outing, a class walking or a bus leaving: smcheck/extract/events.py and
    models/lexicon.toml) that is still to come or under way at publish time, with when
    (a date, day or time resolved against the publish time) and/or where (a place outside
    the school, or any place with a time). Past and cancelled events, visitors coming to
    the school, calendar notices with no activity ("book order closes Monday"),
    performances at school, and events open to families and the public ("all families
    welcome", front matter `public_event: true`) are not reported."""
    now = ctx.publish_at
    text = facts.text.text
    for e in facts.text.events:
        if e.kind == "presence" or e.cancelled or e.public:
            continue
        if e.kind == "performance" and not e.outside:
            continue  # a concert at school: families come; nobody is taken anywhere
        upcoming = e.upcoming(now)
        if not upcoming:
            said_when = any(w.has_time or w.end - w.start <= timedelta(days=4) for w in e.whens)
            if said_when or e.past or not e.reachable:
                continue  # over by the time the post goes out, or nowhere and no time
        places = e.outside
        spans = [*(w.span for w in upcoming), *(p.span for p in places)]
        first = min(spans, key=lambda s: s.start)
        last = max(spans, key=lambda s: s.end)
        safe = f"after {_fmt(max(w.end for w in upcoming))}" if upcoming else "after the event"
        detail = ", ".join(f"\u201c{s.text}\u201d" for s in sorted(spans, key=lambda s: s.start))
        yield Hit(span=Span(start=first.start, end=last.end, text=text[first.start:last.end]),
                  key=_paragraph_key(text, e.sentence.start),
                  message=f"Tells where and when students will be ({detail}) before "
                          f"the event (\u201c{e.trigger.text}\u201d) happens. Post the details "
                          f"{safe}; until then keep it general (\u201ca fun trip is coming "
                          "up!\u201d). If families and the public are invited, say so in the "
                          "post.")
