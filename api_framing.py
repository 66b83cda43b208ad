"""A request uvicorn cannot even frame (`Content-Length: abc`, a broken request line) is answered in the
API's JSON error shape, in Chinese, not as uvicorn's English plain text.

Such a request never reaches the app: uvicorn's HTTP parser (h11 or httptools) refuses it and calls its
protocol's `send_400_response`, which has no hook. `install(message)` replaces that one method on both
protocol classes with one that sends `{"error": "bad_request", "message": …}` and closes the connection,
as before. It is called when the app is built; a uvicorn without these classes keeps its own answer.
"""
from __future__ import annotations

import json

ERROR = "bad_request"


def error_body(message: str) -> bytes:
    return json.dumps({"error": ERROR, "message": message}, ensure_ascii=False).encode()


def install(message: str) -> None:
    body = error_body(message)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close"), (b"x-content-type-options", b"nosniff")]
    try:
        from uvicorn.protocols.http.h11_impl import H11Protocol
        H11Protocol.send_400_response = _h11_sender(body, headers)      # type: ignore[method-assign]
    except ImportError:
        pass
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
        HttpToolsProtocol.send_400_response = _raw_sender(body, headers)  # type: ignore[method-assign]
    except ImportError:
        pass


def _h11_sender(body: bytes, headers: list[tuple[bytes, bytes]]):
    def send_400_response(self, msg: str) -> None:      # noqa: ARG001 - uvicorn's English reason is replaced
        import h11
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"), h11.Data(data=body),
                      h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()
    return send_400_response


def _raw_sender(body: bytes, headers: list[tuple[bytes, bytes]]):
    head = b"HTTP/1.1 400 Bad Request\r\n" + b"".join(k + b": " + v + b"\r\n" for k, v in headers) + b"\r\n"

    def send_400_response(self, msg: str) -> None:      # noqa: ARG001
        self.transport.write(head + body)
        self.transport.close()
    return send_400_response
