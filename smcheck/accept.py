"""Accepted findings (SPEC section 4): `.smcheck-accepted.toml` beside the posts.

A post's text is what gets published, so no marker goes inside it. Each entry holds
the rule, the post's name and hash, a hash of the finding's evidence (never the names
or words themselves), who accepted it, when, and why. An accepted finding is
reported as info with the reason; editing the evidence brings the finding back.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from pathlib import Path, PurePath

from smcheck.errors import InputError
from smcheck.findings import Finding, Severity

FILE_NAME = ".smcheck-accepted.toml"


@dataclass(frozen=True, kw_only=True)
class Acceptance:
    post: str
    rule: str
    evidence: str
    by: str
    at: str
    reason: str


def evidence_hash(f: Finding) -> str:
    """The finding's evidence: its rule, student, words and face box, hashed."""
    parts = (f.rule, f.student_id or "", f.span.text.casefold() if f.span else "",
             f"{f.box.top},{f.box.left},{f.box.bottom},{f.box.right}" if f.box else "",
             PurePath(f.file).name if f.file and f.source != "text" else "")
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


@cache
def load(folder: Path) -> tuple[Acceptance, ...]:
    path = folder / FILE_NAME
    if not path.is_file():
        return ()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(str(path), f"cannot read accepted findings: {exc}") from None
    out = []
    for n, entry in enumerate(data.get("accepted", []), start=1):
        try:
            out.append(Acceptance(**{k: str(entry[k]) for k in
                                     ("post", "rule", "evidence", "by", "at", "reason")}))
        except KeyError as exc:
            raise InputError(str(path), f"entry {n} is missing {exc.args[0]}") from None
    return tuple(out)


def apply(findings: list[Finding], post_name: str, folder: Path | None) -> list[Finding]:
    """Accepted findings become info, carrying the reason."""
    if folder is None:
        return findings
    accepted = {(a.post, a.rule, a.evidence): a for a in load(folder.resolve())}
    if not accepted:
        return findings
    out = []
    for f in findings:
        a = accepted.get((post_name, f.rule, evidence_hash(f)))
        if a is None:
            out.append(f)
        else:
            out.append(replace(f, severity=Severity.INFO,
                               message=f"Accepted by {a.by} on {a.at[:10]}: {a.reason} "
                                       f"(was: {f.message})"))
    return out


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a TOML basic string is JSON-compatible


def record(post_file: Path, findings: list[Finding], reason: str, by: str | None,
           now: datetime) -> Path:
    """Append entries for these findings to the accepted file beside the post."""
    if not reason.strip():
        raise InputError("--reason", "a reason is required to accept a finding")
    who = by or os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"
    path = post_file.parent / FILE_NAME
    digest = hashlib.sha256(post_file.read_bytes()).hexdigest()[:32]
    lines = []
    if not path.exists():
        lines.append("# Findings reviewed and accepted with `smcheck accept`.\n"
                     "# No names or words: hashes of the post and of each finding's evidence.\n")
    for f in findings:
        lines.append(
            "\n[[accepted]]\n"
            f"post = {_toml_string(post_file.name)}\n"
            f"rule = {_toml_string(f.rule)}\n"
            f"evidence = {_toml_string(evidence_hash(f))}\n"
            f"post_sha256 = {_toml_string(digest)}\n"
            f"by = {_toml_string(who)}\n"
            f"at = {_toml_string(now.isoformat(timespec='seconds'))}\n"
            f"reason = {_toml_string(reason.strip())}\n")
    with path.open("a", encoding="utf-8") as fh:
        fh.write("".join(lines))
    load.cache_clear()
    return path
