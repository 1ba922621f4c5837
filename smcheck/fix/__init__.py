"""`smcheck fix`: a safer copy of each post, checked again, and what still needs a person.

    checker = Checker(config=..., roster=...)
    result = fix_posts(checker, sources, FixOptions(out=Path("fixed")), publish_at)
    result.exit_code            # 1 while anything needs a person

The pipeline stays one-way: a post is checked as usual (facts, then findings); the
fix is planned from those alone (names from the facts' name mentions and the name
findings; masks from the boxes of image findings; every photo re-encoded); the
fixed copy is written beside nothing of the original's, and checked again by the
same Checker, with the same roster and config. What the second check still finds is
what needs a person: fix never rewrites a schedule, a record or a contact by guesswork.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from smcheck.api import Checker
from smcheck.documents import is_draft
from smcheck.errors import InputError
from smcheck.extract.images import ImageError
from smcheck.facts import Facts
from smcheck.findings import (
    Box,
    Finding,
    Notice,
    PostReport,
    Report,
    Severity,
    Span,
    sorted_findings,
)
from smcheck.fix.images import (
    Mask,
    MaskKind,
    Prepared,
    copy_name,
    finish,
    neutral_names,
    prepare,
    renamed,
)
from smcheck.fix.names import name_edits
from smcheck.fix.sentences import follow_ups, outside, removal_edits, removals
from smcheck.fix.text import TextChange, apply, hidden_edits, without_hidden
from smcheck.post import IMAGE_SUFFIXES, Post, PostSource, decode_text, discover, read_post
from smcheck.rules import RULES, Context

FaceMode = Literal["blur", "keep-unverified"]

# Faces a fix hides: unverified, unreleased, flagged, ambiguous. F400 (released) stays.
FACE_RULES = frozenset({"F401", "F402", "F403", "F404"})
# Words read in a photo (a name tag, a whiteboard) are findings of the text families
# with source "image" and a box: hidden like a face.
WORD_RULES = frozenset(r.code for r in RULES if r.code[0] in "NRC")
NAME_RULES = frozenset({"N101", "N102", "N104"})


@dataclass(frozen=True, kw_only=True)
class FixOptions:
    out: Path
    faces: FaceMode = "blur"
    dry_run: bool = False

    def masks(self, rule: str) -> MaskKind | None:
        """What kind of mask a finding of this rule with a box gets, if any."""
        if rule in FACE_RULES:
            return None if rule == "F401" and self.faces == "keep-unverified" else "face"
        return "words" if rule in WORD_RULES else None


@dataclass(frozen=True, kw_only=True)
class ImageFix:
    file: str  # the original, as the report names it
    out: str  # the fixed copy, as the report names it
    path: Path | None  # the fixed copy on disk (None in a dry run)
    masked: tuple[tuple[Mask, Box], ...]  # each finding's mask and the area it covered
    removed: tuple[str, ...]  # metadata the original carried
    oriented: bool
    format: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class NotWritten:
    file: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class PostFix:
    path: str  # the original post, as the report names it
    out: str | None  # the fixed text file (None: a photo-only post, or not written)
    before: PostReport
    after: PostReport | None  # the fixed copy checked again (None: a dry run)
    text: str  # the fixed text (what follows any front matter)
    changes: tuple[TextChange, ...] = ()
    images: tuple[ImageFix, ...] = ()
    not_written: tuple[NotWritten, ...] = ()
    # In a dry run, the findings the planned changes answer.
    answered: tuple[Finding, ...] = ()
    # What the fix itself leaves to a person, in the copy's findings too: a photo left
    # out (a safety-flagged student in it, or not checked), a sentence that may still
    # be about a student whose sentence was removed. Never "OK" for these.
    held: tuple[Finding, ...] = ()

    @property
    def needs_a_person(self) -> tuple[Finding, ...]:
        """What a person must still look at: the fixed copy's findings at warning or
        above (in a dry run, the original's that no planned change answers, and what
        the fix holds back)."""
        if self.after is not None:
            return tuple(f for f in self.after.findings if f.severity >= Severity.WARNING)
        return tuple(f for f in (*self.before.findings, *self.held)
                     if f.severity >= Severity.WARNING and f not in self.answered)

    @property
    def clean(self) -> bool:
        return not self.needs_a_person and not self.not_written


@dataclass(frozen=True, kw_only=True)
class FixReport:
    out: Path
    publish_at: datetime
    posts: tuple[PostFix, ...]
    fail_on: Severity | None = Severity.VIOLATION
    dry_run: bool = False
    redact: bool = False
    notices: tuple[Notice, ...] = ()  # no roster, no config: what the reader must know

    @property
    def before(self) -> Report:
        return Report(publish_at=self.publish_at, posts=tuple(p.before for p in self.posts),
                      fail_on=self.fail_on, redact=self.redact, notices=self.notices)

    @property
    def after(self) -> Report | None:
        if self.dry_run:
            return None
        return Report(publish_at=self.publish_at,
                      posts=tuple(p.after for p in self.posts if p.after is not None),
                      fail_on=self.fail_on, redact=self.redact, notices=self.notices)

    @property
    def exit_code(self) -> int:
        """1 while anything needs a person; 0 when every fixed copy is clean."""
        return 0 if all(p.clean for p in self.posts) else 1


# ---- where the copies go ------------------------------------------------------------


def sources_for_files(files: Sequence[Path]) -> list[PostSource]:
    """Posts given as files: a text file with the photos beside it (same stem, as in an
    audit), or a photo alone."""
    out: list[PostSource] = []
    for file in files:
        if file.suffix.lower() in IMAGE_SUFFIXES:
            out.append(PostSource(label=str(file), text_file=None, images=(file,)))
            continue
        mine = next((s for s in discover(file.parent) if s.text_file is not None
                     and s.text_file.name == file.name), None)
        images = tuple(file.parent / i.name for i in mine.images) if mine else ()
        out.append(PostSource(label=str(file), text_file=file, images=images))
    return out


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


class Layout:
    """Each input's copy under DIR: its path below `base` (the fixed folder, or a
    post file's own folder), so names, sub-folders and front matter paths still hold."""

    def __init__(self, out: Path, folder: Path | None,
                 sources: Sequence[PostSource] = ()) -> None:
        self.out = out
        self.folder = folder.resolve() if folder is not None else None
        # Photos' copies get neutral names (fix/images.py: neutral_names).
        self.names = neutral_names(sources, lambda f, d: self.place(f, d)[0])

    def place(self, file: Path, post_dir: Path) -> tuple[Path, bool]:
        """Where `file` goes under its own name, and whether it kept its place."""
        base = self.folder if self.folder is not None else post_dir.resolve()
        try:
            return copy_name(self.out / file.resolve().relative_to(base)), True
        except ValueError:
            return copy_name(self.out / file.name), False

    def target(self, file: Path, post_dir: Path) -> tuple[Path, bool]:
        """Where `file` is written, and whether it kept its place below the post."""
        path, kept = self.place(file, post_dir)
        name = self.names.get(file.resolve())
        return (path.with_name(name) if name else path), kept


def refuse_unsafe(out: Path, folder: Path | None, inputs: Sequence[Path],
                  targets: Sequence[Path], protected: Sequence[Path] = ()) -> None:
    """Raise InputError before anything is written if a copy could land on an input."""
    if out.exists() and not out.is_dir():
        raise InputError(str(out), "--out must be a folder; this is a file")
    real_out = out.resolve()
    if folder is not None and _inside(real_out, folder.resolve()):
        raise InputError(str(out), f"--out is inside the folder being fixed ({folder}): "
                         "choose a folder outside it, so the originals stay untouched")
    originals = {p.resolve() for p in (*inputs, *protected)}
    for parent in {p.resolve().parent for p in inputs}:
        if real_out == parent:
            raise InputError(str(out), "--out is the folder the post is in: the copy would "
                             "overwrite the original")
    seen: dict[Path, Path] = {}
    for target in targets:
        real = target.resolve()
        if real in originals or (target.exists() and any(
                _same_file(target, o) for o in originals if o.exists())):
            raise InputError(str(target), "is an input: fix never writes over an original")
        if real in seen:
            raise InputError(str(target), "two inputs would be written to this one file")
        seen[real] = target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _write(path: Path, data: bytes) -> None:
    """Written whole, then moved into place; no temporary file survives a failure."""
    from smcheck.outputs import private_folder, write_atomic

    private_folder(path.parent)  # the fixed copies name students: the user's alone
    write_atomic(path, data)


# ---- one post ------------------------------------------------------------------------


def _front_matter(source: PostSource, post: Post) -> str:
    """The file's text before the post body: its front matter block, kept as written."""
    if source.text_file is None:
        return ""
    raw = decode_text(source.text_file.read_bytes(), source.label)
    return without_hidden(raw[:len(raw) - len(post.text)]) if raw.endswith(post.text) else ""


def unlisted(front: str, names: Sequence[str]) -> str:
    """Front matter without these photos in its `images:` list, written as a block
    (`- photos/a.jpg`) or inline (`[a.jpg, b.jpg]`), quoted or not; a list left empty
    is `[]`."""
    for name in names:
        item = r"[\"']?[^,\[\]\n\"']*?(?<![\w.-])" + re.escape(name) + r"[\"']?"
        front = re.sub(rf"(?m)^[ \t]*-[ \t]*{item}[ \t]*\r?\n", "", front)
        front = re.sub(rf"(?<=\[)[ \t]*{item}[ \t]*(?:,[ \t]*|(?=\]))", "", front)
        front = re.sub(rf"[ \t]*,[ \t]*{item}(?=[ \t]*[,\]])", "", front)
    return re.sub(r"(?m)^(images:)[ \t]*(\r?\n)(?![ \t]*-[ \t])", r"\1 []\2", front)


def _carry_accepted(before: PostReport, after: PostReport) -> PostReport:
    """A finding a person accepted on the original (reported as info) is info on the
    copy too: the same rule, student and words or face."""
    accepted = [f for f in before.findings if f.severity == Severity.INFO]
    if not accepted:
        return after
    out = []
    for f in after.findings:
        match = next((a for a in accepted if a.rule == f.rule and a.student_id == f.student_id
                      and _same_evidence(a, f)), None)
        out.append(f if match is None or f.severity == Severity.INFO else
                   replace(f, severity=Severity.INFO, message=match.message))
    return replace(after, findings=sorted_findings(out))


def _same_evidence(a: Finding, b: Finding) -> bool:
    """Is every place of `b` (in the copy) one `a` (accepted on the original) covers?
    Words only: the copy's lines may have changed around them."""
    if a.span is not None and b.span is not None:
        accepted = {p.text.casefold() for p in a.spans}
        return all(p.text.casefold() in accepted for p in b.spans)
    if a.box is not None and b.box is not None:
        return a.box.iou(b.box) >= 0.5
    return a.span is None and b.span is None and a.box is None and b.box is None


def _masks_for(label: str, findings: Sequence[Finding],
               options: FixOptions) -> tuple[list[tuple[Mask, Finding]], list[Box]]:
    masks: list[tuple[Mask, Finding]] = []
    keep: list[Box] = []
    for f in findings:
        if f.file != label or f.box is None or f.source != "image":
            continue
        kind = options.masks(f.rule) if f.severity > Severity.INFO else None
        if kind is None:
            if f.rule in FACE_RULES or f.rule == "F400":
                keep.append(f.box)
            continue
        masks.append((Mask(box=f.box, kind=kind, rule=f.rule, student_id=f.student_id), f))
    return masks, keep


def fix_text(checker: Checker, facts: Facts, report: PostReport,
             ctx: Context) -> tuple[str, tuple[TextChange, ...], tuple[Finding, ...]]:
    """A post's text fixed: the names its findings ask to change, and hidden characters
    removed. Returns the new text, each change, and the findings the changes answer."""
    text = facts.post.text
    # Name facts are in the canonical text's characters; edits are made in the original's.
    mentions = [replace(m, span=facts.text.to_original(m.span)) for m in facts.text.names]
    families = [replace(f, span=facts.text.to_original(f.span),
                        surname=facts.text.to_original(f.surname)) for f in facts.text.families]
    # A sentence about a safety-flagged student goes whole (fix/sentences.py); the names
    # in it go with it, and the rest are phrased as if it had never been there.
    removed = removals(text, original_sentences(facts), mentions, families,
                       report.findings, ctx.release)
    mentions = [mentions[n] for n in outside([m.span for m in mentions], removed)]
    families = [families[n] for n in outside([f.span for f in families], removed)]
    edits = name_edits(text, mentions, report.findings, ctx.release, checker.matcher.index,
                       families) + removal_edits(removed)
    fixed_ids = {sid for e in edits for sid in e.student_ids}
    answered = tuple(
        f for f in report.findings if f.rule in NAME_RULES and f.source == "text"
        and (f.student_id in fixed_ids or any(
            f.span is not None and e.start <= f.span.start < e.end for e in edits)))
    edits += hidden_edits(text, edits)
    new, changes = apply(text, edits)
    return new, changes, answered


def original_sentences(facts: Facts) -> list[Span]:
    """The post's sentences, in the original text's characters."""
    return [facts.text.to_original(s) for s in facts.text.sentences]


def _is_an_original(target: Path, post: Post) -> bool:
    """A last guard for paths only the front matter names (checked again per file)."""
    real = target.resolve()
    return any(real == f.resolve() or (target.exists() and _same_file(target, f))
               for f in post.images)


def fix_post(checker: Checker, source: PostSource, layout: Layout, options: FixOptions,
             publish_at: datetime) -> PostFix:
    # Decoding a photo at full size does not depend on the check: it runs on another
    # core while the check looks for faces (dlib lets go of the GIL), one photo ahead.
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead: Future[Prepared] | None = None

        def read() -> Post:
            nonlocal ahead
            post = read_post(source)
            ahead = pool.submit(prepare, post.images[0]) if post.images else None
            return post

        # Checked as every post is (Checker.run): a post that could not be read or
        # checked is its E901/E902, and nothing of it is written.
        run = checker.run(source, publish_at, read)
        if run.post is None or run.facts is None:
            return PostFix(path=source.label, out=None, before=run.report, after=None,
                           text="", not_written=(NotWritten(file=source.label,
                                                            reason=run.problem),))
        post, facts, before = run.post, run.facts, run.report
        if post.embedded or post.unchecked or (source.text_file is not None and
                                               is_draft(source.text_file.name)):
            # A Word, OpenDocument, rich-text or web draft is checked, never rewritten: a
            # plain-text copy under its name would be a broken document.
            return PostFix(path=source.label, out=None, before=before, after=None, text="",
                           not_written=(NotWritten(file=source.label, reason=(
                               "fix writes .txt and .md posts only: paste this draft's "
                               "text into a .txt post (its photos beside it) and fix "
                               "that")),))
        when = before.publish_at or publish_at
        ctx = Context(config=checker.config, roster=checker.roster, publish_at=when)
        text, changes, answered_names = fix_text(checker, facts, before, ctx)
        post_dir = source.text_file.parent if source.text_file is not None else \
            (post.images[0].parent if post.images else Path("."))
        flagged = frozenset(s.id for s in checker.roster.students if s.safety_flag)
        images, not_written, answered_images, held_images = _fix_images(
            post, before, layout, post_dir, options, pool, ahead, flagged)
    n104 = next(r for r in RULES if r.code == "N104")
    held = (*held_images, *follow_ups(
        post.text, original_sentences(facts), changes, text, before.path,
        (n104.name, tuple(p.ref for p in n104.policy))))

    out_text: Path | None = None
    front = _front_matter(source, post)
    # A photo left out is not listed: the copy's front matter would name a missing file.
    left = {nw.file for nw in not_written}
    front = unlisted(front, [p.name for p in post.images if post.label(p) in left])
    # Front matter that lists a photo lists its copy (a neutral name, HEIC as JPEG).
    front = renamed(front, {p.name: layout.target(p, post_dir)[0].name for p in post.images})
    body = front + text
    if source.text_file is not None and post.text.strip() and not text.strip():
        # Every sentence was about a safety-flagged student: no copy of the text, and
        # the post is a person's to write again (an empty file would only say "empty").
        not_written += (NotWritten(file=source.label, reason=EMPTIED),)
        held += tuple(_left_out(f, "no sentence of the text was left") for f in before.findings
                      if f.rule == "N104" and f.source == "text"
                      and f.severity > Severity.INFO)
    elif source.text_file is not None:
        out_text, _ = layout.target(source.text_file, post_dir)
        if not options.dry_run:
            _write(out_text, body.encode("utf-8"))

    after: PostReport | None = None
    written = tuple(i.path for i in images if i.path is not None)
    if not options.dry_run:
        copy = PostSource(label=str(out_text) if out_text is not None else
                          (str(written[0]) if written else source.label),
                          text_file=out_text, images=written)
        if out_text is not None or written:
            after = _carry_accepted(before, checker.audit_one(copy, publish_at))
        else:
            after = replace(before, findings=())
        # What was held back is in the copy's findings: its verdict is never "ok" for
        # a photo left out or a sentence a person must read.
        after = replace(after, findings=sorted_findings([*after.findings, *held]))
    return PostFix(path=source.label, out=str(out_text) if out_text is not None else None,
                   before=before, after=after, text=text, changes=changes,
                   images=images, not_written=not_written,
                   answered=(*answered_names, *answered_images), held=held)


def _fix_images(post: Post, before: PostReport, layout: Layout, post_dir: Path,
                options: FixOptions, pool: ThreadPoolExecutor,
                ahead: Future[Prepared] | None, flagged: frozenset[str] = frozenset(),
                ) -> tuple[tuple[ImageFix, ...], tuple[NotWritten, ...], tuple[Finding, ...],
                           tuple[Finding, ...]]:
    """Each photo masked, re-encoded and written (unless a dry run); a photo of a
    safety-flagged student, or one not checked, is left out. Returns the photos
    written, those left out, the findings answered and the findings held for a person
    (those of the photos left out)."""
    fixes: list[ImageFix] = []
    not_written: list[NotWritten] = []
    answered: list[Finding] = []
    held: list[Finding] = []
    for n, path in enumerate(post.images):
        current = ahead
        ahead = pool.submit(prepare, post.images[n + 1]) if n + 1 < len(post.images) \
            else None
        label = post.label(path)
        blocked = [f for f in before.findings if f.file == label and f.rule in ("E901", "E902")]
        target, kept_place = layout.target(path, post_dir)
        if _is_an_original(target, post):
            not_written.append(NotWritten(file=label, reason="its copy would overwrite an "
                                          "input: fix never writes over an original"))
            continue
        if blocked or current is None:
            reason = "could not be read" if blocked and blocked[0].rule == "E901" else \
                "a check of it could not run (faces or words), so what it would have " \
                "found could not be hidden"
            not_written.append(NotWritten(file=label, reason=reason))
            answered += blocked
            held += [_left_out(f, "it was not checked") for f in blocked]
            continue
        unsafe = [f for f in before.findings if f.file == label
                  and f.severity > Severity.INFO and shows_flagged(f, flagged)]
        if unsafe:
            # Blurring hides a face, not the hair, clothes, build or setting by which
            # someone looking for this child can still know them: the photo stays out.
            not_written.append(NotWritten(file=label, reason=LEFT_OUT))
            answered += unsafe
            held += [_left_out(f, "the photo is left out: blurring cannot hide this "
                               "student") for f in unsafe]
            continue
        masks, keep = _masks_for(label, before.findings, options)
        try:
            fixed = finish(current.result(), [m for m, _ in masks], keep)
        except ImageError as exc:
            not_written.append(NotWritten(file=label, reason=str(exc)))
            continue
        answered += [f for _, f in masks]
        answered += [f for f in before.findings if f.file == label and (
            f.rule == "L203" or f.source == "caption"
            or (f.source == "filename" and target.name != path.name))]
        note = fixed.note
        if not kept_place:
            note = (note + "; " if note else "") + "outside the post's folder: written " \
                "beside the post, so front matter that lists it needs its path changed"
        if not options.dry_run:
            _write(target, fixed.data)
        fixes.append(ImageFix(
            file=label, out=str(target), path=None if options.dry_run else target,
            masked=fixed.masked, removed=fixed.removed, oriented=fixed.oriented,
            format=fixed.format, note=note))
    return tuple(fixes), tuple(not_written), tuple(answered), tuple(held)


EMPTIED = ("nothing of its text was left: every sentence was about a student with a "
           "custody or safety flag; it needs a person, who writes the post again "
           "without them")
LEFT_OUT = ("a student with a custody or safety flag is in it: left out of the safer "
            "copy (blurring hides a face, not hair, clothes or the setting); it needs a "
            "person, who decides whether any of it may be posted")


def shows_flagged(f: Finding, flagged: frozenset[str]) -> bool:
    """Does this photo finding place a safety-flagged student in the photo: a face that
    matches one (F403) or may be one (F404), or their name in its words (N104)?"""
    return f.source != "text" and (f.rule in ("F403", "N104") or (
        f.rule == "F404" and f.student_id in flagged))


def _left_out(f: Finding, why: str) -> Finding:
    """A photo finding, held for a person: the photo is not in the copy."""
    return replace(f, message=f"Not in the safer copy ({why}). {f.message}")


def fix_posts(checker: Checker, sources: Sequence[PostSource], options: FixOptions,
              publish_at: datetime, folder: Path | None = None,
              redact: bool = False) -> FixReport:
    """Fix every post into options.out. `folder`: the folder being fixed (its layout is
    kept under out), or None for posts given as files. Raises InputError, before
    writing anything, when a copy could land on an input."""
    from smcheck.settings import notices_for

    posts = tuple(iter_fix(checker, sources, options, publish_at, folder))
    return FixReport(out=options.out, publish_at=publish_at, posts=posts,
                     fail_on=checker.config.fail_on, dry_run=options.dry_run, redact=redact,
                     notices=notices_for(checker.config, checker.roster,
                                         any(p.images for p in posts)))


def iter_fix(checker: Checker, sources: Sequence[PostSource], options: FixOptions,
             publish_at: datetime, folder: Path | None = None) -> Iterator[PostFix]:
    layout = Layout(options.out, folder, sources)
    inputs: list[Path] = []
    targets: list[Path] = []
    for s in sources:
        post_dir = s.text_file.parent if s.text_file is not None else \
            (s.images[0].parent if s.images else Path("."))
        for file in (s.text_file, *s.images):
            if file is not None:
                inputs.append(file)
                targets.append(layout.target(file, post_dir)[0])
    protected = [p for p in (checker.roster.path, checker.config.path) if p is not None]
    protected += [p for st in checker.roster.students for p in st.photos]
    refuse_unsafe(options.out, folder, inputs, targets, protected)
    for s in sources:
        try:
            yield fix_post(checker, s, layout, options, publish_at)
        except InputError:
            # A roster problem or an output that cannot be written: the whole run stops
            # with its one-line error (a post's own inputs are its E901, in Checker.run).
            raise
        except Exception as exc:
            # A bug of smcheck's must not end the run, nor leave a post looking fixed.
            yield PostFix(path=s.label, out=None, before=checker.failed(s, exc, publish_at),
                          after=None, text="", not_written=(NotWritten(
                              file=s.label, reason=f"smcheck failed on it "
                              f"({type(exc).__name__}); please report this"),))
