"""JSON exactly as SPEC section 6, the same shape for `check` and `audit`."""

from __future__ import annotations

import json
from typing import Any

from smcheck.findings import Finding, Report
from smcheck.reporters import shown_message


def finding_dict(f: Finding, report: Report) -> dict[str, Any]:
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
        "message": shown_message(f, report),
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


def to_dict(report: Report) -> dict[str, Any]:
    verdicts = report.verdicts()
    return {
        "version": 1,
        "publish_at": report.publish_at.isoformat(timespec="seconds"),
        "posts": [
            {
                "path": p.path,
                "images": list(p.images),
                "verdict": p.verdict(report.fail_on),
                "findings": [finding_dict(f, report) for f in p.findings],
            }
            for p in report.posts
        ],
        "notices": [{"code": n.code, "message": n.message} for n in report.notices],
        "summary": {
            "posts": len(report.posts),
            "blocked": verdicts["block"],
            "review": verdicts["review"],
            "ok": verdicts["ok"],
            "findings": report.severity_counts(),
        },
    }


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
