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
            assert len(engine._facts) <= 2 and len(engine._passages) <= 2
