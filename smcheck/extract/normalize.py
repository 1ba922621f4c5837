"""Accent- and case-folded text with a map back to the original characters.

"Sofia Hernandez" must find Sofía Hernández, and a finding's span must still
point at the words the teacher wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"}
_DASHES = {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-"}


def fold(text: str) -> str:
    return Folded.of(text).text


@dataclass(frozen=True)
class Folded:
    text: str
    index: tuple[int, ...]  # folded position -> original position; one extra at the end

    @classmethod
    def of(cls, original: str) -> Folded:
        out: list[str] = []
        index: list[int] = []
        for i, ch in enumerate(original):
            ch = _APOSTROPHES.get(ch, _DASHES.get(ch, ch))
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
