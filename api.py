"""HTTP API for the portal widget and other sites.

    uvicorn api:app --host 0.0.0.0 --port 8000 --proxy-headers

    POST /api/ask     {"question", "doc"?, "history"?, "id"?} -> the answer JSON (eval/README.md)
    GET  /api/docs    the loaded documents
    GET  /api/health  ok / 503 when the store is unreachable
    GET  /api/ui      the widget's strings and suggested questions
    POST /api/ingest  multipart `files`, only with `Authorization: Bearer <BUDGETQA_ADMIN_TOKEN>`
    GET  /widget/     embed.js and demo.html

`create_app(settings)` builds the app; the module-level `app` is made on first access, so importing
this module reads no settings and creates no directory.
"""
from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import deque
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from config import ROOT, Settings, load_settings
from prompts.ui_zh import API as M
from prompts.ui_zh import SUGGESTIONS, WIDGET
from service import bearer_token, ingest_uploads, safe_name, token_ok
from stores.facts import StoreUnavailable
from stores.vectors import VectorUnavailable

log = logging.getLogger("budgetqa.api")
MAX_QUESTION = 500
MAX_BODY = 64 * 1024
MAX_FILES = 20
WIDGET_DIR = ROOT / "widget"


# ------------------------------------------------------------------ request models
class Turn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["user", "assistant"]
    content: str = Field(max_length=4000)


class AskIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    doc: str | None = Field(default=None, max_length=300)
    history: list[Turn] = Field(default_factory=list, max_length=20)
    id: str | None = Field(default=None, max_length=100)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_response(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def validation_message(err: ValidationError) -> str:
    first = err.errors()[0]
    field = ".".join(str(x) for x in first.get("loc", ()))
    if field == "question" and first["type"] == "string_too_long":
        return M["too_long"].format(n=MAX_QUESTION)
    if field == "question" and first["type"] in ("string_too_short", "missing"):
        return M["empty"]
    return M["bad_field"].format(detail=field or first["type"])


# ------------------------------------------------------------------ rate limit
class RateLimiter:
    """Sliding one-minute window per client key, in memory (per API process)."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.per_minute, self.clock = per_minute, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, key: str) -> float:
        """0 when the call is allowed (and counted), else seconds until it would be."""
        if self.per_minute <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return 60 - (now - hits[0])
            hits.append(now)
            if len(self._hits) > 10_000:
                self._hits = {k: v for k, v in self._hits.items() if v and now - v[-1] < 60}
            return 0.0


def client_key(request: Request) -> str:
    """The peer address (behind a proxy, run uvicorn with --proxy-headers --forwarded-allow-ips)."""
    return request.client.host if request.client else "unknown"


# ------------------------------------------------------------------ engine, loaded once
class EngineHolder:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._engine = None

    def get(self):
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    from service import open_engine
                    self._engine = open_engine(self.settings)
        return self._engine

    async def call(self, method: str, *args):
        def run():
            return getattr(self.get(), method)(*args)
        return await run_in_threadpool(run)


# ------------------------------------------------------------------ request helpers
async def read_json(request: Request) -> dict:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise ApiError(415, "unsupported_media_type", M["bad_type"])
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        raise ApiError(413, "too_large", M["body_too_large"])
    body = await request.body()
    if len(body) > MAX_BODY:
        raise ApiError(413, "too_large", M["body_too_large"])
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "bad_json", M["bad_json"]) from None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", M["bad_json"])
    return data


def parse_ask(data: dict) -> AskIn:
    try:
        return AskIn.model_validate(data)
    except ValidationError as e:
        raise ApiError(422, "invalid", validation_message(e)) from None


def check_admin(request: Request, settings: Settings) -> None:
    if not settings.admin_token:
        raise ApiError(403, "forbidden", M["forbidden_off"])
    if not token_ok(bearer_token(request.headers.get("authorization")), settings.admin_token):
        raise ApiError(403, "forbidden", M["forbidden_token"])


def check_rate(limiter: RateLimiter, request: Request) -> None:
    wait = limiter.wait_seconds(client_key(request))
    if wait:
        sec = max(1, math.ceil(wait))
        raise ApiError(429, "rate_limited", M["rate_limited"].format(sec=sec), {"Retry-After": str(sec)})


def document_json(d) -> dict:
    return {"doc_id": d.doc_id, "title": d.title, "body": d.body, "year": d.year, "kind": d.kind,
            "scope": d.scope, "pages": d.pages, "files": list(d.files), "is_template": d.is_template}


def result_json(r) -> dict:
    return {"file": Path(r.file).name, "ok": r.ok, "doc_id": r.doc_id, "facts": r.facts, "chunks": r.chunks,
            "skipped": r.skipped, "error": r.error, "pages": r.pages}


async def read_uploads(request: Request, max_mb: int) -> list[tuple[str, bytes]]:
    """The multipart `files` parts -> (name, content), each at most `max_mb` MB."""
    limit = max_mb * 1024 * 1024
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise ApiError(415, "unsupported_media_type", M["no_files"])
    if int(request.headers.get("content-length") or 0) > limit * MAX_FILES:
        raise ApiError(413, "too_large", M["body_too_large"])
    async with request.form(max_files=MAX_FILES, max_fields=10) as form:
        uploads = [v for v in form.getlist("files") if isinstance(v, UploadFile)]
        if not uploads:
            raise ApiError(400, "no_files", M["no_files"])
        files = []
        for u in uploads:
            data = await u.read(limit + 1)
            if len(data) > limit:
                raise ApiError(413, "too_large", M["upload_too_large"].format(name=safe_name(u.filename), mb=max_mb))
            files.append((u.filename or "", data))
    return files


# ------------------------------------------------------------------ the app
def create_app(settings: Settings) -> FastAPI:
    engines = EngineHolder(settings)
    limiter = RateLimiter(settings.rate_limit)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        threading.Thread(target=warm_up, args=(engines,), daemon=True).start()
        yield

    app = FastAPI(title="budget-qa API", version="1", lifespan=lifespan, docs_url="/api/openapi", redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.settings, app.state.engines, app.state.limiter = settings, engines, limiter
    add_middleware(app, settings)
    add_error_handlers(app)

    @app.get("/api/health")
    async def health():
        docs = await engines.call("documents")
        return {"status": "ok", "documents": len(docs), "llm": settings.llm_enabled}

    @app.get("/api/docs")
    async def documents():
        return {"documents": [document_json(d) for d in await engines.call("documents")]}

    @app.get("/api/ui")
    async def ui_strings():
        return JSONResponse({"widget": WIDGET, "suggestions": list(SUGGESTIONS), "max_question": MAX_QUESTION},
                            headers={"Cache-Control": "public, max-age=300"})

    @app.post("/api/ask", openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": AskIn.model_json_schema()}}}})
    async def ask(request: Request):
        check_rate(limiter, request)
        req = parse_ask(await read_json(request))
        history = [t.model_dump() for t in req.history]
        answer = await engines.call("ask", req.question, history, req.doc or None)
        return answer.to_json(req.id)

    @app.post("/api/ingest")
    async def ingest(request: Request):
        check_admin(request, settings)
        check_rate(limiter, request)
        files = await read_uploads(request, settings.max_upload_mb)
        results = await run_in_threadpool(ingest_uploads, engines.get(), files)
        return {"results": [result_json(r) for r in results]}

    app.mount("/widget", StaticFiles(directory=WIDGET_DIR, html=True), name="widget")
    return app


def warm_up(engines: EngineHolder) -> None:
    try:
        engines.get()
    except Exception:  # noqa: BLE001 - requests report the failure; the log keeps the details
        log.exception("engine not ready at start")


def add_middleware(app: FastAPI, settings: Settings) -> None:
    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Content-Security-Policy", f"frame-ancestors {settings.frame_ancestors}")
        if request.url.path.startswith("/widget/"):
            response.headers.setdefault("Cache-Control", "public, max-age=300")
        return response

    app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_credentials=False,
                       allow_methods=["GET", "POST"], allow_headers=["Content-Type", "Authorization"], max_age=600)


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_req, e: ApiError):
        return error_response(e.status, e.code, e.message, e.headers)

    @app.exception_handler(StoreUnavailable)
    @app.exception_handler(VectorUnavailable)
    async def store_down(_req, e: Exception):
        log.error("store unavailable: %s", e)
        return error_response(503, "store_unavailable", M["store_down"])

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_req, e: StarletteHTTPException):
        message = {400: M["bad_request"], 404: M["not_found"], 405: M["method"]}.get(e.status_code, M["internal"])
        return error_response(e.status_code, "http_error", message, getattr(e, "headers", None))

    @app.exception_handler(Exception)
    async def internal(_req, e: Exception):
        log.exception("request failed", exc_info=e)
        return error_response(500, "internal", M["internal"])


def __getattr__(name: str):
    """`uvicorn api:app`: the app is built from the environment on first access, not at import."""
    if name == "app":
        built = create_app(load_settings())
        globals()["app"] = built
        return built
    raise AttributeError(name)
