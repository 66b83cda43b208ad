"""The API's edges: a request uvicorn cannot frame gets the API's Chinese JSON error (both of uvicorn's
HTTP parsers, a real server); a question is quoted back as plain text, never as markup or control
characters."""
from __future__ import annotations

import json
import re
import socket

import pytest

from tests.conftest import make_settings

CHINESE = re.compile(r"[\u4e00-\u9fff]")
BROKEN = [
    b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}",
    b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    b"GET /api/docs HTTP/1.1\r\nHost x\r\n\r\n",
]


def raw_exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (x.split(":", 1) for x in lines)}
    return int(status_line.split()[1]), headers, body


@pytest.fixture(scope="module", params=["h11", "httptools"])
def server(request, sample_engine):
    from bench.servers import ApiServer
    api = ApiServer({"BUDGETQA_STORE": str(sample_engine.settings.store_dir), "BUDGETQA_LOAD_SAMPLE": "0"},
                    http=request.param).start()
    try:
        yield api
    finally:
        api.close()


@pytest.mark.parametrize("request_bytes", BROKEN, ids=["content-length-abc", "two-lengths", "header-without-colon"])
def test_a_request_uvicorn_cannot_frame_gets_the_chinese_json_error(server, request_bytes):
    status, headers, body = raw_exchange(server.port, request_bytes)
    assert status == 400 and headers["content-type"] == "application/json", (headers, body)
    error = json.loads(body)
    assert error["error"] == "bad_request" and CHINESE.search(error["message"]), error


def test_a_well_framed_request_is_still_answered_after_a_broken_one(server):
    raw_exchange(server.port, BROKEN[0])
    body = b'{"question": "\xe4\xbd\x8f\xe6\x88\xbf\xe4\xbf\x9d\xe9\x9a\x9c\xe6\x94\xaf\xe5\x87\xba\xe6\x98\xaf\xe5\xa4\x9a\xe5\xb0\x91"}'
    status, _, answer = raw_exchange(server.port, b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                     b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    assert status == 200 and json.loads(answer)["value"] == "3241.03"


@pytest.mark.parametrize("question", [
    "<script>alert(1)</script>月球基地\x07建设\u202e支出是多少",
    "<img src=x onerror=alert(2)>月球基地<b>建设</b>支出\x00是多少<!-- x -->",
])
def test_a_not_found_answer_quotes_the_question_as_plain_text(sample_engine, question):
    from fastapi.testclient import TestClient

    from api import create_app
    client = TestClient(create_app(make_settings(sample_engine.settings.store_dir, BUDGETQA_RATE_LIMIT=0)))
    got = client.post("/api/ask", json={"question": question}).json()
    assert got["answerable"] is False and "月球基地建设支出是多少" in got["answer"], got
    for text in (got["answer"], got["question"]):
        assert not re.search(r"[<>\x00-\x1f\u202a-\u202e]", text) and "alert" not in text, text


def test_a_question_of_markup_only_is_the_empty_question_error(sample_engine):
    from fastapi.testclient import TestClient

    from api import create_app
    client = TestClient(create_app(make_settings(sample_engine.settings.store_dir)))
    r = client.post("/api/ask", json={"question": "<img src=x onerror=alert(1)>\x07"})
    assert r.status_code == 422 and CHINESE.search(r.json()["message"])
