"""Time resolution against the publish time: every form of issue 3, both sides of each
boundary, and things that look like times but are not."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from smcheck.extract.times import resolve

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=LA)  # a Friday, 3 pm


def one(text: str, now: datetime = NOW, past: bool = False) -> tuple[str, str]:
    [w] = resolve(text, 0, now, past)
    return w.start.isoformat(timespec="minutes"), w.end.isoformat(timespec="minutes")


@pytest.mark.parametrize(("text", "start", "end"), [
    ("December 5th", "2026-12-05T00:00-08:00", "2026-12-06T00:00-08:00"),
    ("Dec. 5", "2026-12-05T00:00-08:00", "2026-12-06T00:00-08:00"),
    ("12/5", "2026-12-05T00:00-08:00", "2026-12-06T00:00-08:00"),
    ("the 30th", "2026-11-30T00:00-08:00", "2026-12-01T00:00-08:00"),
    ("5 December 2026", "2026-12-05T00:00-08:00", "2026-12-06T00:00-08:00"),
    ("the 5th of December", "2026-12-05T00:00-08:00", "2026-12-06T00:00-08:00"),
    ("Tuesday", "2026-11-24T00:00-08:00", "2026-11-25T00:00-08:00"),
    ("next Wednesday", "2026-11-25T00:00-08:00", "2026-11-26T00:00-08:00"),
    ("this Friday", "2026-11-20T00:00-08:00", "2026-11-21T00:00-08:00"),
    ("tomorrow", "2026-11-21T00:00-08:00", "2026-11-22T00:00-08:00"),
    ("tonight", "2026-11-20T18:00-08:00", "2026-11-21T00:00-08:00"),
    ("this afternoon", "2026-11-20T12:00-08:00", "2026-11-20T17:00-08:00"),
    ("next week", "2026-11-23T00:00-08:00", "2026-11-30T00:00-08:00"),
    ("in two days", "2026-11-22T00:00-08:00", "2026-11-23T00:00-08:00"),
    ("Tuesday at 9:15", "2026-11-24T09:15-08:00", "2026-11-25T00:00-08:00"),
    ("tomorrow at 6am", "2026-11-21T06:00-08:00", "2026-11-22T00:00-08:00"),
    ("tomorrow at 7am", "2026-11-21T07:00-08:00", "2026-11-22T00:00-08:00"),
    ("Tuesday 3:30 to 5", "2026-11-24T15:30-08:00", "2026-11-24T17:00-08:00"),
    ("Saturday 6-7:30am", "2026-11-21T06:00-08:00", "2026-11-21T07:30-08:00"),
    ("Monday at noon", "2026-11-23T12:00-08:00", "2026-11-24T00:00-08:00"),
    ("yesterday", "2026-11-19T00:00-08:00", "2026-11-20T00:00-08:00"),
    ("last week", "2026-11-09T00:00-08:00", "2026-11-16T00:00-08:00"),
    ("this morning", "2026-11-20T06:00-08:00", "2026-11-20T12:00-08:00"),
])
def test_resolves(text: str, start: str, end: str) -> None:
    assert one(text) == (start, end)


def test_recurring() -> None:
    [w] = resolve("Mon-Thu 6-7:30am", 0, NOW, False)
    assert w.recurring and w.end > NOW
    [w] = resolve("Practice is on Tuesdays", 0, NOW, False)
    assert w.recurring and w.end > NOW


def test_year_rollover() -> None:
    dec = datetime(2026, 12, 20, 9, 0, tzinfo=LA)
    assert one("January 3", dec)[0] == "2027-01-03T00:00-08:00"
    jan = datetime(2027, 1, 4, 9, 0, tzinfo=LA)
    assert one("December 28", jan)[0] == "2026-12-28T00:00-08:00"  # just past, not next year


def test_daylight_saving_change() -> None:
    before = datetime(2026, 3, 7, 10, 0, tzinfo=LA)  # Saturday, PST
    start, _ = one("tomorrow at 9am", before)  # Sunday March 8, after the change: PDT
    assert start == "2026-03-08T09:00-07:00"


def test_bare_weekday_follows_tense() -> None:
    assert one("Tuesday", past=True)[0] == "2026-11-17T00:00-08:00"  # "on Tuesday we went"
    assert one("Tuesday", past=False)[0] == "2026-11-24T00:00-08:00"


def test_this_morning_before_and_after_publish() -> None:
    morning = datetime(2026, 11, 20, 8, 0, tzinfo=LA)
    _, end = one("this morning", morning)
    assert datetime.fromisoformat(end) > morning  # still to come at 8 am
    _, end = one("this morning")
    assert datetime.fromisoformat(end) < NOW  # over at 3 pm


def test_time_alone_is_the_next_one() -> None:
    start, _ = one("Practice is at 3:30")
    assert start == "2026-11-20T15:30-08:00"
    start, _ = one("Practice is at 2:30")  # already past today: tomorrow's
    assert start == "2026-11-21T14:30-08:00"


@pytest.mark.parametrize("text", [
    "We won 42-38!", "Call 503-555-0142.", "Room 12 and Grade 4.", "3/4 of the class",
    "She got a 95 on it.", "Raised $1,250 for 2 causes.", "Bring 3-5 pencils.",
    "Our 4th grade class.", "Page 12, problems 1-10.", "We read 20 minutes a day.",
    "In 999999999 days", "Feb 30", "2/30", "13/45", "the 0th",
])
def test_not_times(text: str) -> None:
    assert resolve(text, 0, NOW, False) == []
