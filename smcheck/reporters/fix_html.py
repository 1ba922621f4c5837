"""`smcheck fix --report FILE.html`: what fix changed, to look at.

One self-contained page in the look of the audit report (smcheck/reporters/html.py):
each post's verdict before and after, its fixed text with every change marked (the
words taken out struck through, the words put in highlighted) and what still needs a
person highlighted too, and each photo before and after, side by side, with the boxes
of both checks drawn. Under --redact it holds no text and no photos.
"""

from __future__ import annotations

from html import escape
from pathlib import Path, PurePath

from smcheck import __version__
from smcheck.findings import Report
from smcheck.fix import FixReport, ImageFix, PostFix
from smcheck.reporters.html import COLOUR, VERDICT_COLOUR, asset, finding_html, photo_html

EXTRA_CSS = """
del{background:#f3d6d6;color:#7a1d1d;text-decoration:line-through;border-radius:3px;padding:0 2px}
ins{background:#d5efd9;color:#14532d;text-decoration:none;border-radius:3px;padding:0 2px}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:14px;margin:10px 0}
.pair figcaption{font-size:13px;color:#555;margin:4px 0 0;line-height:1.3}
.pair .photo{width:100%}.changes td{vertical-align:top}.arrow{color:#888}
h3{font-size:15px;margin:14px 0 6px}
.hidden-area{border:2px dashed #555}.hidden-area span{background:#555}
"""


def _badge(verdict: str | None, word: str) -> str:
    if verdict is None:
        return ""
    return (f'<span class="verdict" style="background:{VERDICT_COLOUR[verdict]}">'
            f"{escape(word)}: {escape(verdict)}</span>")


def _marked_text(post: PostFix, after: Report | None) -> str:
    """The fixed text, each change shown as <del>before</del><ins>after</ins>, and the
    words the second check still flags marked in the colour of their finding."""
    events: list[tuple[int, int, str]] = []
    for c in post.changes:
        shown = f"<del>{escape(c.before.text)}</del>" if c.before.text.strip() else ""
        if c.after.text:
            shown += f'<ins title="{escape(c.rule)}">{escape(c.after.text)}</ins>'
        if c.action == "hidden-characters":
            shown = f'<ins title="{escape(c.note)}">\u2038</ins>'
        events.append((c.after.start, c.after.end, shown))
    if post.after is not None and after is not None:
        for f in post.needs_a_person:
            if f.span is None or f.source != "text":
                continue
            colour = COLOUR[f.severity]
            events.append((f.span.start, f.span.end,
                           f'<mark style="background:{colour}33;border-bottom:2px solid '
                           f'{colour}" title="{escape(f.rule)} {escape(f.name)}">'
                           f"{escape(post.text[f.span.start:f.span.end])}</mark>"))
    out: list[str] = []
    pos = 0
    for start, end, shown in sorted(events, key=lambda e: (e[0], e[1])):
        if start < pos:
            continue  # overlapping: the change keeps its mark
        out.append(escape(post.text[pos:start]))
        out.append(shown)
        pos = end
    out.append(escape(post.text[pos:]))
    return "".join(out)


def _changes_table(post: PostFix, redact: bool) -> str:
    rows = []
    for c in post.changes:
        if c.action == "hidden-characters":
            rows.append(f"<tr><td></td><td colspan=2>{escape(c.note)}</td></tr>")
            continue
        words = "" if redact else (
            f"<del>{escape(c.before.text)}</del> <span class=arrow>&rarr;</span> "
            + (f"<ins>{escape(c.after.text)}</ins>" if c.after.text else "<i>removed</i>"))
        note = "" if redact else escape(c.note)
        rows.append(f"<tr><td class=code>{escape(c.rule)}</td><td>{words}</td>"
                    f"<td>{note}</td></tr>")
    return f'<table class="changes">{"".join(rows)}</table>' if rows else ""


def _with_masks(figure: str, image: ImageFix) -> str:
    """The after photo with each hidden area outlined, dashed, and its rule."""
    if image.path is None or not figure.endswith("</figure>"):
        return figure
    from PIL import Image

    try:
        with Image.open(image.path) as im:
            w, h = im.size  # written upright: no orientation left to apply
    except OSError:
        return figure
    boxes = "".join(
        f'<div class="box hidden-area" title="hidden: {escape(m.rule)}" '
        f"style=\"left:{100 * a.left / w:.2f}%;top:{100 * a.top / h:.2f}%;"
        f"width:{100 * (a.right - a.left) / w:.2f}%;height:{100 * (a.bottom - a.top) / h:.2f}%"
        f'"><span>hidden {escape(m.rule)}</span></div>' for m, a in image.masked)
    return figure[:-len("</figure>")] + boxes + "</figure>"


def _photos(post: PostFix, result: FixReport) -> str:
    before_report = result.before
    after_report = result.after
    pairs = []
    for image in post.images:
        path = next((p for label, p in zip(post.before.images, post.before.image_paths,
                                           strict=False) if label == image.file), None)
        left = photo_html(post.before, image.file, path, before_report) if path else ""
        right = "<p>(dry run: not written)</p>"
        if image.path is not None and post.after is not None and after_report is not None:
            right = _with_masks(photo_html(post.after, image.out, image.path, after_report),
                                image)
        hidden = len(image.masked)
        what = [f"{hidden} area{'s' if hidden != 1 else ''} hidden"] if hidden else []
        if image.oriented:
            what.append("turned upright")
        what.append("removed: " + ", ".join(image.removed) if image.removed
                    else "no metadata to remove")
        if PurePath(image.file).name != PurePath(image.out).name:
            what.append("given a neutral file name")
        pairs.append(
            f'<div class="pair"><figure>{left}<figcaption>before: {escape(image.file)}'
            f'</figcaption></figure><figure>{right}<figcaption>after: {escape(image.out)} '
            f"&middot; {escape('; '.join(what))}</figcaption></figure></div>")
    return "".join(pairs)


def render(result: FixReport) -> str:
    css = asset("report.css") + EXTRA_CSS
    redact = result.redact
    after_report = result.after
    before_v = result.before.verdicts()
    after_v = after_report.verdicts() if after_report is not None else None
    need = sum(1 for p in result.posts if not p.clean)
    cards = "".join(
        f'<div class="card"><b style="color:{VERDICT_COLOUR[k]}">{before_v[k]}'
        f"{f' &rarr; {after_v[k]}' if after_v is not None else ''}</b>{escape(k)}</div>"
        for k in ("block", "review", "ok"))
    changes = sum(len(p.changes) for p in result.posts)
    masked = sum(len(i.masked) for p in result.posts for i in p.images)
    cards += (f'<div class="card"><b>{changes}</b>text changes</div>'
              f'<div class="card"><b>{masked}</b>areas hidden</div>'
              f'<div class="card"><b style="color:{VERDICT_COLOUR["review" if need else "ok"]}">'
              f"{need}</b>need a person</div>")
    sections = []
    for post in result.posts:
        before = post.before.verdict(result.fail_on)
        after = post.after.verdict(result.fail_on) if post.after is not None else None
        colour = VERDICT_COLOUR[after or before]
        body = ""
        if post.text and not redact:
            body += f'<h3>Text</h3><div class="text">{_marked_text(post, after_report)}</div>'
        body += _changes_table(post, redact)
        if post.images and not redact:
            body += "<h3>Photos</h3>" + _photos(post, result)
        for nw in post.not_written:
            body += (f'<div class="finding" style="border-left-color:{COLOUR_NOT_WRITTEN}">'
                     f"<b>not written</b> {escape(nw.file)}: {escape(nw.reason)}</div>")
        need_here = post.needs_a_person
        report = after_report if post.after is not None and after_report else result.before
        if need_here:
            body += "<h3>Needs a person</h3>" + "".join(finding_html(f, report)
                                                        for f in need_here)
        elif not post.not_written:
            body += "<p>Nothing left for a person.</p>"
        out = f" &rarr; {escape(post.out)}" if post.out else ""
        sections.append(
            f'<section class="post" style="border-left-color:{colour}">'
            f"<h2>{escape(post.path)}{out}{_badge(before, 'before')}"
            f"{_badge(after, 'after')}</h2>{body}</section>")
    notices = "".join(f'<p class="notice" data-notice="{escape(n.code)}">{escape(n.message)}'
                      "</p>" for n in result.notices)
    when = result.publish_at.isoformat(timespec="minutes")
    title = "smcheck fix (dry run)" if result.dry_run else "smcheck fix"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}</title><style>{css}</style></head><body>
<header><h1>{title}</h1>{len(result.posts)} posts &rarr; {escape(str(result.out))}
&middot; published {escape(when)} &middot; smcheck {escape(__version__)}</header><main>
{notices}<div class="cards">{cards}</div>
{"".join(sections)}
</main></body></html>
"""


COLOUR_NOT_WRITTEN = "#990000"


def write(result: FixReport, path: Path) -> None:
    """Written whole, then moved into place: never a half-written report."""
    from smcheck.outputs import write_atomic

    write_atomic(path, render(result))
