"""A long post is parsed in chunks and, from `parallel_chars` on, parsed and analysed on
every core (engines.py): the findings must be exactly those of one process."""

from __future__ import annotations

import copy
from pathlib import Path

from smcheck.api import Checker
from smcheck.config import Config
from smcheck.engines import Engines
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
