"""The command line: a thin typer layer over `smcheck.api`. Exit codes 0/1/2 (SPEC 6)."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from contextlib import contextmanager, suppress
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeGuard

import typer
from rich.console import Console
from rich.markup import escape

from smcheck import __version__
from smcheck.errors import InputError
from smcheck.findings import Severity

if TYPE_CHECKING:
    from collections.abc import Iterator

    from smcheck.api import Checker
    from smcheck.findings import Finding, PostReport, Report
    from smcheck.roster import Roster

app = typer.Typer(
    name="smcheck",
    help="Check a drafted school social-media post (text and photos) against district "
    "policy before it goes out. Offline: nothing leaves this machine.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # --install-completion / --show-completion for bash, zsh, fish and PowerShell.
    add_completion=True,
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
    from smcheck.display import one_line

    _stderr().print(f"smcheck: error: {one_line(message)}", markup=False)
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
OutputOpt = Annotated[Path | None, typer.Option(
    "--output-file", "-o", help="Write the output (in --format) to this file instead of "
    "standard output.")]
SelectOpt = Annotated[list[str] | None, typer.Option(
    "--select", help="Run only these rules: codes or prefixes, e.g. N,R503 (repeatable). "
    "E9xx always runs.")]
IgnoreOpt = Annotated[list[str] | None, typer.Option(
    "--ignore", help="Turn these rules off: codes or prefixes, e.g. N103,C6 (repeatable); "
    "added to the config's ignore.")]
ChannelOpt = Annotated[str | None, typer.Option(
    "--channel", help="Where the post goes: web, social or print. The roster's consent "
    "column for that channel (web_release, social_release, print_release) then applies too "
    "(else the config's channel).", show_default=False)]
ShowSettingsOpt = Annotated[bool, typer.Option(
    "--show-settings", help="Print the settings in force (config file, roster, counts; no "
    "student names) and exit.")]


def _setup(roster: Path | None, config: Path | None, fail_on: str | None,
           publish_at: str | None, cache: bool = False, *, start: Path | None = None,
           select: list[str] | None = None, ignore: list[str] | None = None,
           show_settings: bool = False, channel: str | None = None,
           ) -> tuple[Checker, datetime]:
    from smcheck.api import Checker, now
    from smcheck.post import parse_publish_at
    from smcheck.settings import resolve

    try:
        settings = resolve(roster, config, start=start, fail_on=fail_on,
                           select=tuple(select or ()), ignore=tuple(ignore or ()),
                           channel=channel)
        if show_settings:
            _print_settings(settings.describe(), Format.text)
            raise typer.Exit(0)
        when = parse_publish_at(publish_at, "--publish-at") if publish_at else now()
    except InputError as exc:
        fail(str(exc))
    return Checker(config=settings.config, roster=settings.roster, use_cache=cache), when


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


def _prepare_outputs(annotate: Path | None, html: Path | None,
                     output: Path | None = None) -> None:
    """Before any post is checked: an output that cannot be written is a run that
    cannot start, known now rather than after an hour of audit."""
    from smcheck.outputs import prepare_file, prepare_folder

    try:
        for path in (html, output):
            if path is not None:
                prepare_file(path)
        if annotate is not None:
            prepare_folder(annotate)
    except InputError as exc:
        fail(str(exc))


def _emit(report: Report, fmt: Format, quiet: bool, exit_zero: bool,
          annotate: Path | None = None, html: Path | None = None,
          summary: bool = False, output: Path | None = None,
          summary_only: bool = False) -> NoReturn:
    from smcheck.display import one_line
    from smcheck.outputs import write_atomic

    try:
        if annotate is not None:
            from smcheck.reporters.annotate import annotate as write_annotated

            for path in write_annotated(report, annotate):
                _stderr().print(f"annotated: {one_line(str(path))}", markup=False)
        if html is not None:
            from smcheck.reporters.html import write as write_html

            write_html(report, html)
            _stderr().print(f"report: {one_line(str(html))}", markup=False)
        rendered: str | None = None
        if fmt is Format.json:
            rendered = report.to_json()
        elif fmt is Format.sarif:
            from smcheck.reporters import sarif

            rendered = sarif.render(report)
        elif fmt is Format.github:
            from smcheck.reporters import github

            rendered = github.render(report)
        if output is not None:
            if rendered is None:
                import io

                from smcheck.reporters import text as text_reporter

                buf = io.StringIO()
                text_reporter.render(report, Console(file=buf, highlight=False, width=100,
                                                     no_color=True, soft_wrap=True),
                                     quiet=quiet, summary=summary, summary_only=summary_only)
                rendered = buf.getvalue()
            write_atomic(output, rendered)
            raise typer.Exit(0 if exit_zero else report.exit_code)
    except InputError as exc:
        fail(str(exc))
    try:
        if rendered is not None:
            sys.stdout.write(rendered)
        else:
            from smcheck.reporters import text as text_reporter

            text_reporter.render(report, _console(), quiet=quiet, summary=summary,
                                 summary_only=summary_only)
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()  # `smcheck ... | head`: the reader left, nothing to report
    except OSError as exc:
        _quiet_stdout()
        fail(f"cannot write the output to standard output: {exc.strerror or exc}")
    raise typer.Exit(0 if exit_zero else report.exit_code)


def _is_write_failure(exc: BaseException) -> TypeGuard[OSError]:
    """An OSError with no file name and a full-disk kind of errno: writing the output
    failed (smcheck's reads and its --report/--annotate writes name their file)."""
    return (isinstance(exc, OSError) and exc.filename is None
            and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO))


def _stdout_failed() -> bool:
    """Flush stdout; when that fails (stdout is /dev/full, a disk filled up), say so in
    one line. A reader that left (`smcheck ... | head`) is not a failure."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
    except OSError as exc:
        _quiet_stdout()
        _stderr().print("smcheck: error: cannot write the output to standard output: "
                        f"{exc.strerror or exc}", markup=False)
        return True
    return False


def _quiet_stdout() -> None:
    """After a failed write, nothing more may go to stdout (the exit flush would fail
    again, with a traceback): point it at /dev/null."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file descriptor (under a test runner)
        pass


def _print_settings(described: dict[str, object], fmt: Format) -> None:
    if fmt is Format.json:
        import json

        sys.stdout.write(json.dumps(described, indent=2) + "\n")
        return
    console = _console()
    cfg = described["config"]
    ros = described["roster"]
    assert isinstance(cfg, dict) and isinstance(ros, dict)
    console.print(f"{'config':<24}{cfg['path'] or 'none found (defaults)'}"
                  f"  [dim]({cfg['source']})[/]", highlight=False)
    if ros["path"]:
        console.print(f"{'roster':<24}{ros['path']}  [dim]({ros['source']})[/]: "
                      f"{ros['students']} students, {ros['with_photos']} with reference "
                      f"photos, {ros['safety_flagged']} safety-flagged", highlight=False)
        by_release = ros["by_release"]
        assert isinstance(by_release, dict)
        console.print(f"{'releases':<24}" + ", ".join(f"{k} {v}" for k, v in
                                                   by_release.items()), highlight=False)
    else:
        console.print(f"{'roster':<24}none found", highlight=False)
    for key in ("fail_on", "staff", "district_email_domains", "face_tolerance", "select",
                "ignore", "severity"):
        value = described[key]
        if isinstance(value, list | tuple):
            value = ", ".join(map(str, value)) or "-"
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
        elif value is None:
            value = "all rules" if key == "select" else "-"
        label = "staff names" if key == "staff" else key
        console.print(f"{label:<24}{value}", highlight=False)
    notices = described["notices"]
    assert isinstance(notices, list)
    for n in notices:
        console.print(f"[yellow]note[/] {escape(n['message'])}")


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
    output_file: OutputOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    redact: RedactOpt = False,
    quiet: QuietOpt = False,
    fail_on: FailOnOpt = None,
    exit_zero: ExitZeroOpt = False,
    cache: CacheOpt = False,
    annotate: AnnotateOpt = None,
    report: ReportOpt = None,
    show_settings: ShowSettingsOpt = False,
    channel: ChannelOpt = None,
) -> None:
    """Check one post: its text and its photos. Photos beside a post file are found as
    `audit` finds them (NAME.jpg, NAME-1.png, or front matter images:); --image gives
    them instead. With several
    files, a post that cannot be read is an E901 and the others are still checked."""
    from smcheck.post import (
        Post,
        PostSource,
        build_post,
        decode_text,
        read_post,
        sources_for_file,
    )

    given = list(files or ())
    if not show_settings and (not given) == (text is None) and not (not given and image):
        fail("give the post as FILE, as - for standard input, or with --text (one of them)")
    if len(given) > 1 and image:
        fail("--image goes with a single post; put photos beside posts and use `smcheck audit`")
    checker, when = _setup(roster, config, fail_on, publish_at, _cache_wanted(cache),
                           select=select, ignore=ignore, show_settings=show_settings,
                           channel=channel)
    _prepare_outputs(annotate, report, output_file)
    images = tuple(image or ())
    for i in images:
        if not i.is_file():
            fail(f"{i}: image file not found")
    # One post: a post that cannot be read at all is a run that cannot start (exit 2).
    # Several (a pre-commit hook's list): it is that post's E901, and the run goes on.
    single = len(given) + (text is not None) <= 1

    def one(label: str, read: Callable[[], Post],
            source: PostSource | None = None) -> PostReport:
        source = source or PostSource(label=label, text_file=None, images=images)
        outcome = checker.run(source, when, read)
        if single and outcome.post is None and outcome.error is not None:
            fail(str(outcome.error))
        return outcome.report

    def stdin_post() -> Post:
        return build_post("<stdin>", decode_text(sys.stdin.buffer.read(), "<stdin>"),
                          images, None)

    def file_posts(file: str) -> list[PostReport]:
        """The post and, as `audit` would, its photos; photos beside it that its front
        matter leaves out are photo-only posts of their own."""
        path = Path(file)
        if images or path.is_dir() or not path.exists():
            sources = [PostSource(label=file, text_file=path, images=images)]
        else:
            sources = sources_for_file(path, file)

        def read() -> Post:
            if path.is_dir():
                raise InputError(file, f"is a folder; use `smcheck audit {file}`")
            return read_post(sources[0])

        # A photo left out by two posts' front matter is one photo-only post, not two.
        alone = [s for s in sources[1:] if not {i.resolve() for i in s.images} <= photos_seen]
        for s in alone:
            photos_seen.update(i.resolve() for i in s.images)
        return [one(sources[0].label, read, sources[0]),
                *(checker.audit_one(s, when) for s in alone)]

    photos_seen: set[Path] = set()

    def work() -> Report:
        posts: list[PostReport] = []
        if text is not None:
            if not text.strip():
                fail("--text: post is empty")
            # Read as a post file is: bytes the terminal's encoding could not decode come
            # back as they were typed, then UTF-8 or Windows-1252.
            words = decode_text(os.fsencode(text), "--text")
            posts.append(one("<text>", lambda: build_post("<text>", words, images, None)))
        for file in given:
            if file == "-":
                posts.append(one(file, stdin_post))
            else:
                posts.extend(file_posts(file))
        if not posts:  # --image alone: a photo-only post
            posts.append(checker.check_safely(Post(path=str(images[0]), text="",
                                                   images=images), when))
        return checker.report(posts, when, redact=redact)

    try:
        result = _run(work)
    except KeyboardInterrupt:
        # Nothing half-checked is reported (a post could look clean because its check
        # was cut short).
        _stderr().print("smcheck: interrupted; nothing reported", markup=False)
        raise typer.Exit(130) from None
    _emit(result, format, quiet, exit_zero, annotate, report, output=output_file)


@app.command()
def audit(
    folder: Annotated[Path, typer.Argument(help="A folder of posts (see README: Audit).")],
    roster: RosterOpt = None,
    config: ConfigOpt = None,
    publish_at: PublishOpt = None,
    format: FormatOpt = Format.text,
    output_file: OutputOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    summary: Annotated[bool, typer.Option(
        "--summary", help="Only the summary: findings by rule, the blocked posts and the "
        "verdict, not every finding (for a big audit).")] = False,
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
    show_settings: ShowSettingsOpt = False,
    channel: ChannelOpt = None,
) -> None:
    """Check every post in a folder; one unreadable post is an E901 and the audit goes on."""
    from smcheck.batch import audit as run_audit
    from smcheck.batch import default_jobs, posts_in
    from smcheck.config import discover_config

    if not folder.is_dir():
        fail(f"{folder}: not a folder" if folder.exists() else f"{folder}: folder not found")
    try:
        os.listdir(folder)
    except OSError as exc:
        fail(f"{folder}: cannot read folder: {exc.strerror or exc}")
    # A folder of posts usually carries its own smcheck.toml: look there first.
    start = folder if discover_config(folder.resolve()) else None
    checker, when = _setup(roster, config, fail_on, publish_at, _cache_wanted(cache),
                           start=start, select=select, ignore=ignore,
                           show_settings=show_settings, channel=channel)
    _prepare_outputs(annotate, report, output_file)
    sources = posts_in(checker, folder)
    total = len(sources)
    finished = 0
    show_progress = sys.stdout.isatty() and not quiet

    def work(progress: Callable[[PostReport], None]) -> Report:
        def count(post: PostReport) -> None:
            nonlocal finished
            finished += 1
            progress(post)

        posts = list(run_audit(checker, sources, when, jobs=jobs or default_jobs(),
                               progress=count))
        return checker.report(posts, when, redact=redact)

    try:
        if show_progress:
            with _progress_bar(total) as progress:
                result = _run(lambda: work(progress))
        else:
            result = _run(lambda: work(lambda post: None))
    except KeyboardInterrupt:
        # No half-written report: nothing is rendered or written for an interrupted audit.
        _stderr().print(f"smcheck: interrupted after {finished} of {total} posts; "
                        "no report written", markup=False)
        raise typer.Exit(130) from None
    _emit(result, format, quiet, exit_zero, annotate, report, summary=True,
          output=output_file, summary_only=summary)


@app.command()
def hook(
    files: Annotated[list[Path], typer.Argument(
        help="Changed files, as pre-commit passes them: post texts and photos.")],
    roster: RosterOpt = None,
    config: ConfigOpt = None,
    publish_at: PublishOpt = None,
    format: FormatOpt = Format.text,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    quiet: QuietOpt = False,
    fail_on: FailOnOpt = None,
    exit_zero: ExitZeroOpt = False,
    cache: CacheOpt = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1)] = None,
    channel: ChannelOpt = None,
) -> None:
    """Check the posts that changed files belong to (run from the repository's top, as
    pre-commit does): a changed text with its photos, and the post of a changed photo.
    READMEs, rosters and the roster's reference photos are not posts."""
    from smcheck.batch import audit as run_audit
    from smcheck.batch import default_jobs, posts_of

    root = Path.cwd().resolve()
    checker, when = _setup(roster, config, fail_on, publish_at, _cache_wanted(cache),
                           select=select, ignore=ignore, channel=channel)
    by_root: dict[Path, list[Path]] = {}
    for f in files:  # a file from outside the repository: its own folder's posts
        top = root if f.resolve().is_relative_to(root) else f.resolve().parent
        by_root.setdefault(top, []).append(f)
    # Named as `smcheck audit .` names them, "posts/trip.txt", not with the full path.
    sources = [s for top, changed in by_root.items()
               for s in posts_of(checker, changed, Path(".") if top == root else top)]
    if not sources:
        raise typer.Exit(0)  # nothing that is a post changed
    posts = _run(lambda: checker.report(run_audit(checker, sources, when,
                                                  jobs=jobs or default_jobs()), when))
    _emit(posts, format, quiet, exit_zero)


@contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[PostReport], None]]:
    """A bar that advances as each post finishes, whatever order they finish in."""
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

        def advance(post: PostReport) -> None:
            nonlocal photos, findings
            photos += len(post.images)
            findings += len(post.findings)
            bar.update(task, advance=1, photos=photos, findings=findings)

        yield advance


class FixFormat(StrEnum):
    text = "text"
    json = "json"


class FaceMode(StrEnum):
    blur = "blur"
    keep_unverified = "keep-unverified"


@app.command()
def fix(
    posts: Annotated[list[Path], typer.Argument(
        help="The posts: .txt/.md files (their photos beside them are found as in an "
        "audit) or photos, or one folder of posts.", show_default=False)],
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Folder for the fixed copies: not the posts' folder, nor inside "
        "a folder being fixed.", show_default=False)],
    image: Annotated[list[Path] | None, typer.Option(
        "--image", "-i", help="A photo of the post (repeatable; with a single post).")] = None,
    roster: RosterOpt = None,
    config: ConfigOpt = None,
    publish_at: PublishOpt = None,
    format: Annotated[FixFormat, typer.Option("--format", "-f", help="Output format.")]
    = FixFormat.text,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    redact: RedactOpt = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Only the posts that still need a person, and the summary.")]
    = False,
    exit_zero: Annotated[bool, typer.Option(
        "--exit-zero", help="Exit 0 even while something needs a person.")] = False,
    cache: CacheOpt = False,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Also write an HTML page: each photo before and after, side by "
        "side, and the text with its changes marked.")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show what would change; write nothing.")] = False,
    faces: Annotated[FaceMode, typer.Option(
        "--faces", help="blur: hide every face not clearly a student with a photo release "
        "(the default). keep-unverified: leave unverified faces (F401), for a school whose "
        "photos show only consented students; they are still listed for a person.")]
    = FaceMode.blur,
) -> None:
    """Write a safer copy of posts: faces hidden, names cut or replaced, metadata and
    hidden characters removed. The copy is checked again; what still needs a person is
    listed (exit 1 while anything is left, 0 when the copy is clean)."""
    from smcheck.fix import FixOptions, fix_posts, sources_for_files
    from smcheck.post import PostSource

    folders = [p for p in posts if p.is_dir()]
    folder: Path | None = None
    if folders:
        if len(posts) > 1:
            fail("give one folder, or post files, not both")
        folder = folders[0]
    else:
        for p in posts:
            if str(p) == "-" and not p.exists():
                fail("fix writes each copy under its post's file name: save the post from "
                     "standard input to a file and fix that")
            if not p.exists():
                fail(f"{p}: file not found")
    if image and (folder is not None or len(posts) > 1):
        fail("--image goes with a single post file")
    for i in image or ():
        if not i.is_file():
            fail(f"{i}: image file not found")
    from smcheck.config import discover_config

    # As audit does: a folder of posts usually carries its own smcheck.toml.
    start = folder if folder is not None and discover_config(folder.resolve()) else None
    checker, when = _setup(roster, config, None, publish_at, _cache_wanted(cache),
                           start=start, select=select, ignore=ignore)
    _prepare_outputs(None, report)
    if folder is not None:
        from smcheck.batch import posts_in

        sources = posts_in(checker, folder)
    else:
        sources = sources_for_files(posts)
        if image:
            s = sources[0]
            known = {i.resolve() for i in s.images}
            extra = tuple(i for i in image if i.resolve() not in known)
            sources = [PostSource(label=s.label, text_file=s.text_file,
                                  images=(*s.images, *extra))]
    options = FixOptions(out=out, faces="blur" if faces is FaceMode.blur else
                         "keep-unverified", dry_run=dry_run)
    try:
        result = fix_posts(checker, sources, options, when, folder=folder, redact=redact)
    except InputError as exc:
        fail(str(exc))
    if report is not None:
        from smcheck.reporters.fix_html import write as write_html

        try:
            write_html(result, report)
        except InputError as exc:
            fail(str(exc))
        _stderr().print(f"report: {report}", markup=False)
    from smcheck.reporters import fix as fix_reporter

    if format is FixFormat.json:
        sys.stdout.write(fix_reporter.render_json(result))
    else:
        fix_reporter.render_text(result, _console(), quiet=quiet)
    raise typer.Exit(0 if exit_zero else result.exit_code)


@app.command("accept")
def accept_command(
    file: Annotated[Path, typer.Argument(help="The post whose findings you reviewed.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is fine (required).")],
    rule: Annotated[list[str] | None, typer.Option(
        "--rule", help="Only this rule's findings (repeatable).")] = None,
    finding: Annotated[list[int] | None, typer.Option(
        "--finding", "-n", min=1, help="Only the finding with this number, as `smcheck "
        "check` numbers them ([1], [2], ...; repeatable).")] = None,
    student: Annotated[list[str] | None, typer.Option(
        "--student", help="Only findings about this student id (repeatable).")] = None,
    span: Annotated[str | None, typer.Option(
        "--span", help="Only the finding on these characters of the post text, START:END "
        "as in the JSON span.")] = None,
    all_: Annotated[bool, typer.Option(
        "--all", help="Accept every finding that matches, when several do.")] = False,
    by: Annotated[str | None, typer.Option("--by", help="Who accepts (default: $USER).")]
    = None,
    image: Annotated[list[Path] | None, typer.Option("--image", "-i")] = None,
    roster: RosterOpt = None,
    config: ConfigOpt = None,
    publish_at: PublishOpt = None,
) -> None:
    """Record reviewed findings of a post as accepted, in .smcheck-accepted.toml beside it:
    keyed hashes and your reason, never names or words. check and audit then report them
    as info, until the post's evidence changes. When several findings match, choose one
    (--finding, --student, --span) or say --all."""
    from dataclasses import replace

    from smcheck import accept
    from smcheck.post import PostSource, read_post, sources_for_file

    checker, when = _setup(roster, config, None, publish_at)
    try:
        if image or not file.is_file():
            source = PostSource(label=str(file), text_file=file, images=tuple(image or ()))
        else:
            source = sources_for_file(file, str(file))[0]
        post = read_post(source)
    except InputError as exc:
        fail(str(exc))
    numbered = list(enumerate(checker.check_post(post, when).findings, start=1))
    wanted = {r.upper() for r in rule or ()}
    students = set(student or ())
    chars: tuple[int, int] | None = None
    if span is not None:
        try:
            start, end = (int(x) for x in span.split(":"))
        except ValueError:
            fail(f"--span {span!r}: give START:END, the characters of the post text")
        chars = (start, end)
    picked = [(n, f) for n, f in numbered
              if f.severity > Severity.INFO
              and (not finding or n in finding)
              and (not wanted or f.rule in wanted)
              and (not students or f.student_id in students)
              and (chars is None or any((p.start, p.end) == chars for p in f.spans))]
    # An acceptance covers the place shown (or chosen), not every mention of the student.
    others = sum(len(f.spans) - 1 for _, f in picked if f.span is not None)
    if chars is not None:  # one place of a finding named more than once: that place only
        picked = [(n, replace(f, span=next(p for p in f.spans if (p.start, p.end) == chars),
                              more=())) for n, f in picked]
    def listed(found: list[tuple[int, Finding]]) -> str:
        # Ids, rule codes and positions only: no names on the terminal's scrollback.
        return "; ".join(f"[{n}] {f.rule}" + (f" {f.student_id}" if f.student_id else "")
                         + (f" at {f.span.start}:{f.span.end}" if f.span else "")
                         for n, f in found)

    refused = sorted({f.rule for _, f in picked if accept.unacceptable(f)})
    picked = [(n, f) for n, f in picked if not accept.unacceptable(f)]
    if not picked and refused:
        fail(f"{file}: {', '.join(refused)} cannot be accepted: part of the post was not "
             "checked; fix what the finding says and check again")
    if not picked:
        open_ = [(n, f) for n, f in numbered if f.severity > Severity.INFO]
        if open_ and (finding or wanted or students or chars):
            fail(f"{file}: none of its open findings is the one you chose ({listed(open_)})")
        fail(f"{file}: no open findings{' of ' + ', '.join(sorted(wanted)) if wanted else ''}"
             " to accept")
    if len(picked) > 1 and not all_:
        fail(f"{file}: {len(picked)} findings match ({listed(picked)}); choose with --finding "
             "N, --student ID or --span START:END, or accept them all with --all")
    try:
        path, dropped = accept.record(file, [f for _, f in picked], reason, by,
                                      datetime.now().astimezone(), post.text,
                                      post.media_files())
    except InputError as exc:
        fail(str(exc))
    if dropped:
        _stderr().print(f"note: {dropped} older unsalted entr{'y' if dropped == 1 else 'ies'} "
                        f"of {path} dropped; accept those findings again", markup=False)
    _console().print(f"accepted {len(picked)} finding(s) of {file} in {path}", markup=False)
    if others:
        _console().print(f"note: {others} other place{'s' if others != 1 else ''} of the "
                         f"same finding{' stay' if others != 1 else ' stays'} open: check "
                         "again and accept each one you reviewed", markup=False)


@app.command()
def rules(
    code: Annotated[str | None, typer.Argument(help="A rule code, e.g. N101.")] = None,
    format: FormatOpt = Format.text,
) -> None:
    """List the rules, or explain one: what it does, why, an example, what to use instead,
    and the policy it rests on."""
    from smcheck.rules import RULES, get_rule

    if format not in (Format.text, Format.json):
        fail("rules: --format is text or json")
    one = get_rule(code) if code is not None else None
    if code is not None and one is None:
        fail(f"unknown rule code {code!r}; `smcheck rules` lists them")
    if format is Format.json:
        import json

        from smcheck.reporters.rules import rules_json

        sys.stdout.write(json.dumps(rules_json(one.code if one else None), indent=2,
                                    ensure_ascii=False) + "\n")
        return
    console = _console()
    if one is None:
        for r in RULES:
            console.print(f"[bold]{r.code}[/]  {r.name:<28} {r.severity.label:<10} {r.summary}")
        return
    console.print(f"[bold]{one.code} {one.name}[/]  (default severity: {one.severity.label})\n")
    console.print("[bold]What it does[/]\n  " + one.what + "\n")
    console.print("[bold]Why[/]\n  " + one.why + "\n")
    console.print("[bold]Example[/]\n  " + one.example + "\n")
    console.print("[bold]Use instead[/]\n  " + one.use_instead + "\n")
    console.print("[bold]Policy[/]")
    for p in one.policy:
        console.print(f"  {p.district}, \u201c{p.heading}\u201d ({p.file}):")
        console.print(f"    \u201c{p.quote}\u201d")


@app.command("settings")
def settings_command(
    roster: RosterOpt = None,
    config: ConfigOpt = None,
    folder: Annotated[Path | None, typer.Argument(
        help="Resolve as `smcheck audit FOLDER` would (its smcheck.toml first).")] = None,
    format: FormatOpt = Format.text,
) -> None:
    """Show the settings in force: which config file and roster were found, and counts
    (students, releases, reference photos, staff); never a student's name."""
    from smcheck.config import discover_config
    from smcheck.settings import resolve

    start = folder if folder is not None and discover_config(folder.resolve()) else None
    try:
        settings = resolve(roster, config, start=start)
    except InputError as exc:
        fail(str(exc))
    _print_settings(settings.describe(), format if format is Format.json else Format.text)


@roster_app.command("check")
def roster_check(
    path: Annotated[Path | None, typer.Argument(
        help="The roster CSV (default: the config's roster).")] = None,
    config: ConfigOpt = None,
    show_names: Annotated[bool, typer.Option(
        "--show-names", help="Also list students by name (off by default: no names in logs).")]
    = False,
    photos: Annotated[bool, typer.Option(
        "--photos/--skip-photos", help="Check that each reference photo shows exactly one "
        "face (loads the face models).")] = True,
    format: FormatOpt = Format.text,
) -> None:
    """Validate a roster and summarise it without printing any student's name: the columns
    it read and the ones it ignored, and every reference photo (one face each)."""
    from smcheck.config import resolve_config
    from smcheck.roster import load_roster, students_sorted, summarize

    try:
        cfg = resolve_config(config)
        target = path or cfg.roster
        if target is None:
            fail("give the roster CSV (or a config with `roster = ...`)")
        ros = load_roster(target, fmt=cfg.roster_format)
    except InputError as exc:
        fail(str(exc))
    summary = summarize(ros, date.today())
    problems = _reference_photo_problems(ros) if photos else []
    summary["photo_problems"] = problems
    if format is Format.json:
        import json

        sys.stdout.write(json.dumps({"roster": str(target), **summary}, indent=2,
                                    ensure_ascii=False) + "\n")
        raise typer.Exit(2 if problems else 0)
    console = _console()
    mark = "[red]problems[/]" if problems else "[green]ok[/]"
    n = summary["students"]
    console.print(f"{mark} {escape(str(target))}: {n} student{'' if n == 1 else 's'}")
    for column, header in ros.columns:
        console.print(f"  column {column:<16} from {escape(header)}", highlight=False)
    if ros.ignored:
        console.print(f"  ignored columns    {escape(', '.join(ros.ignored))} (map one in "
                      f"smcheck.toml {escape('[roster.columns]')} if it matters)",
                      highlight=False)
    by_release = summary["by_release"]
    assert isinstance(by_release, dict)
    for level, n in by_release.items():
        console.print(f"  release {level:<11} {n}")
    channels = summary.get("by_channel")
    if isinstance(channels, dict):
        for channel, counts in channels.items():
            console.print(f"  {channel + ' channel':<18} " + ", ".join(
                f"{k} {v}" for k, v in counts.items()), highlight=False)
    console.print(f"  safety-flagged     {summary['safety_flagged']}")
    console.print(f"  expired releases   {summary['expired_releases']} (counted as none)")
    console.print(f"  reference photos   {summary['with_photos']} students with, "
                  f"{summary['without_photos']} without"
                  + ("" if photos else " (not checked: --skip-photos)"))
    for problem in problems:
        console.print(f"  [red]photo problem[/] {escape(problem)}", highlight=False)
    if show_names:
        today = date.today()
        for s in students_sorted(ros.students):
            flag = "  SAFETY FLAG" if s.safety_flag else ""
            console.print(f"  {s.id:<10} {s.display_name:<30} "
                          f"{s.effective_release(today).value}{flag}", markup=False)
    raise typer.Exit(2 if problems else 0)


def _reference_photo_problems(ros: Roster) -> list[str]:
    """Every reference photo that is not one clear face, as "FILE:LINE (column photo):
    problem": all of them at once, not only the first a photo check would meet."""
    from smcheck.engines import shared_engines
    from smcheck.errors import SetupError
    from smcheck.extract.faces import FaceModelsUnavailable, reference_encoding

    todo = [(s, p) for s in ros.students for p in s.photos]
    if not todo:
        return []
    try:
        models = shared_engines().faces
    except FaceModelsUnavailable as exc:
        return [f"{ros.path}: the reference photos could not be checked: {exc}"]
    problems = []
    for student, photo in todo:
        try:
            reference_encoding(ros, student.id, photo, models, False)
        except SetupError as exc:
            problems.append(str(exc))
    return problems


@app.command()
def serve(
    roster: RosterOpt = None,
    config: ConfigOpt = None,
    host: Annotated[str, typer.Option(
        "--host", help="Address to listen on. The default answers this machine only; "
        "0.0.0.0 opens it to the network, and then every request needs the token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535)] = 8765,
    max_body_mb: Annotated[int, typer.Option(
        "--max-body-mb", min=1, help="Refuse a request body over this many MB (held in "
        "memory, never written to disk).")] = 64,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, help="Processes, each with its own models (~0.5 GB each).")] = 1,
    time_budget: Annotated[float, typer.Option(
        "--time-budget", min=1.0, help="Seconds a long post may take (from its arrival); "
        "past it, it is answered with an E902, not checked.")] = 60.0,
) -> None:
    """A local service with the models loaded once: POST /check answers the JSON of
    `check --format json`, / is a page to paste a draft and drop photos, /docs the API.
    Roster and config are reloaded when their files change. Answers this machine's user
    only: see the README (the token, SMCHECK_SERVE_TOKEN)."""
    from smcheck.serve import MIN_TOKEN, TOKEN_ENV, ServeOptions, bind, is_loopback, new_token, run
    from smcheck.settings import resolve

    given = os.environ.get(TOKEN_ENV)
    if given is not None and len(given.strip()) < MIN_TOKEN:
        fail(f"{TOKEN_ENV} is too short: at least {MIN_TOKEN} characters (or unset it)")
    token = given.strip() if given is not None else new_token()
    options = ServeOptions(roster=roster, config=config, max_body=max_body_mb * 1024 * 1024,
                           host=host, token=token, require_token=given is not None,
                           budget_s=time_budget)
    try:
        resolve(roster, config)  # a bad roster or config: one line and exit 2, not a server
    except InputError as exc:
        fail(str(exc))
    try:
        sock = bind(host, port)  # before the models load: a busy port fails at once
    except OSError as exc:
        why = "the port is in use (another smcheck serve?)" if exc.errno == errno.EADDRINUSE \
            else (exc.strerror or str(exc))
        fail(f"cannot listen on {host}:{port}: {why}; try --port")
    shown = f"[{host}]" if ":" in host else host
    # Bound to every address: this machine opens it at its loopback address (a browser
    # sends Host: 0.0.0.0 for the other, which names no machine and is refused).
    shown = {"0.0.0.0": "127.0.0.1", "[::]": "[::1]"}.get(shown, shown)
    port = sock.getsockname()[1]
    err = _stderr()
    if not is_loopback(host):
        err.print(f"smcheck serve: WARNING: listening on {host}, open to the network. Anyone "
                  "who reaches this machine with the token can check posts and learn students' "
                  "ids and safety flags, and the traffic is not encrypted (no HTTPS): use it "
                  "only on a network you trust.", style="bold red", markup=False)
    if options.token_everywhere:
        if given is None:
            err.print(f"smcheck serve: every request needs this token: {token}\n"
                      f"  the page: http://{shown}:{port}/?token={token} (from another "
                      "computer: this one's address instead)\n"
                      "  the API: header 'Authorization: Bearer <token>' "
                      f"(set {TOKEN_ENV} to choose it)", style="bold", markup=False)
        else:
            err.print(f"smcheck serve: every request needs the token in {TOKEN_ENV}: the "
                      f"page at http://{shown}:{port}/?token=<token>, the API with header "
                      "'Authorization: Bearer <token>'", style="bold", markup=False)
    err.print(f"smcheck serve: http://{shown}:{port}/ (the page), /docs (the API); "
              "Ctrl-C stops it", markup=False)
    run(sock, options, workers=workers)


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
    resource that needs closing (output is flushed first).

    The last error boundary: whatever escapes a command is one line on stderr and exit
    2, never a traceback (SMCHECK_DEBUG=1 shows it, to report a bug)."""
    code: int = 0
    if sys.stdout is None:  # started with stdout closed (`>&-`): the output would vanish
        if sys.stderr is not None:
            sys.stderr.write("smcheck: error: cannot write the output to standard output: "
                             "it is closed\n")
            sys.stderr.flush()
        os._exit(2)
    try:
        app()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        _stderr().print("smcheck: interrupted", markup=False)
        code = 130
    except Exception as exc:
        code = 2
        if _is_write_failure(exc):
            _quiet_stdout()
            _stderr().print("smcheck: error: cannot write the output to standard output: "
                            f"{exc.strerror}", markup=False)
        elif not (isinstance(exc, OSError) and _stdout_failed()):
            if os.environ.get("SMCHECK_DEBUG"):
                import traceback

                traceback.print_exc()
            _stderr().print(f"smcheck: error: smcheck failed ({type(exc).__name__}); please "
                            "report this (SMCHECK_DEBUG=1 shows where)", markup=False)
    if _stdout_failed():
        code = 2
    with suppress(OSError):
        sys.stderr.flush()
    os._exit(code)
