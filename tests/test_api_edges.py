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


def test_an_answer_is_kept_per_corpus_version_and_an_ingest_starts_afresh(tmp_path, sample_text):
    from fastapi.testclient import TestClient

    from api import create_app
    from corpus import ingest_paths
    settings = make_settings(tmp_path / "store", BUDGETQA_RATE_LIMIT=0, BUDGETQA_LOAD_SAMPLE=1)
    app = create_app(settings)
    client = TestClient(app)
    first = client.post("/api/ask", json={"question": "住房保障支出是多少？"}).json()
    engine = app.state.engines.get()
    computed = []
    real_ask = engine.ask
    engine.ask = lambda *a: computed.append(a) or real_ask(*a)
    again = client.post("/api/ask", json={"question": "住房保障支出是多少？", "id": "q2"}).json()
    assert computed == [] and again["answer"] == first["answer"] and again["id"] == "q2"
    client.post("/api/ask", json={"question": "住房保障支出是多少？", "history": [
        {"role": "user", "content": "办公费是多少"}]})
    assert len(computed) == 1                                      # another conversation: computed
    other = tmp_path / "other.txt"
    other.write_text(sample_text.replace("晋城经济技术开发区建设管理部", "示例区住房管理局"), encoding="utf-8")
    assert ingest_paths(engine.stores, [other])[0].ok
    after = client.post("/api/ask", json={"question": "住房保障支出是多少？"}).json()
    assert len(computed) == 2 and after["answer"] != first["answer"]      # a new corpus version: computed again
