"""What a rule is: a small pure function of facts and context, with its metadata.

A rule function yields `Hit`s; `Rule.run` turns them into `Finding`s with the
rule's code, name, policy and the severity the config asks for, so a rule body
never repeats its own metadata.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from smcheck.config import Config
from smcheck.facts import Facts
from smcheck.findings import Box, Finding, Severity, Span
from smcheck.policies import Passage
from smcheck.roster import Release, Roster, Student


@dataclass(frozen=True, kw_only=True)
class Context:
    config: Config
    roster: Roster
    publish_at: datetime

    @property
    def today(self) -> date:
        return self.publish_at.date()

    def release(self, student: Student) -> Release:
        """The student's consent for this post: expiry applied, and the run's channel."""
        return student.effective_release(self.today, self.config.channel)


@dataclass(frozen=True, kw_only=True)
class Hit:
    message: str
    span: Span | None = None
    student: Student | None = None
    severity: Severity | None = None  # None: the rule's default
    source: str = "text"
    file: str | None = None
    box: Box | None = None
    confidence: float | None = None
    # Hits with the same key are one finding: a student named three times is one problem.
    key: str | None = None


RuleFunc = Callable[[Facts, Context], Iterable[Hit]]


@dataclass(frozen=True, kw_only=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    why: str
    example: str
    use_instead: str
    policy: tuple[Passage, ...]
    func: RuleFunc

    @property
    def what(self) -> str:
        return " ".join((self.func.__doc__ or "").split())

    def run(self, facts: Facts, ctx: Context) -> list[Finding]:
        override = ctx.config.severity.get(self.code)
        refs = tuple(p.ref for p in self.policy)
        findings: list[Finding] = []
        seen: dict[str, int] = {}
        more: dict[int, list[Span]] = {}
        for hit in self.func(facts, ctx):
            key = hit.key or (hit.student.id if hit.student else None)
            if key is not None:
                if key in seen:
                    # One finding, but every place is kept: accepting one place must not
                    # cover the others (SPEC section 4).
                    if hit.span is not None:
                        more.setdefault(seen[key], []).append(
                            facts.text.to_original(hit.span))
                    continue
                seen[key] = len(findings)
            findings.append(Finding(
                rule=self.code,
                name=self.name,
                severity=override if override is not None else (hit.severity or self.severity),
                message=hit.message,
                source=hit.source,
                file=hit.file if hit.file is not None else facts.post.path,
                span=facts.text.to_original(hit.span) if hit.span is not None else None,
                box=hit.box,
                student_id=hit.student.id if hit.student else None,
                student_name=hit.student.display_name if hit.student else None,
                confidence=hit.confidence,
                policy=refs,
                summary=self.summary,
            ))
        for n, spans in more.items():
            findings[n] = replace(findings[n], more=tuple(spans))
        return findings


def rule(
    *, code: str, name: str, severity: Severity, summary: str, why: str, example: str,
    use_instead: str, policy: tuple[Passage, ...],
) -> Callable[[RuleFunc], Rule]:
    def wrap(func: RuleFunc) -> Rule:
        return Rule(code=code, name=name, severity=severity, summary=summary, why=why,
                    example=example, use_instead=use_instead, policy=policy, func=func)

    return wrap
