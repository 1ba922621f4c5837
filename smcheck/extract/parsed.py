"""What extraction asks of the models: one spaCy parse of a post, and Presidio's results
on it. engines.Engines (a layer up: the models' one lazy home, which builds extract's
face and OCR models) is the implementation; extraction only names this interface."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer, RecognizerResult
    from spacy.tokens import Doc


@dataclass(frozen=True)
class Parsed:
    """One post's parse: the whole text's Doc, and the chunks it was parsed in (start
    offset and Doc), which Presidio analyses one by one."""

    doc: Doc
    chunks: tuple[tuple[int, Doc], ...]


class Models(Protocol):
    def parse(self, text: str) -> Parsed:
        """One spaCy pass over the text."""
        ...

    def analyze(self, parsed: Parsed,
                recognizers: Sequence[EntityRecognizer] = ()) -> list[RecognizerResult]:
        """Every recognizer's results over the post, offsets in the whole text."""
        ...
