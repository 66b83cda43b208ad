"""HTTP API for the portal widget and other sites.

    uvicorn api:app --host 0.0.0.0 --port 8000 --proxy-headers

    POST /api/ask     {"question", "doc"?, "history"?, "id"?} -> the answer JSON (eval/README.md)
    GET  /api/docs    the loaded documents
    GET  /api/health  ok / 503 when the store is unreachable
    GET  /api/ui      the widget's strings and suggested questions
    GET  /api/source  a stored source file (?doc=&file=), for links to a cited PDF page
    POST /api/feedback  👍/👎 (and one line of comment) on an answer the widget showed
    POST /api/ingest  multipart `files`, only with `Authorization: Bearer <BUDGETQA_ADMIN_TOKEN>`
    GET  /widget/     embed.js and demo.html

`create_app(settings)` builds the app; the module-level `app` is made on first access, so importing
this module reads no settings and creates no directory.
"""
from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import threading
import time
from collections import OrderedDict, deque
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

import api_framing
from config import ROOT, Settings, load_settings
from prompts.ui_zh import API as M
from prompts.ui_zh import SUGGESTIONS, WIDGET
from retrieval.llm import NETWORK_WAIT
from schema import Answer
from service import bearer_token, ingest_uploads, record_feedback, safe_name, token_ok
from stores.facts import StoreUnavailable
from stores.vectors import VectorUnavailable

log = logging.getLogger("budgetqa.api")
MAX_QUESTION = 500
MAX_BODY = 64 * 1024
MAX_FILES = 20
ENGINE_AT_ONCE = 2                  # questions computed at once per process; the others wait in order
MULTIPART_SLACK = 256 * 1024       # an upload request's framing and form fields, beyond its files
WIDGET_DIR = ROOT / "widget"


# ------------------------------------------------------------------ request models
class Turn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["user", "assistant"]
    content: str = Field(max_length=4000)


MARKUP = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->|</?[A-Za-z][^<>]{0,300}>",   # not “<100万”
                    re.S | re.I)
INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def plain_question(text: str) -> str:
    """The question as plain text: no markup, no control or direction characters, one space at most."""
    return re.sub(r"\s+", " ", INVISIBLE.sub("", MARKUP.sub("", text))).strip()


class AskIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    doc: str | None = Field(default=None, max_length=300)
    history: list[Turn] = Field(default_factory=list, max_length=20)
    id: str | None = Field(default=None, max_length=100)

    @field_validator("question", mode="before")
    @classmethod
    def as_plain_text(cls, v):
        """An answer quotes the question (“未找到…”): it is quoted as plain text."""
        return plain_question(v) if isinstance(v, str) else v


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
    """The process's engine, loaded once; questions reach it through a first-come-first-served gate of
    ENGINE_AT_ONCE, so under load each waits its turn instead of every one slowing down together (one
    process computes on one core at a time)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._engine = None
        self._gate: asyncio.Semaphore | None = None
        self._answers: OrderedDict[tuple, Answer] = OrderedDict()     # by corpus version and question

    def get(self):
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    from service import open_engine
                    engine = open_engine(self.settings)
                    if self.settings.llm_enabled:   # the client's import (~1 s) is not paid inside a question's timeout
                        from retrieval.llm import model_for
                        model_for(self.settings)
                    self._engine = engine
        return self._engine

    async def call(self, method: str, *args):
        gate = self._gate = self._gate or asyncio.Semaphore(ENGINE_AT_ONCE)
        loop = asyncio.get_running_loop()

        @contextmanager
        def slot_given_back():
            """While the thread waits on the LLM, another question computes in its slot."""
            loop.call_soon_threadsafe(gate.release)
            try:
                yield
            finally:
                asyncio.run_coroutine_threadsafe(gate.acquire(), loop).result()

        def run():
            token = NETWORK_WAIT.set(slot_given_back)
            try:
                return getattr(self.get(), method)(*args)
            finally:
                NETWORK_WAIT.reset(token)
        async with gate:
            return await run_in_threadpool(run)

    async def ask(self, question: str, history: list[dict], doc: str | None):
        """The answer, from the process's answer cache when this corpus version has given it already (a
        hit waits behind no question); else computed through the gate, and kept if it is final."""
        if self.settings.answer_cache <= 0:
            return await self.call("ask", question, history, doc)
        versions = await run_in_threadpool(lambda: tuple(sorted(self.get().stores.facts.active_versions().items())))
        key = (versions, question, doc, tuple((t["role"], t["content"]) for t in history))
        start = time.perf_counter()
        if (hit := self._answers.get(key)) is not None:
            self._answers.move_to_end(key)
            return replace(hit, latency_ms=(time.perf_counter() - start) * 1000)
        answer = await self.call("ask", question, history, doc)
        if final_answer(answer, self.settings):
            self._answers[key] = answer
            while len(self._answers) > self.settings.answer_cache:
                self._answers.popitem(last=False)
        return answer

    async def documents(self) -> list:
        """The document list, outside the gate: one small SELECT, never queued behind questions."""
        return await run_in_threadpool(lambda: self.get().documents())


def final_answer(answer: Answer, settings: Settings) -> bool:
    """An answer worth keeping: with an LLM configured, only the model's own (a fallback may not last)."""
    return not settings.llm_enabled or not answer.answerable or answer.mode in ("llm", "llm-plan")


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
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):   # RecursionError: nested 1,000 deep
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


def upload_limit(settings: Settings) -> int:
    """Bytes one upload request may carry: its files (BUDGETQA_MAX_UPLOAD_MB) and the multipart framing."""
    return settings.max_upload_mb * 1024 * 1024 + MULTIPART_SLACK


def document_json(d) -> dict:
    return {"doc_id": d.doc_id, "title": d.title, "body": d.body, "year": d.year, "kind": d.kind,
            "scope": d.scope, "pages": d.pages, "files": list(d.files), "is_template": d.is_template}


def result_json(r) -> dict:
    """One uploaded file's result; `stored_as` is the name it is kept under (another stored file may
    have had its name), `replaced` whether it replaced an older version of itself."""
    return {"file": r.extra.get("name") or Path(r.file).name, "ok": r.ok, "doc_id": r.doc_id, "facts": r.facts,
            "chunks": r.chunks, "skipped": r.skipped, "error": r.error, "pages": r.pages,
            "stored_as": r.extra.get("stored_as"), "replaced": bool(r.extra.get("replaced")),
            "joined": list(r.extra.get("joined", ()))}


async def read_uploads(request: Request, max_mb: int) -> list[tuple[str, bytes]]:
    """The multipart `files` parts -> (name, content), each at most `max_mb` MB."""
    limit = max_mb * 1024 * 1024
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise ApiError(415, "unsupported_media_type", M["no_files"])
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
    api_framing.install(M["bad_request"])         # a request uvicorn cannot frame: our JSON, in Chinese
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
        return await run_in_threadpool(health_check, engines, settings)

    @app.get("/api/docs")
    async def documents():
        return {"documents": [document_json(d) for d in await engines.documents()]}

    @app.get("/api/ui")
    async def ui_strings():
        return JSONResponse({"widget": WIDGET, "suggestions": list(SUGGESTIONS), "max_question": MAX_QUESTION},
                            headers={"Cache-Control": "public, max-age=300"})

    @app.post("/api/ask", openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": AskIn.model_json_schema()}}}})
    async def ask(request: Request):
        check_rate(limiter, request)
        req = parse_ask(await read_json(request))
        if req.doc and req.doc not in {d.doc_id for d in await engines.documents()}:
            raise ApiError(404, "unknown_doc", M["unknown_doc"])
        history = [t.model_dump() for t in req.history]
        answer = await engines.ask(req.question, history, req.doc or None)
        return JSONResponse(answer.to_json(req.id))      # plain JSON types already: no encoder pass

    @app.post("/api/ingest")
    async def ingest(request: Request):
        check_admin(request, settings)
        check_rate(limiter, request)
        files = await read_uploads(request, settings.max_upload_mb)
        results = await run_in_threadpool(ingest_uploads, engines.get(), files)
        return {"results": [result_json(r) for r in results]}

    @app.get("/api/source")
    async def source(doc: str, file: str):
        """A stored source file (the widget links to a PDF's cited page: /api/source?doc=…&file=…#page=N)."""
        known = {d.doc_id: d for d in await engines.documents()}
        if doc not in known or file not in known[doc].files:
            raise ApiError(404, "not_found", M["not_found"])
        path = await run_in_threadpool(engines.get().source_file, doc, file)
        if path is None:
            raise ApiError(404, "not_found", M["not_found"])
        media = "application/pdf" if path.suffix.lower() == ".pdf" else "text/plain; charset=utf-8"
        return FileResponse(path, media_type=media, content_disposition_type="inline", filename=file)

    @app.post("/api/feedback")
    async def feedback(request: Request):
        """👍/👎 from the widget: {"id", "rating": 1 | 0 | null, "comment", "answer": the answer as /api/ask gave it}."""
        check_rate(limiter, request)
        data = await read_json(request)
        try:
            answer_id, rating = str(data["id"])[:64], data.get("rating")
            if rating not in (0, 1, None) or not isinstance(data["answer"], dict):
                raise ValueError(rating)
            await run_in_threadpool(record_feedback, settings, answer_id, data["answer"], rating,
                                    str(data.get("comment") or ""))
        except (KeyError, ValueError, TypeError) as e:
            raise ApiError(400, "bad_request", M["bad_request"]) from e
        return {"ok": True}

    app.mount("/widget", StaticFiles(directory=WIDGET_DIR, html=True), name="widget")
    return app


def health_check(engines: EngineHolder, settings: Settings) -> dict:
    """What answering needs, each within the store timeout: the fact store (the document list), the
    embedder and a search of the index inside a document. A failure raises, and is answered 503."""
    engine = engines.get()
    docs = engine.documents()
    engine.stores.vectors.probe([d.doc_id for d in docs])
    return {"status": "ok", "documents": len(docs), "llm": settings.llm_enabled}


def warm_up(engines: EngineHolder) -> None:
    try:
        engines.get()
    except Exception:  # noqa: BLE001 - requests report the failure; the log keeps the details
        log.exception("engine not ready at start")


def add_middleware(app: FastAPI, settings: Settings) -> None:
    """Innermost first: security headers, CORS, and outermost the body limit (before anything reads)."""
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors)
    app.add_middleware(JsonCORSMiddleware, allow_origins=list(settings.cors_origins), allow_credentials=False,
                       allow_methods=["GET", "POST"], allow_headers=["Content-Type", "Authorization"], max_age=600)
    app.add_middleware(BodyLimit, limit_for=lambda path: upload_limit(settings) if path == "/api/ingest" else MAX_BODY,
                       message_for=lambda path: limit_message(path, settings))


class SecurityHeaders:
    """nosniff, referrer policy and frame-ancestors on every response (pure ASGI: no task per request)."""

    def __init__(self, app, frame_ancestors: str):
        self.app, self.frame_ancestors = app, frame_ancestors

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        widget = scope["path"].startswith("/widget/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                headers.setdefault("Content-Security-Policy", f"frame-ancestors {self.frame_ancestors}")
                if widget:
                    headers.setdefault("Cache-Control", "public, max-age=300")
            await send(message)
        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """A body over its route's limit is refused with 413 as it streams in, chunked or not, before any
    route reads it whole: a large body never sits in memory, and no traceback reaches the log."""

    def __init__(self, app, limit_for, message_for):
        self.app, self.limit_for, self.message_for = app, limit_for, message_for

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope["path"])
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"0")
        if not declared.isdigit():
            return await send_error(send, 400, "bad_request", M["bad_request"])
        if int(declared) > limit:
            return await send_error(send, 413, "too_large", self.message_for(scope["path"]))
        seen, started = 0, False

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def watched_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)
        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge:
            if not started:
                await send_error(send, 413, "too_large", self.message_for(scope["path"]))


def limit_message(path: str, settings: Settings) -> str:
    return M["upload_total_too_large"].format(mb=settings.max_upload_mb) if path == "/api/ingest" else M["body_too_large"]


async def send_error(send, status: int, code: str, message: str) -> None:
    """An error answered at once, and the connection closed: the rest of the body is never read."""
    body = json.dumps({"error": code, "message": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"), (b"x-content-type-options", b"nosniff")]})
    await send({"type": "http.response.body", "body": body})


class JsonCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered in the API's JSON error shape, in Chinese."""

    def preflight_response(self, request_headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-type", "content-length")}
        return error_response(400, "cors_refused", M["cors_refused"], headers)


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
