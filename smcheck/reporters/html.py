"""--report FILE.html: one self-contained page a person can look at.

Each post with its text and the flagged words highlighted, each photo (inlined as a
downscaled data URI) with its faces boxed in the colour of their finding, filters by
severity and rule, and the summary on top. No external file, font or script: it opens
offline. Under --redact it holds no text, names or photos.
"""

from __future__ import annotations

import base64
import io
from collections import Counter
from html import escape
from pathlib import Path

from smcheck import __version__
from smcheck.findings import Finding, PostReport, Report, Severity
from smcheck.reporters import shown_message

PHOTO_SIDE = 900
COLOUR = {Severity.CRITICAL: "#990000", Severity.VIOLATION: "#d62020",
          Severity.WARNING: "#e69500", Severity.INFO: "#1e9640"}
VERDICT_COLOUR = {"block": "#d62020", "review": "#e69500", "ok": "#1e9640"}




def _data_uri(path: Path) -> str | None:
    from smcheck.extract.images import ImageError, load_image

    try:
        loaded = load_image(path, PHOTO_SIDE)
    except ImageError:
        return None
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(loaded.pixels).save(buf, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _highlight(post: PostReport) -> str:
    spans = sorted((f for f in post.findings if f.span is not None and f.source == "text"),
                   key=lambda f: (f.span.start if f.span else 0, -int(f.severity)))
    out: list[str] = []
    pos = 0
    for f in spans:
        assert f.span is not None
        if f.span.start < pos:
            continue  # overlapping words: the first, most severe, keeps the mark
        out.append(escape(post.text[pos:f.span.start]))
        colour = COLOUR[f.severity]
        out.append(f'<mark style="background:{colour}33;border-bottom:2px solid {colour}" '
                   f'title="{escape(f.rule)} {escape(f.name)}">'
                   f"{escape(post.text[f.span.start:f.span.end])}</mark>")
        pos = f.span.end
    out.append(escape(post.text[pos:]))
    return "".join(out)


def finding_html(f: Finding, report: Report) -> str:
    where = ""
    if f.span is not None and not report.redact:
        where = f" &ldquo;{escape(' '.join(f.span.text.split()))}&rdquo;"
    elif f.file and f.source != "text":
        where = f" {escape(f.file)}"
    if f.field is not None:  # a photo's caption field or file name: say which
        where += f" in {escape(f.file or '')} ({escape(f.field)})"
    who = ""
    if f.student_id and not report.redact:
        who = f" &middot; <b>{escape(f.student_name or '')}</b> ({escape(f.student_id)})"
    if f.confidence is not None:
        who += f" &middot; distance {f.confidence:.2f}"
    colour = COLOUR[f.severity]
    return (f'<div class="finding" data-rule="{escape(f.rule)}" data-sev="{f.severity.label}" '
            f'style="border-left-color:{colour}"><span class="code">{escape(f.rule)}</span> '
            f'<span class="sev" style="background:{colour}">{f.severity.label}</span> '
            f"{escape(f.name)}{where}{who}<br>&rarr; {escape(shown_message(f, report))}</div>")


def photo_html(post: PostReport, label: str, path: Path, report: Report) -> str:
    from smcheck.documents import unchecked_kind

    kind = unchecked_kind(path.name)
    if kind is not None:  # a clip, a PDF: not a photo, and not checked
        return f"<p>{escape(label)}: a {escape(kind.kind)}, not checked (see its " \
            f"{kind.rule}).</p>"
    uri = _data_uri(path)
    if uri is None:
        return f"<p>{escape(label)}: could not be read (see its E901).</p>"
    boxes = []
    from PIL import Image

    try:
        with Image.open(path) as im:
            from PIL import ImageOps

            w, h = ImageOps.exif_transpose(im).size
    except OSError:
        return ""
    for f in post.findings:
        if f.file != label or f.box is None:
            continue
        b = f.box
        who = f.student_id if f.student_id and not report.redact else "unverified"
        words = f.source == "image" and not f.rule.startswith("F")  # a name tag, a sign
        if words:
            who = f"words {f.student_id}" if f.student_id and not report.redact else "words"
        colour = COLOUR[f.severity]
        boxes.append(
            f'<div class="box{" words" if words else ""}" data-rule="{escape(f.rule)}" '
            f'data-sev="{f.severity.label}" '
            f'title="{escape(f.rule)} {escape(f.name)}" style="border-color:{colour};'
            f"left:{100 * b.left / w:.2f}%;top:{100 * b.top / h:.2f}%;"
            f"width:{100 * (b.right - b.left) / w:.2f}%;height:{100 * (b.bottom - b.top) / h:.2f}%"
            f'"><span style="background:{colour}">{escape(f.rule)} {escape(who)}</span></div>')
    return (f'<figure class="photo"><img src="{uri}" alt="{escape(label)}">{"".join(boxes)}'
            f"</figure>")


def asset(name: str) -> str:
    return (Path(__file__).parent / name).read_text(encoding="utf-8")


def render(report: Report) -> str:
    css, js = asset("report.css"), asset("report.js")
    verdicts = report.verdicts()
    severities = report.severity_counts()
    by_rule: Counter[tuple[str, str]] = Counter()
    posts_by_rule: dict[str, set[str]] = {}
    for post in report.posts:
        for f in post.findings:
            by_rule[(f.rule, f.name)] += 1
            posts_by_rule.setdefault(f.rule, set()).add(post.path)
    cards = "".join(f'<div class="card"><b style="color:{VERDICT_COLOUR.get(k, "#222")}">{n}</b>'
                    f"{escape(k)}</div>" for k, n in
                    (("block", verdicts["block"]), ("review", verdicts["review"]),
                     ("ok", verdicts["ok"])))
    cards += "".join(f'<div class="card"><b style="color:{COLOUR[Severity.parse(k)]}">{n}</b>'
                     f"{escape(k)}</div>" for k, n in severities.items())
    rows = "".join(f"<tr><td class=code>{escape(code)}</td><td>{escape(name)}</td>"
                   f"<td>{n}</td><td>{len(posts_by_rule[code])}</td></tr>"
                   for (code, name), n in sorted(by_rule.items()))
    options = "".join(f'<option value="{escape(code)}">{escape(code)} {escape(name)}</option>'
                      for code, name in sorted(by_rule))
    checks = "".join(f'<label><input type="checkbox" name="sev" value="{s.label}" checked> '
                     f"{s.label}</label>" for s in sorted(Severity, reverse=True))
    sections = []
    for post in report.posts:
        verdict = post.verdict(report.fail_on)
        body = ""
        if post.text and not report.redact:
            body += f'<div class="text">{_highlight(post)}</div>'
        if post.image_paths and not report.redact:
            body += '<div class="photos">' + "".join(
                photo_html(post, label, path, report)
                for label, path in zip(post.images, post.image_paths, strict=False)) + "</div>"
        body += "".join(finding_html(f, report) for f in post.findings) or "<p>No findings.</p>"
        sections.append(
            f'<section class="post" style="border-left-color:{VERDICT_COLOUR[verdict]}">'
            f'<h2>{escape(post.path)}<span class="verdict" '
            f'style="background:{VERDICT_COLOUR[verdict]}">{verdict}</span></h2>{body}</section>')
    when = report.publish_at.isoformat(timespec="minutes")
    notices = "".join(f'<p class="notice" data-notice="{escape(n.code)}">{escape(n.message)}'
                      "</p>" for n in report.notices)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>smcheck report</title><style>{css}</style></head><body>
<header><h1>smcheck report</h1>{len(report.posts)} posts &middot; published {escape(when)}
&middot; smcheck {escape(__version__)}</header><main>
{notices}<div class="cards">{cards}</div>
<table><tr><th>rule</th><th>name</th><th>findings</th><th>posts</th></tr>{rows}</table>
<div class="filters"><b>Show:</b> {checks}
<select id="rule"><option value="">all rules</option>{options}</select></div>
{"".join(sections)}
</main><script>{js}</script></body></html>
"""


def write(report: Report, path: Path) -> None:
    """Written whole, then moved into place: never a half-written report."""
    from smcheck.outputs import write_atomic

    write_atomic(path, render(report))
