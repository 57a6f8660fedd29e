"""The gallery server: a Starlette app (served by uvicorn through `auria serve`).

Pages: ``/`` (latest first, ``?before=ID`` for older), ``/works/ID`` (the creative process),
``/artifacts/SHA.jpg|png`` (the pictures, content-addressed, cached for ever). API:
``GET /api/works?limit=&before=``, ``GET /api/works/ID``, ``POST /api/generate`` (bearer
token, rate-limited), ``GET /healthz``, ``GET /metrics``. Bad parameters get 400, unknown
ids 404, errors one JSON line ``{"error": ...}`` on the API.

The store is opened read-only: this process cannot write it, whatever a request does.
A generated work is made and stored by a child process (bot/gallery/generate.py).
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import re
import secrets
import time
from collections import deque
from datetime import datetime, timezone
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.gallery import pages
from bot.gallery.generate import GenerationError, generate_preview
from bot.gallery.metrics import metrics_text
from bot.gallery.public import ARTIFACT, IMAGE_TYPES, MAX_LIMIT, Urls, detail, page_of_works, shown_work, summaries

log = logging.getLogger("auria.gallery")
DEFAULT_LIMIT = 20
_ARTIFACT_NAME = re.compile(rf"({ARTIFACT.pattern})\.(jpg|png)")
_HEADERS = {  # every answer: no sniffing, no framing, pictures and styles only from here
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'",
}


class BadRequest(Exception):
    """A parameter a visitor got wrong: 400 with this message."""


class RateLimit:
    """At most `per_hour` events in any hour, for everyone together."""

    def __init__(self, per_hour: int, clock=time.monotonic):
        self.per_hour, self.clock, self.times = per_hour, clock, deque()

    def take(self) -> float:
        """0 when an event may happen now (and counts it), else seconds until one may."""
        now = self.clock()
        while self.times and now - self.times[0] >= 3600:
            self.times.popleft()
        if len(self.times) >= self.per_hour:
            return 3600 - (now - self.times[0]) if self.times else 3600
        self.times.append(now)
        return 0.0


def create_app(config, db, *, token: str | None = None, clock=time.monotonic,
               make_preview=generate_preview) -> Starlette:
    """The gallery over `db` (opened read-only by the caller: state.store.open_store_readonly).
    `token` is the bearer token for /api/generate (None: generation is off)."""
    urls = Urls()
    artifacts = Path(config.data_dir) / "artifacts"
    limit = RateLimit(config.gallery.generate_per_hour, clock)
    making = asyncio.Lock()

    def page_params(request: Request) -> tuple[int, int | None]:
        query = request.query_params
        unknown = set(query) - {"limit", "before"}
        if unknown:
            raise BadRequest(f"unknown parameter {sorted(unknown)[0]!r}: use limit and before")
        return (_whole(query.get("limit"), "limit", 1, MAX_LIMIT, DEFAULT_LIMIT),
                _whole(query.get("before"), "before", 1, None, None))

    async def index(request: Request) -> Response:
        try:
            size, before = page_params(request)
        except BadRequest as error:
            return HTMLResponse(pages.not_found_page(str(error), urls), status_code=400)
        works, next_before = page_of_works(db, size, before)
        next_page = urls.index(next_before) if next_before else None
        return HTMLResponse(pages.index_page(summaries(db, works, urls), urls, next_page))

    async def work_page(request: Request) -> Response:
        try:
            work_id = _whole(request.path_params["work_id"], "work id", 1, None, None)
        except BadRequest:
            work_id = None  # not an id at all: no such page
        work = shown_work(db, work_id) if work_id else None
        if work is None:
            return HTMLResponse(pages.not_found_page("There is no such work.", urls), status_code=404)
        return HTMLResponse(pages.work_page(detail(db, work, urls), urls))

    async def artifact(request: Request) -> Response:
        match = _ARTIFACT_NAME.fullmatch(request.path_params["name"])
        path = artifacts / match.group(1)[:2] / match.group(0) if match else None
        if path is None or not path.is_file():
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(path, media_type=IMAGE_TYPES[match.group(2)],
                            headers={"Cache-Control": "public, max-age=31536000, immutable"})

    async def api_works(request: Request) -> Response:
        try:
            size, before = page_params(request)
        except BadRequest as error:
            return _error(400, str(error))
        works, next_before = page_of_works(db, size, before)
        return JSONResponse({
            "works": summaries(db, works, urls),
            "next": f"/api/works?limit={size}&before={next_before}" if next_before else None,
        })

    async def api_work(request: Request) -> Response:
        try:
            work_id = _whole(request.path_params["work_id"], "work id", 1, None, None)
        except BadRequest as error:
            return _error(400, str(error))
        work = shown_work(db, work_id)
        if work is None:
            return _error(404, f"no work {work_id}")
        return JSONResponse(detail(db, work, urls))

    async def api_generate(request: Request) -> Response:
        if not token:
            return _error(503, "generation is off: the server has no gallery_token secret")
        if config.gallery.generate_per_hour == 0:
            return _error(503, "generation is off: gallery.generate_per_hour is 0")
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            return _error(401, "a bearer token is required", {"WWW-Authenticate": 'Bearer realm="auria"'})
        seed = await _seed(request)
        if making.locked():
            return _error(429, "a work is being made; try again in a minute", {"Retry-After": "60"})
        wait = limit.take()
        if wait:
            return _error(429, f"at most {config.gallery.generate_per_hour} works an hour; try again later",
                          {"Retry-After": str(int(wait) + 1)})
        async with making:
            started = time.perf_counter()
            try:
                work_id = await run_in_threadpool(make_preview, config, seed)
            except GenerationError as error:
                log.error("generate: %s", error)
                return _error(500, "the work could not be made (the server's log says why)")
        log.info("generate: work %d made in %.1f s", work_id, time.perf_counter() - started)
        work = shown_work(db, work_id)
        return JSONResponse(detail(db, work, urls), status_code=201, headers={"Location": f"/api/works/{work_id}"})

    async def healthz(request: Request) -> Response:
        from bot.health import check

        health = check(config, db, datetime.now(timezone.utc))
        from core.secrets import redact

        problems = [redact(_without_paths(problem, config)) for problem in health.problems]
        return JSONResponse({"status": "ok" if health.ok else "unhealthy", "problems": problems},
                            status_code=200 if health.ok else 503)

    async def metrics(request: Request) -> Response:
        return PlainTextResponse(metrics_text(db), media_type="text/plain; version=0.0.4; charset=utf-8")

    async def bad_body(request: Request, error: BadRequest) -> Response:
        return _error(400, str(error))

    routes = [
        Route("/", index),
        Route("/works/{work_id}", work_page),
        Route("/artifacts/{name}", artifact),
        Route("/api/works", api_works),
        Route("/api/works/{work_id}", api_work),
        Route("/api/generate", api_generate, methods=["POST"]),
        Route("/healthz", healthz),
        Route("/metrics", metrics),
    ]
    return Starlette(routes=routes, exception_handlers={BadRequest: bad_body},
                     middleware=[Middleware(SecurityHeaders)])


class SecurityHeaders:
    """Adds _HEADERS to every answer (an ASGI middleware)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in _HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Starlette's own 500 is made outside this middleware, without the headers: an
            # error is answered here, with them, and logged.
            if started:
                raise
            log.exception("%s %s: failed", scope.get("method"), scope.get("path"))
            await _error(500, "internal error (the server's log says why)")(scope, receive, send_with_headers)


async def _seed(request: Request) -> int:
    """The body's optional seed: `{"seed": 42}`, or nothing for a random one."""
    body = await request.body()
    if not body.strip():
        return secrets.randbelow(2**31)
    try:
        data = await request.json()
    except ValueError:
        raise BadRequest("the body must be JSON, e.g. {\"seed\": 42}, or empty") from None
    if not isinstance(data, dict) or set(data) - {"seed"}:
        raise BadRequest("the body may only give a seed, e.g. {\"seed\": 42}")
    seed = data.get("seed", secrets.randbelow(2**31))
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise BadRequest("seed must be a whole number from 0 to 2147483647")
    return seed


def _whole(text: str | None, name: str, low: int, high: int | None, default: int | None) -> int | None:
    if text is None:
        return default
    if not re.fullmatch(r"\d{1,12}", text) or int(text) < low or (high is not None and int(text) > high):
        span = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise BadRequest(f"{name} must be a whole number {span}, got {text[:40]!r}")
    return int(text)


# An absolute path that is not part of a URL or of "<data>/..." (no ":", "/", ".", ">" or
# word character before it).
_PATH = re.compile(r"(?<![\w:/.>])/(?:[\w.@+-]+/)*[\w.@+-]+")


def _without_paths(text: str, config) -> str:
    """A problem as a visitor may read it: platform errors can name files (a session file,
    an image), which stay on the server."""
    return _PATH.sub("<path>", text.replace(str(config.data_dir), "<data>"))


def _error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)
