"""Accepted findings (SPEC section 4): `.smcheck-accepted.toml` beside the posts.

A post's text is what gets published, so no marker goes inside it. Each entry holds
the rule, the post's name, keyed hashes of the post file and of the finding's
evidence (never the names or words themselves), who accepted it, when, and why. An
accepted finding is reported as info with the reason; editing the evidence brings the
finding back.

The hashes cannot be reversed from what a roster could hold. A plain hash of "N102 +
S1002 + Leo" is undone in a moment by trying every census first name with every id.
So each file has its own random salt, and each finding's hash covers, besides the
rule, student and words, content the file does not hold and no list can enumerate:
the whole line of the post the words are on (for a photo finding, the photo's bytes).
Someone holding only the accepted file learns nothing; someone holding the post
already reads the names.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from pathlib import Path, PurePath

from smcheck.errors import InputError
from smcheck.findings import Finding, Severity
from smcheck.textfile import file_digest, read_regular

FILE_NAME = ".smcheck-accepted.toml"
SCHEME = "hmac-sha256/v2"


@dataclass(frozen=True, kw_only=True)
class Acceptance:
    post: str
    rule: str
    evidence: str
    by: str
    at: str
    reason: str


@dataclass(frozen=True)
class Accepted:
    """One folder's accepted file: its salt and entries. No salt: a file from before
    salted hashes, whose entries match nothing (their findings come back)."""

    salt: bytes | None
    entries: tuple[Acceptance, ...]
    legacy: int = 0  # entries of an unsalted file


NONE = Accepted(None, ())


def _line(text: str, start: int, end: int) -> str:
    """The lines of `text` that [start, end) is on: the evidence's context."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    return text[first:] if last < 0 else text[first:last]


def evidence_hash(f: Finding, salt: bytes, text: str,
                  image_digest: Callable[[str], str]) -> str:
    """A keyed hash of the finding's evidence: its rule, student, words, face box and
    file, and the content around them (see the module docstring)."""
    if f.span is not None and f.source == "text":
        context = _line(text, f.span.start, f.span.end)
    elif f.file and f.source != "text":
        context = image_digest(f.file)
    else:
        context = text
    parts = (SCHEME, f.rule, f.student_id or "", f.span.text.casefold() if f.span else "",
             f"{f.box.top},{f.box.left},{f.box.bottom},{f.box.right}" if f.box else "",
             PurePath(f.file).name if f.file and f.source != "text" else "", context)
    message = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hmac.new(salt, message, hashlib.sha256).hexdigest()




def load(folder: Path) -> Accepted:
    """The accepted file of a folder; read again whenever it changes on disk."""
    path = folder / FILE_NAME
    try:
        st = path.stat()
    except OSError:
        return NONE
    return _load(path, st.st_mtime_ns, st.st_size)


@cache
def _load(path: Path, mtime_ns: int, size: int) -> Accepted:
    try:
        data = tomllib.loads(read_regular(path, str(path), what="accepted file")
                             .decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(str(path), f"cannot read accepted findings: {exc}") from None
    raw = data.get("accepted", [])
    if not isinstance(raw, list):
        raise InputError(str(path), "accepted must be a list of [[accepted]] tables")
    out = []
    for n, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            raise InputError(str(path), f"entry {n} is not a table")
        try:
            out.append(Acceptance(**{k: str(entry[k]) for k in
                                     ("post", "rule", "evidence", "by", "at", "reason")}))
        except KeyError as exc:
            raise InputError(str(path), f"entry {n} is missing {exc.args[0]}") from None
    salt = data.get("salt")
    if salt is None:
        return Accepted(None, (), legacy=len(out))
    try:
        key = bytes.fromhex(str(salt))
    except ValueError:
        raise InputError(str(path), "salt must be hexadecimal") from None
    if len(key) < 16:
        raise InputError(str(path), "salt is too short (want 32 random bytes)")
    return Accepted(key, tuple(out))


def unacceptable(finding: Finding) -> bool:
    """E901/E902 say part of a post was not checked: fixed, never accepted (an accepted
    one would pass a photo nobody looked at)."""
    return finding.rule.startswith("E9")


def apply(findings: list[Finding], post_name: str, folder: Path | None, text: str = "",
          image_paths: dict[str, Path] | None = None) -> list[Finding]:
    """Accepted findings become info, carrying the reason. `image_paths`: each image's
    label in the findings, and its file (for the photo's content)."""
    if folder is None:
        return findings
    accepted = load(folder.resolve())
    if accepted.salt is None or not accepted.entries:
        return findings
    by_key = {(a.post, a.rule, a.evidence): a for a in accepted.entries}
    digest = _digests(image_paths or {})
    out = []
    for f in findings:
        a = None if unacceptable(f) else by_key.get(
            (post_name, f.rule, evidence_hash(f, accepted.salt, text, digest)))
        if a is None:
            out.append(f)
        else:
            out.append(replace(f, severity=Severity.INFO,
                               message=f"Accepted by {a.by} on {a.at[:10]}: {a.reason} "
                                       f"(was: {f.message})"))
    return out


def _digests(image_paths: dict[str, Path]) -> Callable[[str], str]:
    @cache
    def digest(label: str) -> str:
        path = image_paths.get(label)
        return file_digest(path) if path is not None else ""

    return digest


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a TOML basic string is JSON-compatible


def record(post_file: Path, findings: Sequence[Finding], reason: str, by: str | None,
           now: datetime, text: str = "",
           image_paths: dict[str, Path] | None = None) -> tuple[Path, int]:
    """Add entries for these findings to the accepted file beside the post, written
    whole (a new file gets a fresh random salt). Returns the file and how many entries
    of an unsalted file from an earlier smcheck were dropped."""
    from smcheck.outputs import write_atomic

    if not reason.strip():
        raise InputError("--reason", "a reason is required to accept a finding")
    who = by or os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"
    path = post_file.parent / FILE_NAME
    current = load(post_file.parent.resolve())
    salt = current.salt or secrets.token_bytes(32)
    digest = _digests(image_paths or {})
    post_hash = hmac.new(salt, read_regular(post_file, str(post_file), what="post"),
                         hashlib.sha256).hexdigest()
    entries = [*current.entries]
    old = {(a.post, a.rule, a.evidence) for a in entries}
    for f in findings:
        entry = Acceptance(post=post_file.name, rule=f.rule,
                           evidence=evidence_hash(f, salt, text, digest), by=who,
                           at=now.isoformat(timespec="seconds"), reason=reason.strip())
        if (entry.post, entry.rule, entry.evidence) not in old:
            entries.append(entry)
    blocks = ["# Findings reviewed and accepted with `smcheck accept`.\n"
              "# No names or words: keyed hashes (HMAC-SHA256 with the salt below) of the\n"
              "# post and of each finding's evidence with the line it is on.\n"
              f"salt = {_toml_string(salt.hex())}\n"]
    hashes = _post_hashes(path) if current.salt is not None else {}
    hashes[post_file.name] = post_hash
    for a in entries:
        blocks.append(
            "\n[[accepted]]\n"
            f"post = {_toml_string(a.post)}\n"
            f"rule = {_toml_string(a.rule)}\n"
            f"evidence = {_toml_string(a.evidence)}\n"
            f"post_hash = {_toml_string(hashes.get(a.post, ''))}\n"
            f"by = {_toml_string(a.by)}\n"
            f"at = {_toml_string(a.at)}\n"
            f"reason = {_toml_string(a.reason)}\n")
    write_atomic(path, "".join(blocks))
    return path, current.legacy


def _post_hashes(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(read_regular(path, str(path)).decode("utf-8"))
    except (InputError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    return {str(e.get("post")): str(e.get("post_hash", "")) for e in data.get("accepted", [])
            if isinstance(e, dict)}
