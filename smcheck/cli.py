"""The command line: a thin typer layer over `smcheck.api`. Exit codes 0/1/2 (SPEC 6)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from smcheck import __version__
from smcheck.errors import InputError
from smcheck.findings import Severity

if TYPE_CHECKING:
    from collections.abc import Iterator

    from smcheck.api import Checker
    from smcheck.findings import PostReport, Report

app = typer.Typer(
    name="smcheck",
    help="Check a drafted school social-media post (text and photos) against district "
    "policy before it goes out. Offline: nothing leaves this machine.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
roster_app = typer.Typer(help="Validate and summarise a roster CSV.", no_args_is_help=True)
app.add_typer(roster_app, name="roster")


class Format(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str) -> NoReturn:
    """A run that cannot start: one line on stderr, exit 2. Never a traceback."""
    _stderr().print(f"smcheck: error: {message}", markup=False)
    raise typer.Exit(2)


def _console() -> Console:
    # Rich honours NO_COLOR and FORCE_COLOR; off a terminal it prints plain text.
    return Console(highlight=False, soft_wrap=not sys.stdout.isatty())


RosterOpt = Annotated[Path | None, typer.Option(
    "--roster", "-r", help="Roster CSV (else SMCHECK_ROSTER, else the config's roster).")]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", "-c", help="smcheck.toml (else SMCHECK_CONFIG, else found here or above).")]
PublishOpt = Annotated[str | None, typer.Option(
    "--publish-at", help="When the post goes out, ISO 8601 (default: now, local time zone).")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
RedactOpt = Annotated[bool, typer.Option(
    "--redact", help="Keep names and quoted words out of the output.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only findings and the verdict.")]
FailOnOpt = Annotated[str | None, typer.Option(
    "--fail-on", help="Exit 1 at this severity or above: info|warning|violation|critical|never.")]
ExitZeroOpt = Annotated[bool, typer.Option(
    "--exit-zero", help="Exit 0 even when something reaches fail_on.")]
CacheOpt = Annotated[bool, typer.Option(
    "--cache/--no-cache",
    help="Keep roster photos' face encodings in your user cache folder (readable by you "
    "alone) to save time on the next run. Off by default: nothing biometric is stored "
    "unless asked.")]
ReportOpt = Annotated[Path | None, typer.Option(
    "--report", help="Also write a self-contained HTML report to this file.")]
AnnotateOpt = Annotated[Path | None, typer.Option(
    "--annotate", help="Write a copy of each photo with every face boxed and labelled "
    "into this folder.")]


def _setup(roster: Path | None, config: Path | None, fail_on: str | None,
           publish_at: str | None, cache: bool = False) -> tuple[Checker, datetime]:
    from smcheck.api import Checker, now
    from smcheck.config import parse_fail_on, resolve_config, resolve_roster_path
    from smcheck.post import parse_publish_at
    from smcheck.roster import EMPTY_ROSTER, load_roster

    try:
        cfg = resolve_config(config)
        if fail_on is not None:
            try:
                cfg = replace(cfg, fail_on=parse_fail_on(fail_on))  # None: "never"
            except ValueError as exc:
                fail(f"--fail-on: {exc}")
        roster_path = resolve_roster_path(roster, cfg)
        ros = load_roster(roster_path) if roster_path else EMPTY_ROSTER
        when = parse_publish_at(publish_at, "--publish-at") if publish_at else now()
    except InputError as exc:
        fail(str(exc))
    return Checker(config=cfg, roster=ros, use_cache=cache), when


def _cache_wanted(flag: bool) -> bool:
    """--cache, or SMCHECK_CACHE=1 for a communications office that always wants it."""
    return flag or os.environ.get("SMCHECK_CACHE") == "1"


def _run(work: Callable[[], Report]) -> Report:
    """A roster reference photo is only read when the first photo is checked: its
    problems are still the user's, a one-line error and exit 2."""
    try:
        return work()
    except InputError as exc:
        fail(str(exc))


def _emit(report: Report, fmt: Format, quiet: bool, exit_zero: bool,
          annotate: Path | None = None, html: Path | None = None,
          summary: bool = False) -> NoReturn:
    if annotate is not None:
        from smcheck.reporters.annotate import annotate as write_annotated

        for path in write_annotated(report, annotate):
            _stderr().print(f"annotated: {path}", markup=False)
    if html is not None:
        from smcheck.reporters.html import write as write_html

        write_html(report, html)
        _stderr().print(f"report: {html}", markup=False)
    if fmt is Format.json:
        from smcheck.reporters import json as json_reporter

        sys.stdout.write(json_reporter.render(report))
    elif fmt is Format.sarif:
        from smcheck.reporters import sarif

        sys.stdout.write(sarif.render(report))
    elif fmt is Format.github:
        from smcheck.reporters import github

        sys.stdout.write(github.render(report))
    else:
        from smcheck.reporters import text as text_reporter

        text_reporter.render(report, _console(), quiet=quiet, summary=summary)
    raise typer.Exit(0 if exit_zero else report.exit_code)


@app.command()
def check(
    files: Annotated[list[str] | None, typer.Argument(
        help="The post: a .txt or .md file, or - for standard input. Several files are "
        "several posts (as a pre-commit hook passes them).", show_default=False)] = None,
    text: Annotated[str | None, typer.Option("--text", "-t", help="The post text itself.")] = None,
    image: Annotated[list[Path] | None, typer.Option(
        "--image", "-i", help="A photo of the post (repeatable).")] = None,
    roster: RosterOpt = None,
    config: ConfigOpt = None,
    publish_at: PublishOpt = None,
    format: FormatOpt = Format.text,
    redact: RedactOpt = False,
    quiet: QuietOpt = False,
    fail_on: FailOnOpt = None,
    exit_zero: ExitZeroOpt = False,
    cache: CacheOpt = False,
    annotate: AnnotateOpt = None,
    report: ReportOpt = None,
) -> None:
    """Check one post: its text and its photos."""
    from smcheck.post import MAX_TEXT_BYTES, Post, build_post, decode_text

    given = list(files or ())
    if (not given) == (text is None) and not (not given and image):
        fail("give the post as FILE, as - for standard input, or with --text (one of them)")
    if len(given) > 1 and image:
        fail("--image goes with a single post; put photos beside posts and use `smcheck audit`")
    checker, when = _setup(roster, config, fail_on, publish_at, _cache_wanted(cache))
    images = tuple(image or ())
    posts: list[Post] = []
    try:
        if text is not None:
            if not text.strip():
                fail("--text: post is empty")
            posts.append(build_post("<text>", text, images, None))
        for file in given:
            if file == "-":
                posts.append(build_post("<stdin>", decode_text(sys.stdin.buffer.read(),
                                                               "<stdin>"), images, None))
                continue
            path = Path(file)
            if not path.exists():
                fail(f"{file}: file not found")
            if path.is_dir():
                fail(f"{file}: is a folder; use `smcheck audit {file}`")
            try:
                if path.stat().st_size > MAX_TEXT_BYTES:
                    fail(f"{file}: post is {path.stat().st_size // 1_000_000} MB; a post over "
                         "1 MB is not a post")
                data = path.read_bytes()
            except OSError as exc:
                fail(f"{file}: cannot read: {exc.strerror}")
            posts.append(build_post(file, decode_text(data, file), images, path.parent))
        if not posts:
            posts.append(Post(path=str(images[0]), text="", images=images))
        for i in images:
            if not i.is_file():
                fail(f"{i}: image file not found")
    except InputError as exc:
        fail(str(exc))
    result = _run(lambda: checker.report([checker.check_post(p, when) for p in posts], when,
                                         redact=redact))
    _emit(result, format, quiet, exit_zero, annotate, report)


@app.command()
def audit(
    folder: Annotated[Path, typer.Argument(help="A folder of posts (see README: Audit).")],
    roster: RosterOpt = None,
    config: ConfigOpt = None,
    publish_at: PublishOpt = None,
    format: FormatOpt = Format.text,
    redact: RedactOpt = False,
    quiet: QuietOpt = False,
    fail_on: FailOnOpt = None,
    exit_zero: ExitZeroOpt = False,
    cache: CacheOpt = False,
    annotate: AnnotateOpt = None,
    report: ReportOpt = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Posts checked in parallel (default: the machine's "
        "cores).")] = None,
) -> None:
    """Check every post in a folder; one unreadable post is an E901 and the audit goes on."""
    from smcheck.audit import audit as run_audit
    from smcheck.audit import default_jobs, posts_in

    if not folder.is_dir():
        fail(f"{folder}: not a folder" if folder.exists() else f"{folder}: folder not found")
    if config is None and roster is None and not os.environ.get("SMCHECK_CONFIG"):
        # A folder of posts usually carries its own smcheck.toml: look there first.
        from smcheck.config import discover_config

        config = discover_config(folder.resolve())
    checker, when = _setup(roster, config, fail_on, publish_at, _cache_wanted(cache))
    sources = posts_in(checker, folder)
    total = len(sources)
    done: list[PostReport] = []
    show_progress = sys.stdout.isatty() and not quiet

    def work() -> Report:
        posts = run_audit(checker, sources, when, jobs=jobs or default_jobs())
        if not show_progress:
            done.extend(posts)
        else:
            _with_progress(posts, total, done)
        return checker.report(done, when, redact=redact)

    try:
        result = _run(work)
    except KeyboardInterrupt:
        # No half-written report: nothing is rendered or written for an interrupted audit.
        _stderr().print(f"smcheck: interrupted after {len(done)} of {total} posts; "
                        "no report written", markup=False)
        raise typer.Exit(130) from None
    _emit(result, format, quiet, exit_zero, annotate, report, summary=True)


def _with_progress(posts: Iterator[PostReport], total: int, done: list[PostReport]) -> None:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    photos = findings = 0
    columns = (TextColumn("[bold]auditing"), BarColumn(), MofNCompleteColumn(),
               TextColumn("posts \u00b7 {task.fields[photos]} photos \u00b7 "
                          "{task.fields[findings]} findings"), TimeRemainingColumn())
    with Progress(*columns, console=_stderr(), transient=True) as bar:
        task = bar.add_task("audit", total=total, photos=0, findings=0)
        for post in posts:
            done.append(post)
            photos += len(post.images)
            findings += len(post.findings)
            bar.update(task, advance=1, photos=photos, findings=findings)


@app.command("accept")
def accept_command(
    file: Annotated[Path, typer.Argument(help="The post whose findings you reviewed.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is fine (required).")],
    rule: Annotated[list[str] | None, typer.Option(
        "--rule", help="Accept only this rule's findings (repeatable).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who accepts (default: $USER).")]
    = None,
    image: Annotated[list[Path] | None, typer.Option("--image", "-i")] = None,
    roster: RosterOpt = None,
    config: ConfigOpt = None,
    publish_at: PublishOpt = None,
) -> None:
    """Record reviewed findings of a post as accepted, in .smcheck-accepted.toml beside it:
    hashes and your reason, never names or words. check and audit then report them as
    info, until the post's evidence changes."""
    from smcheck import accept
    from smcheck.post import build_post, decode_text

    checker, when = _setup(roster, config, None, publish_at)
    try:
        post = build_post(str(file), decode_text(file.read_bytes(), str(file)),
                          tuple(image or ()), file.parent)
    except FileNotFoundError:
        fail(f"{file}: file not found")
    except InputError as exc:
        fail(str(exc))
    wanted = {r.upper() for r in rule or ()}
    findings = [f for f in checker.check_post(post, when).findings
                if f.severity > Severity.INFO and (not wanted or f.rule in wanted)]
    if not findings:
        fail(f"{file}: no open findings{' of ' + ', '.join(sorted(wanted)) if wanted else ''}"
             " to accept")
    try:
        path = accept.record(file, findings, reason, by, datetime.now().astimezone())
    except InputError as exc:
        fail(str(exc))
    _console().print(f"accepted {len(findings)} finding(s) of {file} in {path}", markup=False)


@app.command()
def rules(
    code: Annotated[str | None, typer.Argument(help="A rule code, e.g. N101.")] = None,
) -> None:
    """List the rules, or explain one: what it does, why, an example, what to use instead,
    and the policy it rests on."""
    from smcheck.rules import RULES, get_rule

    console = _console()
    if code is None:
        for r in RULES:
            console.print(f"[bold]{r.code}[/]  {r.name:<28} {r.severity.label:<10} {r.summary}")
        return
    one = get_rule(code)
    if one is None:
        fail(f"unknown rule code {code!r}; `smcheck rules` lists them")
    console.print(f"[bold]{one.code} {one.name}[/]  (default severity: {one.severity.label})\n")
    console.print("[bold]What it does[/]\n  " + one.what + "\n")
    console.print("[bold]Why[/]\n  " + one.why + "\n")
    console.print("[bold]Example[/]\n  " + one.example + "\n")
    console.print("[bold]Use instead[/]\n  " + one.use_instead + "\n")
    console.print("[bold]Policy[/]")
    for p in one.policy:
        console.print(f"  {p.district}, \u201c{p.heading}\u201d ({p.file}):")
        console.print(f"    \u201c{p.quote}\u201d")


@roster_app.command("check")
def roster_check(
    path: Annotated[Path, typer.Argument(help="The roster CSV.")],
    show_names: Annotated[bool, typer.Option(
        "--show-names", help="Also list students by name (off by default: no names in logs).")]
    = False,
    format: FormatOpt = Format.text,
) -> None:
    """Validate a roster and summarise it without printing any student's name."""
    from smcheck.roster import load_roster, students_sorted, summarize

    try:
        ros = load_roster(path)
    except InputError as exc:
        fail(str(exc))
    summary = summarize(ros, date.today())
    if format is Format.json:
        import json

        sys.stdout.write(json.dumps({"roster": str(path), **summary}, indent=2) + "\n")
        return
    console = _console()
    console.print(f"[green]ok[/] {path}: {summary['students']} students")
    by_release = summary["by_release"]
    assert isinstance(by_release, dict)
    for level, n in by_release.items():
        console.print(f"  release {level:<11} {n}")
    console.print(f"  safety-flagged     {summary['safety_flagged']}")
    console.print(f"  expired releases   {summary['expired_releases']} (counted as none)")
    console.print(f"  reference photos   {summary['with_photos']} students with, "
                  f"{summary['without_photos']} without")
    if show_names:
        today = date.today()
        for s in students_sorted(ros.students):
            flag = "  SAFETY FLAG" if s.safety_flag else ""
            console.print(f"  {s.id:<10} {s.display_name:<30} "
                          f"{s.effective_release(today).value}{flag}", markup=False)


def version_callback(value: bool) -> None:
    if value:
        print(f"smcheck {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[bool | None, typer.Option(
        "--version", callback=version_callback, is_eager=True, help="Show the version.")] = None,
) -> None:
    """smcheck: a pre-publish checker for school social-media posts."""


def main() -> NoReturn:
    """The console script. Exits without tearing the interpreter down: freeing spaCy's
    objects one by one takes a third of a second, and smcheck holds no file or
    resource that needs closing (output is flushed first)."""
    code: int = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `smcheck ... | head`: the reader left, nothing to report
        pass
    os._exit(code)
