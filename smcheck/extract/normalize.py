"""One canonical text for every check, and folded text for name matching, each with a map
back to the characters the teacher wrote.

Word and copy-paste insert characters nobody sees: a soft hyphen inside "Jay\u00adlen", a
zero-width space inside an email, a Cyrillic "\u0430" in "M\u0430ya". Any of them would turn
a match into a silent miss, so before anything looks at a post its text is made
canonical (SPEC section 2): format characters dropped, NFKC, look-alike letters
folded (models/homoglyphs.toml), words hyphenated across a line break joined,
typographic apostrophes and quotes made plain. Every extractor and rule works on
that text; a finding's span is mapped back to the original characters only when it
is reported, so it still points at what gets published.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from smcheck.lexicon import models_dir

# Typographic marks with a plain equivalent, one character for one.
_PLAIN = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
          "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
          "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-"}

# "Jay-\nlen": a word split over two lines. Before a lower-case letter the hyphen is
# the break's ("Jay-len" -> "Jaylen"); before a capital it is the name's ("Mary-Kate").
_LINE_BREAK_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n[ \t]*(?=[^\W\d_])")


@cache
def homoglyphs() -> dict[str, str]:
    """Cyrillic, Greek and other letters that look like Latin ones (models/homoglyphs.toml)."""
    with (models_dir() / "homoglyphs.toml").open("rb") as fh:
        data = tomllib.load(fh)
    table: dict[str, str] = {}
    for latin, lookalikes in data["latin"].items():
        for ch in lookalikes:
            table[ch] = latin
    return table


def _is_latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


@dataclass(frozen=True)
class Canonical:
    """A post's canonical text and, for each of its characters, the original characters
    it came from: [starts[i], ends[i])."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @property
    def identical(self) -> bool:
        return self.text == self.original

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of canonical [start, end)."""
        if self.identical:
            return start, end
        n = len(self.text)
        if end <= start:
            pos = self.starts[start] if start < n else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[min(end, n) - 1]

    def canonical_pos(self, original_pos: int) -> int:
        """The canonical position of an original one (the next kept character)."""
        if self.identical:
            return original_pos
        return bisect_right(self.ends, original_pos)


def canonical(original: str) -> Canonical:
    if original.isascii() and "-\n" not in original and "-\r\n" not in original \
            and "`" not in original:
        return Canonical(original, original, (), ())  # most posts: nothing to do
    # 1. Which original characters survive, and what each cluster becomes.
    drop: set[int] = set()
    keep_hyphen: set[int] = set()
    for m in _LINE_BREAK_HYPHEN.finditer(original):
        after = original[m.end()]
        drop.update(range(m.start(), m.end()))
        if after.isupper():
            keep_hyphen.add(m.start())
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(original)
    while i < n:
        if i in drop and i not in keep_hyphen:
            i += 1
            continue
        ch = original[i]
        if unicodedata.category(ch) == "Cf":
            i += 1  # soft hyphen, zero-width space/joiner, word joiner, BOM, bidi marks
            continue
        # A base character and the combining marks after it normalise together.
        j = i + 1
        while j < n and unicodedata.combining(original[j]) and j not in drop:
            j += 1
        cluster = original[i:j]
        for c in unicodedata.normalize("NFKC", cluster):
            chars.append(_PLAIN.get(c, c))
            starts.append(i)
            ends.append(j)
        i = j
    # 2. Look-alike letters, word by word: folded only in a word whose every non-Latin
    # letter has a Latin twin ("M\u0430ya"), so real Cyrillic or Greek words stay.
    table = homoglyphs()
    text = "".join(chars)
    for m in re.finditer(r"[^\W\d_]+", text):
        word = m.group()
        foreign = [c for c in word if not _is_latin(c)]
        if foreign and all(c in table for c in foreign) and any(c in table for c in word):
            for k, c in enumerate(word, start=m.start()):
                if c in table:
                    chars[k] = table[c]
    return Canonical(original, "".join(chars), tuple(starts), tuple(ends))


# ---- folding for name matching -------------------------------------------------------


def fold(text: str) -> str:
    return Folded.of(text).text


@dataclass(frozen=True)
class Folded:
    """Accent- and case-folded text: "Sofia Hernandez" must find Sofía Hernández."""

    text: str
    index: tuple[int, ...]  # folded position -> original position; one extra at the end

    @classmethod
    def of(cls, original: str) -> Folded:
        out: list[str] = []
        index: list[int] = []
        for i, ch in enumerate(original):
            ch = _PLAIN.get(ch, ch)
            for part in unicodedata.normalize("NFKD", ch):
                if unicodedata.combining(part):
                    continue
                for c in part.casefold():
                    out.append(c)
                    index.append(i)
        index.append(len(original))
        return cls("".join(out), tuple(index))

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) for folded [start, end)."""
        if end <= start:
            return self.index[start], self.index[start]
        return self.index[start], self.index[end - 1] + 1


# A word: letters/digits joined by inner apostrophes ("o'brien", "amara's").
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
