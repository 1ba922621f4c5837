"""Sentences about a safety-flagged student, out of the fixed copy whole.

A neutral phrase hides a name, not the child: "Welcome back, JJ - we missed you" made
"Welcome back - we missed you", and "Jaylen scored twice at the Lincoln game" made
"A student scored twice at the Lincoln game", which still tells whoever is looking for
that child where they were. So for a student with a custody or safety flag (N104) the
sentence goes, not the name: every sentence that mentions the student, or names their
family by surname. A hashtag among tags is only a tag: it goes alone, as for any name.

What a fix cannot know is what else points at the child: "She was so proud." right
after a removed sentence. The sentence right after one that went, in the same
paragraph, with a pronoun that may stand for the student (`models/fix.toml`
[follow_up]) stays, and is given to a person (`follow_ups`): never rewritten by guess,
never passed as clean.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from smcheck.extract.names import FamilyName, NameMention
from smcheck.findings import Finding, Severity, Span
from smcheck.fix.names import TextEdit, decide, hashtag_in_run, wording
from smcheck.fix.text import TextChange
from smcheck.roster import Release, Student

RULE = "N104"
NOTE = ("the whole sentence removed, not just the name: it is about a student with a "
        "custody or safety flag")


@dataclass(frozen=True, kw_only=True)
class Removal:
    """Sentences [start, end) of the original text that go, and whose they were."""

    start: int
    end: int
    student_ids: tuple[str, ...]
    sentences: tuple[int, ...]  # their indexes in the post's sentence list


@cache
def _pronouns() -> re.Pattern[str]:
    follow = wording()["follow_up"]
    assert isinstance(follow, dict)
    words = sorted((str(w) for w in follow["pronouns"]), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.I)


def _sentence_of(sentences: Sequence[Span], starts: Sequence[int], pos: int) -> int | None:
    i = bisect_right(starts, pos) - 1
    return i if i >= 0 and pos < sentences[i].end else None


def removals(text: str, sentences: Sequence[Span], mentions: Sequence[NameMention],
             families: Sequence[FamilyName], findings: Sequence[Finding],
             release: Callable[[Student], Release]) -> list[Removal]:
    """The sentences to remove (spans in `text`, the original's characters): each
    holding an open N104 mention that is not a hashtag among tags, or the family
    phrase of such a student."""
    starts = [s.start for s in sentences]
    whose: dict[int, set[str]] = {}
    flagged: set[str] = set()
    for d in decide(mentions, findings, release):
        if d.rule != RULE:
            continue
        flagged.update(s.id for s in d.students)
        if hashtag_in_run(text, d.mention.span.start, d.mention.span.end):
            continue  # a tag among tags goes alone (names.py)
        i = _sentence_of(sentences, starts, d.mention.span.start)
        if i is not None:
            whose.setdefault(i, set()).update(s.id for s in d.students)
    for f in families:
        i = _sentence_of(sentences, starts, f.span.start)
        if f.student.id in flagged and i is not None:
            whose.setdefault(i, set()).add(f.student.id)
    out: list[Removal] = []
    for i in sorted(whose):
        s = sentences[i]
        if out and not text[out[-1].end:s.start].strip():  # the next sentence: one removal
            last = out[-1]
            out[-1] = Removal(start=last.start, end=s.end,
                              student_ids=tuple(sorted({*last.student_ids, *whose[i]})),
                              sentences=(*last.sentences, i))
        else:
            out.append(Removal(start=s.start, end=s.end, student_ids=tuple(sorted(whose[i])),
                               sentences=(i,)))
    return [_widened(text, r) for r in out]


def _widened(text: str, r: Removal) -> Removal:
    """The removal with the spaces and line breaks that would be left over: a sentence
    on a line of its own goes with its line (its bullet or emoji too), one beside
    others with the space between them."""
    start, end = r.start, r.end
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    if not re.search(r"\w", text[ls:start]):
        start = ls  # only a bullet, a quote mark or an emoji before it
    if not re.search(r"\w", text[end:le]):
        end = le  # only closing marks or an emoji after it
    if start == ls and end == le:  # the whole line
        if le < len(text):
            end = le + 1
            blank_before = ls == 0 or text[ls - 2:ls - 1] == "\n"
            if blank_before and text[end:end + 1] == "\n":
                end += 1  # a paragraph of its own: no blank line left behind
        elif ls > 0:
            start = ls - 1
    elif end == le:
        while start > ls and text[start - 1] in " \t":
            start -= 1
    else:
        while end < le and text[end] in " \t":
            end += 1
    return Removal(start=start, end=end, student_ids=r.student_ids, sentences=r.sentences)


def removal_edits(removed: Sequence[Removal]) -> list[TextEdit]:
    return [TextEdit(start=r.start, end=r.end, new="", action="sentence", rule=RULE,
                     student_ids=r.student_ids, note=NOTE) for r in removed]


def outside(spans: Sequence[Span], removed: Sequence[Removal]) -> list[int]:
    """The indexes of `spans` that no removal covers."""
    return [n for n, s in enumerate(spans)
            if not any(r.start <= s.start < r.end for r in removed)]


def _moved(pos: int, changes: Sequence[TextChange]) -> int:
    """Where a character of the original is in the fixed text."""
    return pos + sum(len(c.after.text) - len(c.before.text) for c in changes
                     if c.before.end <= pos)


def follow_ups(text: str, sentences: Sequence[Span], changes: Sequence[TextChange],
               fixed: str, file: str, n104: tuple[str, tuple[str, ...]]) -> list[Finding]:
    """For a person: the sentence right after a removed one, in its paragraph, when a
    pronoun in it may stand for the removed student. `text` and `sentences` are the
    original's, spans of what is returned the fixed text's. `n104`: the rule's name and
    policy passages."""
    out: list[Finding] = []
    removed = [c for c in changes if c.action == "sentence"]
    gone = [[i for i, s in enumerate(sentences) if c.before.start <= s.start < c.before.end]
            for c in removed]
    every = {i for g in gone for i in g}
    for c, indexes in zip(removed, gone, strict=True):
        if not indexes:
            continue
        i = indexes[-1] + 1
        if i >= len(sentences) or i in every:
            continue
        s = sentences[i]
        if "\n\n" in text[sentences[i - 1].end:s.start].replace("\r", ""):
            continue  # another paragraph
        found = _pronouns().search(text, s.start, s.end)
        if found is None:
            continue
        start, end = _moved(s.start, changes), _moved(s.end, changes)
        out.append(Finding(
            rule=RULE, name=n104[0], severity=Severity.WARNING, source="text", file=file,
            span=Span(start=start, end=end, text=fixed[start:end]),
            student_id=c.student_ids[0] if len(c.student_ids) == 1 else None,
            policy=n104[1],
            message=f"The sentence before this one was removed: it was about a student "
                    f"with a custody or safety flag. \u201c{found.group()}\u201d here may "
                    "still mean that student: read it, and remove it too if it does."))
    return out
