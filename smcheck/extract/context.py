"""Context windows measured in words, as Presidio measures context: "the five words
before a phone number", not "the 60 characters before it"."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from smcheck.findings import Span

_WORDS = re.compile(r"\S+")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_WINDOW = 64  # characters: the first look back for a few words; doubled while too short


def words_before(text: str, pos: int, n: int, floor: int = 0) -> str:
    """The n words before pos (not reaching before `floor`), as written."""
    # Read backwards from pos in a growing window, never from `floor` on: a floor may be
    # the start of a 1 MB paragraph, and this is asked for every phone number or place.
    size = _WINDOW
    while True:
        start = max(floor, pos - size)
        found = [m.start() for m in _WORDS.finditer(text, start, pos)]
        # The window's first word may be cut short by the window: it counts only when the
        # window reaches the floor, or is not needed (n whole words after it).
        if start == floor or len(found) > n:
            if not found:
                return ""
            return text[found[max(0, len(found) - n)]:pos]
        size *= 2


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
    # Only breaks that start before `limit` can end the opening before it; one that runs
    # past it is read whole from its start. (A post of one 1 MB paragraph has no break, and
    # this is asked for every invitation in it: never search the whole post.)
    ends: list[int] = []
    pos = 0
    while len(ends) < 2:
        m = PARAGRAPH_BREAK.search(text, pos, limit)
        if m is None:
            break
        end = (PARAGRAPH_BREAK.match(text, m.start()) or m).end()
        ends.append(end)
        pos = end
    return min(ends[1] if len(ends) == 2 else len(text), limit)


class Paragraphs:
    """A post's paragraphs (parted by blank lines), and what a pattern finds in each.

    A paragraph may be a whole 1 MB post: each one is searched at most once for each
    pattern however many sentences, apps or invitations in it ask, so the work grows
    with the post, not with the square of a paragraph. `scanned` counts the characters
    searched (tests/test_long_posts.py holds it linear)."""

    def __init__(self, text: str, starts: Sequence[int]) -> None:
        self.text = text
        self.starts = list(starts)  # 0 first, then where each paragraph after a break starts
        self.scanned = 0
        self._found: dict[tuple[re.Pattern[str], int], re.Match[str] | None] = {}

    def _index(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    def bounds(self, pos: int) -> tuple[int, int]:
        """[start, end) of the paragraph holding pos."""
        i = self._index(pos)
        start = self.starts[i] if i >= 0 else 0
        end = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)
        return start, end

    def span(self, pos: int) -> Span:
        start, end = self.bounds(pos)
        return Span(start=start, end=end, text="")

    def same(self, a: int, b: int) -> bool:
        return self._index(a) == self._index(b)

    def search(self, pattern: re.Pattern[str], pos: int) -> re.Match[str] | None:
        """The first match of pattern in the paragraph holding pos."""
        key = (pattern, self._index(pos))
        if key not in self._found:
            start, end = self.bounds(pos)
            self.scanned += end - start
            self._found[key] = pattern.search(self.text, start, end)
        return self._found[key]
