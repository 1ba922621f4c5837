"""Context windows measured in words, as Presidio measures context: "the five words
before a phone number", not "the 60 characters before it"."""

from __future__ import annotations

import re

_WORDS = re.compile(r"\S+")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def words_before(text: str, pos: int, n: int, floor: int = 0) -> str:
    """The n words before pos (not reaching before `floor`), as written."""
    found = [m for m in _WORDS.finditer(text, floor, pos)]
    if not found:
        return ""
    return text[found[max(0, len(found) - n)].start():pos]


def words_after(text: str, pos: int, n: int, ceiling: int | None = None) -> str:
    """The n words after pos (not reaching past `ceiling`), as written."""
    end = len(text) if ceiling is None else ceiling
    last = pos
    for count, m in enumerate(_WORDS.finditer(text, pos, end), start=1):
        last = m.end()
        if count == n:
            break
    return text[pos:last]


def opening_end(text: str, limit: int) -> int:
    """Where a post's opening ends (its title and first paragraph: "Wrestling: Parent
    Info", "A few things for parents:"), at most `limit` characters in."""
    ends = [m.end() for m, _ in zip(PARAGRAPH_BREAK.finditer(text), range(2), strict=False)]
    return min(ends[1] if len(ends) == 2 else len(text), limit)
