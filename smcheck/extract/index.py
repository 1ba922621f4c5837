"""Lookups by character position that stay fast on a long post.

A post may be up to 1 MB: a check that rescans every span for every token or
sentence grows with the square of the post and takes hours. These answer in
log time.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

T = TypeVar("T")


class Intervals:
    """Character ranges [start, end), possibly overlapping: which ones meet a position?"""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        items = sorted(spans)
        self._starts = [a for a, _ in items]
        self._max_end = list(accumulate((b for _, b in items), max))

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_left(self._starts, end)
        return i > 0 and self._max_end[i - 1] > start

    def covers(self, pos: int) -> bool:
        i = bisect_right(self._starts, pos)
        return i > 0 and self._max_end[i - 1] > pos


def starting_in(items: Sequence[T], starts: Sequence[int], start: int, end: int) -> list[T]:
    """The items (sorted by start, with `starts` their starts) that start in [start, end)."""
    return list(items[bisect_left(starts, start):bisect_left(starts, end)])


def sorted_by(items: Iterable[T], key: Callable[[T], int]) -> tuple[tuple[T, ...], list[int]]:
    ordered = tuple(sorted(items, key=key))
    return ordered, [key(i) for i in ordered]


def entities(doc: Doc) -> tuple[tuple[SpacySpan, ...], list[int]]:
    """The document's entities by start, computed once per document."""
    cached = doc.user_data.get("smcheck.ents")
    if cached is None:
        cached = sorted_by(doc.ents, lambda e: e.start_char)
        doc.user_data["smcheck.ents"] = cached
    return cached


def persons(doc: Doc) -> Intervals:
    cached = doc.user_data.get("smcheck.persons")
    if cached is None:
        cached = Intervals((e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON")
        doc.user_data["smcheck.persons"] = cached
    return cached


def token_starts(doc: Doc) -> list[int]:
    """The character offset of each token of the document, computed once per document."""
    cached = doc.user_data.get("smcheck.token_starts")
    if cached is None:
        from spacy.attrs import IDX

        cached = doc.to_array([IDX]).tolist() if len(doc) else []
        doc.user_data["smcheck.token_starts"] = cached
    return cached
