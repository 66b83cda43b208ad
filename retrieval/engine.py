"""The one way in: Engine.ask(question) -> Answer, used by the CLI, the Streamlit app and the API.

Loads the stores and models once per process; caches facts per document and the BM25 index per
corpus version (the active file versions), so other replicas' ingests are seen on the next question.
"""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from config import SAMPLE_DIR, Settings
from ingest.load import ingest_paths
from retrieval import answer as A
from retrieval.compose import Citer, say, table_label
from retrieval.grounding import ungrounded_numbers
from retrieval.lexical import Bm25Index, add_words, rrf
from retrieval.match import fact_key
from retrieval.stores import open_stores
from retrieval.understand import Query, org_matches, question_to_query, select_docs, without_org
from schema import Answer, Document, Fact, IngestResult, Line

FOLLOWUP_HEAD = ("那", "那么", "还有", "另外", "再问", "那个")


class Engine:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.stores = open_stores(settings)
        self._lock = threading.RLock()
        self._version: tuple = ()
        self._facts: dict[str, list[Fact]] = {}
        self._docs: list[Document] = []
        self._bm25: Bm25Index | None = None
        self._chunks: dict = {}
        self._labels: frozenset[str] = frozenset()
        if settings.load_sample and not self.stores.facts.documents():
            self.ingest_files(sorted(SAMPLE_DIR.glob("*.txt")))

    # ------------------------------------------------------------ corpus state
    def _refresh(self) -> None:
        versions = tuple(sorted(self.stores.facts.active_versions().items()))
        if versions == self._version:
            return
        with self._lock:
            if versions == self._version:     # another request loaded it while this one waited
                return
            self._docs = self.stores.facts.documents()
            self._facts = {}
            active = dict(versions)
            chunks = [(c, f, v) for c, f, v in self.stores.vectors.all_chunks() if active.get(f) == v]
            self._chunks = {c.chunk_id: (c, f) for c, f, _ in chunks}
            labels = {fact_key(x) for d in self._docs for x in self.facts(d.doc_id)}
            add_words({x for x in labels if len(x) <= 20})
            self._labels = frozenset(labels)
            self._bm25 = Bm25Index(list(self._chunks), [c.text for c, _ in self._chunks.values()])
            if versions and not (self._docs and self._chunks):
                return          # a store just back from an outage answered partly: read it again next time
            self._version = versions

    def documents(self) -> list[Document]:
        self._refresh()
        return list(self._docs)

    def facts(self, doc_id: str | None = None) -> list[Fact]:
        if doc_id is None:
            return self.stores.facts.facts()
        if doc_id not in self._facts:
            self._facts[doc_id] = self.stores.facts.facts(doc_id)
        return self._facts[doc_id]

    def lines(self, doc_id: str) -> list[Line]:
        return self.stores.facts.lines(doc_id)

    def tables(self, doc_id: str):
        return self.stores.facts.tables(doc_id)

    def table_facts(self, doc_id: str, table_title: str) -> list[Fact]:
        """The whole table, by its title or by a citation's table field (number + title)."""
        return [f for f in self.facts(doc_id) if table_title in (f.table, table_label(f))]

    def source_file(self, doc_id: str, file_name: str) -> Path | None:
        p = self.stores.facts.stored_path(file_name)
        return Path(p) if p and Path(p).exists() else None

    def ingest_files(self, paths, progress=None, workers: int = 1) -> list[IngestResult]:
        with self._lock:
            results = ingest_paths(self.stores, paths, workers=workers, progress=progress)
            self._version = ()
        return results

    def remove(self, doc_or_file: str) -> list[str]:
        names = self.stores.facts.remove(doc_or_file)
        for n in names:
            self.stores.vectors.delete_file(n)
        self._version = ()
        return names

    # ------------------------------------------------------------ retrieval of passages
    def search(self, text: str, k: int, docs: list[str]) -> list[A.Passage]:
        allowed = {cid for cid, (c, _) in self._chunks.items() if c.doc in docs}
        lexical = [cid for cid, _ in self._bm25.search(text, k=k * 2, allowed=allowed)] if self._bm25 else []
        dense = [h.chunk.chunk_id for h in self.stores.vectors.query(text, k=k * 2, docs=docs)
                 if h.chunk.chunk_id in allowed]
        fused = rrf([lexical, dense])[:k]
        if self.settings.rerank_model and fused:
            from retrieval.rerank import rerank
            order = rerank(self.settings.rerank_model, text, [self._chunks[cid][0].text for cid, _ in fused])
            fused = [fused[i] for i in order]
        out = []
        for cid, score in fused:
            c, f = self._chunks[cid]
            out.append(A.Passage(text=c.text, page=c.page, section=c.section, table=c.table, file=f, score=score))
        return out

    # ------------------------------------------------------------ asking
    def understand(self, question: str, history=()) -> Query:
        return question_to_query(resolve_followup(question, history), self._labels)

    def _prepare(self, question: str, history, doc: str | None) -> tuple[Query, list[Document], str | None]:
        self._refresh()
        q = self.understand(question, history)
        docs = [d for d in self._docs if d.doc_id == doc] if doc else self._docs
        chosen, reason = select_docs(q, docs, self._labels)
        if chosen and q.org and any(org_matches(q.org, d.body) for d in chosen):
            q = without_org(q)
        return q, chosen, reason

    def ask(self, question: str, history=(), doc: str | None = None) -> Answer:
        start = time.perf_counter()
        answer = self._answer(question, history, doc)
        if self.settings.llm_enabled and answer.answerable:
            from retrieval.llm import rephrase
            answer = rephrase(answer, self.settings)
        return replace(answer, latency_ms=ms(start))

    def _answer(self, question: str, history, doc: str | None) -> Answer:
        q, chosen, reason = self._prepare(question, history, doc)
        if not chosen:
            text = say("not_found_doc", reason=reason or "尚未载入任何公开文件")
            return Answer(question=question, answer=text, answerable=False, mode="composer")
        return self._compose(question, q, chosen)

    def ask_stream(self, question: str, history=(), doc: str | None = None) -> Iterator[str | Answer]:
        """Text pieces, then the final Answer (streamed from the LLM when one is configured)."""
        start = time.perf_counter()
        composed = self._answer(question, history, doc)
        if not (self.settings.llm_enabled and composed.answerable):
            yield composed.answer
            yield replace(composed, latency_ms=ms(start))
            return
        from retrieval.llm import rephrase_stream
        for piece in rephrase_stream(composed, self.settings):
            yield replace(piece, latency_ms=ms(start)) if isinstance(piece, Answer) else piece

    def _compose(self, question: str, q: Query, chosen: list[Document]) -> Answer:
        citer = Citer()
        drafts: list[tuple[Document, A.Draft]] = []
        for d in chosen[:6]:
            facts = self.facts(d.doc_id)
            draft = A.draft_for_doc(q, d, facts, lambda t, k, d=d: self.search(t, k, [d.doc_id]), citer)
            drafts.append((d, draft))
        found = [(d, x) for d, x in drafts if x.found]
        if not found:
            sugg = list(dict.fromkeys(s for _, x in drafts for s in x.suggestions))[:5]
            text = say("not_found", item=q.item or question)
            if sugg:
                text += say("suggest", items="、".join(sugg))
            return Answer(question=question, answer=text, answerable=False, suggestions=tuple(sugg),
                          docs=tuple(d.doc_id for d in chosen))
        parts = []
        for d, x in found:
            head = say("multi_doc_head", doc=f"{d.body}·{d.scope}{d.kind}") if len(found) > 1 else ""
            parts.append(head + "".join(x.sentences))
        text = "\n".join(parts)
        allowed = set().union(*(x.allowed for _, x in found))
        if len(found) == 1 and len(self._docs) > 1:
            d = found[0][0]
            text += "\n" + say("used_doc", doc=f"{d.body}{d.scope}{d.kind}")
        bad = ungrounded_numbers(text, citer.citations, question, allowed)
        if bad:   # never show a figure that is not in a source: drop the lines holding it
            text = "\n".join(s for s in text.split("\n") if not ungrounded_numbers(s, citer.citations, question, allowed))
        if not text.strip():
            return Answer(question=question, answer=say("not_found", item=q.item or question), answerable=False,
                          docs=tuple(d.doc_id for d in chosen))
        first = found[0][1]
        return Answer(question=question, answer=text, answerable=True, value=first.value, unit=first.unit,
                      citations=tuple(citer.citations), docs=tuple(d.doc_id for d, _ in found))


def resolve_followup(question: str, history) -> str:
    q = question.strip()
    prev = [h.get("content", "") for h in (history or []) if h.get("role") == "user"]
    if not prev:
        return q
    short = len(q) <= 12 and (q.startswith(FOLLOWUP_HEAD) or q.rstrip("？?").endswith("呢"))
    if not short:
        return q
    core = q.lstrip("那么还有另外再问个").rstrip("？?。").rstrip("呢")
    return f"{prev[-1].rstrip('？?。')}，{core}"


def ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


_ENGINES: dict[Settings, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def get_engine(settings: Settings) -> Engine:
    """One engine per settings per process (thread-safe: sessions starting together share it)."""
    with _ENGINES_LOCK:
        if settings not in _ENGINES:
            _ENGINES[settings] = Engine(settings)
        return _ENGINES[settings]


def ask(question: str, settings: Settings, history=(), doc: str | None = None) -> Answer:
    return get_engine(settings).ask(question, history, doc)
