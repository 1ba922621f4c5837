"""Auditing a folder: posts in parallel, results cached, output in path order.

Work is split per post over a `concurrent.futures.Executor` (a process pool by
default); each worker process builds one Checker and loads each model once. Results
come back in discovery order (sorted by path), whatever the scheduling. A result is
cached by the hash of everything it depends on, when the user asks for a cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from smcheck import __version__, usercache
from smcheck.api import Checker
from smcheck.config import Config
from smcheck.extract.faces import References, reference_encoding
from smcheck.findings import Box, Finding, PostReport, Severity, Span
from smcheck.post import PostSource, discover
from smcheck.roster import Roster

# ---- the worker side -----------------------------------------------------------------

_WORKER: Checker | None = None


def _init_worker(config: Config, roster: Roster, use_cache: bool) -> None:
    # Ctrl-C is the parent's to handle: a worker just stops when the pool is shut down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _WORKER
    _WORKER = Checker(config=config, roster=roster, use_cache=use_cache)


def _check_in_worker(source: PostSource, publish_at: datetime,
                     references: References | None = None) -> PostReport:
    assert _WORKER is not None, "worker not initialised"
    if references is not None:
        _WORKER.use_references(references)
    return _WORKER.audit_one(source, publish_at)


def _encode_reference(args: tuple[str, Path]) -> tuple[str, tuple[float, ...]]:
    assert _WORKER is not None, "worker not initialised"
    student_id, photo = args
    return student_id, reference_encoding(_WORKER.roster, student_id, photo,
                                          _WORKER.engines.faces, _WORKER.use_cache)


def _shared_references(executor: Executor, checker: Checker,
                       todo: list[PostSource]) -> References | None:
    """Encode the roster's reference photos once, shared out over the pool, instead of
    once in every worker. None when no post has photos or no student has any."""
    photos = [(s.id, p) for s in checker.roster.students for p in s.photos]
    if not photos or not any(s.images for s in todo):
        return None
    by_student: dict[str, list[tuple[float, ...]]] = {s.id: [] for s in checker.roster.students}
    for student_id, encoding in executor.map(_encode_reference, photos):
        by_student[student_id].append(encoding)
    return References({sid: tuple(encs) for sid, encs in by_student.items()})


# ---- the result cache ----------------------------------------------------------------


def results_dir() -> Path:
    return usercache.folder("results")


def _file_digest(path: Path, h: Any) -> None:
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError as exc:
        h.update(f"unreadable:{exc.errno}".encode())


def run_digest(checker: Checker) -> str:
    """What every post's result depends on besides the post: version, config, roster
    and its reference photos."""
    h = hashlib.sha256(f"smcheck {__version__}\0".encode())
    h.update(repr(sorted(asdict(checker.config).items(), key=lambda kv: kv[0])).encode())
    if checker.roster.path is not None:
        _file_digest(checker.roster.path, h)
    for s in checker.roster.students:
        for p in s.photos:
            _file_digest(p, h)
    return h.hexdigest()


def post_key(run: str, source: PostSource, publish_at: datetime) -> str:
    h = hashlib.sha256(run.encode())
    h.update(source.label.encode() + b"\0")
    for f in (source.text_file, *source.images):
        if f is not None:
            h.update(str(f).encode() + b"\0")
            _file_digest(f, h)
    # Release expiry is judged by the day; times in the post by the minute (below).
    h.update(publish_at.date().isoformat().encode())
    return h.hexdigest()


def _minute(dt: datetime) -> str:
    return dt.isoformat(timespec="minutes")


def cache_load(key: str, publish_at: datetime, roster: Roster) -> PostReport | None:
    path = results_dir() / f"{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("time_sensitive") and data.get("minute") != _minute(publish_at):
        return None  # "tomorrow" means something else now
    try:
        return _report_from(data["report"], roster)
    except (KeyError, TypeError, ValueError):
        return None


def cache_store(key: str, report: PostReport, publish_at: datetime) -> None:
    payload = {"time_sensitive": report.time_sensitive, "minute": _minute(publish_at),
               "report": _report_to(report)}
    usercache.write_private(results_dir() / f"{key}.json", json.dumps(payload))


def _report_to(r: PostReport) -> dict[str, Any]:
    def finding(f: Finding) -> dict[str, Any]:
        d = asdict(f)
        d["severity"] = f.severity.label
        d.pop("student_name")  # names come from the roster, never from the cache
        return d

    return {"path": r.path, "images": list(r.images), "text": r.text,
            "image_paths": [str(p) for p in r.image_paths],
            "publish_at": r.publish_at.isoformat() if r.publish_at else None,
            "findings": [finding(f) for f in r.findings]}


def _report_from(d: dict[str, Any], roster: Roster) -> PostReport:
    findings = []
    for f in d["findings"]:
        student = roster.by_id(f["student_id"]) if f["student_id"] else None
        findings.append(Finding(
            rule=f["rule"], name=f["name"], severity=Severity.parse(f["severity"]),
            message=f["message"], source=f["source"], file=f["file"],
            span=Span(**f["span"]) if f["span"] else None,
            box=Box(**f["box"]) if f["box"] else None,
            student_id=f["student_id"],
            student_name=student.display_name if student else None,
            confidence=f["confidence"], policy=tuple(f["policy"]),
        ))
    return PostReport(
        path=d["path"], images=tuple(d["images"]), text=d["text"], findings=tuple(findings),
        publish_at=datetime.fromisoformat(d["publish_at"]) if d["publish_at"] else None,
        image_paths=tuple(Path(p) for p in d["image_paths"]),
    )


# ---- the audit -----------------------------------------------------------------------


def posts_in(checker: Checker, folder: Path) -> list[PostSource]:
    """The folder's posts, in path order; the roster's own reference photos are not posts."""
    references = {p.resolve() for s in checker.roster.students for p in s.photos}
    return [s for s in discover(folder) if s.text_file is not None
            or not all(i.resolve() in references for i in s.images)]


def posts_of(checker: Checker, files: Sequence[Path], root: Path) -> list[PostSource]:
    """The posts these files belong to, as `audit root` finds them: a changed text is its
    post, a changed photo brings the post it illustrates (or is, alone). For hooks:
    a commit that only swaps a photo still gets its post checked. Files that belong to
    no post (a README, a roster's reference photo, a roster) are left out."""
    wanted = {f.resolve() for f in files}
    out = []
    for source in posts_in(checker, root):
        mine = {p.resolve() for p in (source.text_file, *source.images) if p is not None}
        if mine & wanted:
            out.append(source)
    return out


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)


def audit(
    checker: Checker,
    sources: Sequence[PostSource],
    publish_at: datetime,
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    progress: Callable[[PostReport], None] | None = None,
) -> Iterator[PostReport]:
    """Each post's report, in path order. With jobs > 1 (or an executor given) posts are
    checked in parallel; cached results (when the checker's cache is on) skip the work."""
    run = run_digest(checker) if checker.use_cache else ""
    keys = [post_key(run, s, publish_at) if checker.use_cache else "" for s in sources]
    cached: list[PostReport | None] = [
        cache_load(k, publish_at, checker.roster) if checker.use_cache else None for k in keys]
    todo = [s for s, c in zip(sources, cached, strict=True) if c is None]

    fresh: Iterator[PostReport]
    own_pool: Executor | None = None
    if executor is None and jobs > 1 and len(todo) > 1:
        if any(s.text_file is not None for s in todo):
            _ = checker.engines.nlp  # loaded once here: forked workers inherit it
        own_pool = ProcessPoolExecutor(
            max_workers=min(jobs, len(todo)), initializer=_init_worker,
            initargs=(checker.config, checker.roster, checker.use_cache))
        executor = own_pool
    try:
        if executor is not None:
            if own_pool is None:  # somebody else's executor: its workers need a Checker
                fresh = _in_order(executor, _check_with, [
                    (checker.config, checker.roster, checker.use_cache, s, publish_at)
                    for s in todo], [_cost(s) for s in todo])
            else:
                refs = _shared_references(executor, checker, todo)
                fresh = _in_order(executor, _check_in_worker_args,
                                  [(s, publish_at, refs) for s in todo],
                                  [_cost(s) for s in todo])
        else:
            fresh = (checker.audit_one(s, publish_at) for s in todo)
        for key, hit in zip(keys, cached, strict=True):
            report = hit if hit is not None else next(fresh)
            if hit is None and checker.use_cache:
                cache_store(key, report, publish_at)
            if progress is not None:
                progress(report)
            yield report
    finally:
        if own_pool is not None:
            own_pool.shutdown(wait=True, cancel_futures=True)


def _cost(source: PostSource) -> int:
    """A post's expected work: photos dominate, by their size on disk."""
    total = 0
    for image in source.images:
        try:
            total += image.stat().st_size
        except OSError:
            continue
    return total


def _in_order(executor: Executor, fn: Callable[[Any], PostReport], args: list[Any],
              costs: list[int]) -> Iterator[PostReport]:
    """Results in the order of `args`, computed largest first: a 24-face 12 MP photo
    started last would leave every other worker idle at the end."""
    by_cost = sorted(range(len(args)), key=lambda i: -costs[i])
    futures = {i: executor.submit(fn, args[i]) for i in by_cost}
    try:
        for i in range(len(args)):
            yield futures[i].result()
    finally:
        for f in futures.values():
            f.cancel()


def _check_in_worker_args(args: tuple[PostSource, datetime, References | None]) -> PostReport:
    return _check_in_worker(*args)


def _check_with(args: tuple[Config, Roster, bool, PostSource, datetime]) -> PostReport:
    """For an executor smcheck did not create (a distributed engine's, say)."""
    config, roster, use_cache, source, publish_at = args
    global _WORKER
    if _WORKER is None or _WORKER.config != config or _WORKER.roster != roster:
        _init_worker(config, roster, use_cache)
    return _check_in_worker(source, publish_at)
