"""Where a post's lines end its sentences.

Posts are written in lines: headings, list items, calendars ("- Thursday, Dec. 10:
Winter Concerts, 6:00"), signatures, and prose wrapped at a fixed width. A line
break ends a sentence unless the line was only wrapped. spaCy's sentencizer knows
punctuation only, so these starts are set on the parse before the parser runs
(the `smcheck_lines` component of smcheck/engines.py): a list item is parsed as a sentence
of its own instead of one long run-on through a whole calendar.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_LINE_BREAK = re.compile(r"\n\s*")
_LIST_ITEM = re.compile(r"[-*\u2022#>|]|\d+[.)]\s|[A-Z][\w ]{0,20}:\s")
# A wrapped line of prose is long; a heading or a short line before a capital is not.
_SHORT_LINE = 40


def breaks(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """The line breaks in text[start:end] that end a sentence, as (break start, next
    line start)."""
    stop = len(text) if end is None else end
    for m in _LINE_BREAK.finditer(text, start, stop):
        if _ends_sentence(text, m.start(), m.end()):
            yield m.start(), m.end()


def _ends_sentence(text: str, at: int, nxt: int) -> bool:
    """Is the line break at `at` a sentence break? Not when a sentence is wrapped.
    (Only the line around the break is read: a post may be 1 MB.)"""
    line_start = text.rfind("\n", 0, at) + 1
    before = text[line_start:at].rstrip(" \t")
    after = text[nxt:nxt + 40]
    if not before or not after:
        return True
    if text[at:nxt].count("\n") > 1:
        return True  # a blank line
    last = before[-1]
    if last.isalnum() or last in ",;(&-\u2013":
        if _LIST_ITEM.match(after):
            return True  # the next line is a list item or a "When: ..." line
        if _LIST_ITEM.match(before.lstrip()) and after[:1].isupper():
            return True  # a list item ends (a wrapped one goes on in lower case)
        # A short line before a capital is a heading or a line of its own.
        return len(before) < _SHORT_LINE and after[:1].isupper() and last not in ",;(&-\u2013"
    return True
