"""A real loopback HTTP server speaking the OpenAI chat-completions API, its replies scripted per test.

    with OpenAIStub() as stub:
        stub.script(Reply("住房保障支出为3241.03万元[1]。"))
        ... point BUDGETQA_LLM_BASE_URL at stub.url ...
        stub.requests[-1].user   # the prompt the model was sent

Non-streamed requests get one JSON body; `"stream": true` requests get Server-Sent Events
(`data: {...}\\n\\n` … `data: [DONE]\\n\\n`), one event per piece of `Reply.pieces`.
"""
from __future__ import annotations

import json
import socket
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    """What the stub answers to the next request."""
    content: str = ""
    pieces: tuple[str, ...] = ()    # streamed pieces; default: the content in pieces of 4 characters
    delay: float = 0.0              # seconds to wait before answering (timeouts)
    piece_delay: float = 0.0        # seconds between streamed pieces (a slow drip)
    status: int = 200
    body: bytes | None = None       # sent as is instead of a well-formed reply (garbage)

    def stream_pieces(self) -> tuple[str, ...]:
        return self.pieces or tuple(self.content[i:i + 4] for i in range(0, len(self.content), 4))


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    json: dict

    @property
    def messages(self) -> list[dict]:
        return self.json.get("messages", [])

    def text(self, role: str) -> str:
        return "\n".join(m.get("content", "") for m in self.messages if m.get("role") == role)

    @property
    def system(self) -> str:
        return self.text("system")

    @property
    def user(self) -> str:
        return self.text("user")


def completion(content: str, model: str) -> dict:
    return {"id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def chunk(delta: dict, model: str, finish: str | None = None) -> dict:
    return {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 0, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def sse_events(reply: Reply, model: str) -> list[bytes]:
    deltas = [chunk({"role": "assistant", "content": ""}, model)]
    deltas += [chunk({"content": p}, model) for p in reply.stream_pieces()]
    deltas.append(chunk({}, model, finish="stop"))
    events = [f"data: {json.dumps(d, ensure_ascii=False)}\n\n".encode() for d in deltas]
    return events + [b"data: [DONE]\n\n"]


class OpenAIStub:
    """Loopback server on a free port; `script()` the replies, read `requests` afterwards."""

    def __init__(self, default: Reply = Reply("文档中未找到")):
        self.default = default
        self.requests: list[Request] = []
        self._replies: deque[Reply] = deque()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        self._replies.extend(replies)

    def next_reply(self) -> Reply:
        return self._replies.popleft() if self._replies else self.default

    def start(self) -> "OpenAIStub":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()          # wakes handlers sleeping out a delay
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "OpenAIStub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):   # keep test output clean
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                payload = json.loads(raw or b"{}")
                stub.requests.append(Request(self.path, dict(self.headers), payload))
                reply = stub.next_reply()
                if stub._stopping.wait(reply.delay):
                    return
                try:
                    self.answer(reply, payload)
                except (BrokenPipeError, ConnectionResetError):   # the client gave up (timeout)
                    pass

            def answer(self, reply: Reply, payload: dict):
                model = payload.get("model", "stub")
                if reply.body is not None:
                    self.send(reply.status, reply.body, "application/json")
                elif reply.status != 200:
                    error = {"error": {"message": "stub error", "type": "server_error"}}
                    self.send(reply.status, json.dumps(error).encode(), "application/json")
                elif payload.get("stream"):
                    self.stream(sse_events(reply, model), reply.piece_delay)
                else:
                    body = json.dumps(completion(reply.content, model), ensure_ascii=False).encode()
                    self.send(200, body, "application/json")

            def send(self, status: int, body: bytes, kind: str):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def stream(self, events: list[bytes], pause: float):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                for event in events:
                    self.wfile.write(event)
                    self.wfile.flush()
                    if stub._stopping.wait(pause):
                        return

        return Handler


def closed_port_url() -> str:
    """A loopback URL where nothing listens (endpoint down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
