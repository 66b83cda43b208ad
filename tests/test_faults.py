"""Faults: PostgreSQL or the Chroma server going away mid-run, ingest killed with SIGKILL, a read-only
store. Each gives a clear error (503 with a Chinese message on the API), loses nothing, and recovers."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.make_corpus import make_corpus
from corpus import ingest_paths
from ingest.pipeline import parse_file
from tests.conftest import ROOT, make_settings, skip_or_fail

pytest_plugins = ("tests.servers",)   # postgres_server, chroma_server, pg_url, chroma
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """Five generated disclosures and, per file, a lookup question and the 职责 (passage) question."""
    out = tmp_path_factory.mktemp("city")
    manifest, questions = make_corpus(5, out, seed=31, pdf_share=0, questions_per_doc=6)
    files = [out / m["file"] for m in manifest]
    lookups = {m["file"]: next(q for q in questions if q["file"] == m["file"] and q["kind"] == "lookup")
               for m in manifest}
    duties = {m["file"]: f"{m['body']}{m['year']}年部门{m['kind']}中本部门的主要职责是什么" for m in manifest}
    return out, files, lookups, duties


def api_client(settings):
    from fastapi.testclient import TestClient

    from api import create_app
    app = create_app(settings)
    return app, TestClient(app)


def ask(client, question: str):
    return client.post("/api/ask", json={"question": question})


def assert_unavailable_in_chinese(response) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["error"] == "store_unavailable" and CHINESE.search(body["message"]), body


def server_settings(tmp_path, url: str, port: int):
    return make_settings(tmp_path / "store", BUDGETQA_DATABASE_URL=url, BUDGETQA_CHROMA_HOST="127.0.0.1",
                         BUDGETQA_CHROMA_PORT=port, BUDGETQA_RATE_LIMIT=0,
                         BUDGETQA_ANSWER_CACHE=0)      # every question reaches the stores under test


# ---------------------------------------------------------------- servers going away
@pytest.mark.servers
def test_postgres_down_answers_503_in_chinese_then_recovers_with_nothing_lost(
        tmp_path, postgres_server, pg_url, chroma, city):
    from stores.facts import StoreUnavailable
    _, files, lookups, _ = city
    app, client = api_client(server_settings(tmp_path, pg_url, chroma.port))
    with client:
        engine = app.state.engines.get()
        assert ingest_paths(engine.stores, files[:1])[0].ok
        before = ask(client, lookups[files[0].name]["question"]).json()
        assert before["value"] == lookups[files[0].name]["answer_value"]
        postgres_server.stop("immediate")
        try:
            assert_unavailable_in_chinese(ask(client, lookups[files[0].name]["question"]))
            with pytest.raises(StoreUnavailable):
                ingest_paths(engine.stores, files[1:2])
        finally:
            postgres_server.start()
        after = ask(client, lookups[files[0].name]["question"]).json()
        assert {k: v for k, v in after.items() if k != "latency_ms"} == {
            k: v for k, v in before.items() if k != "latency_ms"}
        assert ingest_paths(engine.stores, files[1:2])[0].ok
        assert ask(client, lookups[files[1].name]["question"]).json()["value"] == lookups[files[1].name]["answer_value"]


@pytest.mark.servers
def test_chroma_down_answers_503_in_chinese_then_recovers_with_nothing_lost(tmp_path, pg_url, chroma, city):
    _, files, lookups, duties = city
    app, client = api_client(server_settings(tmp_path, pg_url, chroma.port))
    with client:
        engine = app.state.engines.get()
        assert ingest_paths(engine.stores, files[:1])[0].ok
        before = ask(client, duties[files[0].name]).json()
        assert before["answerable"], before
        chunks = engine.stores.vectors.count()
        chroma.stop(signal.SIGKILL)
        try:
            assert_unavailable_in_chinese(ask(client, duties[files[0].name]))
            lookup = lookups[files[0].name]      # figures come from SQL: still answered
            assert ask(client, lookup["question"]).json()["value"] == lookup["answer_value"]
            [refused] = ingest_paths(engine.stores, files[1:2])
            assert not refused.ok and "存储不可用" in refused.error
            assert files[1].name not in engine.stores.facts.active_versions()   # nothing half-written
        finally:
            chroma.start()
        assert ask(client, duties[files[0].name]).json()["answer"] == before["answer"]
        assert engine.stores.vectors.count() == chunks
        assert ingest_paths(engine.stores, files[1:2])[0].ok
        assert ask(client, lookups[files[1].name]["question"]).json()["value"] == lookups[files[1].name]["answer_value"]


@pytest.mark.servers
def test_health_is_503_in_chinese_when_the_chroma_server_is_down(tmp_path, pg_url, chroma, city):
    _, files, _, _ = city
    app, client = api_client(server_settings(tmp_path, pg_url, chroma.port))
    with client:
        assert ingest_paths(app.state.engines.get().stores, files[:1])[0].ok
        assert client.get("/api/health").status_code == 200
        chroma.stop(signal.SIGKILL)
        try:
            assert_unavailable_in_chinese(client.get("/api/health"))
        finally:
            chroma.start()
        assert client.get("/api/health").json()["status"] == "ok"


# ---------------------------------------------------------------- servers frozen (SIGSTOP: TCP open, no answer)
FROZEN_TIMEOUT = 2


def served_on_servers(tmp_path, pg_url: str, chroma_port: int, files):
    """A real `uvicorn api:app` on PostgreSQL + the Chroma server with `files` ingested, store timeout 2 s."""
    from bench.servers import ApiServer
    from stores import open_stores
    settings = server_settings(tmp_path, pg_url, chroma_port)
    assert all(r.ok for r in ingest_paths(open_stores(settings), files))
    env = {"BUDGETQA_STORE": str(settings.store_dir), "BUDGETQA_DATABASE_URL": pg_url, "BUDGETQA_CHROMA_HOST": "127.0.0.1",
           "BUDGETQA_CHROMA_PORT": str(chroma_port), "BUDGETQA_RATE_LIMIT": "0", "BUDGETQA_LOAD_SAMPLE": "0",
           "BUDGETQA_ANSWER_CACHE": "0", "BUDGETQA_STORE_TIMEOUT": str(FROZEN_TIMEOUT)}
    return ApiServer(env).start()


def many_at_once(url: str, requests: list[tuple[str, dict | None]]) -> list[tuple[int, dict, float]]:
    """(status, body, seconds) of requests sent together (None body: GET)."""
    import asyncio

    import httpx

    async def one(http, path, body):
        t = time.monotonic()
        r = await (http.post(url + path, json=body) if body is not None else http.get(url + path))
        return r.status_code, r.json(), time.monotonic() - t

    async def run():
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=100)) as http:
            return await asyncio.gather(*(one(http, p, b) for p, b in requests))
    return asyncio.run(run())


def assert_all_503_within_the_timeout(replies, baseline: float) -> None:
    """Every reply a 503 in Chinese, the slowest no later than the same burst took with the store answering
    (the CPU the requests need on a shared machine) plus one timeout and a margin."""
    for status, body, _ in replies:
        assert status == 503 and body["error"] == "store_unavailable" and CHINESE.search(body["message"]), body
    slowest = max(seconds for *_, seconds in replies)
    assert slowest < baseline + FROZEN_TIMEOUT + 3, (slowest, baseline)


def burst_seconds(replies) -> float:
    assert all(status == 200 for status, *_ in replies), [body for status, body, _ in replies if status != 200][:2]
    return max(seconds for *_, seconds in replies)


@pytest.mark.servers
def test_a_frozen_chroma_server_gives_503_in_chinese_within_the_timeout_and_frees_the_workers(
        tmp_path, pg_url, chroma, city):
    _, files, lookups, duties = city
    api = served_on_servers(tmp_path, pg_url, chroma.port, files[:1])
    try:
        duty, lookup = duties[files[0].name], lookups[files[0].name]
        burst = [("/api/ask", {"question": duty})] * 45 + [("/api/health", None)]
        baseline = burst_seconds(many_at_once(api.url, burst))
        [(_, before, _)] = many_at_once(api.url, [("/api/ask", {"question": duty})])
        chroma.freeze()
        try:
            assert_all_503_within_the_timeout(many_at_once(api.url, burst), baseline)
            [(status, body, seconds)] = many_at_once(api.url, [("/api/ask", {"question": lookup["question"]})])
            assert seconds < FROZEN_TIMEOUT + 3, seconds            # the workers are free: no queue behind the burst
            assert status == 503 or body["value"] == lookup["answer_value"], body
        finally:
            chroma.thaw()
        time.sleep(FROZEN_TIMEOUT)                                  # past the breaker's wait
        [(status, after, _)] = many_at_once(api.url, [("/api/ask", {"question": duty})])
        assert status == 200 and after["answer"] == before["answer"]
        assert "Traceback" not in api.log_text()
    finally:
        api.close()


@pytest.mark.servers
def test_a_frozen_postgres_gives_503_in_chinese_within_the_timeout_and_frees_the_workers(
        tmp_path, postgres_server, pg_url, chroma, city):
    _, files, lookups, _ = city
    api = served_on_servers(tmp_path, pg_url, chroma.port, files[:1])
    try:
        lookup = lookups[files[0].name]
        ask_it = ("/api/ask", {"question": lookup["question"]})
        burst = [ask_it] * 45 + [("/api/health", None)]
        baseline = burst_seconds(many_at_once(api.url, burst))
        postgres_server.freeze()
        try:
            assert_all_503_within_the_timeout(many_at_once(api.url, burst), baseline)
            [(status, _, seconds)] = many_at_once(api.url, [ask_it])
            assert status == 503 and seconds < FROZEN_TIMEOUT + 3, seconds     # and the next one too
        finally:
            postgres_server.thaw()
        deadline = time.monotonic() + 30
        while True:                                       # connections cut while frozen are replaced
            [(status, after, _)] = many_at_once(api.url, [ask_it])
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert status == 200 and after["value"] == lookup["answer_value"], after
        assert "Traceback" not in api.log_text()
    finally:
        api.close()


# ---------------------------------------------------------------- ingest killed
def committed_files(store: Path) -> int:
    import sqlite3
    db = store / "facts.sqlite3"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as c:
            return c.execute("SELECT count(*) FROM files").fetchone()[0]
    except sqlite3.Error:
        return 0


def assert_consistent(store: Path, folder: Path) -> dict[str, str]:
    """Every active file has exactly its parsed facts and chunks; no fact or document without a file."""
    from stores import open_stores
    stores = open_stores(make_settings(store))
    active = stores.facts.active_versions()
    facts = stores.facts.facts()
    assert {f.file for f in facts} == set(active)
    assert {d.doc_id for d in stores.facts.documents()} == {f.doc for f in facts}
    live = [(c, f) for c, f, v in stores.vectors.all_chunks() if active.get(f) == v]
    for name in active:
        parsed = parse_file(folder / name)
        assert sum(f.file == name for f in facts) == len(parsed.facts), name
        assert sorted(c.chunk_id for c, f in live if f == name) == sorted(c.chunk_id for c in parsed.chunks), name
    return active


def test_ingest_killed_with_sigkill_leaves_a_consistent_store_and_a_rerun_finishes(tmp_path, city):
    folder, files, lookups, _ = city
    store = tmp_path / "store"
    cmd = [sys.executable, "-m", "corpus", str(folder), "--store", str(store), "--workers", "2"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while committed_files(store) < 1 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)     # the run's own process group: the CLI and its parse workers
        proc.wait()
    done = assert_consistent(store, folder)
    assert 1 <= len(done) < len(files), "the run was not killed midway"
    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    for name in done:
        assert re.search(rf"跳过 skipped \S*{re.escape(name)}", rerun.stdout), rerun.stdout
    assert set(assert_consistent(store, folder)) == {f.name for f in files}
    from retrieval.engine import Engine
    engine = Engine(make_settings(store))
    for q in lookups.values():
        assert engine.ask(q["question"]).value == q["answer_value"], q


# ---------------------------------------------------------------- read-only store
def unprivileged(cmd: list[str]) -> list[str]:
    """Root ignores file modes: drop the capabilities that let it, so a read-only folder is read-only."""
    if os.geteuid() != 0:
        return cmd
    setpriv = shutil.which("setpriv")
    if not setpriv:
        skip_or_fail("running as root without setpriv: cannot make a folder read-only for this process")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--", *cmd]


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def set_writable(folder: Path, writable: bool) -> None:
    for p in [folder, *folder.rglob("*")]:
        mode = p.stat().st_mode
        p.chmod(mode | 0o200 if writable else mode & ~0o222)


def ingest_cli(path: Path, store: Path) -> subprocess.CompletedProcess:
    return subprocess.run(unprivileged([sys.executable, "-m", "corpus", str(path), "--store", str(store)]),
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_read_only_store_refuses_ingest_and_changes_nothing(tmp_path, city):
    _, files, _, _ = city
    store = tmp_path / "store"
    assert ingest_cli(files[0], store).returncode == 0
    before = snapshot(store)
    set_writable(store, False)
    try:
        refused = ingest_cli(files[1], store)
    finally:
        set_writable(store, True)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert re.search(r"readonly|read-only|只读|Permission denied|无法写入|存储不可用", output), output[-800:]
    assert snapshot(store) == before


def test_read_only_store_error_is_a_chinese_line_without_traceback(tmp_path, city):
    _, files, _, _ = city
    store = tmp_path / "empty-store"
    store.mkdir()
    set_writable(store, False)
    try:
        refused = ingest_cli(files[0], store)
    finally:
        set_writable(store, True)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "Traceback" not in output and CHINESE.search(output), output[-800:]


# ---------------------------------------------------------------- parallel ingest
def test_parallel_ingest_reports_an_unreadable_file_and_goes_on(tmp_path):
    from stores import open_stores
    empty, notes = tmp_path / "empty.txt", tmp_path / "notes.txt"
    empty.write_bytes(b"")
    notes.write_text("会议纪要\n今天讨论了工作安排。\n", encoding="utf-8")
    results = ingest_paths(open_stores(make_settings(tmp_path / "store")), [empty, notes], workers=2)
    assert [r.ok for r in results] == [False, False] and all(CHINESE.search(r.error) for r in results)


# ---------------------------------------------------------------- a full disk
@pytest.fixture()
def tiny_disk(tmp_path):
    """A 8 MB tmpfs (root can mount one), or None where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        yield None
        return
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
    return filler


def test_a_full_disk_is_reported_as_disk_full_and_loses_nothing(tmp_path, tiny_disk, city, monkeypatch):
    _, files, lookups, _ = city
    if tiny_disk is None:       # no tmpfs here: the write boundary fails as a full disk does
        import corpus.load
        from stores import open_stores

        def no_space(*_a, **_k):
            raise OSError(28, "No space left on device")
        stores = open_stores(make_settings(tmp_path / "store"))
        assert ingest_paths(stores, files[:1])[0].ok
        monkeypatch.setattr(corpus.load.shutil, "copyfile", no_space)
        [r] = ingest_paths(stores, files[1:2])
        assert not r.ok and r.error.startswith("磁盘已满"), r.error
        assert files[1].name not in stores.facts.active_versions()
        return
    store = tiny_disk / "store"
    assert ingest_cli(files[0], store).returncode == 0
    filler = fill(tiny_disk)
    full = ingest_cli(files[1], store)
    assert full.returncode == 1 and "Traceback" not in full.stdout + full.stderr
    failed = [x for x in full.stdout.splitlines() if x.startswith("失败 FAILED")]     # the store opens read-only:
    assert failed and all("磁盘已满" in x for x in failed), full.stdout                  # each file says why
    filler.unlink()
    assert set(assert_consistent(store, files[0].parent)) == {files[0].name}
    assert ingest_cli(files[1], store).returncode == 0
    from retrieval.engine import Engine
    engine = Engine(make_settings(store))
    for f in files[:2]:
        assert engine.ask(lookups[f.name]["question"]).value == lookups[f.name]["answer_value"]
