"""Photo words as text (extract/imagetext.py): casing, joining, the way back to boxes,
and which words are worth the text extraction. No models: fast."""

from __future__ import annotations

import pytest

from smcheck.extract.imagetext import compose, recase, worth_reading
from smcheck.extract.names import NameMatcher
from smcheck.extract.ocr import TextLine
from smcheck.findings import Box
from smcheck.roster import Roster


@pytest.fixture(scope="module")
def matcher(roster: Roster) -> NameMatcher:
    return NameMatcher(roster.students, ())


@pytest.mark.parametrize(("words", "cased"), [
    ("MAYA T.", "Maya t."),  # a one-letter word is left as it is written
    ("PRIYA R.", "Priya R."),
    ("LEO RAMIREZ", "Leo Ramirez"),
    ("CALL US TODAY", "Call Us today"),  # "Call" and "Us" are census surnames
    ("Star of the week", "Star of the week"),  # mixed case: untouched
    ("IEP 504", "iep 504"),
    ("HOPE SQUAD", "Hope Squad"),  # a team's name, not Hope's squad
    ("SCIENCE FAIR", "Science Fair"),
])
def test_recase(matcher: NameMatcher, words: str, cased: str) -> None:
    assert recase(words, matcher.keeps_capital) == cased.replace("Maya t.", "Maya T.")
    assert len(recase(words, matcher.keeps_capital)) == len(words)


@pytest.mark.parametrize(("text", "in_a_post", "in_a_photo"), [
    ("Hope", [], ["Hope"]),  # a heading in a post; a name tag in a photo
    ("Will\n\nGreat job today", [], ["Will"]),
    ("Summer!", [], ["Summer"]),
    ("June", [], []),  # a month alone is a calendar's heading, in a photo too
    ("Hope you have a great break", [], []),
    ("Hope Squad", [], []),
])
def test_a_first_name_alone_on_its_line(matcher: NameMatcher, text: str,
                                        in_a_post: list[str], in_a_photo: list[str]) -> None:
    for m, expected in ((matcher, in_a_post), (matcher.for_photos(), in_a_photo)):
        found = m.find(text, m.tokenize(text), None)
        assert [text[f.span.start:f.span.end] for f in found] == expected, m.lone_lines


@pytest.mark.parametrize(("words", "worth"), [
    ("PRIYA R.", True), ("Call 503-555-0142", True), ("mrk@gmail.com", True),
    ("Add us on Snapchat", True), ("IEP meeting today", True), ("Happy birthday", True),
    ("GREAT WORK", True), ("HBO", False), ("PUMA", False), ("CLUB", False),
])
def test_worth_reading(matcher: NameMatcher, words: str, worth: bool) -> None:
    assert worth_reading(words, matcher.may_start_name) is worth


def line(text: str, left: int, top: int, right: int, bottom: int) -> TextLine:
    return TextLine(text=text, box=Box(left=left, top=top, right=right, bottom=bottom), score=1.0)


def test_compose_and_boxes(matcher: NameMatcher) -> None:
    board = [line("STAR OF THE WEEK:", 100, 100, 400, 130),
             line("PRIYA R.", 120, 140, 260, 170),  # right under: the same paragraph
             line("Call 503-555-0142", 600, 500, 900, 530)]  # elsewhere: a new one
    read = compose(board, matcher.is_name_word)
    assert read.text == "Star of the week:\nPriya R.\n\nCall 503-555-0142"
    start = read.text.index("Priya")
    assert read.box(start, start + 8) == board[1].box
    assert read.words(start, start + 8) == "PRIYA R."
    both = read.box(0, start + 5)
    assert both == Box(left=100, top=100, right=400, bottom=170)
