"""One embedded store (SQLite + Chroma folder), several processes: the README's one-host set-up.

A real `uvicorn api:app` with two worker processes serves the store while other processes write to it
(`python -m corpus`, an upload through `POST /api/ingest` to one of the workers): every worker answers
about the new document on its next question, still about the old ones, with no 503 and no stale
answer. Two ingests at once lose nothing.
"""
from __future__ import annotations

import asyncio
import subprocess
import sys

import httpx
import pytest

from bench.servers import ApiServer
from tests.conftest import REAL, ROOT, SAMPLE, need_shared

OLD = ("晋城经济技术开发区建设管理部住房保障支出是多少？", "3241.03")
OLD_TEXT = "晋城经济技术开发区建设管理部的主要职责是什么？"   # searched first: each worker's index is loaded
COMMON = "城乡社区支出是多少？"
QUFUBAN = REAL / "shanghai-putuo-qufuban-2025-dept-budget.pdf"
NEW = ("上海市普陀区人民政府办公室2025年部门预算收入总计是多少？", "91,016,775.35")
NEW_TEXT = "上海市普陀区人民政府办公室的主要职能是什么？"      # a passage: searched in the vector index
SHANGWU = REAL / "shanghai-putuo-shangwuwei-2025-unit-budget.pdf"
UPLOADED = ("普陀区商务委员会2025年支出预算总计是多少？", "371,514,655.00")
UPLOADED_TEXT = "普陀区商务委员会的主要职能是什么？"


def corpus_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "corpus", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def ask_all(url: str, question: str, times: int = 8) -> list[tuple[int, dict]]:
    """The question sent `times` times at once, on new connections (so both workers get some)."""
    async def run():
        async def one():
            async with httpx.AsyncClient(timeout=120) as http:
                r = await http.post(f"{url}/api/ask", json={"question": question})
                return r.status_code, r.json()
        return await asyncio.gather(*(one() for _ in range(times)))
    return asyncio.run(run())


def assert_answered(replies, value: str | None = None) -> None:
    for status, body in replies:
        assert status == 200, body
        assert body["answerable"], body
        assert value is None or body["value"] == value, body


@pytest.fixture()
def served(tmp_path):
    need_shared(REAL)
    store = tmp_path / "store"
    assert corpus_cli(SAMPLE, "--store", store).returncode == 0
    api = ApiServer({"BUDGETQA_STORE": str(store), "BUDGETQA_RATE_LIMIT": "0", "BUDGETQA_LOAD_SAMPLE": "0",
                     "BUDGETQA_ADMIN_TOKEN": "s3cret"}, workers=2).start()
    try:
        yield store, api
    finally:
        api.close()


def test_the_server_answers_about_a_document_another_process_ingested_and_still_the_old_ones(served):
    store, api = served
    assert_answered(ask_all(api.url, OLD_TEXT))
    assert_answered(ask_all(api.url, COMMON))
    assert_answered(ask_all(api.url, OLD[0]), OLD[1])
    out = corpus_cli(QUFUBAN, "--store", store)            # another process writes the store
    assert out.returncode == 0, out.stdout + out.stderr
    assert_answered(ask_all(api.url, NEW[0]), NEW[1])        # every worker, on its next question
    assert_answered(ask_all(api.url, NEW_TEXT))
    assert_answered(ask_all(api.url, COMMON))
    assert_answered(ask_all(api.url, OLD[0]), OLD[1])
    assert "store unavailable" not in api.log_text() and "Traceback" not in api.log_text()


def test_an_upload_to_one_worker_is_answered_by_every_worker(served):
    store, api = served
    assert_answered(ask_all(api.url, OLD_TEXT))
    r = httpx.post(f"{api.url}/api/ingest", headers={"Authorization": "Bearer s3cret"}, timeout=300,
                   files={"files": (SHANGWU.name, SHANGWU.read_bytes(), "application/pdf")})
    assert r.status_code == 200 and r.json()["results"][0]["ok"], r.text
    assert_answered(ask_all(api.url, UPLOADED[0]), UPLOADED[1])
    assert_answered(ask_all(api.url, UPLOADED_TEXT))
    assert_answered(ask_all(api.url, OLD[0]), OLD[1])
    out = corpus_cli(QUFUBAN, "--store", store)              # and then a third process writes
    assert out.returncode == 0, out.stdout + out.stderr
    assert_answered(ask_all(api.url, NEW[0]), NEW[1])
    assert_answered(ask_all(api.url, NEW_TEXT))
    assert_answered(ask_all(api.url, UPLOADED[0]), UPLOADED[1])
    assert_answered(ask_all(api.url, UPLOADED_TEXT))
    assert "store unavailable" not in api.log_text() and "Traceback" not in api.log_text()


def test_two_ingests_at_once_into_one_store_lose_nothing(tmp_path):
    """Two `python -m corpus` at once, each well past the 1,000 chunks after which an embedded Chroma
    client writes its in-memory index to disk (a stale one would overwrite the other's vectors)."""
    from bench.make_corpus import make_corpus
    from retrieval.engine import Engine
    from tests.conftest import make_settings
    folder, store = tmp_path / "town", tmp_path / "store"
    manifest, questions = make_corpus(56, folder, seed=11, pdf_share=0, questions_per_doc=3)
    files = [folder / m["file"] for m in manifest]
    procs = [subprocess.Popen([sys.executable, "-m", "corpus", *map(str, half), "--store", str(store)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for half in (files[0::2], files[1::2])]
    outputs = [p.communicate(timeout=900)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    engine = Engine(make_settings(store))
    assert sorted(f for d in engine.documents() for f in d.files) == sorted(f.name for f in files)
    active = engine.stores.facts.active_versions()
    chunks = engine.stores.vectors.all_chunks()
    assert {f for _, f, v in chunks if active.get(f) == v} == set(active) and len(chunks) > 2000
    for d in engine.documents():                 # every document's part of the index is searchable
        assert engine.stores.vectors.query("主要职责", k=2, docs=[d.doc_id]), d.doc_id
