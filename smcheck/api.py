"""The Python API: load -> extract -> rules -> report. The CLI is a thin layer over this.

    checker = Checker(config=..., roster=...)
    report = checker.report([checker.check_post(post, publish_at)], publish_at)

Folders: smcheck.audit.audit(checker, posts_in(checker, folder), publish_at, jobs=2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from smcheck import accept
from smcheck.config import Config
from smcheck.engines import Engines, shared_engines
from smcheck.errors import InputError
from smcheck.extract.faces import (
    WORKING_SIDE,
    FaceModels,
    FaceModelsUnavailable,
    References,
    load_references,
)
from smcheck.extract.images import ImageError, load_image
from smcheck.extract.names import NameMatcher
from smcheck.extract.text import TextFacts, extract_text
from smcheck.facts import Face, Facts, ImageFacts, InputProblem, Unavailable
from smcheck.findings import PostReport, Report, sorted_findings
from smcheck.post import Post, PostSource, read_post
from smcheck.roster import EMPTY_ROSTER, Roster
from smcheck.rules import RULES, Context, Rule


def now() -> datetime:
    from smcheck.post import local_zone

    return datetime.now(local_zone())


def _empty_text() -> TextFacts:
    return TextFacts(text="", sentences=(), names=(), people=(), contacts=())


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

    @property
    def active_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in RULES if r.code not in self.config.ignore)

    def extract(self, post: Post, publish_at: datetime | None = None) -> Facts:
        text = extract_text(post.text, self.engines, self.matcher, publish_at) \
            if post.text.strip() else _empty_text()
        problems: list[InputProblem] = []
        unavailable: list[Unavailable] = []
        images: list[ImageFacts] = []
        for path in post.images:
            name = post.label(path)
            try:
                loaded = load_image(path, WORKING_SIDE)
            except ImageError as exc:
                problems.append(InputProblem(file=name, message=str(exc)))
                continue
            try:
                models = self.engines.faces
            except FaceModelsUnavailable as exc:
                # Never a silent pass: the GPS check still ran, the face check did not.
                unavailable.append(Unavailable(check="face check", file=name,
                                               reason=str(exc)))
                images.append(ImageFacts(file=name, faces=(), location=loaded.gps,
                                         references=False))
                continue
            references = self.references(models)
            if references:
                faces = tuple(
                    Face(box=f.box, distances=tuple(sorted(
                        references.distances(f.encoding).items(), key=lambda kv: kv[1])))
                    for f in models.faces(loaded)
                )
            else:  # nobody to compare with: every face is unverified, no need to encode
                faces = tuple(Face(box=box, distances=()) for box, _ in models.detect(loaded))
            images.append(ImageFacts(file=name, faces=faces, location=loaded.gps,
                                     references=bool(references)))
        return Facts(post=post, text=text, images=tuple(images), problems=tuple(problems),
                     unavailable=tuple(unavailable))

    def references(self, models: FaceModels) -> References:
        """The roster's reference encodings, computed on the first photo of the run
        (or handed over by whoever computed them: see smcheck.audit)."""
        if self._references is None:
            self._references = load_references(self.roster, models, self.use_cache)
        return self._references

    def use_references(self, references: References) -> None:
        self._references = references

    def check_post(self, post: Post, publish_at: datetime) -> PostReport:
        when = post.publish_at or publish_at
        ctx = Context(config=self.config, roster=self.roster, publish_at=when)
        facts = self.extract(post, when)
        findings = [f for r in self.active_rules for f in r.run(facts, ctx)]
        findings = accept.apply(findings, PurePath(post.path).name, post.folder)
        return PostReport(path=post.path, images=tuple(post.label(i) for i in post.images),
                          text=post.text, findings=sorted_findings(findings), publish_at=when,
                          image_paths=post.images, time_sensitive=bool(facts.text.whens))

    def unreadable(self, source: PostSource, error: InputError, publish_at: datetime) -> PostReport:
        """E901 for a post that could not be read at all: the batch goes on."""
        problem = error.problem if error.line is None else f"line {error.line}: {error.problem}"
        return self._input_report(source, publish_at, "E901", problems=(
            InputProblem(file=source.label, message=problem),))

    def _input_report(self, source: PostSource, publish_at: datetime, code: str,
                      problems: tuple[InputProblem, ...] = (),
                      unavailable: tuple[Unavailable, ...] = ()) -> PostReport:
        """A post's report holding one E9xx rule's findings and nothing else."""
        facts = Facts(post=Post(path=source.label, text=""), text=_empty_text(),
                      problems=problems, unavailable=unavailable)
        ctx = Context(config=self.config, roster=self.roster, publish_at=publish_at)
        findings = [f for r in RULES if r.code == code for f in r.run(facts, ctx)]
        return PostReport(path=source.label,
                          images=tuple(Post(path="", text="", root=source.root,
                                            base=source.base).label(i) for i in source.images),
                          text="", findings=sorted_findings(findings), publish_at=publish_at)

    def report(self, posts: Iterable[PostReport], publish_at: datetime,
               redact: bool = False) -> Report:
        return Report(publish_at=publish_at, posts=tuple(posts), fail_on=self.config.fail_on,
                      redact=redact)

    def audit_one(self, source: PostSource, publish_at: datetime) -> PostReport:
        try:
            post = read_post(source)
        except InputError as exc:
            return self.unreadable(source, exc, publish_at)
        try:
            return self.check_post(post, publish_at)
        except InputError:
            raise  # a roster problem: the whole run stops with its one-line error
        except Exception as exc:
            # A bug of smcheck's must not end an audit, nor pass a post unchecked.
            return self.failed(source, exc, publish_at)

    def failed(self, source: PostSource, exc: Exception, publish_at: datetime) -> PostReport:
        return self._input_report(source, publish_at, "E902", unavailable=(Unavailable(
            check="check of this post", file=None,
            reason=f"smcheck failed on it ({type(exc).__name__}); please report this"),))
