"""Ingest into the real stores (SQLite + Chroma): idempotent, atomic replacement, removal, bad input."""
from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest

from corpus.load import ingest_paths
from stores import open_stores
from tests.conftest import ROOT, SAMPLE, make_settings


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
