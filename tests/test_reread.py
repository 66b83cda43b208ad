"""A reading has a version: a store written by an older parser (here: one that filed a 2025 budget as 2024
and misread a figure) is re-read by `python -m corpus --reread`, which says what changed; re-ingesting
the unchanged file re-reads it instead of skipping it as 内容相同; any ingest run on such a store says so."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from decimal import Decimal

import sqlalchemy as sa

from corpus.load import Incoming, ingest_paths, stale_count, write_readings
from ingest.identity import rekey_parsed
from ingest.pipeline import PARSER_VERSION, read_file
from retrieval.engine import Engine
from stores import open_stores
from tests.conftest import ROOT, SCRIPT_DISCLOSURE, make_settings

BODY = "示例区市场监督管理局"
RIGHT, WRONG = f"{BODY}-2025-部门预算", f"{BODY}-2024-部门预算"


def old_store(tmp_path):
    """A store whose one file an older parser read: filed under 2024, 住房保障支出 read as 111.30."""
    path = tmp_path / "shichang-budget.txt"
    path.write_text(SCRIPT_DISCLOSURE, encoding="utf-8")
    reading = read_file(path)
    assert reading.parsed.document.doc_id == RIGHT
    misread = rekey_parsed(reading.parsed, WRONG, BODY, 2024, f"{BODY}2024年度部门预算公开")
    facts = tuple(replace(f, value=Decimal("111.30"), raw="111.30") if f.value == Decimal("112.30") else f
                  for f in misread.facts)
    old = replace(reading, parsed=replace(misread, facts=facts), parser=PARSER_VERSION - 1)
    stores = open_stores(make_settings(tmp_path / "store"))
    [r] = write_readings(stores, [(Incoming(path, path.name, str(path.resolve())), old, None)])
    assert r.ok and r.doc_id == WRONG and stale_count(stores) == 1
    return stores, path


def corpus_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "corpus", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_an_old_store_is_re_read_with_reread_which_says_what_changed(tmp_path):
    stores, path = old_store(tmp_path)
    other = tmp_path / "other.txt"
    other.write_text(SCRIPT_DISCLOSURE.replace(BODY, "示例区财政局"), encoding="utf-8")
    hint = corpus_cli(other, "--store", tmp_path / "store")
    assert hint.returncode == 0 and "python -m corpus --reread" in hint.stdout, hint.stdout + hint.stderr
    out = corpus_cli("--reread", "--store", tmp_path / "store")
    assert out.returncode == 0, out.stdout + out.stderr
    misread = sum(1 for f in read_file(path).parsed.facts if f.value == Decimal("112.30"))
    assert f"变化：{path.name}：文档由 {WRONG} 改为 {RIGHT}，{misread} 个数字不同" in out.stdout, out.stdout
    assert f"成功 OK {path.resolve()}：{RIGHT}" in out.stdout and "files/" not in out.stdout
    assert "重新读取 1 份" in out.stdout
    assert sorted(d.doc_id for d in stores.facts.documents()) == sorted([RIGHT, "示例区财政局-2025-部门预算"])
    assert {f.parser for f in stores.facts.files()} == {PARSER_VERSION} and stale_count(stores) == 0
    active = stores.facts.active_versions()
    assert {(c.doc, v) for c, f, v in stores.vectors.all_chunks() if f == path.name} == {(RIGHT, active[path.name])}
    engine = Engine(make_settings(tmp_path / "store"))
    assert engine.ask(f"{BODY}住房保障支出是多少").value == "112.30"
    again = corpus_cli("--reread", "--store", tmp_path / "store")
    assert again.returncode == 0 and "没有需要重新读取的文件" in again.stdout, again.stdout


def test_re_ingesting_an_unchanged_file_an_older_parser_read_re_reads_it(tmp_path):
    stores, path = old_store(tmp_path)
    [r] = ingest_paths(stores, [path])
    assert r.ok and not r.skipped and r.extra.get("reread") and r.doc_id == RIGHT, r
    assert [d.doc_id for d in stores.facts.documents()] == [RIGHT]
    [r2] = ingest_paths(stores, [path])
    assert r2.skipped and r2.doc_id == RIGHT                   # now current: unchanged


def test_a_store_written_before_readings_had_versions_counts_as_old(tmp_path):
    path = tmp_path / "shichang-budget.txt"
    path.write_text(SCRIPT_DISCLOSURE, encoding="utf-8")
    stores = open_stores(make_settings(tmp_path / "store"))
    assert ingest_paths(stores, [path])[0].ok and stale_count(stores) == 0
    with stores.facts.engine.begin() as c:                    # as a store of the version before this column
        c.execute(sa.text("UPDATE files SET parser = NULL"))
    assert stale_count(stores) == 1
    [r] = ingest_paths(stores, [path])
    assert r.extra.get("reread") and stale_count(stores) == 0
