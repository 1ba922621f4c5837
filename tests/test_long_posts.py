"""A long post is parsed in chunks and, from `parallel_chars` on, parsed and analysed on
every core (engines.py): the findings must be exactly those of one process."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smcheck.api import Checker
from smcheck.config import Config
from smcheck.engines import Engines
from smcheck.extract import context, events
from smcheck.post import Post
from smcheck.roster import load_roster
from tests.conftest import PUBLISH_AT, ROOT

EVAL = ROOT / "eval"


def _findings(engines: Engines, text: str) -> list[tuple[str, str | None, int, int]]:
    checker = Checker(config=Config(), roster=load_roster(EVAL / "roster.csv"))
    checker.engines = engines
    report = checker.check_post(Post(path="long.txt", text=text), PUBLISH_AT)
    return [(f.rule, f.student_id, f.span.start if f.span else -1,
             f.span.end if f.span else -1) for f in report.findings]


def test_chunks_on_every_core_find_what_one_process_finds() -> None:
    posts = sorted((EVAL / "posts").glob("*.txt"))[:40]
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in posts)
    assert len(text) > 30_000
    serial = Engines()
    serial.settings = copy.deepcopy(serial.settings)
    serial.settings["spacy"]["parallel_chars"] = 10**9
    parallel = Engines()
    parallel.settings = copy.deepcopy(parallel.settings)
    parallel.settings["spacy"]["parallel_chars"] = 1
    assert parallel._processes(len(text)) > 1 or Path("/proc/cpuinfo").read_text().count(
        "processor") < 2
    one = _findings(serial, text)
    assert one, "the corpus's posts hold findings"
    assert _findings(parallel, text) == one


class _CountingWords:
    """context._WORDS that counts the characters each look back reads."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.read = 0

    def finditer(self, text: str, pos: int, endpos: int) -> Iterator[re.Match[str]]:
        self.read += max(0, endpos - pos)
        return self.pattern.finditer(text, pos, endpos)


def _paragraph_work(monkeypatch: pytest.MonkeyPatch, checker: Checker,
                    text: str) -> tuple[int, int, int]:
    """While checking `text`: the characters searched for paragraph-wide cues (public-event
    words, app lessons, a parents' audience), the characters read looking back from a
    phone, an app or a place, and how many times a sentence was asked for the token at a
    position (for each name, time, place and trigger word near it)."""
    made: list[context.Paragraphs] = []
    init = context.Paragraphs.__init__

    def keep(self: context.Paragraphs, *args: Any) -> None:
        init(self, *args)
        made.append(self)

    words = _CountingWords(context._WORDS)
    asked = [0]
    token_at = events._token_at

    def counted(sent: Any, pos: int) -> Any:
        asked[0] += 1
        return token_at(sent, pos)

    with monkeypatch.context() as m:
        m.setattr(context.Paragraphs, "__init__", keep)
        m.setattr(context, "_WORDS", words)
        m.setattr(events, "_token_at", counted)
        checker.check_post(Post(path="one-paragraph.txt", text=text), PUBLISH_AT)
    assert len(made) == 1
    return made[0].scanned, words.read, asked[0]


def test_one_long_paragraph_is_read_a_bounded_number_of_times(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 18: a post of one long paragraph took time with the square of its length
    (each sentence searched its whole paragraph again for public-event words; each phone
    number read every word back to its line's start; each place in a sentence looked up
    every name of the post). The work is counted, not timed: each paragraph is searched
    once per cue list, a look back reads a few words, and twice the text asks for twice
    the tokens (before: four times)."""
    checker = Checker(config=Config(), roster=load_roster(EVAL / "roster.csv"))
    posts = sorted((EVAL / "posts").glob("*.txt"))[:60]
    blob = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in posts)
    half = blob[:len(blob) // 2]
    cues = 3  # paragraph-wide cue lists: public_event_words, app_discussion_words, parent_audience
    work = []
    for text in (half, blob):
        scanned, read, asked = _paragraph_work(monkeypatch, checker, text)
        assert 0 < scanned <= cues * len(text)
        assert 0 < read <= len(text)
        work.append(asked)
    assert 0 < work[1] <= 2.5 * work[0]


def test_the_token_at_a_position_is_the_one_a_walk_along_the_sentence_finds() -> None:
    def walk(sent: Any, pos: int) -> Any:
        if not len(sent) or pos < sent[0].idx or pos >= sent[-1].idx + len(sent[-1].text):
            return None
        for t in sent:
            if t.idx <= pos < t.idx + max(1, len(t.text)) or t.idx > pos:
                return t
        return None

    text = ("Field trip Friday!  Please be at school by 8:15 -- we leave at 8:30 sharp.\n\n"
            "Maya   Thompson is at the zoo;\tback Monday.  ")
    doc = Engines().parse(text).doc
    for sent in doc.sents:
        for pos in range(-1, len(text) + 1):
            a, b = events._token_at(sent, pos), walk(sent, pos)
            assert (a.i if a is not None else None) == (b.i if b is not None else None), pos
