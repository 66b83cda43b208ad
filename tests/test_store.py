"""Ingest into the real stores (SQLite + Chroma): idempotent, atomic replacement, removal, bad input."""
from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest

from corpus.load import ingest_paths
from stores import open_stores
from tests.conftest import ROOT, SAMPLE, SCRIPT_DISCLOSURE, make_settings


@pytest.fixture()
def stores(tmp_path):
    return open_stores(make_settings(tmp_path / "store"))


def housing(stores):
    return [f.value for f in stores.facts.facts() if f.code == "221" and f.table_name == "支出总表"
            and f.column.endswith("合计")]


def test_reingest_of_unchanged_file_does_nothing(stores):
    first = ingest_paths(stores, [SAMPLE])[0]
    assert first.ok and not first.skipped and first.facts > 1000
    count = stores.vectors.count()
    again = ingest_paths(stores, [SAMPLE])[0]
    assert again.ok and again.skipped
    assert stores.vectors.count() == count and len(housing(stores)) == 1


def test_changed_file_replaces_old_version_in_both_stores(stores, tmp_path, sample_text):
    path = tmp_path / SAMPLE.name
    path.write_text(sample_text, encoding="utf-8")
    ingest_paths(stores, [path])
    old_chunks = stores.vectors.count()
    path.write_text(sample_text.replace("221\t住房保障支出\t3241.03\t35.03\t3206.00",
                                        "221\t住房保障支出\t3341.03\t135.03\t3206.00"), encoding="utf-8")
    r = ingest_paths(stores, [path])[0]
    assert r.ok and not r.skipped
    assert housing(stores) == [Decimal("3341.03")]
    versions = {v for _, f, v in stores.vectors.all_chunks()}
    assert versions == {stores.facts.active_versions()[path.name]}
    assert stores.vectors.count() == old_chunks


def test_remove_deletes_document_from_both_stores(tmp_path):
    settings = make_settings(tmp_path / "store")
    subprocess.run([sys.executable, "-m", "corpus", str(SAMPLE), "--store", str(tmp_path / "store")],
                   cwd=ROOT, check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-m", "corpus", "--remove", "晋城经济技术开发区建设管理部-2026-部门预算",
                          "--store", str(tmp_path / "store")], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0 and SAMPLE.name in out.stdout
    stores = open_stores(settings)
    assert stores.facts.documents() == [] and stores.facts.facts() == [] and stores.vectors.count() == 0


@pytest.mark.parametrize("name,content,reason", [
    ("empty.txt", b"", "文件为空"),
    ("blank.pdf", b"", "文件为空"),
    ("notes.txt", "今天天气很好，我们去公园散步。\n明天再说。\n".encode(), "不像是预算公开文件"),
    ("junk.txt", bytes(range(256)) * 20, "不支持的文件类型"),
], ids=["empty-text", "empty-pdf", "not-a-disclosure", "binary-junk"])
def test_bad_input_gets_one_clear_line_and_others_still_ingest(tmp_path, name, content, reason):
    bad = tmp_path / name
    bad.write_bytes(content)
    out = subprocess.run([sys.executable, "-m", "corpus", str(bad), str(SAMPLE), "--store", str(tmp_path / "s")],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr
    failed = [x for x in out.stdout.splitlines() if x.startswith("失败")]
    assert len(failed) == 1 and name in failed[0] and reason in failed[0]
    assert any(x.startswith("成功") and SAMPLE.name in x for x in out.stdout.splitlines())
    stores = open_stores(make_settings(tmp_path / "s"))
    assert [d.files for d in stores.facts.documents()] == [(SAMPLE.name,)]


def test_missing_file_is_reported_not_raised(stores, tmp_path):
    r = ingest_paths(stores, [tmp_path / "nope.pdf"])[0]
    assert not r.ok and "file not found" in r.error


# ---------------------------------------------------------------- a file's identity is its content
NAME = "2026年部门预算.txt"


@pytest.fixture()
def two_bodies(tmp_path, sample_text):
    """Two folders, each with 2026年部门预算.txt of another body (the sample and a small disclosure)."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / NAME).write_text(sample_text, encoding="utf-8")
    (b / NAME).write_text(SCRIPT_DISCLOSURE, encoding="utf-8")
    return a, b


def corpus_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "corpus", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_two_files_of_one_name_from_two_bodies_are_both_kept_and_answerable(tmp_path, two_bodies):
    a, b = two_bodies
    out = corpus_cli(a, b, "--store", tmp_path / "store")
    assert out.returncode == 0, out.stdout + out.stderr
    ok = [x for x in out.stdout.splitlines() if x.startswith("成功 OK")]
    assert len(ok) == 2 and "保存为 stored as 2026年部门预算（示例区市场监督管理局）.txt" in ok[1], out.stdout
    from retrieval.engine import Engine
    engine = Engine(make_settings(tmp_path / "store"))
    assert sorted(f for d in engine.documents() for f in d.files) == [
        NAME, "2026年部门预算（示例区市场监督管理局）.txt"]
    assert engine.ask("晋城经济技术开发区建设管理部住房保障支出是多少").value == "3241.03"
    assert engine.ask("示例区市场监督管理局住房保障支出是多少").value == "112.30"
    again = corpus_cli(a, b, "--store", tmp_path / "store")       # the same contents again: nothing changes
    assert again.returncode == 0 and again.stdout.count("跳过 skipped") == 2, again.stdout


def test_the_same_content_under_another_name_or_folder_is_not_stored_twice(stores, tmp_path, sample_text):
    first, copy = tmp_path / "x" / NAME, tmp_path / "y" / "copy.txt"
    for p in (first, copy):
        p.parent.mkdir()
        p.write_text(sample_text, encoding="utf-8")
    assert ingest_paths(stores, [first])[0].ok
    [r] = ingest_paths(stores, [copy])
    assert r.ok and r.skipped and NAME in r.error and r.extra["stored_as"] == NAME
    assert [f.name for f in stores.facts.files()] == [NAME]


def test_an_upload_replaces_the_file_of_its_name_in_its_document_and_keeps_another_bodys(tmp_path, sample_text):
    from retrieval.engine import Engine
    from service import ingest_uploads
    engine = Engine(make_settings(tmp_path / "store"))
    changed = sample_text.replace("221\t住房保障支出\t3241.03\t35.03\t3206.00", "221\t住房保障支出\t3341.03\t135.03\t3206.00")
    [first] = ingest_uploads(engine, [(NAME, sample_text.encode())])
    [other] = ingest_uploads(engine, [(NAME, SCRIPT_DISCLOSURE.encode())])
    [newer] = ingest_uploads(engine, [(NAME, changed.encode())])
    assert first.ok and not first.extra["replaced"]
    assert other.ok and other.extra["stored_as"] == "2026年部门预算（示例区市场监督管理局）.txt" and not other.extra["replaced"]
    assert newer.ok and newer.extra == {"stored_as": NAME, "replaced": True, "name": NAME}
    assert len(engine.stores.facts.files()) == 2
    assert housing(engine.stores) == [Decimal("3341.03")]
    assert engine.ask("示例区市场监督管理局住房保障支出是多少").value == "112.30"


def test_two_uploads_of_one_name_in_one_request_are_both_kept(tmp_path, sample_text):
    from retrieval.engine import Engine
    from service import ingest_uploads
    engine = Engine(make_settings(tmp_path / "store"))
    results = ingest_uploads(engine, [(NAME, sample_text.encode()), (NAME, SCRIPT_DISCLOSURE.encode())])
    assert [r.ok and not r.skipped for r in results] == [True, True]
    assert len(engine.stores.facts.files()) == 2 and len(engine.documents()) == 2


def test_a_store_made_before_file_sources_were_kept_is_migrated_without_losing_anything(tmp_path, sample_text, two_bodies):
    import sqlite3
    a, b = two_bodies
    store = tmp_path / "store"
    assert corpus_cli(a, "--store", store).returncode == 0
    with sqlite3.connect(store / "facts.sqlite3") as c:       # the files table as the first schema had it
        c.execute("DROP INDEX IF EXISTS ix_files_hash")
        for col in ("source", "original", "title", "body"):
            c.execute(f"ALTER TABLE files DROP COLUMN {col}")
        before = c.execute("SELECT count(*) FROM facts").fetchone()[0]
    out = corpus_cli(a, b, "--store", store)
    assert out.returncode == 0 and "跳过 skipped" in out.stdout, out.stdout
    with sqlite3.connect(store / "facts.sqlite3") as c:
        cols = {r[1] for r in c.execute("PRAGMA table_info(files)")}
        rows = c.execute("SELECT name, original FROM files ORDER BY name").fetchall()
        counts = dict(c.execute("SELECT file, count(*) FROM facts GROUP BY file").fetchall())
    assert {"source", "original", "title", "body"} <= cols
    assert rows == [(NAME, None), ("2026年部门预算（示例区市场监督管理局）.txt", NAME)]
    assert counts[NAME] == before


def test_stored_paths_are_relative_so_page_images_survive_moving_the_store(tmp_path):
    from retrieval.engine import Engine
    from tests.conftest import REAL, need_shared
    need_shared(REAL)
    pdf = REAL / "shanghai-putuo-qufuban-2025-dept-budget.pdf"
    assert ingest_paths(open_stores(make_settings(tmp_path / "old")), [pdf])[0].ok
    (tmp_path / "old").rename(tmp_path / "moved")
    engine = Engine(make_settings(tmp_path / "moved"))
    [doc] = engine.documents()
    found = engine.source_file(doc.doc_id, pdf.name)
    assert found is not None and found.read_bytes() == pdf.read_bytes()
    assert str(tmp_path / "moved") in str(found)


# ---------------------------------------------------------------- command lines on a store they cannot use
def run_module(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def assert_one_line(out: subprocess.CompletedProcess, code: int, *words: str) -> None:
    lines = [x for x in (out.stdout + out.stderr).splitlines() if x.strip()]
    assert out.returncode == code and len(lines) == 1 and "Traceback" not in lines[0], out.stdout + out.stderr
    assert all(w in lines[0] for w in words), lines[0]


@pytest.mark.parametrize("command", [
    ("retrieval", "ask", "住房保障支出是多少？"), ("retrieval", "batch", SAMPLE), ("audit",), ("retrieval", "audit"),
    ("corpus", "--remove", "晋城经济技术开发区建设管理部-2026-部门预算")],
    ids=["ask", "batch", "audit", "retrieval-audit", "remove"])
def test_an_explicit_store_that_does_not_exist_is_one_line_and_nothing_is_created(tmp_path, command):
    missing = tmp_path / "misspelt-store"
    out = run_module(*command, "--store", missing)
    assert_one_line(out, 2 if "audit" in command else 1, "找不到存储", str(missing))
    assert not missing.exists() and "3241.03" not in out.stdout


def test_ask_on_a_store_that_cannot_be_opened_is_one_line(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    (store / "facts.sqlite3").write_bytes(b"not a database at all" * 100)
    assert_one_line(run_module("retrieval", "ask", "住房保障支出是多少？", "--store", store), 1, "无法打开存储")
    assert_one_line(run_module("audit", "--store", store), 2, "无法打开存储")
