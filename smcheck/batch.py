"""Auditing a folder: posts in parallel, results cached, output in path order.

Work is split per post over a `concurrent.futures.Executor` (a process pool by
default); each worker process builds one Checker and loads each model once. Results
come back in discovery order (sorted by path), whatever the scheduling; progress is
reported as posts finish. A worker that dies costs only the post it was checking (an
E902). A result is cached by the hash of everything it depends on, when the user asks.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from smcheck import __version__, usercache
from smcheck.accept import FILE_NAME as ACCEPTED_FILE
from smcheck.accept import SCHEME as ACCEPT_SCHEME
from smcheck.api import (
    Checker,
    ConfigArg,
    PathArg,
    RosterArg,
    make_checker,
    publish_time,
)
from smcheck.config import Config
from smcheck.engines import MODEL_THREADS_ENV
from smcheck.errors import InputError, SetupError
from smcheck.extract.faces import FaceModelsUnavailable, References, reference_encoding
from smcheck.findings import Box, Finding, PostReport, Report, Severity, Span
from smcheck.post import PostSource, discover
from smcheck.roster import Roster
from smcheck.textfile import file_digest

# ---- the worker side -----------------------------------------------------------------

_WORKER: Checker | None = None
# One byte per post of the audit, shared with the workers: which post each was checking
# when a worker died (see _pool_results).
_STATES: Any = None
WAITING, CHECKING, DONE = 0, 1, 2


def _init_worker(config: Config, roster: Roster, use_cache: bool, states: Any = None) -> None:
    # Ctrl-C is the parent's to handle: a worker just stops when the pool is shut down.
    # (Only a process's main thread may set it: on a thread pool someone else gave us,
    # setting it raised, and every post was an E902.)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    # One process per core: each model runs on one thread (set before any model loads).
    os.environ[MODEL_THREADS_ENV] = "1"
    global _WORKER, _STATES
    _WORKER = Checker(config=config, roster=roster, use_cache=use_cache)
    _STATES = states


def _check_in_worker(args: tuple[int, PostSource, datetime, References | None]) -> PostReport:
    index, source, publish_at, references = args
    assert _WORKER is not None, "worker not initialised"
    if _STATES is not None:
        _STATES[index] = CHECKING
    if references is not None:
        _WORKER.use_references(references)
    report = _WORKER.audit_one(source, publish_at)
    if _STATES is not None:
        _STATES[index] = DONE
    return report


def _encode_reference(args: tuple[str, Path]) -> tuple[str, tuple[float, ...] | None]:
    assert _WORKER is not None, "worker not initialised"
    student_id, photo = args
    try:
        models = _WORKER.engines.faces
    except FaceModelsUnavailable:
        return student_id, None  # each post's photos then get their E902
    return student_id, reference_encoding(_WORKER.roster, student_id, photo, models,
                                          _WORKER.use_cache)


def _shared_references(executor: Executor, checker: Checker,
                       todo: list[PostSource]) -> References | None:
    """Encode the roster's reference photos once, shared out over the pool, instead of
    once in every worker. None when no post has photos, no student has any, or the face
    models cannot load (each worker then finds that out for its posts)."""
    photos = [(s.id, p) for s in checker.roster.students for p in s.photos]
    if not photos or not any(s.images for s in todo):
        return None
    by_student: dict[str, list[tuple[float, ...]]] = {s.id: [] for s in checker.roster.students}
    for student_id, encoding in executor.map(_encode_reference, photos):
        if encoding is None:
            return None
        by_student[student_id].append(encoding)
    return References({sid: tuple(encs) for sid, encs in by_student.items()})


# ---- the result cache ----------------------------------------------------------------


def results_dir() -> Path:
    return usercache.folder("results")


def _file_digest(path: Path, h: Any) -> None:
    h.update(file_digest(path).encode())


def run_digest(checker: Checker) -> str:
    """What every post's result depends on besides the post and its accepted findings:
    version, config (and the district recognizers file it names), roster and its
    reference photos."""
    # The accept scheme too: a result cached under an older one applied acceptances
    # that no longer hold (one acceptance once covered every mention of a student).
    h = hashlib.sha256(f"smcheck {__version__} {ACCEPT_SCHEME}\0".encode())
    h.update(repr(sorted(asdict(checker.config).items(), key=lambda kv: kv[0])).encode())
    if checker.config.recognizers is not None:  # its path is in the config, not its words
        _file_digest(checker.config.recognizers, h)
    if checker.roster.path is not None:
        _file_digest(checker.roster.path, h)
    for s in checker.roster.students:
        for p in s.photos:
            _file_digest(p, h)
    return h.hexdigest()


def post_key(run: str, source: PostSource, publish_at: datetime) -> str:
    h = hashlib.sha256(run.encode())
    h.update(source.label.encode("utf-8", "surrogateescape") + b"\0")
    for f in (source.text_file, *source.images):
        if f is not None:
            h.update(os.fsencode(f) + b"\0")
            _file_digest(f, h)
    if source.text_file is not None:
        # Accepting a finding, or revoking it, changes the post's result.
        _file_digest(source.text_file.parent / ACCEPTED_FILE, h)
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
            "text_line": r.text_line, "text_start": r.text_start,
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
            confidence=f["confidence"], policy=tuple(f["policy"]), field=f.get("field"),
            more=tuple(Span(**s) for s in f.get("more", ())),
            summary=f.get("summary", ""),
        ))
    return PostReport(
        path=d["path"], images=tuple(d["images"]), text=d["text"], findings=tuple(findings),
        publish_at=datetime.fromisoformat(d["publish_at"]) if d["publish_at"] else None,
        image_paths=tuple(Path(p) for p in d["image_paths"]),
        text_line=int(d.get("text_line", 0)), text_start=int(d.get("text_start", 0)),
    )


# ---- the audit -----------------------------------------------------------------------


def posts_in(checker: Checker, folder: Path) -> list[PostSource]:
    """The folder's posts, in path order; the roster's own reference photos are not posts."""
    references = {p.resolve() for s in checker.roster.students for p in s.photos}
    return [s for s in discover(folder) if s.text_file is not None or s.error is not None
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
    """Each post's report, in path order, one for every source: a post that cannot be
    read is an E901, a post smcheck fails on (or whose worker process dies) an E902.

    With jobs > 1 (or an executor given) posts are checked in parallel; cached results
    (when the checker's cache is on) skip the work. `progress` is called as each post
    finishes, in the order they finish. Only a problem of the run's shared inputs (a
    roster reference photo) stops the audit, as a SetupError.
    """
    run = run_digest(checker) if checker.use_cache else ""
    keys = [post_key(run, s, publish_at) if checker.use_cache else "" for s in sources]
    cached: dict[int, PostReport] = {}
    if checker.use_cache:
        for i, key in enumerate(keys):
            hit = cache_load(key, publish_at, checker.roster)
            if hit is not None:
                cached[i] = hit
    todo = [i for i in range(len(sources)) if i not in cached]

    def finished() -> Iterator[tuple[int, PostReport, bool]]:
        for i, hit in cached.items():
            yield i, hit, False
        if not todo:
            return
        if executor is not None:
            yield from _executor_results(executor, checker, sources, todo, publish_at)
        elif jobs > 1 and len(todo) > 1:
            yield from _pool_results(checker, sources, todo, publish_at, jobs)
        else:
            for i in todo:
                yield i, checker.audit_one(sources[i], publish_at), True

    waiting: dict[int, PostReport] = {}
    following = 0
    for i, report, fresh in finished():
        if fresh and checker.use_cache:
            cache_store(keys[i], report, publish_at)
        if progress is not None:
            progress(report)
        waiting[i] = report
        while following in waiting:
            yield waiting.pop(following)
            following += 1


def _cost(source: PostSource) -> int:
    """A post's expected work: photos dominate, by their size on disk."""
    total = 0
    for image in source.images:
        try:
            total += image.stat().st_size
        except OSError:
            continue
    return total


def _largest_first(sources: Sequence[PostSource], todo: list[int]) -> list[int]:
    """A 24-face 12 MP photo started last would leave every other worker idle at the end."""
    return sorted(todo, key=lambda i: -_cost(sources[i]))


def _executor_results(executor: Executor, checker: Checker, sources: Sequence[PostSource],
                      todo: list[int], publish_at: datetime,
                      ) -> Iterator[tuple[int, PostReport, bool]]:
    """On somebody else's executor (a distributed engine's, say): any failure of one
    post's task is that post's E902."""
    futures = {executor.submit(_check_with, (checker.config, checker.roster,
                                             checker.use_cache, sources[i], publish_at)): i
               for i in _largest_first(sources, todo)}
    try:
        for future in as_completed(futures):
            i = futures[future]
            try:
                report = future.result()
            except SetupError:
                raise
            except Exception as exc:
                report = checker.failed(sources[i], exc, publish_at)
            yield i, report, True
    finally:
        for f in futures:
            f.cancel()


MAX_POOL_RESTARTS = 3


def _pool_results(checker: Checker, sources: Sequence[PostSource], todo: list[int],
                  publish_at: datetime, jobs: int) -> Iterator[tuple[int, PostReport, bool]]:
    """Posts over a process pool of our own, surviving a worker that dies.

    A worker killed (out of memory, a crash in native code, a signal) breaks the whole
    pool. The posts being checked at that moment are suspects and are checked again one
    at a time, each in a pool of its own, so the one that kills its worker is known and
    becomes an E902; every other post is checked again in a fresh pool.
    """
    if any(sources[i].text_file is not None for i in todo):
        _ = checker.engines.nlp  # loaded once here: forked workers inherit it
    states = multiprocessing.Array("b", len(sources), lock=False)
    pending = _largest_first(sources, todo)
    suspects: list[int] = []
    references: References | None = None
    want_references = True
    restarts = 0

    def pool(workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(
            checker.config, checker.roster, checker.use_cache, states))

    while pending:
        executor = pool(min(jobs, len(pending)))
        broken = False
        try:
            if want_references:
                want_references = False
                try:
                    references = _shared_references(executor, checker,
                                                    [sources[i] for i in pending])
                except BrokenProcessPool:
                    broken = True
            if not broken:
                futures = {executor.submit(_check_in_worker,
                                           (i, sources[i], publish_at, references)): i
                           for i in pending}
                for future in as_completed(futures):
                    i = futures[future]
                    try:
                        report = future.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    except SetupError:
                        raise
                    except Exception as exc:
                        report = checker.failed(sources[i], exc, publish_at)
                    pending.remove(i)
                    yield i, report, True
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
        if not broken:
            break
        died = [i for i in pending if states[i] == CHECKING]
        suspects.extend(died)
        pending = [i for i in pending if i not in died]
        for i in pending:
            states[i] = WAITING
        restarts = 0 if died else restarts + 1
        if restarts >= MAX_POOL_RESTARTS:  # workers die before checking anything
            for i in pending:
                yield i, checker.worker_died(sources[i], publish_at, alone=False), True
            pending = []
    for i in suspects:
        states[i] = WAITING
        executor = pool(1)
        try:
            report = executor.submit(_check_in_worker,
                                     (i, sources[i], publish_at, references)).result()
        except BrokenProcessPool:
            report = checker.worker_died(sources[i], publish_at, alone=True)
        except SetupError:
            raise
        except Exception as exc:
            report = checker.failed(sources[i], exc, publish_at)
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
        yield i, report, True


def _check_with(args: tuple[Config, Roster, bool, PostSource, datetime]) -> PostReport:
    """For an executor smcheck did not create (a distributed engine's, say)."""
    config, roster, use_cache, source, publish_at = args
    global _WORKER
    if _WORKER is None or _WORKER.config != config or _WORKER.roster != roster:
        _init_worker(config, roster, use_cache)
    assert _WORKER is not None
    return _WORKER.audit_one(source, publish_at)


# ---- the front door: smcheck.audit ---------------------------------------------------


def audit_folder(
    folder: PathArg,
    *,
    roster: RosterArg = None,
    config: ConfigArg = None,
    publish_at: datetime | str | None = None,
    jobs: int = 1,
    redact: bool = False,
    cache: bool = False,
    checker: Checker | None = None,
) -> Report:
    """`smcheck.audit`: check every post in a folder (SPEC section 2); one unreadable
    post is an E901 and the rest go on. The config is looked for beside the folder first.
    `jobs` > 1 checks posts in parallel processes; `cache` keeps results in the user
    cache folder. (Here, not in api.py beside smcheck.check: a folder's run is this
    module's, and api.py sits below it.)"""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(str(root), "not a folder" if root.exists() else "folder not found")
    if checker is None:
        from smcheck.config import discover_config

        # A folder of posts usually carries its own smcheck.toml: look there first.
        start = root if discover_config(root.resolve()) else None
    run = checker if checker is not None else \
        make_checker(roster, config, start=start, use_cache=cache)
    when = publish_time(publish_at)
    return run.report(audit(run, posts_in(run, root), when, jobs=jobs), when, redact=redact)
