"""A post's text, fixed: name edits and hidden characters, applied by presidio-anonymizer.

Each edit becomes a presidio `RecognizerResult` over the original characters, and its
replacement an operator (`replace` with the new words, `redact` to delete); the engine
writes the new text and says where each replacement landed, which the report uses to
mark the changes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from smcheck.findings import Span
from smcheck.fix.names import TextEdit

if TYPE_CHECKING:
    from presidio_anonymizer import AnonymizerEngine


@dataclass(frozen=True, kw_only=True)
class TextChange:
    """One change of the text: where it was, what it became, and why."""

    before: Span  # in the original text
    after: Span  # in the fixed text
    action: str  # "first-name", "neutral" or "hidden-characters"
    rule: str
    student_ids: tuple[str, ...] = ()
    note: str = ""


# ---- hidden characters -------------------------------------------------------------------


def _emoji(ch: str) -> bool:
    return bool(ch) and (unicodedata.category(ch) in ("So", "Sk") or
                         0x1F000 <= ord(ch) <= 0x1FAFF)


def _joins_letters(text: str, i: int) -> bool:
    """A zero-width non-joiner between letters of a script that needs it (Persian,
    Hindi); not between Latin letters, where it only hides a word."""
    prev = text[i - 1] if i else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    return all(c.isalpha() and ord(c) >= 0x0590 for c in (prev, nxt))


def is_hidden(text: str, i: int) -> bool:
    """A Unicode format character (soft hyphen, zero-width space, direction marks, a
    BOM...) that the reader never sees; except those that build an emoji (a zero-width
    joiner between two, the tags of a flag) or a word of a script that needs them."""
    ch = text[i]
    if unicodedata.category(ch) != "Cf":
        return False
    if ch == "\u200d":
        prev = text[i - 1] if i else ""
        if prev == "\ufe0f" and i > 1:
            prev = text[i - 2]
        nxt = text[i + 1] if i + 1 < len(text) else ""
        return not (_emoji(prev) and _emoji(nxt))
    if "\U000e0020" <= ch <= "\U000e007f":
        j = i
        while j > 0 and "\U000e0020" <= text[j - 1] <= "\U000e007f":
            j -= 1
        return not (j > 0 and text[j - 1] == "\U0001f3f4")
    if ch == "\u200c":
        return not _joins_letters(text, i)
    return True


def hidden_runs(text: str) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for i in range(len(text)):
        if is_hidden(text, i):
            if runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
    return runs


def without_hidden(text: str) -> str:
    hidden = {i for a, b in hidden_runs(text) for i in range(a, b)}
    return "".join(c for i, c in enumerate(text) if i not in hidden)


def _describe(chars: str) -> str:
    names: dict[str, int] = {}
    for c in chars:
        name = unicodedata.name(c, f"U+{ord(c):04X}").lower()
        names[name] = names.get(name, 0) + 1
    return ", ".join(f"{n} x {name}" if n > 1 else name for name, n in names.items())


def hidden_edits(text: str, taken: Sequence[TextEdit]) -> list[TextEdit]:
    """Deletions of hidden characters outside the name edits (whose new words carry
    none)."""
    out = []
    for a, b in hidden_runs(text):
        if any(e.start < b and a < e.end for e in taken):
            continue
        out.append(TextEdit(start=a, end=b, new="", action="hidden-characters", rule="",
                            note=f"hidden character removed: {_describe(text[a:b])}"))
    return out


# ---- applying the edits ---------------------------------------------------------------------


@cache
def _engine() -> AnonymizerEngine:
    from presidio_anonymizer import AnonymizerEngine

    return AnonymizerEngine()  # type: ignore[no-untyped-call]


def apply(text: str, edits: Sequence[TextEdit]) -> tuple[str, tuple[TextChange, ...]]:
    """The text with every edit made (edits must not overlap), and each change's place
    before and after."""
    if not edits:
        return text, ()
    from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

    ordered = sorted(edits, key=lambda e: e.start)
    for a, b in pairwise(ordered):
        if b.start < a.end:
            raise ValueError(f"overlapping edits at {a.start}-{a.end} and {b.start}-{b.end}")
    # One entity type per edit: presidio merges neighbouring results of one type.
    results = [RecognizerResult(entity_type=f"SMCHECK_{n}", start=e.start, end=e.end,
                                score=1.0) for n, e in enumerate(ordered)]
    operators: dict[str, Any] = {
        f"SMCHECK_{n}": OperatorConfig("replace", {"new_value": without_hidden(e.new)})
        if e.new else OperatorConfig("redact", {})
        for n, e in enumerate(ordered)}
    result = _engine().anonymize(text=text, analyzer_results=results, operators=operators)
    landed = {item.entity_type: item for item in result.items}
    changes = []
    for n, e in enumerate(ordered):
        item = landed[f"SMCHECK_{n}"]
        changes.append(TextChange(
            before=Span(start=e.start, end=e.end, text=text[e.start:e.end]),
            after=Span(start=item.start, end=item.end, text=result.text[item.start:item.end]),
            action=e.action, rule=e.rule, student_ids=e.student_ids, note=e.note))
    return result.text, tuple(changes)
