"""`smcheck serve`: a local HTTP service with the models loaded once, and a page for teachers.

`POST /check` takes a post (text and photos, as JSON or multipart) and answers the
JSON of SPEC section 6; `GET /` is a page to paste a draft, drop photos and see the
findings. It listens on 127.0.0.1 unless told otherwise, refuses bodies over a limit,
never logs a post's text, and reloads the roster and config when their files change.

Checks run one at a time on one worker thread: spaCy and dlib are not documented as
safe to share between threads, and dlib holds the GIL while it detects, so a second
thread would not make a check faster (`--workers N` runs N processes, each with its
own models). Requests queue for that thread instead of waking a pool of threads
that wait on a lock.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import io
import json
import os
import re
import tempfile
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Imported only by `smcheck serve` and its tests: FastAPI at module level is fine here
# (and FastAPI reads the endpoints' annotations from this module's globals).
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from smcheck import __version__
from smcheck.errors import InputError

if TYPE_CHECKING:
    from smcheck.api import Checker
    from smcheck.findings import Report
    from smcheck.settings import Settings

DEFAULT_PORT = 8765
DEFAULT_MAX_BODY = 64 * 1024 * 1024  # a handful of 12 MP phone photos, base64 included
MAX_IMAGES = 20
PREVIEW_SIDE = 900

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class ServeOptions:
    roster: Path | None = None
    config: Path | None = None
    start: Path | None = None  # where a config is discovered (default: the current folder)
    max_body: int = DEFAULT_MAX_BODY

    def to_env(self) -> dict[str, str]:
        """For `--workers`: each uvicorn worker process rebuilds the options from these."""
        return {"SMCHECK_SERVE_OPTIONS": json.dumps({
            "roster": str(self.roster) if self.roster else None,
            "config": str(self.config) if self.config else None,
            "start": str(self.start) if self.start else None,
            "max_body": self.max_body})}

    @classmethod
    def from_env(cls) -> ServeOptions:
        raw = json.loads(os.environ.get("SMCHECK_SERVE_OPTIONS", "{}"))
        return cls(roster=Path(raw["roster"]) if raw.get("roster") else None,
                   config=Path(raw["config"]) if raw.get("config") else None,
                   start=Path(raw["start"]) if raw.get("start") else None,
                   max_body=int(raw.get("max_body", DEFAULT_MAX_BODY)))


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

    def warm(self) -> None:
        """Load spaCy and the face models before the first request, and run one check so
        that first-call costs are paid at start-up."""
        with self._lock:
            checker = self._fresh()
            from smcheck.api import make_post, publish_time

            checker.report([checker.check_post(make_post("Warm-up at Lincoln Park at 9am "
                                                         "tomorrow, call 503-555-0100."),
                                               publish_time(None))], publish_time(None))
            with contextlib.suppress(Exception):  # E902 on each photo then, not a pass
                faces = checker.engines.faces
                # MTCNN and the encoder load on first use: a teacher's first photo
                # should not wait for them.
                _ = faces.mtcnn
                faces.encode([])
            with contextlib.suppress(Exception):
                _ = checker.engines.ocr

    def check(self, text: str, images: list[tuple[str, bytes]], publish_at: str | None,
              redact: bool, previews: bool) -> dict[str, Any]:
        from smcheck.api import make_post, publish_time

        if not text.strip() and not images:
            raise InputError("request", "give the post's text, or at least one photo")
        if len(images) > MAX_IMAGES:
            raise InputError("request", f"at most {MAX_IMAGES} photos a post")
        when = publish_time(publish_at or None)
        # Photos are written only to a private folder in memory where Linux has one
        # (/dev/shm), removed when the check ends: nothing about students lands on disk.
        shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) \
            else None
        with tempfile.TemporaryDirectory(prefix="smcheck-", dir=shm) as tmp:
            folder = Path(tmp).resolve()
            paths = []
            for name in _unique_names([n for n, _ in images]):
                paths.append(folder / name)
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
                report = checker.report([checker.check_safely(post, when)], when, redact=redact)
            out = report.to_dict()
            if previews:
                out["page"] = _page_extras(report, dict(zip([p.name for p in paths], paths,
                                                            strict=True)))
        return out


class SettingsError(Exception):
    """The roster or config cannot be read: every request says so (503)."""


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
    body = json.dumps({"error": f"request body over the limit of {limit // (1024 * 1024)} MB"
                       " (smcheck serve --max-body-mb)"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


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


def page() -> str:
    """The teacher's page: one self-contained document, no external resource."""
    html = _asset("page.html")
    return (html.replace("/*REPORT_CSS*/", _asset("report.css"))
            .replace("/*PAGE_JS*/", _asset("page.js"))
            .replace("{{VERSION}}", __version__))


def create_app(options: ServeOptions | None = None, *, warm: bool = True) -> FastAPI:
    opts = options if options is not None else ServeOptions.from_env()
    service = Service(opts)
    app = FastAPI(
        title="smcheck", version=__version__,
        description="Check a drafted school social-media post (text and photos) against "
        "district policy. Local and offline: nothing leaves this machine.",
        # Swagger's page loads its script from a CDN: /docs is our own offline page.
        docs_url=None, redoc_url=None,
    )
    app.state.service = service
    if warm:
        service.warm()

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(page(), headers=_PAGE_HEADERS)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_docs_page(app.openapi()), headers=_PAGE_HEADERS)

    @app.post("/check", summary="Check one post", openapi_extra={"requestBody": _CHECK_BODY},
              responses={200: {"description": "The JSON of SPEC section 6 (what "
                                              "`smcheck check --format json` prints)."},
                         413: {"description": "Body over the limit."},
                         422: {"description": "The post could not be read."},
                         503: {"description": "The roster or config cannot be read."}})
    async def check(request: Request, previews: bool = False) -> Response:
        """Text and photos as JSON (`images`: name + base64 data) or multipart/form-data
        (`text`, `images` files, `publish_at`, `redact`). Answers the SPEC section 6
        JSON, `notices` included. `?previews=true` adds `page` (the text the spans point
        into, upright downscaled photos): what the page at / draws."""
        try:
            text, images, publish_at, redact = await _read_body(request)
            out = await asyncio.wrap_future(service.worker.submit(
                service.check, text, images, publish_at, redact, previews))
        except InputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        except SettingsError as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)
        return JSONResponse(out)

    @app.get("/settings", summary="The settings in force (counts, no names)")
    async def settings() -> Response:
        try:
            return JSONResponse(await asyncio.wrap_future(
                service.worker.submit(service.settings)))
        except SettingsError as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)

    @app.get("/rules", summary="The rules, with their policy passages")
    def rules() -> Response:
        from smcheck.cli import rules_json

        return JSONResponse(rules_json())

    @app.get("/health", summary="Liveness")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.add_middleware(BodyLimit, limit=opts.max_body)
    return app


# The page is ours alone: no frame, no outside resource, no referrer.
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self' data: blob:; "
    "style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


async def _read_body(request: Request) -> tuple[str, list[tuple[str, bytes]], str | None, bool]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await request.form(max_files=MAX_IMAGES + 1, max_fields=50)
        text = form.get("text")
        images: list[tuple[str, bytes]] = []
        for item in form.getlist("images") + form.getlist("image"):
            if isinstance(item, str):
                continue
            images.append((item.filename or "photo.jpg", await item.read()))
        when = form.get("publish_at")
        redact = str(form.get("redact", "")).lower() in ("1", "true", "yes", "on")
        return (text if isinstance(text, str) else "", images,
                when if isinstance(when, str) and when.strip() else None, redact)
    if kind in ("application/json", ""):
        try:
            data = json.loads(await request.body() or b"{}")
        except ValueError as exc:
            raise InputError("request", f"body is not JSON ({exc})") from None
        if not isinstance(data, dict):
            raise InputError("request", "body must be a JSON object")
        text = data.get("text", "")
        if not isinstance(text, str):
            raise InputError("request", "text must be a string")
        images = []
        for i, item in enumerate(data.get("images") or []):
            if not isinstance(item, dict) or not isinstance(item.get("data"), str):
                raise InputError("request", f"images[{i}] needs base64 `data`")
            try:
                raw = base64.b64decode(item["data"].split(",")[-1], validate=True)
            except (binascii.Error, ValueError):
                raise InputError("request", f"images[{i}].data is not base64") from None
            images.append((str(item.get("name") or f"photo-{i + 1}.jpg"), raw))
        when = data.get("publish_at")
        if when is not None and not isinstance(when, str):
            raise InputError("request", "publish_at must be an ISO 8601 string")
        return text, images, when, bool(data.get("redact", False))
    raise InputError("request", f"unsupported content type {kind!r} (JSON or multipart)")


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


def run(host: str, port: int, options: ServeOptions, workers: int = 1,
        log_level: str = "info") -> None:
    import uvicorn

    if workers > 1:
        import socket

        from uvicorn.supervisors import Multiprocess

        os.environ.update(options.to_env())
        # A process per worker: each photo model runs on one thread in each.
        from smcheck.engines import MODEL_THREADS_ENV

        os.environ.setdefault(MODEL_THREADS_ENV, "1")
        config = uvicorn.Config("smcheck.serve:create_app", factory=True, host=host, port=port,
                                workers=workers, log_level=log_level)
        sock = config.bind_socket()
        # uvicorn's shared socket reaches the workers without its protocol number, so
        # asyncio does not turn Nagle's algorithm off on their connections: a kept-alive
        # client then waits 40 ms for each answer. Accepted sockets inherit it from here.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.run(create_app(options), host=host, port=port, log_level=log_level)
