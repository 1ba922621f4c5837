"""`smcheck serve`: a local HTTP service with the models loaded once, and a page for teachers.

`POST /check` takes a post (text and photos, as JSON or multipart) and answers the
JSON of SPEC section 6; `GET /` is a page to paste a draft, drop photos and see the
findings. It listens on 127.0.0.1 unless told otherwise, refuses bodies over a limit,
never logs a post's text, and reloads the roster and config when their files change.

Only its user can query it (issue 18): a request naming another site in `Host` (DNS
rebinding) is refused; so is a request another site's page makes (its `Origin` or
`Sec-Fetch-Site` says so), and a browser's POST needs the per-launch token that the
page carries. Bound to anything but loopback, every request needs the token. See
`Guard`.

Checks run one at a time on one worker thread: spaCy and dlib are not documented as
safe to share between threads, and dlib holds the GIL while it detects, so a second
thread would not make a check faster (`--workers N` runs N processes, each with its
own models). Requests queue for that thread instead of waking a pool of threads
that wait on a lock. A long post (over FAST_TEXT characters, or over FAST_PHOTOS
photos) goes instead to a second process, at a lower CPU priority, with a time budget:
past it the process is killed and the post is answered with an E902 (never an OK), so
one huge post cannot stall everyone else's short checks. See `LongLane`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import copy
import hmac
import io
import ipaddress
import json
import logging
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs

# Imported only by `smcheck serve` and its tests: FastAPI at module level is fine here
# (and FastAPI reads the endpoints' annotations from this module's globals).
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from smcheck import __version__
from smcheck.errors import InputError, SetupError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from smcheck.api import Checker
    from smcheck.findings import Report
    from smcheck.settings import Settings

DEFAULT_PORT = 8765
DEFAULT_MAX_BODY = 64 * 1024 * 1024  # a handful of 12 MP phone photos, base64 included
MAX_IMAGES = 20
PREVIEW_SIDE = 900
# What the in-process worker checks: about half a second of checking at most (a short
# post takes ~15 ms for 300 characters). Anything bigger goes to the long-post process.
FAST_TEXT = 10_000
FAST_PHOTOS = 4
DEFAULT_BUDGET_S = 60.0
MAX_LONG_WAITING = 4  # long posts queued for the long-post process; more are told "busy"
TOKEN_ENV = "SMCHECK_SERVE_TOKEN"
MIN_TOKEN = 16
# Photos of a check live in a private folder in memory (/dev/shm), named after the
# process that made it, so that what a killed process left is found and removed.
SHM_PREFIX = "smcheck-serve-"
_LEGACY_SHM = re.compile(r"smcheck-[a-z0-9_]{8}")  # before issue 18: no process id
_LEGACY_AGE_S = 600.0

log = logging.getLogger("smcheck.serve")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def is_loopback(host: str) -> bool:
    """Whether binding `host` listens to this machine only."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, kw_only=True)
class ServeOptions:
    roster: Path | None = None
    config: Path | None = None
    start: Path | None = None  # where a config is discovered (default: the current folder)
    max_body: int = DEFAULT_MAX_BODY
    host: str = "127.0.0.1"  # the address bound: a Host header may name it
    token: str = field(default_factory=new_token, repr=False)
    # Every request needs the token (not only a browser's POST): always when bound to
    # anything but loopback; on loopback when the user gave SMCHECK_SERVE_TOKEN.
    require_token: bool = False
    budget_s: float = DEFAULT_BUDGET_S

    @property
    def token_everywhere(self) -> bool:
        return self.require_token or not is_loopback(self.host)

    def to_dict(self) -> dict[str, Any]:
        return {"roster": str(self.roster) if self.roster else None,
                "config": str(self.config) if self.config else None,
                "start": str(self.start) if self.start else None,
                "max_body": self.max_body, "host": self.host, "token": self.token,
                "require_token": self.require_token, "budget_s": self.budget_s}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ServeOptions:
        return cls(roster=Path(raw["roster"]) if raw.get("roster") else None,
                   config=Path(raw["config"]) if raw.get("config") else None,
                   start=Path(raw["start"]) if raw.get("start") else None,
                   max_body=int(raw.get("max_body", DEFAULT_MAX_BODY)),
                   host=str(raw.get("host", "127.0.0.1")),
                   token=str(raw.get("token") or new_token()),
                   require_token=bool(raw.get("require_token", False)),
                   budget_s=float(raw.get("budget_s", DEFAULT_BUDGET_S)))

    def to_env(self) -> dict[str, str]:
        """For `--workers`: each uvicorn worker process rebuilds the options from these
        (the environment of a process is readable by its user alone)."""
        return {"SMCHECK_SERVE_OPTIONS": json.dumps(self.to_dict())}

    @classmethod
    def from_env(cls) -> ServeOptions:
        return cls.from_dict(json.loads(os.environ.get("SMCHECK_SERVE_OPTIONS", "{}")))


@dataclass(frozen=True, kw_only=True)
class Job:
    """One request's post, read and checked for form: what either lane checks."""

    text: str
    images: list[tuple[str, bytes]]
    publish_at: str | None
    redact: bool
    previews: bool

    @property
    def long(self) -> bool:
        return len(self.text) > FAST_TEXT or len(self.images) > FAST_PHOTOS


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


class Service:
    """The settings and the Checker, rebuilt when the roster or config files change."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self._lock = threading.Lock()  # one check at a time: see the module docstring
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smcheck-check")
        self._settings: Settings | None = None
        self._checker: Checker | None = None
        self._stamp: tuple[object, ...] | None = None
        self._error: str | None = None
        self.reloads = 0

    def _resolve(self) -> None:
        from smcheck.api import Checker
        from smcheck.settings import resolve, watched_files

        try:
            settings = resolve(self.options.roster, self.options.config,
                               start=self.options.start)
        except InputError as exc:
            # Keep answering: every check says what is wrong until the file is fixed.
            self._error, self._checker = str(exc), None
            self._stamp = self._error_stamp()
            return
        self._settings, self._error = settings, None
        self._checker = Checker(config=settings.config, roster=settings.roster)
        self._stamp = watched_files(settings, self.options.start)
        self.reloads += 1

    def _error_stamp(self) -> tuple[object, ...]:
        paths = [p for p in (self.options.roster, self.options.config) if p is not None]
        return (*(_mtime(p) for p in paths), os.environ.get("SMCHECK_ROSTER"),
                os.environ.get("SMCHECK_CONFIG"), _discovered(self.options.start))

    def _fresh(self) -> Checker:
        """The checker for the files as they are now (a few stat calls per request)."""
        from smcheck.settings import watched_files

        if self._stamp is None:
            self._resolve()
        elif self._settings is not None and self._error is None:
            if watched_files(self._settings, self.options.start) != self._stamp:
                self._resolve()
        elif self._error_stamp() != self._stamp:
            self._resolve()
        if self._checker is None:
            raise SettingsError(self._error or "settings could not load")
        return self._checker

    def settings(self) -> dict[str, object]:
        with self._lock:
            self._fresh()
            assert self._settings is not None
            return self._settings.describe()

    def warm(self, photos: bool = True) -> None:
        """Load spaCy and the face models before the first request, and run one check so
        that first-call costs are paid at start-up."""
        with self._lock:
            checker = self._fresh()
            from smcheck.api import make_post, publish_time

            checker.report([checker.check_post(make_post("Warm-up at Lincoln Park at 9am "
                                                         "tomorrow, call 503-555-0100."),
                                               publish_time(None))], publish_time(None))
            if not photos:
                return
            with contextlib.suppress(Exception):  # E902 on each photo then, not a pass
                faces = checker.engines.faces
                # MTCNN and the encoder load on first use: a teacher's first photo
                # should not wait for them.
                _ = faces.mtcnn
                faces.encode([])
            with contextlib.suppress(Exception):
                _ = checker.engines.ocr

    def answer(self, job: Job) -> Answer:
        """A job's answer: the report, or a one-line error (422 the post, 503 the
        settings)."""
        try:
            return Answer(200, self.check(job.text, job.images, job.publish_at, job.redact,
                                          job.previews))
        except InputError as exc:
            return Answer(422, {"error": str(exc)})
        except SettingsError as exc:
            return Answer(503, {"error": str(exc)})

    def check(self, text: str, images: list[tuple[str, bytes]], publish_at: str | None,
              redact: bool, previews: bool) -> dict[str, Any]:
        from smcheck.api import make_post

        if not text.strip() and not images:
            raise InputError("request", "give the post's text, or at least one photo")
        when = _when(publish_at)
        # Photos are written only to a private folder in memory where Linux has one
        # (/dev/shm): the pipeline reads a photo by its path. Removed when the check
        # ends; what a killed process left is removed at the next start (sweep_leftovers).
        with tempfile.TemporaryDirectory(prefix=f"{SHM_PREFIX}{os.getpid()}-",
                                         dir=memory_folder()) as tmp:
            folder = Path(tmp).resolve()
            paths = [folder / name for name in _unique_names([n for n, _ in images])]
            for path, (_, data) in zip(paths, images, strict=True):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
            post = make_post(text if text.strip() else None, images=paths)
            post = replace(post, root=folder, base=Path())
            if not text.strip():
                post = replace(post, path=paths[0].name)
            with self._lock:
                checker = self._fresh()
                try:
                    checked = checker.check_safely(post, when)  # a bug: E902, not a 500
                except SetupError as exc:  # a roster reference photo: the settings' fault
                    raise SettingsError(str(exc)) from None
                report = checker.report([checked], when, redact=redact)
            out = report.to_dict()
            if previews:
                out["page"] = _page_extras(report, dict(zip([p.name for p in paths], paths,
                                                            strict=True)))
        return out

    def unchecked(self, job: Job, reason: str) -> dict[str, Any]:
        """The answer for a post that was not checked (over its time budget, its process
        stopped): an E902 on it, never an OK."""
        from smcheck.facts import Unavailable
        from smcheck.post import PostSource

        when = _when(job.publish_at)
        names = _unique_names([n for n, _ in job.images])
        label = "<text>" if job.text.strip() or not names else names[0]
        with self._lock:
            checker = self._fresh()
            post = checker._input_report(
                PostSource(label=label, text_file=None, images=()), when, "E902",
                unavailable=(Unavailable(check="check of this post", file=None,
                                         reason=reason),))
            report = checker.report([replace(post, images=tuple(names))], when,
                                    redact=job.redact)
        out = report.to_dict()
        if job.previews:
            out["page"] = {"texts": [""], "photos": {}}
        return out


class SettingsError(Exception):
    """The roster or config cannot be read: every request says so (503)."""


def _when(value: str | None) -> datetime:
    from smcheck.api import publish_time
    from smcheck.post import parse_publish_at

    # Not repeated in the error: nothing of a request is echoed.
    return parse_publish_at(value, "publish_at", echo=False) if value else publish_time(None)


def _mtime(p: Path) -> object:
    try:
        st = p.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _discovered(start: Path | None) -> str:
    from smcheck.config import discover_config

    return str(discover_config((start or Path.cwd()).resolve()))


_UNSAFE = re.compile(r"[^\w.\-]+")


def _unique_names(names: list[str]) -> list[str]:
    """Upload names as safe file names: the base name only, unique within the post."""
    out: list[str] = []
    for i, raw in enumerate(names):
        name = _UNSAFE.sub("_", Path(raw.replace("\\", "/")).name).lstrip(".") or \
            f"photo-{i + 1}.jpg"
        stem, dot, suffix = name.rpartition(".")
        if not dot:
            stem, suffix = name, "jpg"
        candidate, n = f"{stem}.{suffix}", 2
        while candidate in out:
            candidate, n = f"{stem}-{n}.{suffix}", n + 1
        out.append(candidate[:120])
    return out


def _page_extras(report: Report, paths: dict[str, Path]) -> dict[str, Any]:
    """What the page needs beyond SPEC section 6: the checked text (spans point into it)
    and each photo upright, downscaled, with its size (boxes are in its pixels)."""
    from PIL import Image

    from smcheck.extract.images import ImageError, load_image

    photos: dict[str, Any] = {}
    for post in report.posts:
        for label in post.images:
            path = paths.get(label)
            if path is None:
                continue
            try:
                loaded = load_image(path, PREVIEW_SIDE)
            except ImageError:
                continue
            h, w = loaded.pixels.shape[:2]
            buf = io.BytesIO()
            Image.fromarray(loaded.pixels).save(buf, "JPEG", quality=80)
            photos[label] = {"width": round(w / loaded.scale), "height": round(h / loaded.scale),
                             "src": "data:image/jpeg;base64,"
                                    + base64.b64encode(buf.getvalue()).decode("ascii")}
    return {"texts": ["" if report.redact else p.text for p in report.posts],
            "photos": photos}


# ---- photos in memory, and what a killed run left ------------------------------------


def memory_folder() -> str | None:
    """Where a check's photos are written: a folder in memory (tmpfs), never the disk.
    /dev/shm on Linux, else the user's runtime folder (tmpfs under systemd); elsewhere
    (macOS) the user's private temp folder, the one place left (README says so)."""
    for where in ("/dev/shm", os.environ.get("XDG_RUNTIME_DIR", "")):
        if where and os.path.isdir(where) and os.access(where, os.W_OK):
            return where
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_leftovers(pid: int | None = None) -> int:
    """Remove the photo folders of processes that are gone (a `kill -9`, a long post's
    process killed at its budget): those of `pid`, else of every dead process. Only the
    user's own folders. Returns how many were removed."""
    where = memory_folder()
    if where is None:
        return 0
    removed = 0
    now = time.time()
    with contextlib.suppress(OSError), os.scandir(where) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith(SHM_PREFIX):
                owner = name[len(SHM_PREFIX):].split("-", 1)[0]
                if not owner.isdigit() or (int(owner) != pid if pid is not None
                                           else _alive(int(owner))):
                    continue
            elif not (pid is None and _LEGACY_SHM.fullmatch(name)):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if not entry.is_dir(follow_symlinks=False) or st.st_uid != os.getuid():
                continue
            if not name.startswith(SHM_PREFIX) and now - st.st_mtime < _LEGACY_AGE_S:
                continue  # an older smcheck may be checking in it right now
            shutil.rmtree(entry.path, ignore_errors=True)
            removed += 1
    return removed


# ---- the long-post process ---------------------------------------------------------------


def lane_setup() -> None:
    """What the long-post process does first: its own process group, so that killing it
    kills the workers spaCy forks for a very long post too; a lower CPU priority, so
    that the service's short checks come first; allowed to start those workers (it is
    started as a daemon, which multiprocessing forbids them); and it ends when the
    service does, however that ends."""
    with contextlib.suppress(OSError):
        os.setpgrp()
    with contextlib.suppress(OSError):
        os.nice(10)
    multiprocessing.current_process().daemon = False
    if "fork" in multiprocessing.get_all_start_methods():
        # Started by spawn, it would spawn its workers too: spaCy's cannot be pickled.
        # It is a process of one thread at work, like `smcheck check`: fork, as there.
        multiprocessing.set_start_method("fork", force=True)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        with contextlib.suppress(OSError):
            os.killpg(0, signal.SIGKILL)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _lane_main(conn: Connection, raw: dict[str, Any]) -> None:
    """The long-post process: its own models, one job at a time."""
    lane_setup()
    service = Service(ServeOptions.from_dict(raw))
    with contextlib.suppress(Exception):  # a settings problem: each job says so
        service.warm(photos=False)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = service.answer(job)
        except Exception as exc:
            answer = Answer(500, {"error": f"internal error ({type(exc).__name__}); "
                                           "please report this"})
        conn.send(answer)


LaneTarget = Callable[["Connection", dict[str, Any]], None]
Outcome = tuple[Literal["done"], Answer] | tuple[Literal["budget", "died"], None]


class LongLane:
    """Long posts, checked in a separate process one at a time, each within its time
    budget counted from its arrival: past it the process is killed (with its forked
    workers), its photo folder removed, and a new one started for the next."""

    def __init__(self, options: ServeOptions, target: LaneTarget = _lane_main) -> None:
        self._raw = options.to_dict()
        self._target = target
        self._ctx = multiprocessing.get_context("spawn")  # never fork a threaded server
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None
        self._ready = False
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smcheck-long")
        self.waiting = 0  # touched on the event loop only

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        """Start the process (its models load in the background). Lane thread only."""
        if self._proc is not None and self._proc.is_alive():
            return
        self._stop()
        parent_end, child_end = self._ctx.Pipe()
        proc = self._ctx.Process(target=self._target, args=(child_end, self._raw),
                                 name="smcheck-long-posts", daemon=True)
        proc.start()
        child_end.close()
        self._proc, self._conn, self._ready = proc, parent_end, False

    def ready(self, timeout: float) -> bool:
        """Started, and its models loaded, within `timeout` s. Lane thread only. Raises
        EOFError or OSError when the process stopped."""
        self.start()
        conn = self._conn
        assert conn is not None
        if not self._ready:
            # Still loading its models: it goes on loading for the next job.
            if not conn.poll(max(0.0, timeout)):
                return False
            conn.recv()
            self._ready = True
        return True

    def run(self, job: Job, deadline: float) -> Outcome:
        """Check one job by `deadline` (time.monotonic). Lane thread only."""
        try:
            if not self.ready(deadline - time.monotonic()) or deadline <= time.monotonic():
                return ("budget", None)
            conn = self._conn
            assert conn is not None
            conn.send(job)
            if not conn.poll(max(0.0, deadline - time.monotonic())):
                self._stop()
                return ("budget", None)
            answer = conn.recv()
        except (EOFError, OSError):
            self._stop()
            return ("died", None)
        if not isinstance(answer, Answer):
            self._stop()
            return ("died", None)
        return ("done", answer)

    def _stop(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc, self._conn, self._ready = None, None, False
        if conn is not None:
            conn.close()
        if proc is None:
            return
        if proc.pid is not None:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)  # with the workers it forked
        with contextlib.suppress(OSError):
            proc.kill()
        proc.join(10)
        if proc.pid is not None:
            sweep_leftovers(proc.pid)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self._stop()


# ---- the guard: who may ask ------------------------------------------------------------

_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
_SAFE_METHODS = frozenset({"GET", "HEAD"})
_ROUTES = frozenset({"/", "/check", "/settings", "/rules", "/health", "/docs",
                     "/openapi.json"})
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _split_host(value: str) -> tuple[str, str | None] | None:
    """A Host header's name and port, or None when it is not one."""
    m = re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[^\[\]:/@\s]+)(?::(\d{1,5}))?", value)
    return (m.group(1).lower(), m.group(2)) if m else None


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    return True


class Guard:
    """The outermost layer: who may ask, one access-log line without the request's
    content, and no traceback for anything.

    - `Host` must name this machine by a loopback name or the address the service was
      bound to (or the address the connection came in on): a page whose own name was
      made to point here (DNS rebinding) names its own site, and is refused (421).
    - Another site's page is refused (403): by its `Origin`, which must be this very
      service, and by `Sec-Fetch-Site` (sent with or without an Origin), which must be
      same-origin or none (a typed address); a link followed to the page is the one
      cross-site request allowed.
    - A browser's POST needs the token the page carries (a header, which also makes the
      browser ask first (CORS), and nothing here says yes). API clients on this machine
      (curl, scripts: no Origin, no Sec-Fetch-*) need none, unless every request needs
      it: bound to anything but loopback, or SMCHECK_SERVE_TOKEN given. /health never.
    """

    def __init__(self, app: ASGIApp, options: ServeOptions) -> None:
        self.app, self.options = app, options

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        refused = self.refused(scope)
        try:
            if refused is not None:
                await _send_error(sending, *refused)
            else:
                await self.app(scope, receive, sending)
        except Exception as exc:
            # Never the message: it may quote the request (an upload's file name).
            log.error("internal error (%s) on %s", type(exc).__name__, _route(scope))
            if not status:
                await _send_error(sending, 500, "internal error; please report this")
        client = scope.get("client")
        where = f"{client[0]}:{client[1]}" if client else "-"
        log.info('%s - "%s" %d', where, _route(scope), status)

    def refused(self, scope: Scope) -> tuple[int, str] | None:
        headers: dict[str, list[str]] = {}
        for key, value in scope.get("headers", ()):
            headers.setdefault(key.decode("latin-1").lower(), []).append(
                value.decode("latin-1"))
        hosts = headers.get("host", [])
        parts = _split_host(hosts[0].strip()) if len(hosts) == 1 else None
        if parts is None or not self._host_allowed(parts, scope):
            shown = _bracketed(self.options.host)
            return 421, ("this service answers only requests addressed to this machine "
                         f"(localhost, 127.0.0.1, [::1] or {shown}): the Host header names "
                         "another site")
        method = scope.get("method", "GET")
        origin = _one(headers, "origin")
        site = _one(headers, "sec-fetch-site")
        mode = _one(headers, "sec-fetch-mode")
        if origin is not None and origin.lower() != f"http://{hosts[0].strip().lower()}":
            return 403, "cross-site request refused: another site's page cannot use this service"
        if site is not None and site not in ("same-origin", "none") and not (
                method in _SAFE_METHODS and mode == "navigate" and scope.get("path") == "/"):
            return 403, "cross-site request refused: another site's page cannot use this service"
        if scope.get("path") == "/health":
            return None
        given = self._token(headers, scope, method)
        if given is not None:
            if not hmac.compare_digest(given.encode(), self.options.token.encode()):
                return 401, "wrong token"
            return None
        browser = origin is not None or site is not None or mode is not None
        if self.options.token_everywhere or (method not in _SAFE_METHODS and browser):
            return 401, (f"this request needs the token (printed at start, or {TOKEN_ENV}): "
                         "header 'Authorization: Bearer <token>'; the page: /?token=<token>")
        return None

    def _host_allowed(self, parts: tuple[str, str | None], scope: Scope) -> bool:
        name, port = parts
        server = scope.get("server")
        if port is not None and server and server[1] is not None and int(port) != server[1]:
            return False
        if name in _LOOPBACK_NAMES:
            return True
        bound = _bracketed(self.options.host).lower()
        if name == bound and bound not in ("0.0.0.0", "[::]"):
            return True
        # Bound to every address: the one the connection came in on (a literal address
        # only: a name may be anyone's).
        local = server[0] if server else None
        return bool(local) and _is_ip(str(local)) and name == _bracketed(str(local)).lower()

    @staticmethod
    def _token(headers: dict[str, list[str]], scope: Scope, method: str) -> str | None:
        auth = _one(headers, "authorization")
        if auth is not None:
            kind, _, value = auth.partition(" ")
            return value.strip() if kind.lower() == "bearer" else ""
        if method in _SAFE_METHODS:
            raw: bytes = scope.get("query_string", b"")
            query = parse_qs(raw.decode("latin-1"))
            if query.get("token"):
                return str(query["token"][0])
        return None


def _one(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0].strip() if values else None


def _route(scope: Scope) -> str:
    """The request line as logged: a known path, without its query (a token may be in
    it), and nothing else a client sent."""
    method = scope.get("method", "")
    path = scope.get("path", "")
    return (f"{method if method in _METHODS else '-'} "
            f"{path if path in _ROUTES else '(another path)'}")


async def _send_error(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """413 for a body over the limit, by Content-Length or by counting what arrives."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", ()):
            if key == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _too_large(send, self.limit)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _too_large(send, self.limit)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    await _send_error(send, 413, f"request body over the limit of {limit // (1024 * 1024)} "
                                 "MB (smcheck serve --max-body-mb)")


_CHECK_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {
            "type": "object",
            "properties": {
                "text": {"type": "string", "description": "The post's text."},
                "images": {"type": "array", "items": {
                    "type": "object", "required": ["data"],
                    "properties": {"name": {"type": "string"},
                                   "data": {"type": "string", "format": "base64"}}}},
                "publish_at": {"type": "string", "description": "ISO 8601; default now."},
                "redact": {"type": "boolean"},
            }}},
        "multipart/form-data": {"schema": {
            "type": "object",
            "properties": {
                "text": {"type": "string"},
                "images": {"type": "array", "items": {"type": "string", "format": "binary"}},
                "publish_at": {"type": "string"},
                "redact": {"type": "boolean"},
            }}},
    },
}


def _asset(name: str) -> str:
    return (Path(__file__).parent / "reporters" / name).read_text(encoding="utf-8")


def page(token: str = "") -> str:
    """The teacher's page: one self-contained document, no external resource. It
    carries the per-launch token, which its script sends with each check."""
    from html import escape

    html = _asset("page.html")
    return (html.replace("/*REPORT_CSS*/", _asset("report.css"))
            .replace("/*PAGE_JS*/", _asset("page.js"))
            .replace("{{VERSION}}", __version__)
            .replace("{{TOKEN}}", escape(token)))


def create_app(options: ServeOptions | None = None, *, warm: bool = True,
               lane_target: LaneTarget = _lane_main) -> FastAPI:
    opts = options if options is not None else ServeOptions.from_env()
    sweep_leftovers()  # photos a killed run left in memory
    service = Service(opts)
    lane = LongLane(opts, lane_target)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        lane.close()

    app = FastAPI(
        title="smcheck", version=__version__, lifespan=lifespan,
        description="Check a drafted school social-media post (text and photos) against "
        "district policy. Local and offline: nothing leaves this machine.",
        # Swagger's page loads its script from a CDN: /docs is our own offline page.
        docs_url=None, redoc_url=None,
    )
    app.state.service = service
    app.state.lane = lane
    if warm:
        service.warm()
        lane.executor.submit(lane.start)  # its models load while the first checks run

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        where = ", ".join(".".join(str(p) for p in e.get("loc", ())) for e in exc.errors())
        return JSONResponse({"error": f"invalid request ({where or 'body'})"}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return JSONResponse({"error": str(exc.detail)}, exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(page(opts.token), headers=_PAGE_HEADERS)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_docs_page(app.openapi()), headers=_PAGE_HEADERS)

    @app.post("/check", summary="Check one post", openapi_extra={"requestBody": _CHECK_BODY},
              responses={200: {"description": "The JSON of SPEC section 6 (what "
                                              "`smcheck check --format json` prints)."},
                         400: {"description": "The body could not be read."},
                         401: {"description": "The token is needed (see the README)."},
                         413: {"description": "Body or text over the limit."},
                         415: {"description": "Neither JSON nor multipart."},
                         422: {"description": "The post could not be read."},
                         503: {"description": "The roster or config cannot be read, or "
                                              "too many long posts are waiting."}})
    async def check(request: Request, previews: bool = False) -> Response:
        """Text and photos as JSON (`images`: name + base64 data) or multipart/form-data
        (`text`, `images` files, `publish_at`, `redact`). Answers the SPEC section 6
        JSON, `notices` included. `?previews=true` adds `page` (the text the spans point
        into, upright downscaled photos): what the page at / draws. A long post is
        checked within the service's time budget, or answered with an E902."""
        kind = request.headers.get("content-type", "")
        body = await request.body()
        try:
            # Parsing a large body holds the GIL either way; off the event loop, the
            # other connections still get their turns.
            job = await asyncio.to_thread(read_job, kind, body, previews)
        except BadRequest as exc:
            return _error(exc.status, exc.message)
        except InputError as exc:
            return _error(422, str(exc))
        if job.long:
            answer = await _check_long(job)
        else:
            answer = await asyncio.wrap_future(service.worker.submit(service.answer, job))
        return JSONResponse(answer.body, answer.status, headers={"Cache-Control": "no-store"})

    async def _check_long(job: Job) -> Answer:
        if lane.waiting >= MAX_LONG_WAITING:
            return Answer(503, {"error": "busy: too many long posts are waiting; try again "
                                         "in a minute"})
        deadline = time.monotonic() + opts.budget_s
        lane.waiting += 1
        try:
            kind, answer = await asyncio.wrap_future(lane.executor.submit(lane.run, job,
                                                                          deadline))
        finally:
            lane.waiting -= 1
        if kind == "done" and answer is not None:
            return answer
        reason = (f"it was not checked within this service's time budget of "
                  f"{opts.budget_s:g} s (smcheck serve --time-budget): check a shorter post"
                  if kind == "budget" else
                  "the process checking it stopped (out of memory, or a crash); "
                  "please report this")
        try:
            return Answer(200, await asyncio.wrap_future(
                service.worker.submit(service.unchecked, job, reason)))
        except SettingsError as exc:
            return Answer(503, {"error": str(exc)})

    @app.get("/settings", summary="The settings in force (counts, no names)")
    async def settings() -> Response:
        try:
            return JSONResponse(await asyncio.wrap_future(
                service.worker.submit(service.settings)))
        except SettingsError as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)

    @app.get("/rules", summary="The rules, with their policy passages")
    def rules() -> Response:
        from smcheck.reporters.rules import rules_json

        return JSONResponse(rules_json())

    @app.get("/health", summary="Liveness")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.add_middleware(BodyLimit, limit=opts.max_body)
    app.add_middleware(Guard, options=opts)  # outermost: refused before the body is read
    return app


# The page is ours alone: no frame, no outside resource, no referrer, never cached (it
# carries the token).
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self' data: blob:; "
    "style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status, headers={"Cache-Control": "no-store"})


# ---- reading a request's body: in memory, every malformed one a 4xx -----------------------


class BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def read_job(content_type: str, body: bytes, previews: bool) -> Job:
    """The post a request carries. Raises BadRequest (a one-line reason that repeats
    nothing of the request) or InputError (422)."""
    from smcheck.post import MAX_TEXT_BYTES

    kind = content_type.split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        text, images, when, redact = _read_multipart(content_type, body)
    elif kind in ("application/json", ""):
        text, images, when, redact = _read_json(body)
    else:
        raise BadRequest(415, "unsupported content type: send JSON or multipart/form-data")
    if len(images) > MAX_IMAGES:
        raise BadRequest(422, f"at most {MAX_IMAGES} photos a post")
    for value in (text, when or "", *(n for n, _ in images)):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadRequest(422, "the text is not valid Unicode") from None
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise BadRequest(413, f"the post's text is over {MAX_TEXT_BYTES:,} bytes, the most "
                              "smcheck checks")
    job = Job(text=text, images=images, publish_at=when, redact=redact, previews=previews)
    _when(job.publish_at)  # a bad date: 422 now, not in a lane
    if not text.strip() and not images:
        raise InputError("request", "give the post's text, or at least one photo")
    return job


_Parts = tuple[str, list[tuple[str, bytes]], str | None, bool]


def _read_json(body: bytes) -> _Parts:
    try:
        data = json.loads(body or b"{}")
    except RecursionError:
        raise BadRequest(400, "body is not JSON smcheck reads (nested too deeply)") from None
    except ValueError:
        raise BadRequest(400, "body is not JSON") from None
    if not isinstance(data, dict):
        raise BadRequest(422, "body must be a JSON object")
    text = data.get("text", "")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise BadRequest(422, "text must be a string")
    listed = data.get("images") or []
    if not isinstance(listed, list):
        raise BadRequest(422, "images must be a list of {name, data} objects")
    if len(listed) > MAX_IMAGES:
        raise BadRequest(422, f"at most {MAX_IMAGES} photos a post")
    images = []
    for i, item in enumerate(listed):
        if not isinstance(item, dict) or not isinstance(item.get("data"), str):
            raise BadRequest(422, f"images[{i}] needs base64 `data`")
        name = item.get("name")
        if name is not None and not isinstance(name, str):
            raise BadRequest(422, f"images[{i}].name must be a string")
        try:
            raw = base64.b64decode(item["data"].split(",")[-1], validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest(422, f"images[{i}].data is not base64") from None
        images.append((name or f"photo-{i + 1}.jpg", raw))
    when = data.get("publish_at")
    if when is not None and not isinstance(when, str):
        raise BadRequest(422, "publish_at must be an ISO 8601 string")
    redact = data.get("redact", False)
    if not isinstance(redact, bool):
        raise BadRequest(422, "redact must be true or false")
    return text, images, when or None, redact


def _read_multipart(content_type: str, body: bytes) -> _Parts:
    """multipart/form-data parsed from the body in memory. (Starlette's parser spools a
    part over 1 MB to a temporary file on disk: a photo of a student must not land there.)"""
    from python_multipart.multipart import MultipartParser, parse_options_header

    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise BadRequest(400, "multipart body without a boundary")
    parts: list[tuple[dict[bytes, bytes], bytearray]] = []
    header: list[bytes] = [b"", b""]
    ended: list[bool] = []

    def begin() -> None:
        if len(parts) > MAX_IMAGES + 50:
            raise BadRequest(422, "too many parts in the multipart body")
        parts.append(({}, bytearray()))

    def data(chunk: bytes, start: int, end: int) -> None:
        parts[-1][1].extend(chunk[start:end])

    def field_(chunk: bytes, start: int, end: int) -> None:
        header[0] += chunk[start:end]

    def value(chunk: bytes, start: int, end: int) -> None:
        header[1] += chunk[start:end]
        if len(header[1]) > 8192:
            raise BadRequest(400, "a multipart header is too long")

    def header_end() -> None:
        parts[-1][0][header[0].lower()] = header[1]
        header[0], header[1] = b"", b""

    parser = MultipartParser(boundary, {
        "on_part_begin": begin, "on_part_data": data, "on_header_field": field_,
        "on_header_value": value, "on_header_end": header_end,
        "on_end": lambda: ended.append(True)})
    try:
        parser.write(body)
        parser.finalize()
    except BadRequest:
        raise
    except Exception:
        raise BadRequest(400, "multipart body could not be read") from None
    if not ended:
        raise BadRequest(400, "multipart body is cut short")
    fields: dict[str, str] = {}
    images: list[tuple[str, bytes]] = []
    for headers, content in parts:
        _, options = parse_options_header(headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            if name in ("images", "image"):
                images.append((options[b"filename"].decode("utf-8", "replace") or
                               "photo.jpg", bytes(content)))
            continue
        if name in ("text", "publish_at", "redact") and name not in fields:
            try:
                fields[name] = content.decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest(422, f"{name} is not UTF-8 text") from None
    when = fields.get("publish_at", "").strip() or None
    redact = fields.get("redact", "").lower() in ("1", "true", "yes", "on")
    return fields.get("text", ""), images, when, redact


def _docs_page(schema: dict[str, Any]) -> str:
    from html import escape

    rows = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            rows.append(f"<h2><code>{escape(method.upper())} {escape(path)}</code></h2>"
                        f"<p>{escape(op.get('summary', ''))}</p>"
                        f"<pre>{escape(op.get('description', ''))}</pre>")
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport "
            f"content='width=device-width'><title>smcheck API</title><style>"
            f"{_asset('report.css')}</style></head><body><header><h1>smcheck API "
            f"{escape(__version__)}</h1>The machine-readable description: "
            f"<a style='color:#fff' href='/openapi.json'>/openapi.json</a></header><main>"
            f"{''.join(rows)}</main></body></html>")


# ---- starting ---------------------------------------------------------------------------


def bind(host: str, port: int) -> socket.socket:
    """The listening address, taken before anything loads: a busy port is one line and
    exit 2 at once, not after the models load. Raises OSError."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # With its protocol number, asyncio turns Nagle's algorithm off on each connection
    # (else a kept-alive client waits 40 ms for each answer); set here too, accepted
    # sockets inherit it (uvicorn's workers get the socket without that number).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host.strip("[]"), port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, its access log replaced by Guard's line (which leaves out the
    query string, where a token may be, and any path that is not one of ours)."""
    from uvicorn.config import LOGGING_CONFIG

    conf = copy.deepcopy(LOGGING_CONFIG)
    conf["loggers"]["smcheck.serve"] = {"handlers": ["default"], "level": "INFO",
                                        "propagate": False}
    return conf


def run(sock: socket.socket, options: ServeOptions, workers: int = 1,
        log_level: str = "info") -> None:
    import uvicorn

    host, port = sock.getsockname()[:2]
    common: dict[str, Any] = {"host": host, "port": port, "log_level": log_level,
                              "access_log": False, "log_config": _log_config()}
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        os.environ.update(options.to_env())
        # A process per worker: each photo model runs on one thread in each.
        from smcheck.engines import MODEL_THREADS_ENV

        os.environ.setdefault(MODEL_THREADS_ENV, "1")
        # A worker loading its models may not answer the supervisor's ping for a while
        # on a busy machine: uvicorn's 5 s would kill it and start another, over and over.
        config = uvicorn.Config("smcheck.serve:create_app", factory=True, workers=workers,
                                timeout_worker_healthcheck=120, **common)
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(uvicorn.Config(create_app(options), **common)).run(sockets=[sock])

