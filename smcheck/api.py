"""The Python API: load -> extract -> rules -> report. The CLI is a thin layer over this.

The front door (README: Python API), re-exported lazily as `smcheck.check` and
`smcheck.audit`:

    report = smcheck.check("Great job, Leo!", roster="roster.csv")
    report = smcheck.check(Path("draft.txt"), images=["trip.jpg"], publish_at="2026-12-01T09:00")
    report = smcheck.audit("posts/", jobs=2)
    report.verdict, report.exit_code, report.to_json()

Underneath, a `Checker` holds what a run shares (config, roster, models loaded once):

    checker = make_checker(roster="roster.csv")          # reuse it for many posts
    report = check("...", checker=checker)
    checker.report([checker.check_post(post, publish_at)], publish_at)

Folders: smcheck.batch.audit(checker, posts_in(checker, folder), publish_at, jobs=2);
`smcheck.audit` is smcheck.batch.audit_folder (a folder's run sits above this module).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from smcheck import accept
from smcheck.config import Config
from smcheck.display import shown
from smcheck.documents import unchecked_kind
from smcheck.engines import Engines, shared_engines
from smcheck.errors import InputError, SetupError
from smcheck.extract.captions import Caption, filename_caption
from smcheck.extract.faces import (
    WORKING_SIDE,
    FaceModels,
    FaceModelsUnavailable,
    References,
    load_references,
)
from smcheck.extract.images import ImageError, LoadedImage, load_image
from smcheck.extract.imagetext import ImageText, compose, on_photo, recase, worth_reading
from smcheck.extract.names import NameMatcher
from smcheck.extract.ocr import OcrUnavailable, TextLine
from smcheck.extract.text import TextFacts, extract_text
from smcheck.facts import CaptionFacts, Face, Facts, ImageFacts, InputProblem, Unavailable
from smcheck.findings import Finding, PostReport, Report, Span, sorted_findings
from smcheck.post import Post, PostSource, read_post
from smcheck.roster import EMPTY_ROSTER, Roster
from smcheck.rules import RULES, Context, Rule

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer


# Rule families that also read the words written in a photo (SPEC section 5): names,
# records and contacts, apps and private channels.
PHOTO_WORD_RULES = ("N", "R", "C")


def now() -> datetime:
    from smcheck.post import local_zone

    return datetime.now(local_zone())


def _empty_text() -> TextFacts:
    return TextFacts(text="")


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """One post's run (Checker.run): its report always; the post and its facts as far
    as the run got (`smcheck fix` rewrites from them)."""

    report: PostReport
    post: Post | None = None  # None: the post could not be read (its E901 or E902)
    facts: Facts | None = None  # None: it was not checked (its E901 or E902 says why)
    error: InputError | None = None  # what could not be read, when that is why
    problem: str = ""  # why it was not checked, in one line (for `fix`'s "not written")


@dataclass
class Checker:
    """Everything a run shares across posts: config, roster, and the models, loaded once."""

    config: Config = field(default_factory=Config)
    roster: Roster = EMPTY_ROSTER
    engines: Engines = field(default_factory=shared_engines)

    # Off unless asked: reference encodings are biometric data (SPEC section 8).
    use_cache: bool = False

    def __post_init__(self) -> None:
        self.matcher = NameMatcher(self.roster.students, self.config.staff)
        self._references: References | None = None
        self._recognizers: list[EntityRecognizer] | None = None
        self._photo_recognizers: list[EntityRecognizer] | None = None

    @property
    def recognizers(self) -> list[EntityRecognizer]:
        """The run's own Presidio recognizers: the roster's names and ids, and a district's
        extra recognizers (config `recognizers`). Built on the first post."""
        if self._recognizers is None:
            from smcheck.extract.recognizers import run_recognizers

            self._recognizers = run_recognizers(self.roster, self.matcher, self.config)
        return self._recognizers

    @property
    def photo_recognizers(self) -> list[EntityRecognizer]:
        """The run's recognizers for words read in a photo (a name alone on its line is
        a name tag there)."""
        if self._photo_recognizers is None:
            from smcheck.extract.recognizers import photo_recognizers

            self._photo_recognizers = photo_recognizers(self.recognizers)
        return self._photo_recognizers

    @property
    def active_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in RULES if self.config.enabled(r.code))

    def extract(self, post: Post, publish_at: datetime | None = None) -> Facts:
        text = extract_text(post.text, self.engines, self.matcher, self.recognizers,
                            publish_at, bool(post.public_event)) \
            if post.text.strip() else _empty_text()
        problems: list[InputProblem] = []
        unavailable: list[Unavailable] = []
        images: list[ImageFacts] = []
        # Never a silent pass: a draft's parts that cannot be read, and files of the post
        # that smcheck has no check for (a clip, a PDF), are each a finding naming them.
        def not_checked(rule: str, file: str, what: str, reason: str) -> None:
            if rule == "E901":  # cannot be read: an input problem
                problems.append(InputProblem(file=file, message=reason))
            else:  # read, but smcheck has no check for it
                unavailable.append(Unavailable(check=f"check of this {what}", file=file,
                                               reason=reason))

        for part in post.unchecked:
            not_checked(part.rule, part.label, "part of the draft", part.reason)
        media: list[tuple[str, Path | bytes]] = [(post.label(p), p) for p in post.images]
        media += [(e.label, e.data) for e in post.embedded]
        for name, path in media:
            kind = unchecked_kind(path.name) if isinstance(path, Path) else None
            if kind is not None:
                not_checked(kind.rule, name, kind.kind, kind.advice if kind.rule == "E902"
                            else f"a {kind.kind}: {kind.advice}")
                continue
            try:
                loaded = load_image(path, WORKING_SIDE)
            except ImageError as exc:
                problems.append(InputProblem(file=name, message=str(exc)))
                continue
            lines, reading, words = self._read_words(loaded, name, unavailable, publish_at)
            # An embedded photo (a .docx's) is named by its label's last part.
            file_name = path.name if isinstance(path, Path) else \
                PurePath(name.rsplit("#", 1)[-1]).name
            captions = self._read_captions(loaded.captions, file_name, publish_at)
            try:
                models = self.engines.faces
            except FaceModelsUnavailable as exc:
                # Never a silent pass: the GPS check still ran, the face check did not.
                unavailable.append(Unavailable(check="face check", file=name,
                                               reason=str(exc)))
                images.append(ImageFacts(file=name, faces=(), location=loaded.gps,
                                         references=False, text=lines, reading=reading,
                                         words=words, captions=captions))
                continue
            references = self.references(models)
            if references:
                faces = tuple(
                    Face(box=f.box, distances=tuple(sorted(
                        references.distances(f.encoding).items(), key=lambda kv: kv[1])))
                    for f in models.faces(loaded)
                )
            else:  # nobody to compare with: every face is unverified, no need to encode
                faces = tuple(Face(box=c.box, distances=()) for c in models.detect(loaded))
            images.append(ImageFacts(file=name, faces=faces, location=loaded.gps,
                                     references=bool(references), text=lines,
                                     reading=reading, words=words, captions=captions))
        return Facts(post=post, text=text, images=tuple(images), problems=tuple(problems),
                     unavailable=tuple(unavailable))

    def _read_words(self, loaded: LoadedImage, name: str, unavailable: list[Unavailable],
                    publish_at: datetime | None) -> tuple[
                        tuple[TextLine, ...], ImageText | None, TextFacts | None]:
        """The words written in a photo, read as the post's text is (extract_text,
        with its words in capitals cased as prose: see extract/imagetext.py)."""
        try:
            lines = tuple(self.engines.ocr.lines(loaded))
        except OcrUnavailable as exc:
            unavailable.append(Unavailable(check="check of the words in the photo", file=name,
                                           reason=str(exc)))
            return (), None, None
        if not lines:
            return (), None, None
        reading = compose(lines, self.matcher.keeps_capital)
        if not worth_reading(reading.text, self.matcher.may_start_name):
            return lines, reading, None
        words = extract_text(reading.text, self.engines, self.matcher,
                             self.photo_recognizers, publish_at)
        return lines, reading, words

    def _read_captions(self, captions: tuple[Caption, ...], file_name: str,
                       publish_at: datetime | None) -> tuple[CaptionFacts, ...]:
        """The photo's caption fields and its file name, read as the post's text is.
        Words in capitals ("OLYMPUS DIGITAL CAMERA", a file name) are cased as a sign's
        are (extract/imagetext.py). Captions are prose: the run's own recognizers. The
        people tagged in a photo are names alone on a line, as on a name tag: the
        photo's recognizers."""
        named = filename_caption(file_name, self.matcher.keeps_capital)
        every = (*captions, *((named,) if named else ()))
        tags = tuple(c for c in every if _PEOPLE_TAGS.search(c.field))
        prose = tuple(c for c in every if c not in tags)
        out = []
        for group, recognizers in ((prose, self.recognizers), (tags, self.photo_recognizers)):
            if not group:
                continue
            parts, starts, pos = [], [], 0
            for c in group:
                starts.append(pos)
                parts.append(c.text if c.kind == "filename" else
                             recase(c.text, self.matcher.keeps_capital))
                pos += len(parts[-1]) + 2
            reading = "\n\n".join(parts)
            words = extract_text(reading, self.engines, self.matcher, recognizers, publish_at) \
                if worth_reading(reading, self.matcher.may_start_name) else None
            out.append(CaptionFacts(captions=group, starts=tuple(starts), reading=reading,
                                    words=words))
        return tuple(out)

    def references(self, models: FaceModels) -> References:
        """The roster's reference encodings, computed on the first photo of the run
        (or handed over by whoever computed them: see smcheck.batch)."""
        if self._references is None:
            self._references = load_references(self.roster, models, self.use_cache)
        return self._references

    def use_references(self, references: References) -> None:
        self._references = references

    def check_post(self, post: Post, publish_at: datetime) -> PostReport:
        return self.examine(post, publish_at)[1]

    def examine(self, post: Post, publish_at: datetime) -> tuple[Facts, PostReport]:
        """The facts of a post and its report: `smcheck fix` rewrites from both."""
        when = post.publish_at or publish_at
        ctx = Context(config=self.config, roster=self.roster, publish_at=when)
        facts = self.extract(post, when)
        findings = [f for r in self.active_rules for f in r.run(facts, ctx)]
        findings += self._photo_words(facts, ctx)
        findings += self._photo_captions(facts, ctx)
        findings = accept.apply(findings, PurePath(post.path).name, post.folder, post.text,
                                post.media_files())
        return facts, PostReport(
            path=shown(post.path), images=tuple(post.label(i) for i in post.images) +
            tuple(e.label for e in post.embedded),
            text=post.text, findings=sorted_findings(findings), publish_at=when,
            image_paths=post.images, time_sensitive=bool(facts.text.whens),
            text_line=post.body_line, text_start=post.body_start)

    def _photo_words(self, facts: Facts, ctx: Context) -> list[Finding]:
        """The name, record, contact and app rules (N, R, C) on each photo's words; each
        finding placed on the photo, on the box of the words."""
        out: list[Finding] = []
        rules = [r for r in self.active_rules if r.code[:1] in PHOTO_WORD_RULES]
        for image in facts.images:
            if image.words is None or image.reading is None:
                continue
            sub = Facts(post=Post(path=image.file, text=image.reading.text), text=image.words)
            out += [on_photo(f, image.reading, image.file) for r in rules for f in r.run(sub, ctx)]
        return out

    def _photo_captions(self, facts: Facts, ctx: Context) -> list[Finding]:
        """The N, R and C rules on each photo's caption fields and file name: each
        finding names the photo and the field, its span in that field's text."""
        out: list[Finding] = []
        rules = [r for r in self.active_rules if r.code[:1] in PHOTO_WORD_RULES]
        for image in facts.images:
            for c in image.captions:
                if c.words is None:
                    continue
                sub = Facts(post=Post(path=image.file, text=c.reading), text=c.words)
                out += [g for r in rules for f in r.run(sub, ctx)
                        for g in _in_metadata(f, c, image.file)]
        return out

    def unreadable(self, source: PostSource, error: InputError, publish_at: datetime) -> PostReport:
        """E901 for a post that could not be read at all: the batch goes on."""
        return self._input_report(source, publish_at, "E901", problems=(
            InputProblem(file=source.label, message=_problem(source, error)),))

    def _input_report(self, source: PostSource, publish_at: datetime, code: str,
                      problems: tuple[InputProblem, ...] = (),
                      unavailable: tuple[Unavailable, ...] = ()) -> PostReport:
        """A post's report holding one E9xx rule's findings and nothing else."""
        facts = Facts(post=Post(path=source.label, text=""), text=_empty_text(),
                      problems=problems, unavailable=unavailable)
        ctx = Context(config=self.config, roster=self.roster, publish_at=publish_at)
        findings = [f for r in RULES if r.code == code for f in r.run(facts, ctx)]
        return PostReport(path=shown(source.label),
                          images=tuple(Post(path="", text="", root=source.root,
                                            base=source.base).label(i) for i in source.images),
                          text="", findings=sorted_findings(findings), publish_at=publish_at)

    def report(self, posts: Iterable[PostReport], publish_at: datetime,
               redact: bool = False) -> Report:
        from smcheck.settings import notices_for

        done = tuple(posts)
        notices = notices_for(self.config, self.roster, any(p.images for p in done))
        return Report(publish_at=publish_at, posts=done, fail_on=self.config.fail_on,
                      redact=redact, notices=notices)

    def run(self, source: PostSource, publish_at: datetime,
            read: Callable[[], Post] | None = None) -> Outcome:
        """The one way a post is run: read (`read`, else from `source` on disk),
        extracted, checked, its accepted findings applied. Whatever fails is that post's
        finding and the run goes on: E901 for an input of the post that cannot be read
        (its text, its front matter, its folder's accepted findings; a photo that cannot
        be decoded is its own E901, from extract), E902 for a check that could not run
        (models that cannot load, from extract; a bug of smcheck's, here). Only a
        SetupError, a problem of what every post shares (a roster reference photo), is
        raised: no post could be checked right, so the run stops with its one line."""
        try:
            post = read() if read is not None else read_post(source)
        except SetupError:
            raise
        except InputError as exc:
            return self._unread(source, exc, publish_at)
        except Exception as exc:
            return self._failed(source, exc, publish_at)
        try:
            facts, report = self.examine(post, publish_at)
        except SetupError:
            raise
        except InputError as exc:  # the post's own files (its accepted findings, say)
            return replace(self._unread(source, exc, publish_at), post=post)
        except Exception as exc:
            # A bug of smcheck's must not end a run, nor pass a post unchecked.
            return replace(self._failed(source, exc, publish_at), post=post)
        return Outcome(report=report, post=post, facts=facts)

    def _unread(self, source: PostSource, exc: InputError, publish_at: datetime) -> Outcome:
        return Outcome(report=self.unreadable(source, exc, publish_at), error=exc,
                       problem=_problem(source, exc))

    def _failed(self, source: PostSource, exc: Exception, publish_at: datetime) -> Outcome:
        return Outcome(report=self.failed(source, exc, publish_at),
                       problem=_failure(exc))

    def audit_one(self, source: PostSource, publish_at: datetime) -> PostReport:
        """One post found on disk, whatever happens (see run)."""
        return self.run(source, publish_at).report

    def check_safely(self, post: Post, publish_at: datetime,
                     source: PostSource | None = None) -> PostReport:
        """A post already read, whatever happens (see run)."""
        source = source or PostSource(label=post.path, text_file=None, images=post.images,
                                      root=post.root, base=post.base)
        return self.run(source, publish_at, lambda: post).report

    def failed(self, source: PostSource, exc: BaseException, publish_at: datetime) -> PostReport:
        """E902 for a post smcheck failed on: the exception's type only (its text could
        quote the post); SMCHECK_DEBUG=1 prints where, to report the bug."""
        if os.environ.get("SMCHECK_DEBUG"):
            import traceback

            traceback.print_exception(exc)
        return self._input_report(source, publish_at, "E902", unavailable=(Unavailable(
            check="check of this post", file=None, reason=_failure(exc)),))

    def worker_died(self, source: PostSource, publish_at: datetime, *, alone: bool) -> PostReport:
        """E902 for a post whose worker process stopped (killed, out of memory, a crash
        in native code)."""
        why = ("the process checking it stopped (killed, out of memory, or a crash); "
               "checked again on its own, it stopped again" if alone else
               "worker processes kept stopping before they could check it")
        return self._input_report(source, publish_at, "E902", unavailable=(Unavailable(
            check="check of this post", file=None, reason=why),))

def _problem(source: PostSource, error: InputError) -> str:
    """What could not be read, as the post's E901 says it."""
    problem = error.problem if error.line is None else f"line {error.line}: {error.problem}"
    if error.file not in (source.label, str(source.text_file)):
        # Another file of the post's (its folder's accepted findings): named, by its
        # name only, so the message says which file to fix.
        problem = f"{shown(PurePath(error.file).name)}: {problem}"
    return problem


def _failure(exc: BaseException) -> str:
    return f"smcheck failed on it ({type(exc).__name__}); please report this"


# Caption fields that tag the people in a photo: names alone, as on a name tag.
_PEOPLE_TAGS = re.compile(r"PersonInImage|mwg-rs:Name|PersonDisplayName")


def _in_metadata(finding: Finding, c: CaptionFacts, file: str) -> list[Finding]:
    """A finding on a photo's captions, placed in each field it is in: the photo, the
    field, the spans in that field's text as written (the same characters as read).
    A student named in two fields is a finding in each: each is stripped on its own."""
    by_part: dict[int, list[Span]] = {}
    for s in finding.spans:
        by_part.setdefault(c.part(s.start), []).append(s)
    out = []
    for i, spans in (by_part or {0: []}).items():
        caption, start = c.captions[i], c.starts[i]
        placed = [Span(start=s.start - start, end=min(s.end - start, len(caption.text)),
                       text=caption.text[s.start - start:s.end - start]) for s in spans]
        where = "the photo's file name" if caption.kind == "filename" else \
            f"the photo's caption metadata ({caption.field})"
        out.append(replace(finding, source=caption.kind, file=file, field=caption.field,
                           span=placed[0] if placed else None, more=tuple(placed[1:]),
                           message=f"In {where}: {finding.message}"))
    return out


# ---- the front door: smcheck.check and smcheck.audit ------------------------------------

PathArg = str | os.PathLike[str]
RosterArg = PathArg | Roster | None
ConfigArg = PathArg | Config | None


def _path(value: PathArg | None) -> Path | None:
    return Path(value) if value is not None else None


def make_checker(
    roster: RosterArg = None,
    config: ConfigArg = None,
    *,
    start: PathArg | None = None,
    use_cache: bool = False,
    fail_on: str | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> Checker:
    """A Checker with the settings resolved as the CLI resolves them: the arguments, else
    SMCHECK_CONFIG / SMCHECK_ROSTER, else smcheck.toml found in `start` (default: the
    current folder) or above. Raises InputError for a bad roster or config."""
    from smcheck.settings import resolve

    settings = resolve(
        roster if isinstance(roster, Roster) else _path(roster),
        config if isinstance(config, Config) else _path(config),
        start=_path(start), fail_on=fail_on, select=tuple(select), ignore=tuple(ignore))
    return Checker(config=settings.config, roster=settings.roster, use_cache=use_cache)


def publish_time(value: datetime | str | None) -> datetime:
    """A publish time: a datetime (naive: this machine's zone), ISO 8601 text, or None
    for now."""
    from smcheck.post import parse_publish_at

    return now() if value is None else parse_publish_at(value, "publish_at")


def read_post_file(path: Path, images: tuple[Path, ...] = (), label: str | None = None) -> Post:
    """A post from a .txt/.md file: front matter read; InputError for a missing, binary,
    empty, over-large or undecodable file."""

    from smcheck.post import PostSource, read_post

    name = label if label is not None else str(path)
    if path.is_dir():
        raise InputError(name, f"is a folder; use `smcheck audit {name}`")
    return read_post(PostSource(label=name, text_file=path, images=images))


def make_post(
    text: str | None = None,
    *,
    path: PathArg | None = None,
    images: Iterable[PathArg] = (),
    label: str | None = None,
) -> Post:
    """One post from its text or its file, and its images (checked to exist)."""
    from smcheck.post import build_post

    pics = tuple(Path(i) for i in images)
    for image in pics:
        if not image.is_file():
            raise InputError(str(image), "image file not found")
    if path is not None:
        if text is not None:
            raise ValueError("give the post as text or as path, not both")
        return read_post_file(Path(path), pics, label)
    if text is not None:
        name = label or "<text>"
        if not text.strip():
            raise InputError(name, "post is empty")
        return build_post(name, text, pics, None)
    if not pics:
        raise ValueError("a post needs text, a path or at least one image")
    return Post(path=label or str(pics[0]), text="", images=pics)


def check(
    text: str | os.PathLike[str] | None = None,
    *,
    path: PathArg | None = None,
    images: Iterable[PathArg] = (),
    roster: RosterArg = None,
    config: ConfigArg = None,
    publish_at: datetime | str | None = None,
    redact: bool = False,
    checker: Checker | None = None,
) -> Report:
    """Check one post: its text (a str) or its file (a Path, or `path=`), and its images.

    The roster and config are resolved as the CLI resolves them (see make_checker);
    pass `checker=make_checker(...)` to reuse one across many posts. `publish_at`
    (datetime or ISO 8601; default now) is when the post goes out: front matter
    overrides it. Returns the Report that `--format json` prints (`report.to_json()`).
    Raises smcheck.InputError for input that cannot be read at all."""
    if isinstance(text, os.PathLike):
        text, path = None, text
    run = checker if checker is not None else make_checker(roster, config)
    when = publish_time(publish_at)
    post = make_post(text, path=path, images=images)
    return run.report([run.check_safely(post, when)], when, redact=redact)
