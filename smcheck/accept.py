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

An acceptance covers exactly the evidence a person saw: one place. A finding about a
student named three times is one finding with three places (`Finding.spans`); each
place hashes on its own words, its line, where on the line it is, and which of the
post's identical lines it is on, so two mentions never share a hash, an edit to
another line changes none, and a mention added later (or the same words moved) is a
finding again. A finding some of whose places are accepted is reported twice: as info
for those, at its severity for the rest. A photo's finding is one place: the face or
words box and the photo's bytes.

Entries from before (scheme v2, no `scheme` key) hashed the first mention's line on
behalf of every mention of the student, so they hid mentions nobody reviewed: those
of text findings match nothing now (the findings come back, once, to be accepted
place by place); those of photo findings were already exact and still hold.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tomllib
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from pathlib import Path, PurePath

from smcheck.errors import InputError
from smcheck.findings import Finding, Severity, Span
from smcheck.textfile import file_digest, read_regular

FILE_NAME = ".smcheck-accepted.toml"
SCHEME = "hmac-sha256/v3"
OLD_SCHEME = "hmac-sha256/v2"  # one hash per finding; still read for photo findings


@dataclass(frozen=True, kw_only=True)
class Acceptance:
    post: str
    rule: str
    evidence: str
    by: str
    at: str
    reason: str
    scheme: str = OLD_SCHEME  # how `evidence` was computed (entries before v3 have none)


@dataclass(frozen=True)
class Accepted:
    """One folder's accepted file: its salt and entries. No salt: a file from before
    salted hashes, whose entries match nothing (their findings come back)."""

    salt: bytes | None
    entries: tuple[Acceptance, ...]
    legacy: int = 0  # entries of an unsalted file


NONE = Accepted(None, ())


class Lines:
    """A post's lines, indexed once: where each starts, and how many identical lines
    come before it (cost linear in the post, however many findings are hashed)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] = [0]
        self.repeat: list[int] = []
        seen: dict[str, int] = {}
        pos = 0
        while True:
            end = text.find("\n", pos)
            line = text[pos:] if end < 0 else text[pos:end]
            self.repeat.append(seen.get(line, 0))
            seen[line] = self.repeat[-1] + 1
            if end < 0:
                break
            pos = end + 1
            self.starts.append(pos)

    def context(self, span: Span) -> str:
        """The lines [start, end) is on, where on the first line it starts, and which of
        the post's identical lines that is: enough to tell any two places apart."""
        i = bisect_right(self.starts, span.start) - 1
        first = self.starts[i]
        last = self.text.find("\n", span.end)
        lines = self.text[first:] if last < 0 else self.text[first:last]
        return f"{lines}\x1f{span.start - first}\x1f{self.repeat[i]}"


def _digest(salt: bytes, parts: Sequence[str]) -> str:
    message = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hmac.digest(salt, message, "sha256").hex()  # one-shot: OpenSSL's fast path


def _box(f: Finding) -> str:
    return f"{f.box.top},{f.box.left},{f.box.bottom},{f.box.right}" if f.box else ""


def place_hashes(f: Finding, salt: bytes, lines: Lines,
                 image_digest: Callable[[str], str]) -> list[tuple[Span | None, str]]:
    """Each place of a finding and the keyed hash of its evidence: for text, the rule,
    student, words and their context (`Lines.context`); for a photo, the rule, student,
    box, file name and the photo's bytes (see the module docstring)."""
    if f.source == "text" and f.span is not None:
        return [(span, _digest(salt, (SCHEME, f.rule, f.student_id or "",
                                      span.text.casefold(), lines.context(span))))
                for span in f.spans]
    return [(f.span, _digest(salt, _whole_parts(SCHEME, f, lines.text, image_digest)))]


def _whole_parts(scheme: str, f: Finding, text: str,
                 image_digest: Callable[[str], str]) -> tuple[str, ...]:
    """A finding that is one piece of evidence: a photo's, or one with no words."""
    on_photo = bool(f.file) and f.source != "text"
    context = image_digest(f.file) if on_photo and f.file else text
    parts: tuple[str, ...] = (
        scheme, f.rule, f.student_id or "", f.span.text.casefold() if f.span else "",
        _box(f), PurePath(f.file).name if on_photo and f.file else "", context)
    if f.field is not None:
        # A photo's caption field or file name: the same words in another field (or
        # elsewhere in this one) are evidence of their own.
        parts += (f.field, str(f.span.start) if f.span else "")
    return parts


def _old_hash(f: Finding, salt: bytes, text: str,
              image_digest: Callable[[str], str]) -> str | None:
    """The v2 hash of a photo finding, whose evidence was exact already; None for text
    (a v2 entry covered every mention of a student: it no longer applies)."""
    if not f.file or f.source == "text" or f.span is not None:
        return None
    return _digest(salt, _whole_parts(OLD_SCHEME, f, text, image_digest))


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
                                     ("post", "rule", "evidence", "by", "at", "reason")},
                                  scheme=str(entry.get("scheme", OLD_SCHEME))))
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
    """Accepted places become info, carrying the reason; a finding with places both
    accepted and not is split in two (see the module docstring). `image_paths`: each
    image's label in the findings, and its file (for the photo's content)."""
    if folder is None:
        return findings
    accepted = load(folder.resolve())
    if accepted.salt is None or not accepted.entries:
        return findings
    salt = accepted.salt
    by_key = {(a.post, a.rule, a.evidence): a for a in accepted.entries}
    digest = _digests(image_paths or {})
    lines = Lines(text)
    out = []
    for f in findings:
        if unacceptable(f):
            out.append(f)
            continue
        places = place_hashes(f, salt, lines, digest)
        old = _old_hash(f, salt, text, digest)
        if old is not None:
            places.append((f.span, old))
        hits = [(span, by_key.get((post_name, f.rule, h))) for span, h in places]
        entry = next((a for _, a in hits if a is not None), None)
        if entry is None:
            out.append(f)
            continue
        info = replace(f, severity=Severity.INFO,
                       message=f"Accepted by {entry.by} on {entry.at[:10]}: {entry.reason} "
                               f"(was: {f.message})")
        if old is not None or f.span is None or len(places) == 1:
            out.append(info)
            continue
        done = [span for span, a in hits if a is not None and span is not None]
        still = [span for span, a in hits if a is None and span is not None]
        out.append(replace(info, span=done[0], more=tuple(done[1:])))
        if still:  # the places nobody accepted stay a finding of their own
            out.append(replace(f, span=still[0], more=tuple(still[1:])))
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
    lines = Lines(text)
    for f in findings:
        # The place the finding is shown at, and only that one: what the person saw.
        [(_, evidence)] = place_hashes(replace(f, more=()), salt, lines, digest)
        entry = Acceptance(post=post_file.name, rule=f.rule, evidence=evidence, by=who,
                           at=now.isoformat(timespec="seconds"), reason=reason.strip(),
                           scheme=SCHEME)
        if (entry.post, entry.rule, entry.evidence) not in old:
            entries.append(entry)
    blocks = ["# Findings reviewed and accepted with `smcheck accept`.\n"
              "# No names or words: keyed hashes (HMAC-SHA256 with the salt below) of the\n"
              "# post and of each finding's evidence (one place: its words, with the line\n"
              "# they are on and where on it; a photo's box, with the photo's bytes).\n"
              f"salt = {_toml_string(salt.hex())}\n"]
    hashes = _post_hashes(path) if current.salt is not None else {}
    hashes[post_file.name] = post_hash
    for a in entries:
        blocks.append(
            "\n[[accepted]]\n"
            f"post = {_toml_string(a.post)}\n"
            f"rule = {_toml_string(a.rule)}\n"
            f"evidence = {_toml_string(a.evidence)}\n"
            f"scheme = {_toml_string(a.scheme)}\n"
            f"post_hash = {_toml_string(hashes.get(a.post, ''))}\n"
            f"by = {_toml_string(a.by)}\n"
            f"at = {_toml_string(a.at)}\n"
            f"reason = {_toml_string(a.reason)}\n")
    # Not private, unlike smcheck's other outputs (outputs.py): keyed hashes and no word
    # of a post, beside posts that are shared with whoever reviews them (a repository, a
    # shared drive), who must read it for the acceptance to count.
    write_atomic(path, "".join(blocks), private=False)
    return path, current.legacy


def _post_hashes(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(read_regular(path, str(path)).decode("utf-8"))
    except (InputError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    return {str(e.get("post")): str(e.get("post_hash", "")) for e in data.get("accepted", [])
            if isinstance(e, dict)}
