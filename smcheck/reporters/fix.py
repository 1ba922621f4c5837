"""What `smcheck fix` did: text for people and JSON for programs, from one FixReport.

Each post: where its copy went, the verdict before and after, each change (the words
before and after, the rule it answers), each photo (faces and words hidden, metadata
removed, turned upright), and what still needs a person, with what to do. Under
--redact no words, names or student ids appear.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

from rich.console import Console
from rich.markup import escape

from smcheck.findings import Box, Report
from smcheck.fix import FixReport, ImageFix, PostFix
from smcheck.fix.text import TextChange
from smcheck.reporters import json as json_reporter
from smcheck.reporters import shown_message
from smcheck.reporters.text import STYLE, VERDICT_STYLE, VERDICT_WORD, render_notices

ACTION = {"first-name": "cut to the first name", "neutral": "a neutral phrase instead",
          "surname": "the family's surname removed",
          "hidden-characters": "hidden characters removed"}


def _quote(text: str) -> str:
    return "\u201c" + " ".join(text.split()) + "\u201d"


def _verdicts(post: PostFix, result: FixReport) -> tuple[str, str | None]:
    before = post.before.verdict(result.fail_on)
    after = post.after.verdict(result.fail_on) if post.after is not None else None
    return before, after


def _change_line(c: TextChange, redact: bool) -> str:
    what = ACTION.get(c.action, c.action) if c.after.text else "removed"
    if c.action == "hidden-characters":
        return f"  [dim]text[/]  {escape(c.note)}"
    code = f"[bold]{escape(c.rule)}[/]"
    if redact:
        return f"  {code}  {what}"
    after = escape(_quote(c.after.text)) if c.after.text else "\u2014"
    line = f"  {code}  {escape(_quote(c.before.text))} \u2192 {after}  [dim]{what}[/]"
    if c.note:
        line += f"\n        [dim]{escape(c.note)}[/]"
    return line


def _image_line(image: ImageFix, dry_run: bool) -> str:
    parts = []
    faces = [m for m, _ in image.masked if m.kind == "face"]
    words = [m for m, _ in image.masked if m.kind == "words"]
    if faces:
        rules = ", ".join(sorted({m.rule for m in faces}))
        parts.append(f"{len(faces)} face{'s' if len(faces) != 1 else ''} hidden ({rules})")
    if words:
        parts.append(f"{len(words)} place{'s' if len(words) != 1 else ''} with words hidden")
    if image.oriented:
        parts.append("turned upright")
    parts.append("metadata removed: " + ", ".join(image.removed) if image.removed
                 else "re-encoded without metadata")
    if PurePath(image.file).name != PurePath(image.out).name:
        parts.append("given a neutral file name")
    verb = "would write" if dry_run else "written"
    line = f"  [dim]photo[/] {escape(image.file)} \u2192 {escape(image.out)} ({verb}): " \
           + escape("; ".join(parts))
    if image.note:
        line += f"\n        [dim]{escape(image.note)}[/]"
    return line


def render_text(result: FixReport, console: Console, quiet: bool = False) -> None:
    redact = result.redact
    after_report = result.after or result.before
    for post in result.posts:
        before, after = _verdicts(post, result)
        need = post.needs_a_person
        if quiet and not need and not post.not_written:
            continue
        head = f"[bold]{escape(post.path)}[/]"
        if post.out:
            head += f" \u2192 {escape(post.out)}"
        head += f"  [{VERDICT_STYLE[before]}]{VERDICT_WORD[before]}[/]"
        if after is not None:
            head += f" \u2192 [{VERDICT_STYLE[after]}]{VERDICT_WORD[after]}[/]"
        console.print(head)
        if not quiet:
            for c in post.changes:
                console.print(_change_line(c, redact))
            for image in post.images:
                console.print(_image_line(image, result.dry_run))
        for nw in post.not_written:
            console.print(f"  [bold red]not written[/] {escape(nw.file)}: {escape(nw.reason)}")
        if need:
            console.print("  [bold]needs a person:[/]")
            report = after_report
            for f in need:
                where = "" if redact or f.span is None else f"  {escape(_quote(f.span.text))}"
                if f.box is not None:
                    where += f"  {escape(f.file or '')} at top={f.box.top} left={f.box.left}"
                console.print(f"    [{STYLE[f.severity]}]{f.rule} {f.severity.label}[/] "
                              f"[dim]{f.name}[/]{where}")
                console.print(f"        [dim]\u2192[/] {escape(shown_message(f, report))}")
        if not quiet:
            console.print()
    render_notices(result.before, console)
    console.print(summary_line(result))


def _counts(report: Report | None) -> str:
    if report is None:
        return ""
    v = report.verdicts()
    return f"{v['block']} blocked, {v['review']} to review, {v['ok']} ok"


def summary_line(result: FixReport) -> str:
    posts = len(result.posts)
    changes = sum(len(p.changes) for p in result.posts)
    masked = sum(len(i.masked) for p in result.posts for i in p.images)
    photos = sum(len(p.images) for p in result.posts)
    need = sum(1 for p in result.posts if not p.clean)
    verb = "would fix" if result.dry_run else "fixed"
    line = (f"{verb} {posts} post{'s' if posts != 1 else ''} into {escape(str(result.out))}: "
            f"{changes} text change{'s' if changes != 1 else ''}, {masked} area"
            f"{'s' if masked != 1 else ''} hidden in {photos} photo{'s' if photos != 1 else ''}"
            f" \u00b7 before: {_counts(result.before)}")
    if result.after is not None:
        line += f" \u00b7 after: {_counts(result.after)}"
    if need:
        line += f" \u00b7 [bold]{need} need{'s' if need == 1 else ''} a person[/]"
    else:
        line += " \u00b7 [green]nothing left for a person[/]"
    return line


# ---- JSON --------------------------------------------------------------------------------


def _box(b: Box) -> dict[str, int]:
    return {"top": b.top, "right": b.right, "bottom": b.bottom, "left": b.left}


def _span(start: int, end: int, text: str, redact: bool) -> dict[str, Any]:
    return {"start": start, "end": end, "text": "" if redact else text}


def _post_dict(post: PostFix, result: FixReport) -> dict[str, Any]:
    redact = result.redact
    before_report = result.before
    after_report = result.after
    before, after = _verdicts(post, result)
    return {
        "path": post.path,
        "out": post.out,
        "verdict_before": before,
        "verdict_after": after,
        "text_changes": [{
            "rule": c.rule or None, "action": c.action,
            "before": _span(c.before.start, c.before.end, c.before.text, redact),
            "after": _span(c.after.start, c.after.end, c.after.text, redact),
            "student_ids": [] if redact else list(c.student_ids),
            "note": "" if redact and c.action != "hidden-characters" else c.note,
        } for c in post.changes],
        "images": [{
            "file": i.file, "out": i.out, "format": i.format, "oriented": i.oriented,
            "metadata_removed": list(i.removed),
            "masked": [{"rule": m.rule, "kind": m.kind,
                        "student_id": None if redact else m.student_id,
                        "box": _box(m.box), "area": _box(area)} for m, area in i.masked],
            "note": i.note,
        } for i in post.images],
        "not_written": [{"file": n.file, "reason": n.reason} for n in post.not_written],
        "needs_a_person": [json_reporter.finding_dict(f, after_report or before_report)
                           for f in post.needs_a_person],
        "before": [json_reporter.finding_dict(f, before_report) for f in post.before.findings],
        "after": None if post.after is None or after_report is None else
        [json_reporter.finding_dict(f, after_report) for f in post.after.findings],
    }


def to_dict(result: FixReport) -> dict[str, Any]:
    after = result.after
    return {
        "version": 1,
        "publish_at": result.publish_at.isoformat(timespec="seconds"),
        "out": str(result.out),
        "dry_run": result.dry_run,
        "notices": [{"code": n.code, "message": n.message} for n in result.notices],
        "posts": [_post_dict(p, result) for p in result.posts],
        "summary": {
            "posts": len(result.posts),
            "text_changes": sum(len(p.changes) for p in result.posts),
            "masked": sum(len(i.masked) for p in result.posts for i in p.images),
            "photos": sum(len(p.images) for p in result.posts),
            "need_a_person": sum(1 for p in result.posts if not p.clean),
            "before": result.before.verdicts(),
            "after": after.verdicts() if after is not None else None,
        },
    }


def render_json(result: FixReport) -> str:
    return json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"
