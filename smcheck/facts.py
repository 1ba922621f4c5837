"""Facts: everything extraction learned about one post, the only input of the rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from smcheck.extract.text import TextFacts
from smcheck.findings import Box
from smcheck.post import Post

if TYPE_CHECKING:
    from smcheck.extract.captions import Caption
    from smcheck.extract.imagetext import ImageText
    from smcheck.extract.ocr import TextLine


@dataclass(frozen=True, kw_only=True)
class Face:
    box: Box  # pixels of the oriented image
    # (student id, distance) for every student with reference photos, nearest first.
    distances: tuple[tuple[str, float], ...]


@dataclass(frozen=True, kw_only=True)
class CaptionFacts:
    """Caption fields of a photo's file and its file name as words (extract/captions.py),
    read as one text, a blank line apart (one extraction for them all), and what the
    post's text extraction found in it."""

    captions: tuple[Caption, ...]
    starts: tuple[int, ...]  # where each caption starts in `reading`
    reading: str  # the captions as read (words in capitals cased as prose, same length)
    words: TextFacts | None  # None: nothing in it the N, R or C rules could find

    def part(self, offset: int) -> int:
        """Which caption a character of `reading` belongs to."""
        return max((i for i, a in enumerate(self.starts) if a <= offset), default=0)


@dataclass(frozen=True, kw_only=True)
class ImageFacts:
    file: str
    faces: tuple[Face, ...]
    location: str | None  # GPS/XMP location metadata, described
    references: bool  # whether any roster student had reference photos
    # Words written in the photo: each line with its box, and the lines read as one
    # text (joined, cased) with the facts the post's text extraction found in it.
    text: tuple[TextLine, ...] = ()
    reading: ImageText | None = None
    words: TextFacts | None = None
    # Its caption metadata and its file name, each read as text of the post.
    captions: tuple[CaptionFacts, ...] = ()


@dataclass(frozen=True, kw_only=True)
class InputProblem:
    """One input of the post (an image, the front matter) could not be read."""

    file: str
    message: str


@dataclass(frozen=True, kw_only=True)
class Unavailable:
    """A check that could not run on this post: never a silent pass."""

    check: str
    file: str | None
    reason: str


@dataclass(frozen=True, kw_only=True)
class Facts:
    post: Post
    text: TextFacts
    images: tuple[ImageFacts, ...] = ()
    problems: tuple[InputProblem, ...] = ()
    unavailable: tuple[Unavailable, ...] = ()
