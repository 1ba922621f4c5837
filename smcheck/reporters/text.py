"""Text for people: grouped by post, severity colours, the quoted words, the student,
what to do instead, and a verdict line. Plain when not a terminal or NO_COLOR."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from smcheck.display import safe_text
from smcheck.findings import Finding, PostReport, Report, Severity
from smcheck.reporters import shown_message

STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.VIOLATION: "bold red",
    Severity.WARNING: "yellow",
    Severity.INFO: "cyan",
}
VERDICT_STYLE = {"block": "bold red", "review": "yellow", "ok": "green"}
VERDICT_WORD = {"block": "BLOCK", "review": "REVIEW", "ok": "OK"}


def _safe(value: str) -> str:
    """Markup-escaped, and no raw control character: a file name or a hostile post with
    an ESC sequence must not rewrite the reader's terminal."""
    return escape(safe_text(value))


def location(f: Finding, post: PostReport) -> str:
    """`path:line:col` of a text finding (1-based, as editors and ruff print it); the
    image's path for a photo finding; the post's path otherwise."""
    if f.span is not None and f.source == "text":
        line, col = post.position(f.span.start)
        return f"{post.path}:{line}:{col}"
    if f.field is not None:  # a photo's caption field, or its file name
        return f"{f.file or post.path} ({f.field})"
    return f.file or post.path


def _where(f: Finding, report: Report) -> str:
    if f.span is not None:
        return "" if report.redact else f"\u201c{_safe(' '.join(f.span.text.split()))}\u201d"
    if f.box is not None:
        return f"face at top={f.box.top} left={f.box.left}"
    return ""


def _finding(console: Console, f: Finding, post: PostReport, report: Report,
             number: int) -> None:
    # The number is what `smcheck accept --finding N` takes.
    head = (f"  {escape(f'[{number}]')} [dim]{_safe(location(f, post))}[/] "
            f"[{STYLE[f.severity]}]{f.rule} "
            f"{f.severity.label}[/] [dim]{f.name}[/]")
    where = _where(f, report)
    if where:
        head += f"  {where}"
    if f.student_id and not report.redact:
        who = _safe(f.student_name or "")
        head += f"  [bold]{who}[/] ({_safe(f.student_id)})"
    console.print(head)
    console.print(f"      [dim]\u2192[/] {_safe(shown_message(f, report))}")


def _post(console: Console, post: PostReport, report: Report, quiet: bool) -> None:
    verdict = post.verdict(report.fail_on)
    if quiet and not post.findings:
        return
    console.print(f"[bold]{_safe(post.path)}[/]  [{VERDICT_STYLE[verdict]}]"
                  f"{VERDICT_WORD[verdict]}[/]")
    for number, f in enumerate(post.findings, start=1):
        _finding(console, f, post, report, number)
    if not quiet:
        console.print()


def verdict_line(report: Report) -> str:
    v = report.verdicts()
    counts = report.severity_counts()
    total = sum(counts.values())
    sev = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
    posts = len(report.posts)
    overall = "block" if v["block"] else ("review" if v["review"] else "ok")
    return (f"[{VERDICT_STYLE[overall]}]{VERDICT_WORD[overall]}[/]  {posts} post"
            f"{'s' if posts != 1 else ''}: {v['block']} blocked, {v['review']} to review, "
            f"{v['ok']} ok \u00b7 {total} finding{'s' if total != 1 else ''}"
            + (f" ({sev})" if sev else ""))


def render_summary(report: Report, console: Console) -> None:
    """The end of an audit: findings by rule, then the blocked posts."""
    by_rule: dict[str, tuple[str, int, set[str]]] = {}
    for post in report.posts:
        for f in post.findings:
            name, count, posts = by_rule.get(f.rule, (f.name, 0, set()))
            posts.add(post.path)
            by_rule[f.rule] = (name, count + 1, posts)
    if by_rule:
        table = Table(title="Findings by rule", title_justify="left", show_edge=False)
        table.add_column("rule")
        table.add_column("name")
        table.add_column("findings", justify="right")
        table.add_column("posts", justify="right")
        for code in sorted(by_rule):
            name, count, posts = by_rule[code]
            table.add_row(code, name, str(count), str(len(posts)))
        console.print(table)
    blocked = [p.path for p in report.posts if p.verdict(report.fail_on) == "block"]
    if blocked:
        console.print(f"\n[bold]Blocked posts ({len(blocked)}):[/]")
        for path in blocked:
            console.print(f"  {_safe(path)}")
    console.print()


def render_notices(report: Report, console: Console) -> None:
    for n in report.notices:
        console.print(f"[yellow]note:[/] {_safe(n.message)}")


def render(report: Report, console: Console, quiet: bool = False,
           summary: bool = False, summary_only: bool = False) -> None:
    """`summary_only` (audit --summary): the table and the blocked posts, not each finding."""
    if not summary_only:
        for post in report.posts:
            _post(console, post, report, quiet)
    if (summary and not quiet) or summary_only:
        render_summary(report, console)
    render_notices(report, console)
    console.print(verdict_line(report))
