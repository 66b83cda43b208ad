"""How an engine holds a growing corpus: parse workers embed, writes are batched, and each document's
facts and search index load on use, by file version, in a bounded cache."""
from __future__ import annotations

import numpy as np
import pytest

from bench.make_corpus import make_corpus
from corpus.load import ingest_paths
from retrieval.engine import Engine
from stores import open_stores
from stores.vectors import embed_chunks, embedding_text
from tests.conftest import SAMPLE, make_settings


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    out = tmp_path_factory.mktemp("town")
    manifest, questions = make_corpus(6, out, seed=5, pdf_share=0, questions_per_doc=3)
    lookups = {m["file"]: next(q for q in questions if q["file"] == m["file"] and q["kind"] == "lookup")
               for m in manifest}
    return out, manifest, lookups


def stored_vectors(stores, file: str) -> dict[str, np.ndarray]:
    got = stores.vectors.collection.get(where={"file": file}, include=["embeddings"])
    return dict(zip(got["ids"], np.asarray(got["embeddings"])))


def test_vectors_embedded_in_parse_workers_equal_those_of_the_main_process(tmp_path, town):
    out, manifest, _ = town
    files = [out / m["file"] for m in manifest[:3]]
    alone, pooled = open_stores(make_settings(tmp_path / "a")), open_stores(make_settings(tmp_path / "b"))
    assert all(r.ok for r in ingest_paths(alone, files, workers=1))
    assert all(r.ok for r in ingest_paths(pooled, files, workers=2))
    for f in files:
        a, b = stored_vectors(alone, f.name), stored_vectors(pooled, f.name)
        assert a and a.keys() == b.keys()
        assert all(np.allclose(a[k], b[k], atol=1e-5) for k in a), f.name


def test_a_table_chunk_is_embedded_by_its_title_and_header_and_its_text_is_kept_whole(sample_parsed):
    table = next(c for c in sample_parsed.chunks if c.kind == "table" and "住房保障支出" in c.text)
    text = embedding_text(table)
    assert table.table in text and "3241.03" not in text and len(text.split("\n")) == 2
    prose = next(c for c in sample_parsed.chunks if c.kind == "text")
    assert embedding_text(prose).endswith(prose.text.split("\n", 1)[1])

    class Counting:
        def __init__(self):
            self.texts = []

        def embed(self, texts):
            self.texts += texts
            return [[float(len(t))] for t in texts]
    counting = Counting()
    vectors = embed_chunks(counting, list(sample_parsed.chunks))
    assert len(vectors) == len(sample_parsed.chunks) > len(counting.texts) == len(set(counting.texts))


def test_batched_writes_keep_every_file_whole_and_report_each(tmp_path, town):
    out, manifest, _ = town
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    stores = open_stores(make_settings(tmp_path / "store"))
    files = [out / m["file"] for m in manifest]
    results = ingest_paths(stores, files[:3] + [broken] + files[3:], workers=2)
    assert [r.file for r in results] == [str(p) for p in files[:3] + [broken] + files[3:]]
    assert [r.ok for r in results] == [True] * 3 + [False] + [True] * (len(files) - 3)
    active = stores.facts.active_versions()
    live = {}
    for _, f, v in stores.vectors.all_chunks():
        assert active.get(f) == v
        live[f] = live.get(f, 0) + 1
    assert live == {r.file.rsplit("/", 1)[-1]: r.chunks for r in results if r.ok}


def test_a_replicas_new_version_is_answered_on_the_next_question(tmp_path, sample_text):
    settings = make_settings(tmp_path / "store")
    path = tmp_path / SAMPLE.name
    path.write_text(sample_text, encoding="utf-8")
    writer, reader = Engine(settings), Engine(settings)
    assert ingest_paths(writer.stores, [path])[0].ok
    assert reader.ask("住房保障支出是多少").value == "3241.03"
    path.write_text(sample_text.replace("3241.03", "3341.03"), encoding="utf-8")
    assert ingest_paths(writer.stores, [path])[0].ok
    assert reader.ask("住房保障支出是多少").value == "3341.03"


def test_memory_holds_at_most_the_configured_documents_and_answers_stay_right(tmp_path, town):
    out, manifest, lookups = town
    engine = Engine(make_settings(tmp_path / "store", BUDGETQA_CACHE_DOCS=2))
    assert all(r.ok for r in ingest_paths(engine.stores, [out / m["file"] for m in manifest]))
    for _ in range(2):
        for m in manifest:
            q = lookups[m["file"]]
            assert engine.ask(q["question"]).value == q["answer_value"], q["question"]
            assert len(engine._facts) <= 2 and len(engine.hybrid._indexes) <= 2


# ---------------------------------------------------------------- a disclosure in two files
YEARLESS_TABLES = """示例区市场监督管理局
部门预算公开表

预算公开表1
部门收支总表
部门名称：示例区市场监督管理局
单位：万元
收入\t\t支出\t\t\t
项目\t预算数\t项目\t合计\t当年预算安排\t上年结转安排
一、一般公共预算\t512.30\t一、一般公共服务支出\t400.00\t400.00\t
\t\t二、住房保障支出\t112.30\t112.30\t
收入总计\t512.30\t支出总计\t512.30\t512.30\t
"""
ITS_TEXT = """示例区市场监督管理局
2025年度部门预算公开

第一部分 部门概况
一、主要职责
负责全区市场监督管理，组织实施质量强区战略，承担食品安全监督管理综合协调。

第二部分 2025年部门预算情况说明
一、收支预算总体情况
2025年收入预算512.30万元，支出预算512.30万元。其中一般公共服务支出400.00万元。
"""
JOINED = "示例区市场监督管理局-2025-部门预算"


@pytest.fixture()
def yearless_pair(tmp_path):
    tables, text = tmp_path / "tables.txt", tmp_path / "text.txt"
    tables.write_text(YEARLESS_TABLES, encoding="utf-8")
    text.write_text(ITS_TEXT, encoding="utf-8")
    return tables, text


def assert_one_document(engine: Engine, doc_id: str, files: set[str]) -> None:
    [d] = [d for d in engine.documents() if doc_id == d.doc_id or set(d.files) & files]
    assert d.doc_id == doc_id and set(d.files) == files
    assert {f.doc for f in engine.stores.facts.facts() if f.file in files} == {doc_id}
    assert {c.doc for c, f, _ in engine.stores.vectors.all_chunks() if f in files} == {doc_id}
    active = engine.stores.facts.active_versions()
    assert {f for _, f, v in engine.stores.vectors.all_chunks([doc_id]) if active.get(f) == v} == files


def test_tables_printing_no_year_ingested_first_alone_are_moved_into_their_text_when_it_arrives(tmp_path, yearless_pair):
    tables, text = yearless_pair
    engine = Engine(make_settings(tmp_path / "store"))
    [alone] = ingest_paths(engine.stores, [tables])
    assert alone.ok and alone.doc_id == "示例区市场监督管理局-未知年度-部门预算"
    [joined] = ingest_paths(engine.stores, [text])                      # a later run
    assert joined.ok and joined.doc_id == JOINED and joined.extra["joined"] == [alone.doc_id]
    assert_one_document(engine, JOINED, {tables.name, text.name})
    a = engine.ask("示例区市场监督管理局2025年住房保障支出是多少")        # a figure only the tables file has
    assert a.value == "112.30" and a.docs == (JOINED,)
    assert ingest_paths(engine.stores, [tables, text]) and len(engine.documents()) == 1     # reruns change nothing


def test_a_move_killed_after_the_chunks_is_completed_by_the_next_run(tmp_path, yearless_pair):
    from corpus.join import joined_version
    tables, text = yearless_pair
    engine = Engine(make_settings(tmp_path / "store"))
    assert ingest_paths(engine.stores, [tables])[0].ok
    [row] = engine.stores.facts.files()
    engine.stores.vectors.retag_file(row.name, JOINED, joined_version(row.hash, JOINED))     # step 1 done, then killed
    assert ingest_paths(engine.stores, [text])[0].ok                                          # the next run
    assert_one_document(engine, JOINED, {tables.name, text.name})


@pytest.mark.parametrize("tables_first", [True, False], ids=["tables-first", "text-first"])
def test_real_jiangsu_disclosures_in_two_files_join_in_either_order_and_run(tmp_path, tables_first):
    """Each real Jiangsu disclosure is a text PDF and a tables PDF: ingested one file per run, in either
    order, each pair is one document holding both files' facts, and the store is the same either way."""
    from tests.conftest import REAL, need_shared
    need_shared(REAL)
    pairs = [(p, p.with_name(p.name.replace("-tables", ""))) for p in sorted(REAL.glob("jiangsu-*-tables.pdf"))]
    engine = Engine(make_settings(tmp_path / "store"))
    for tables, text in pairs:
        for path in ((tables, text) if tables_first else (text, tables)):     # two runs
            [r] = ingest_paths(engine.stores, [path])
            assert r.ok and not r.skipped, r
    docs = {d.doc_id: set(d.files) for d in engine.documents()}
    assert sorted(docs.values(), key=sorted) == sorted(({t.name, x.name} for t, x in pairs), key=sorted)
    for doc_id, names in docs.items():
        assert_one_document(engine, doc_id, names)
    facts = engine.stores.facts.facts()
    for tables, text in pairs:
        assert {f.file for f in facts if f.file in (tables.name, text.name)} == {tables.name, text.name}
    summary = sorted((d.doc_id, d.title, d.body, d.year, d.pages, d.files) for d in engine.documents())
    other = Engine(make_settings(tmp_path / "other"))
    for tables, text in pairs:
        for path in ((text, tables) if tables_first else (tables, text)):
            assert ingest_paths(other.stores, [path])[0].ok
    assert sorted((d.doc_id, d.title, d.body, d.year, d.pages, d.files) for d in other.documents()) == summary
