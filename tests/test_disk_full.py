"""Read-only is a mode, not a failure: a store on a full disk or in a read-only folder still answers (the
fact database read-only, the index from a copy); a disk that fills part-way through an ingest is reported
as 磁盘已满 for every file that did not go in, whatever layer ran out of room, and nothing is half-stored.

The full disk is a real one: a small tmpfs (root mounts it; under CI=true, which runs as root, nothing
skips)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import SAMPLE_DIR
from tests.conftest import REAL, ROOT, SCRIPT_DISCLOSURE, make_settings, need_shared, skip_or_fail
from tests.test_faults import set_writable, unprivileged

SAMPLE = next(SAMPLE_DIR.glob("*.txt"))
HOUSING = "住房保障支出是多少？"
SAMPLE_VALUE = "3241.03"
LATER = sorted(REAL.glob("shanghai-*.pdf"))            # ingested once the disk is nearly full


@pytest.fixture()
def disk(tmp_path):
    """A 64 MB tmpfs of its own."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        skip_or_fail("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        skip_or_fail(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def corpus_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "corpus", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)


def ask_cli(store: Path, question: str = HOUSING, privileged: bool = True) -> dict:
    """The question asked by a newly started process; its JSON answer (or the failure)."""
    cmd = [sys.executable, "-m", "retrieval", "ask", question, "--json", "--store", str(store)]
    done = subprocess.run(cmd if privileged else unprivileged(cmd), cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout[-500:] + done.stderr[-1500:]
    return json.loads(done.stdout)


def fill_leaving(disk: Path, free_mb: int) -> Path:
    """Fill the disk, then give back `free_mb` MB."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
    os.truncate(filler, max(0, filler.stat().st_size - free_mb * 2**20))
    return filler


def stored_state(store: Path) -> tuple[dict[str, str], dict[str, int], dict[str, set[str]]]:
    """(active file versions, facts per file, the versions of each file's chunks), read as any reader does."""
    from stores import open_stores
    stores = open_stores(make_settings(store))
    facts: dict[str, int] = {}
    for f in stores.facts.facts():
        facts[f.file] = facts.get(f.file, 0) + 1
    chunks: dict[str, set[str]] = {}
    for _, file, version in stores.vectors.all_chunks():
        chunks.setdefault(file, set()).add(version)
    return stores.facts.active_versions(), facts, chunks


def assert_whole(store: Path) -> dict[str, str]:
    """Every stored file has its facts and its active version's chunks; no facts of an unstored file."""
    active, facts, chunks = stored_state(store)
    assert set(facts) == set(active), (set(facts) ^ set(active))
    for name, version in active.items():
        assert version in chunks.get(name, set()), f"{name}: no chunks of its active version"
    return active


@pytest.mark.parametrize("free_mb", [5, 9])      # 5: Chroma says "Error in compaction"; 9: some files fit
def test_a_disk_that_fills_part_way_through_an_ingest_says_disk_full_and_the_store_keeps_answering(disk, free_mb):
    need_shared(REAL)
    store = disk / "store"
    assert corpus_cli(SAMPLE, "--store", store).returncode == 0
    filler = fill_leaving(disk, free_mb)
    run = corpus_cli(*LATER, "--workers", "2", "--store", store)
    out = run.stdout + run.stderr
    failed = [x for x in run.stdout.splitlines() if x.startswith("失败 FAILED")]
    assert "Traceback" not in out and failed, out[-1500:]                  # the disk did fill
    assert all("磁盘已满" in x for x in failed), failed                     # whatever layer ran out of room
    assert "存储不可用" not in out, out[-1500:]
    ok = {Path(x.split(" ", 2)[2].split("：")[0]).name for x in run.stdout.splitlines() if x.startswith("成功 OK")}
    # while the disk stays full: nothing half-stored, and a newly started process answers
    active = assert_whole(store)
    assert set(active) == {SAMPLE.name} | ok, (set(active), ok)
    assert ask_cli(store)["value"] == SAMPLE_VALUE
    # room again: the files that failed go in, the store whole
    filler.unlink()
    again = corpus_cli(*LATER, "--workers", "2", "--store", store)
    assert again.returncode == 0, again.stdout[-1500:] + again.stderr[-1500:]
    assert set(assert_whole(store)) >= {SAMPLE.name} | {f.name for f in LATER if re.search(
        rf"成功 OK \S*{re.escape(f.name)}", again.stdout)} | ok


def test_the_api_started_on_a_full_disk_answers(disk):
    from bench.servers import ApiServer
    store = disk / "store"
    assert corpus_cli(SAMPLE, "--store", store).returncode == 0
    fill_leaving(disk, 0)
    assert shutil.disk_usage(disk).free < 2**20
    api = ApiServer({"BUDGETQA_STORE": str(store), "BUDGETQA_LOAD_SAMPLE": "0", "BUDGETQA_RATE_LIMIT": "0"})
    try:
        api.start(ready_seconds=300)                    # /api/health: facts, embedder and index all answer
        import httpx
        answer = httpx.post(api.url + "/api/ask", json={"question": HOUSING}, timeout=60).json()
        assert answer["value"] == SAMPLE_VALUE, answer
        assert [d["doc_id"] for d in httpx.get(api.url + "/api/docs", timeout=60).json()["documents"]]
        assert "Traceback" not in api.log_text()
    finally:
        api.close()
    # the server's copy of the index, if its end left it, goes when the next copy is made
    from stores.vectors import ReadOnlyCopy
    fresh = ReadOnlyCopy()
    fresh.refresh(store / "chroma")
    fresh.drop()
    assert not [p for p in Path("/dev/shm").glob(f"budgetqa-index-{api.proc.pid}-*")]


def test_a_store_in_a_read_only_folder_answers_and_refuses_ingest_without_a_trace(tmp_path):
    store, other = tmp_path / "store", tmp_path / "other.txt"
    other.write_text(SCRIPT_DISCLOSURE, encoding="utf-8")
    assert corpus_cli(SAMPLE, "--store", store).returncode == 0
    copies = set(Path("/dev/shm").glob("budgetqa-index-*"))
    set_writable(store, False)
    try:
        assert ask_cli(store, privileged=False)["value"] == SAMPLE_VALUE
        refused = subprocess.run(unprivileged([sys.executable, "-m", "corpus", str(other), "--store", str(store)]),
                                 cwd=ROOT, capture_output=True, text=True, timeout=300)
    finally:
        set_writable(store, True)
    assert refused.returncode != 0 and "Traceback" not in refused.stdout + refused.stderr
    assert re.search(r"[\u4e00-\u9fff]", refused.stdout + refused.stderr)
    assert set(Path("/dev/shm").glob("budgetqa-index-*")) <= copies      # the read-only copy went with its process


def test_a_process_on_a_full_disk_reads_then_writes_again_once_there_is_room(disk, monkeypatch):
    from stores import open_facts, sqlite_open
    from stores.facts import DiskFull
    monkeypatch.setattr(sqlite_open, "READ_ONLY_FOR", 0.2)
    store = disk / "store"
    assert corpus_cli(SAMPLE, "--store", store).returncode == 0
    filler = fill_leaving(disk, 0)
    facts = open_facts(make_settings(store))
    assert SAMPLE.name in facts.active_versions()              # opened read-only: it answers
    with pytest.raises(DiskFull):
        facts.remove("no-such-document")                       # a write: refused as a full disk
    filler.unlink()
    time.sleep(0.3)
    assert facts.remove("no-such-document") == []              # room again: the same process writes
    assert SAMPLE.name in facts.active_versions()
