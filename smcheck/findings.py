"""Severities, findings and reports: the immutable values every stage passes on.

Rules yield `Finding`s; `api` gathers them into `PostReport`s and a `Report`;
reporters only render a `Report`. The verdict and the exit code are derived
from a report here, so every reporter agrees on them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from pathlib import Path
from typing import Any, Literal


class Severity(IntEnum):
    INFO = 0
    WARNING = 1
    VIOLATION = 2
    CRITICAL = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls[value.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {value!r} (expected one of: {names})") from None


@dataclass(frozen=True, kw_only=True)
class Span:
    """Characters [start, end) of the post text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, kw_only=True)
class Box:
    """A face box in pixels of the oriented image."""

    top: int
    right: int
    bottom: int
    left: int

    def iou(self, other: Box) -> float:
        """Intersection over union with another box: 0 apart, 1 the same box."""
        w = min(self.right, other.right) - max(self.left, other.left)
        h = min(self.bottom, other.bottom) - max(self.top, other.top)
        if w <= 0 or h <= 0:
            return 0.0
        inter = w * h
        area = (self.right - self.left) * (self.bottom - self.top) + \
            (other.right - other.left) * (other.bottom - other.top)
        return inter / (area - inter)


@dataclass(frozen=True, kw_only=True)
class Finding:
    rule: str
    name: str
    severity: Severity
    message: str
    # "text", "image" (a face, words in the photo), "caption" (a caption field of the
    # photo's file), "filename" (the photo's file name) or "input"
    source: str
    file: str | None = None
    # Characters of the post text; of the caption field's text (source "caption"); of
    # the file name as words (source "filename").
    span: Span | None = None
    box: Box | None = None
    student_id: str | None = None
    # The student's display name, for text output only: never in redacted output.
    student_name: str | None = None
    confidence: float | None = None
    policy: tuple[str, ...] = ()
    # The same problem's other places in the text, in order: a student named three times
    # is one finding at the first place, and each place is evidence of its own (one
    # `smcheck accept` covers one place: SPEC section 4).
    more: tuple[Span, ...] = ()
    # Which metadata of `file` the span is in (source "caption" or "filename"):
    # "EXIF ImageDescription", "XMP dc:description", "IPTC caption (2:120)", "file name".
    field: str | None = None
    # The rule's one-line summary, as `name` and `policy` are the rule's: a finding is
    # shown, redacted too, without the rule catalogue (which sits above, in rules/).
    summary: str = ""

    @property
    def spans(self) -> tuple[Span, ...]:
        """Every place of the finding in the text: its span, then `more`."""
        return ((self.span,) if self.span is not None else ()) + self.more

    def shown(self, redact: bool) -> str:
        """The message, or under --redact one that quotes no words and names no one."""
        if not redact:
            return self.message
        summary = self.summary or self.name
        return f"{summary[:1].upper()}{summary[1:]}. See `smcheck rules {self.rule}`."

    def sort_key(self) -> tuple[int, int, str, str]:
        pos = self.span.start if self.span else -1
        return (-int(self.severity), pos, self.rule, self.student_id or "")


VERDICTS = ("block", "review", "ok")

NoticeCode = Literal["no-roster", "no-config", "no-reference-photos"]


@dataclass(frozen=True, kw_only=True)
class Notice:
    """Something about the run every output states (SPEC section 6): no roster, no config."""

    code: NoticeCode
    message: str


@dataclass(frozen=True, kw_only=True)
class PostReport:
    path: str
    images: tuple[str, ...]
    text: str
    findings: tuple[Finding, ...]
    publish_at: datetime | None = None
    # Where each of `images` is on disk, for reporters that read the pixels again.
    image_paths: tuple[Path, ...] = ()
    # The result depends on the publish time, not only its day ("tomorrow at 9").
    time_sensitive: bool = False
    # What comes before `text` in the file (front matter): lines and characters. Spans
    # count from `text` (SPEC 6); line numbers for editors and CI count the file's.
    text_line: int = 0
    text_start: int = 0

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column in the post's file of a character offset of `text`."""
        line = self.text.count("\n", 0, offset) + 1
        return line + self.text_line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1

    def verdict(self, fail_on: Severity | None) -> str:
        if fail_on is not None and any(f.severity >= fail_on for f in self.findings):
            return "block"
        if any(f.severity >= Severity.WARNING for f in self.findings):
            return "review"
        return "ok"


@dataclass(frozen=True, kw_only=True)
class Report:
    publish_at: datetime
    posts: tuple[PostReport, ...]
    # None means fail_on = "never": nothing blocks.
    fail_on: Severity | None = Severity.VIOLATION
    redact: bool = False
    notices: tuple[Notice, ...] = ()

    def verdicts(self) -> dict[str, int]:
        counts = dict.fromkeys(VERDICTS, 0)
        for post in self.posts:
            counts[post.verdict(self.fail_on)] += 1
        return counts

    def severity_counts(self) -> dict[str, int]:
        counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for post in self.posts:
            for f in post.findings:
                counts[f.severity.label] += 1
        return counts

    @property
    def exit_code(self) -> int:
        return 1 if self.verdicts()["block"] else 0

    @property
    def verdict(self) -> str:
        """The run's verdict: `block` if any post is blocked, else `review`, else `ok`."""
        v = self.verdicts()
        return "block" if v["block"] else ("review" if v["review"] else "ok")

    def to_dict(self) -> dict[str, Any]:
        """The JSON of SPEC section 6, as Python values (what `--format json` prints:
        reporters/json.py)."""
        verdicts = self.verdicts()
        return {
            "version": 1,
            "publish_at": self.publish_at.isoformat(timespec="seconds"),
            "posts": [
                {
                    "path": p.path,
                    "images": list(p.images),
                    "verdict": p.verdict(self.fail_on),
                    "findings": [finding_dict(f, self) for f in p.findings],
                }
                for p in self.posts
            ],
            "notices": [{"code": n.code, "message": n.message} for n in self.notices],
            "summary": {
                "posts": len(self.posts),
                "blocked": verdicts["block"],
                "review": verdicts["review"],
                "ok": verdicts["ok"],
                "findings": self.severity_counts(),
            },
        }

    def to_json(self) -> str:
        """The JSON of SPEC section 6 (what `--format json` prints)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


def finding_dict(f: Finding, report: Report) -> dict[str, Any]:
    """One finding as SPEC section 6 gives it, redacted as the report asks."""
    span = None
    if f.span is not None:
        span = {"start": f.span.start, "end": f.span.end,
                "text": "" if report.redact else f.span.text}
    box = None
    if f.box is not None:
        box = {"top": f.box.top, "right": f.box.right, "bottom": f.box.bottom, "left": f.box.left}
    out: dict[str, Any] = {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity.label,
        "message": f.shown(report.redact),
        "source": f.source,
        "file": f.file,
        "span": span,
        "box": box,
        "student_id": None if report.redact else f.student_id,
        "policy": list(f.policy),
    }
    if f.confidence is not None:
        out["confidence"] = round(f.confidence, 3)
    if f.field is not None:
        # Source "caption" or "filename": which metadata of the photo the span is in.
        out["field"] = f.field
    return out


def sorted_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=Finding.sort_key))
