"""The words read in a photo as one text the post's own extraction can read, and the way
back from a span of that text to the box of the words in the photo.

Lines are joined in reading order: a line right under another (a whiteboard's "Star of
the week:" over "Maya T.") continues its paragraph, others start a new one. Words in
capitals, as name tags and signs write them ("MAYA T.", "CALL US"), are given the case
prose would give them, same length so every offset stays put: a name (a roster name or
a census first or last name) or a word of the names of things ("SQUAD", "FAIR") a
capital, any other word small letters. The name matcher
then reads "Maya T." as it would in a post, and "MASON" on a tag as a name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from smcheck.extract.casing import CAPS_WORD as _CAPS_WORD
from smcheck.extract.casing import recase as recase
from smcheck.extract.ocr import TextLine
from smcheck.findings import Box, Finding


@dataclass(frozen=True)
class ImageText:
    text: str  # the lines, joined and cased for reading
    lines: tuple[TextLine, ...]
    starts: tuple[int, ...]  # where each line starts in `text`

    def box(self, start: int, end: int) -> Box | None:
        """The box around the lines that characters [start, end) fall on."""
        boxes = [line.box for line, a in zip(self.lines, self.starts, strict=True)
                 if a < end and start < a + len(line.text)]
        if not boxes:
            return None
        return Box(left=min(b.left for b in boxes), top=min(b.top for b in boxes),
                   right=max(b.right for b in boxes), bottom=max(b.bottom for b in boxes))

    def words(self, start: int, end: int) -> str:
        """The words as the photo shows them."""
        out = []
        for line, a in zip(self.lines, self.starts, strict=True):
            lo, hi = max(start, a), min(end, a + len(line.text))
            if lo < hi:
                out.append(line.text[lo - a:hi - a])
        return " ".join(out)


def worth_reading(text: str, is_name: Callable[[str], bool]) -> bool:
    """Could the N, R or C rules find anything in these words? Many words in photos are
    single brand names and logos ("HBO", "PUMA"): no need to parse them. A digit, an
    "@", a word that may be a name, or a line of two words or more: yes."""
    if _HINT.search(text):
        return True
    if any(is_name(w.casefold()) for w in _CAPS_WORD.findall(text)):
        return True
    return any(len(_CAPS_WORD.findall(line)) >= 2 for line in text.splitlines())


_HINT = re.compile(r"[\d@]")


def compose(lines: Sequence[TextLine], is_name: Callable[[str], bool]) -> ImageText:
    parts: list[str] = []
    starts: list[int] = []
    pos = 0
    for n, line in enumerate(lines):
        if n:
            sep = "\n" if _continues(lines[n - 1].box, line.box) else "\n\n"
            parts.append(sep)
            pos += len(sep)
        starts.append(pos)
        cased = recase(line.text, is_name)
        parts.append(cased)
        pos += len(cased)
    return ImageText(text="".join(parts), lines=tuple(lines), starts=tuple(starts))


def _continues(above: Box, below: Box) -> bool:
    """`below` is the next line of the same block: just under `above`, overlapping it."""
    height = max(1, above.bottom - above.top)
    gap = below.top - above.bottom
    overlap = min(above.right, below.right) - max(above.left, below.left)
    return -height / 2 <= gap <= height and overlap > 0


def on_photo(finding: Finding, text: ImageText, file: str) -> Finding:
    """A finding on the photo's words, placed on the photo: the file and the box of the
    words, their text quoted in the message (which --redact replaces whole)."""
    span = finding.span
    if span is None:
        return replace(finding, source="image", file=file)
    words = text.words(span.start, span.end)
    return replace(finding, source="image", file=file, span=None,
                   box=text.box(span.start, span.end),
                   message=f"Written in the photo (\u201c{words}\u201d): {finding.message}")
