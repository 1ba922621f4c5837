"""When a post's words happen, relative to the moment it is published.

"Tomorrow at 7am", "next Wednesday", "Dec. 5", "3:30 to 5", "Mon-Thu": each
becomes a `When` with a start and end in the publish time's zone, so the rules
can tell a trip still to come from one that is over.

A targeted layer resolves the forms posts use; general parsers stumble on them
(dateparser's `search_dates` reads "42-38" as a date and misses "next tuesday")
and cost a quarter second to load. dateparser parses what the layer only finds:
day-of-month phrasings such as "the 5th of December".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from smcheck.findings import Span

MONTHS = {m: i for i, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december"),
), start=1) for m in names}
WEEKDAYS = {d: i for i, names in enumerate((
    ("mon", "monday", "mondays"), ("tue", "tues", "tuesday", "tuesdays"),
    ("wed", "weds", "wednesday", "wednesdays"), ("thu", "thur", "thurs", "thursday", "thursdays"),
    ("fri", "friday", "fridays"), ("sat", "saturday", "saturdays"), ("sun", "sunday", "sundays"),
)) for d in names}

_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" \
         r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
_DAYS = r"(?:mon|tues|wednes|thurs|fri|satur|sun)days"
_ORD = r"(?:st|nd|rd|th)"


@dataclass(frozen=True, kw_only=True)
class When:
    span: Span
    start: datetime
    end: datetime
    recurring: bool = False
    past_marker: bool = False  # "yesterday", "last week": said to be over
    has_time: bool = False  # a clock time, not just a day
    # A bare weekday ("Monday"), read as the next one: a sentence telling of something
    # done ("sprained his ankle in Monday's practice") meant the last one.
    weekday_only: bool = False


@dataclass(frozen=True)
class _Day:
    """A day-level expression before it meets a clock time."""

    start: int
    end: int
    first: date
    last: date  # inclusive
    recurring: bool = False
    past: bool = False
    part: tuple[time, time] | None = None  # "this afternoon", "tonight"
    kind: str = ""  # the pattern that found it (_DAY_SOURCES)


@dataclass(frozen=True)
class _Clock:
    start: int
    end: int
    begin: time
    finish: time | None


def _nearest(month: int, day: int, today: date) -> date | None:
    """The date with this month and day closest to today: "January 3" in December is
    next year's, "November 15" on November 20 is this year's, already past."""
    best: date | None = None
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            d = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((d - today).days) < abs((best - today).days):
            best = d
    return best


def _weekday(name: str) -> int:
    return WEEKDAYS[name.casefold().rstrip(".")]


def _next_weekday(today: date, wd: int, include_today: bool = True) -> date:
    ahead = (wd - today.weekday()) % 7
    if ahead == 0 and not include_today:
        ahead = 7
    return today + timedelta(days=ahead)


def _last_weekday(today: date, wd: int) -> date:
    back = (today.weekday() - wd) % 7 or 7
    return today - timedelta(days=back)


_PARTS = {
    "morning": (time(6), time(12)), "afternoon": (time(12), time(17)),
    "evening": (time(17), time(22)), "night": (time(18), time(23, 59)),
    "tonight": (time(18), time(23, 59)),
}

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "a": 1, "a couple of": 2, "a few": 3}

# In order: an earlier pattern's match wins over a later one on the same words.
_DAY_SOURCES: tuple[tuple[str, str], ...] = (
    ("range_days", rf"\b(?P<a>{_DAY})\.?\s*(?:-|\u2013|through|thru|to)\s*(?P<b>{_DAY})\b\.?"),
    ("plural_days", rf"\b(?:every\s+(?P<e>{_DAY})|(?P<p>{_DAYS}))\b"),
    ("daily", r"\b(?:daily|every\s+day|each\s+day|every\s+week|weekly|each\s+week)\b"),
    ("month_day", rf"\b(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}}){_ORD}?"
                  rf"(?:\s*(?:-|\u2013|to|through)\s*(?P<d2>\d{{1,2}}){_ORD}?)?"
                  rf"(?:,?\s+(?P<y>20\d\d))?\b"),
    ("day_month", rf"\b(?P<d>\d{{1,2}}){_ORD}?\s+(?P<m>{_MONTH})\b(?:,?\s+(?P<y>20\d\d))?"),
    ("long_form", rf"\b(?:the\s+)?\d{{1,2}}{_ORD}\s+of\s+{_MONTH}\b|\b{_MONTH}\s+the\s+"
                  rf"\d{{1,2}}{_ORD}\b"),
    # Not "3/4 of the class" or "1/2 cup": a fraction is not a date.
    ("numeric", r"(?<![\d/])(?P<m>1[0-2]|0?[1-9])/(?P<d>3[01]|[12]\d|0?[1-9])"
                r"(?:/(?P<y>(?:20)?\d\d))?(?![\d/])(?!\s+(?:of|cups?|inch|mile|hour)\b)"),
    ("iso", r"\b(?P<y>20\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"),
    ("the_nth", rf"\b(?:on\s+)?the\s+(?P<d>[12]?\d|3[01]){_ORD}\b(?!\s+(?:of|grade|place|"
                rf"birthday|annual|century))"),
    ("after_tomorrow", r"\bthe\s+day\s+after\s+tomorrow\b"),
    ("rel_part", r"\b(?P<w>this|tomorrow|yesterday)\s+(?P<p>morning|afternoon|evening|night)\b"
                 r"|\b(?P<t>tonight|last\s+night)\b"),
    ("rel_day", r"\b(?P<w>today|tomorrow|yesterday|later\s+today|earlier\s+today)\b"),
    ("rel_week", r"\b(?P<w>this|next|last|coming)\s+(?P<u>week|weekend|month)\b"
                 r"|\b(?P<o>over\s+the\s+weekend)\b"),
    ("in_n", r"\bin\s+(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|a|"
             r"a\s+couple\s+of|a\s+few)\s+(?P<u>days?|weeks?)\b"),
    ("ago", r"\b(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|a|a\s+few|"
            r"a\s+couple\s+of)\s+(?P<u>days?|weeks?)\s+ago\b"),
    ("weekday", rf"\b(?:(?P<w>this|next|last|coming|this\s+past|on)\s+)?(?P<d>{_DAY})\b\.?"),
)
_DAY_PATTERNS = tuple((name, re.compile(p, re.I)) for name, p in _DAY_SOURCES)

_T = r"(?P<{0}h>\d{{1,2}})(?::(?P<{0}m>[0-5]\d))?\s*(?P<{0}p>[ap]\.?\s?m\.?(?![a-z]))?"
_CLOCK = re.compile(
    r"(?<![\d:/.$-])(?:" + _T.format("a") + r")\s*(?:-|\u2013|to|until|till|til)\s*(?:"
    + _T.format("b") + r")(?![\d:/%])"
    r"|(?<![\d:/.$-])" + _T.format("c") + r"(?![\d:/%])"
    r"|\b(?P<noon>noon|midnight)\b",
    re.I,
)


def _clock_time(h: str, m: str | None, p: str | None, default_pm: bool | None) -> time | None:
    hour, minute = int(h), int(m or 0)
    if hour > 23:
        return None
    meridiem = (p or "").replace(".", "").replace(" ", "").casefold()
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    elif not meridiem and hour <= 12:
        # School hours: 7-11 are mornings, 12-6 afternoons, unless the day part says.
        pm = default_pm if default_pm is not None else (hour < 7 or hour == 12)
        if pm and hour < 12:
            hour += 12
    return time(hour % 24, minute)


def _clocks(text: str, offset: int, evening: bool) -> Iterator[_Clock]:
    for m in _CLOCK.finditer(text):
        if m.group("noon"):
            t = time(12) if m.group("noon").casefold() == "noon" else time(23, 59)
            yield _Clock(offset + m.start(), offset + m.end(), t, None)
            continue
        if m.group("ah"):
            end_p = m.group("bp")
            start_p = m.group("ap") or end_p  # "6-7:30am": the am is shared
            if not (m.group("am") or m.group("bm") or start_p):
                continue  # "42-38", "3-5 players": not times
            b = _clock_time(m.group("bh"), m.group("bm"), end_p, True if evening else None)
            a = _clock_time(m.group("ah"), m.group("am"), start_p,
                            None if start_p else (b is not None and b.hour >= 12 and
                                                  int(m.group("ah")) <= (b.hour - 12 or 12)))
            if a and b:
                yield _Clock(offset + m.start(), offset + m.end(), a, b)
            continue
        if not (m.group("cm") or m.group("cp")):
            continue  # a bare number is not a time
        single = _clock_time(m.group("ch"), m.group("cm"), m.group("cp"), evening or None)
        if single:
            yield _Clock(offset + m.start(), offset + m.end(), single, None)


def _n(word: str) -> int:
    word = " ".join(word.casefold().split())
    return int(word) if word.isdigit() else _NUMBERS.get(word, 1)


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _days(text: str, offset: int, now: datetime, past_tense: bool) -> list[_Day]:
    today = now.date()
    found: list[_Day] = []
    taken: list[tuple[int, int]] = []
    for name, pattern in _DAY_PATTERNS:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            try:
                day = _resolve(name, m, today, now, past_tense)
            except (OverflowError, ValueError):
                continue  # "in 999999999 days": no date a post can mean
            if day is None:
                continue
            taken.append((m.start(), m.end()))
            bare = name == "weekday" and not (m.groupdict().get("w") or "").strip() \
                and not day.past
            found.append(_Day(offset + m.start(), offset + m.end(), day.first, day.last,
                              day.recurring, day.past, day.part, "bare" if bare else name))
    return _dates_beat_weekdays(text, offset, sorted(found, key=lambda d: d.start))


_DATED = {"month_day", "day_month", "numeric", "iso", "long_form", "the_nth"}


def _dates_beat_weekdays(text: str, offset: int, days: list[_Day]) -> list[_Day]:
    """"Friday 12/4", "Thursday, December 10": one day, and the date says which. A weekday
    read alone would be the next one (Dec 11 when posted on Dec 5)."""
    out: list[_Day] = []
    for d in days:
        prev = out[-1] if out else None
        gap = text[prev.end - offset:d.start - offset] if prev is not None else ""
        if prev is not None and re.fullmatch(r"[\s,.]{0,3}", gap):
            weekday, dated = (prev, d) if prev.kind in ("bare", "weekday") else (d, prev)
            if weekday.kind in ("bare", "weekday") and dated.kind in _DATED:
                out[-1] = _Day(prev.start, d.end, dated.first, dated.last, dated.recurring,
                               dated.past, dated.part or weekday.part, dated.kind)
                continue
        out.append(d)
    return out


def _resolve(name: str, m: re.Match[str], today: date, now: datetime,
             past_tense: bool) -> _Day | None:
    g = m.groupdict()

    def day(first: date, last: date | None = None, **kw: object) -> _Day:
        return _Day(0, 0, first, last or first, **kw)  # type: ignore[arg-type]

    if name == "range_days":
        return day(today, today + timedelta(days=6), recurring=True)
    if name == "plural_days":
        return day(today, today + timedelta(days=6), recurring=True)
    if name == "daily":
        return day(today, today + timedelta(days=6), recurring=True)
    if name in ("month_day", "day_month", "numeric", "iso"):
        month = MONTHS[g["m"].casefold().rstrip(".")] if not g["m"].isdigit() else int(g["m"])
        d = int(g["d"])
        if g.get("y"):
            year = int(g["y"]) + (2000 if len(g["y"]) == 2 else 0)
            try:
                first = date(year, month, d)
            except ValueError:
                return None
        else:
            nearest = _nearest(month, d, today)
            if nearest is None:
                return None
            first = nearest
        last = first
        if g.get("d2"):
            try:
                last = first.replace(day=int(g["d2"]))
            except ValueError:
                last = first
        return day(first, max(first, last))
    if name == "long_form":
        parsed = _dateparser(m.group(), now)
        return day(parsed) if parsed else None
    if name == "the_nth":
        d = int(g["d"])
        candidates = []
        for delta in (-1, 0, 1):
            y, mo = divmod(today.month - 1 + delta, 12)
            try:
                candidates.append(date(today.year + y, mo + 1, d))
            except ValueError:
                continue
        if not candidates:
            return None
        return day(min(candidates, key=lambda c: abs((c - today).days)))
    if name == "after_tomorrow":
        return day(today + timedelta(days=2))
    if name == "rel_part":
        if g["t"]:
            if g["t"].casefold() == "tonight":
                return day(today, part=_PARTS["tonight"])
            return day(today - timedelta(days=1), part=_PARTS["night"], past=True)
        which = g["w"].casefold()
        shift = {"this": 0, "tomorrow": 1, "yesterday": -1}[which]
        return day(today + timedelta(days=shift), part=_PARTS[g["p"].casefold()],
                   past=which == "yesterday")
    if name == "rel_day":
        w = " ".join(g["w"].casefold().split())
        if w == "tomorrow":
            return day(today + timedelta(days=1))
        if w == "yesterday":
            return day(today - timedelta(days=1), past=True)
        if w == "earlier today":
            return day(today, part=(time(0), now.time()), past=True)
        if w == "later today":
            return day(today, part=(now.time(), time(23, 59)))
        return day(today)
    if name == "rel_week":
        if g.get("o"):
            sat = _last_weekday(today, 5)
            return day(sat, sat + timedelta(days=1), past=True)
        which, unit = g["w"].casefold(), g["u"].casefold()
        shift = {"this": 0, "coming": 1, "next": 1, "last": -1}[which]
        if unit == "month":
            y, mo = divmod(today.month - 1 + shift, 12)
            first = date(today.year + y, mo + 1, 1)
            nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
            return day(first, nxt - timedelta(days=1), past=shift < 0)
        monday = _week_start(today) + timedelta(weeks=shift)
        if unit == "weekend":
            return day(monday + timedelta(days=5), monday + timedelta(days=6), past=shift < 0)
        first = max(monday, today) if shift == 0 else monday
        return day(first, monday + timedelta(days=6), past=shift < 0)
    if name in ("in_n", "ago"):
        n = _n(g["n"]) * (7 if g["u"].casefold().startswith("week") else 1)
        if name == "ago":
            return day(today - timedelta(days=n), past=True)
        return day(today + timedelta(days=n))
    if name == "weekday":
        word = (g["w"] or "").casefold()
        word = " ".join(word.split())
        raw = g["d"]
        if raw.casefold() in {"sat", "sun", "mon", "wed", "fri"} and (
                not raw[:1].isupper() or (raw.isupper() and len(raw) > 1)):
            return None  # "sat down" and "sun" are words; "SAT" is the test
        wd = _weekday(raw)
        if word in ("last", "this past"):
            return day(_last_weekday(today, wd), past=True)
        if word in ("next", "coming"):
            nxt = _next_weekday(today, wd, include_today=False)
            if word == "next" and nxt < _week_start(today) + timedelta(days=7):
                nxt += timedelta(days=7)  # "next Wednesday" on a Monday: the week after
            return day(nxt)
        if word == "this":
            return day(_next_weekday(today, wd))
        if past_tense:
            back = (today.weekday() - wd) % 7
            return day(today - timedelta(days=back), past=True)
        return day(_next_weekday(today, wd))
    return None


def _dateparser(text: str, now: datetime) -> date | None:
    import dateparser  # loads in a quarter second: only for the rare long forms

    parsed = dateparser.parse(
        text, languages=["en"],
        settings={"RELATIVE_BASE": now.replace(tzinfo=None), "PREFER_DATES_FROM": "future"},
    )
    return parsed.date() if parsed else None


def _at(d: date, t: time, tz: tzinfo | None) -> datetime:
    # Wall-clock time on that day in the publish zone: with a named zone, a daylight-
    # saving change between publishing and the event is applied.
    return datetime.combine(d, t, tzinfo=tz)


def _trim(text: str, lo: int, hi: int, offset: int) -> int:
    """End of a span without trailing blanks or a sentence's full stop ("7am.")."""
    while hi > lo and text[hi - offset - 1] in " \t\n,;":
        hi -= 1
    if text[hi - offset - 1] == "." and not re.search(r"[ap]\.m\.$", text[:hi - offset], re.I):
        hi -= 1
    return hi


def resolve(text: str, offset: int, now: datetime, past_tense: bool) -> list[When]:
    """Every time expression of one sentence, combined: "Tuesday" + "at 9:15"."""
    tz = now.tzinfo
    days = _days(text, offset, now, past_tense)
    evening = bool(re.search(r"\b(?:tonight|evening|night|dinner)\b", text, re.I))
    clocks = [c for c in _clocks(text, offset, evening)
              if not any(d.start <= c.start < d.end for d in days)]
    out: list[When] = []
    for d in days:
        start_t, end_t = (d.part or (time(0), time(23, 59)))
        has_time = False
        if clocks:
            c = clocks[0]
            start_t, end_t, has_time = c.begin, c.finish or time(23, 59), True
        last_end = _at(d.last, end_t, tz) if end_t > start_t else \
            _at(d.last + timedelta(days=1), end_t, tz)
        if end_t == time(23, 59):
            last_end = _at(d.last + timedelta(days=1), time(0), tz)
        lo = min([d.start, *(c.start for c in clocks[:1])])
        hi = _trim(text, lo, max([d.end, *(c.end for c in clocks[:1])]), offset)
        out.append(When(span=Span(start=lo, end=hi, text=text[lo - offset:hi - offset]),
                        start=_at(d.first, start_t, tz), end=last_end, recurring=d.recurring,
                        past_marker=d.past, has_time=has_time, weekday_only=d.kind == "bare"))
    if not days:
        today = now.date()
        for c in clocks:
            begin = _at(today, c.begin, tz)
            if begin < now and not past_tense:
                begin += timedelta(days=1)  # "practice is at 3:30": the next one
            finish = c.finish or time(23, 59)
            end = _at(begin.date(), finish, tz) if c.finish else \
                _at(begin.date() + timedelta(days=1), time(0), tz)
            hi = _trim(text, c.start, c.end, offset)
            out.append(When(span=Span(start=c.start, end=hi,
                                      text=text[c.start - offset:hi - offset]),
                            start=begin, end=max(end, begin), has_time=True))
    return out
