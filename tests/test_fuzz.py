"""Fuzzing the inputs a user or an attacker controls: front matter, post bytes and text,
roster cells and file names. Whatever comes in, the answer is a report or a clear
InputError, never another exception; error messages never repeat what they read; every
output is valid and safe. Bounded example counts keep the suite quick on 2 cores."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from smcheck.api import Checker
from smcheck.display import shown
from smcheck.errors import InputError
from smcheck.post import MAX_TEXT_BYTES, PostSource, build_post, decode_text, discover
from smcheck.roster import load_roster
from tests.conftest import PUBLISH_AT

SECRET = "Zanzibarka"  # a "student name" planted in what is read: never in an error
FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# YAML's own characters, line breaks, quotes, and a few of everything else.
def tokens(*words: str, chars: str = "", size: int = 40) -> st.SearchStrategy[str]:
    """Strings made of these words and characters."""
    return st.lists(st.sampled_from([*chars, *words]), max_size=size).map("".join)


yaml_text = tokens(SECRET, "publish_at", "images", "public_event", "2026-11-31", "\x00",
                   "\u2028", "\ufeff", "é", chars="abc xyz:-[]{}!&*#|>'\"%@`,?\n\t 0123456789.T+")


@FAST
@given(front=yaml_text, body=st.text(max_size=40))
def test_front_matter(front: str, body: str) -> None:
    text = f"---\n{front}\n---\n{body}"
    try:
        post = build_post("post.md", text, (), Path("."))
    except InputError as exc:
        assert SECRET not in str(exc)
        assert "\n" not in str(exc)
        return
    assert isinstance(post.text, str)
    assert post.publish_at is None or isinstance(post.publish_at, datetime)
    assert post.public_event in (None, True, False)


@FAST
@given(data=st.binary(max_size=300), bom=st.sampled_from(
    [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]))
def test_post_bytes(data: bytes, bom: bytes) -> None:
    try:
        text = decode_text(bom + data, "post.txt")
    except InputError as exc:
        assert str(exc).startswith("post.txt")
        return
    assert text.strip() and "\x00" not in text
    text.encode("utf-8")  # no lone surrogate


def test_post_size_limit() -> None:
    try:
        decode_text(b"a" * (MAX_TEXT_BYTES + 1), "big.txt")
    except InputError as exc:
        assert "over 1 MB" in str(exc)
    else:
        raise AssertionError("a post over 1 MB was read")


cell = tokens(SECRET, "full", "none", "photo only", "yes", "no", "2026-02-30", "Leo, Ramirez",
              "\x00", "\ufeff", "é", chars="ab ,;\t\"\n\r01xyYN-/", size=8)
headers = st.lists(st.sampled_from([
    "student_id", "ID", "first_name", "last_name", "Student Name", "media_release",
    "Photo/Video Opt Out", "Custody Alert", "safety_flag", "release_expires", "grade",
    "social_release", "notes", SECRET]), min_size=1, max_size=7)


@FAST
@given(header=headers, rows=st.lists(st.lists(cell, max_size=8), max_size=5),
       delimiter=st.sampled_from([",", ";", "\t"]))
def test_roster_cells(header: list[str], rows: list[list[str]], delimiter: str) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.csv"
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
        try:
            roster = load_roster(path, check_photos=False)
        except InputError as exc:
            # A header may be named (it is ours to point at); a cell never is.
            message = str(exc)
            for h in header:
                message = message.replace(repr(h), "").replace(h, "")
            assert SECRET not in message, str(exc)
            return
    for s in roster.students:
        assert s.id and s.first_name and s.last_name


@SLOW
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1,
                    max_size=200))
def test_post_text_never_breaks_a_check(checker: Checker, text: str) -> None:
    assume(text.strip())
    from smcheck.post import Post
    from smcheck.reporters import github, sarif
    from smcheck.reporters import json as json_reporter

    report = checker.report([checker.check_safely(Post(path="p.txt", text=text), PUBLISH_AT)],
                            PUBLISH_AT)
    assert all(f.rule != "E902" for f in report.posts[0].findings), text
    for f in report.posts[0].findings:
        if f.span is not None:
            assert 0 <= f.span.start <= f.span.end <= len(text)
    json.loads(json_reporter.render(report))
    json.loads(sarif.render(report))
    assert all(line.startswith("::") for line in github.render(report).splitlines())


name_bytes = st.binary(min_size=1, max_size=24).filter(
    lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b".."))


@SLOW
@given(names=st.lists(name_bytes, min_size=1, max_size=4, unique=True),
       suffix=st.sampled_from([b".txt", b".md", b".jpg", b""]))
def test_file_names(checker: Checker, names: list[bytes], suffix: bytes) -> None:
    from smcheck.reporters import github, sarif
    from smcheck.reporters import json as json_reporter

    with tempfile.TemporaryDirectory() as folder:
        root = os.fsencode(folder)
        for name in names:
            with open(os.path.join(root, name + suffix), "wb") as fh:
                fh.write(b"Great job, Leo!")
        sources = list(discover(Path(folder)))
        reports = [checker.audit_one(s, PUBLISH_AT) for s in sources]
        report = checker.report(reports, PUBLISH_AT)
        for out in (json_reporter.render(report), sarif.render(report), github.render(report)):
            out.encode("utf-8")  # valid UTF-8: no lone surrogate
            assert "\x1b" not in out and "\r" not in out
        json.loads(json_reporter.render(report))
        lines = github.render(report).splitlines()
        assert len(lines) == sum(len(p.findings) for p in report.posts) + len(report.notices)
        for s in sources:
            assert s.label == shown(s.label)
            assert isinstance(s, PostSource)
