"""The one way in: Engine.ask(question) -> Answer, used by the CLI, the Streamlit app and the API.

Loads the stores and models once per process. Before each question it reads the active file versions
(one small SELECT), so other replicas' ingests are seen on the next question; a change reloads only the
document list and labels, and each document's facts and BM25 index load on first use, cached by the
versions of its files (a bounded LRU), so a city's corpus costs neither a long reload nor its RAM.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

from config import Settings
from retrieval import answer as A
from retrieval.cache import Lru
from retrieval.compose import Citer, say, table_label
from retrieval.grounding import ungrounded_numbers
from retrieval.lexical import Bm25Index, add_words, rrf
from retrieval.match import label_to_key
from retrieval.understand import Query, org_matches, question_to_query, resolve_org, select_docs, without_org
from schema import Answer, AnswerPart, Document, Fact, Line
from stores import open_stores

FOLLOWUP_HEAD = ("那", "那么", "还有", "另外", "再问", "那个")


@dataclass(frozen=True)
class Corpus:
    """What a question is answered over, swapped as one object when an ingest anywhere changes it."""
    versions: tuple = ()
    docs: tuple[Document, ...] = ()
    labels: frozenset[str] = frozenset()

    def doc_key(self, d: Document) -> tuple:
        """A document as of its files' active versions: the cache key of its facts and passages."""
        active = dict(self.versions)
        return (d.doc_id, tuple((f, active.get(f)) for f in d.files))


@dataclass(frozen=True)
class DocPassages:
    chunks: dict          # chunk_id -> (Chunk, file)
    bm25: Bm25Index


class Engine:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.stores = open_stores(settings)
        self._lock = threading.RLock()
        self._corpus = Corpus()
        self._facts: Lru[list[Fact]] = Lru(settings.cache_docs)
        self._passages: Lru[DocPassages] = Lru(settings.cache_docs)

    # ------------------------------------------------------------ corpus state
    def _refresh(self) -> Corpus:
        """Cheap when nothing changed (one small SELECT); after a change, reads the document list and
        the distinct labels only. Facts and passages of each document load on first use, by version."""
        versions = tuple(sorted(self.stores.facts.active_versions().items()))
        if versions == self._corpus.versions:
            return self._corpus
        with self._lock:
            if versions == self._corpus.versions:     # another request loaded it while this one waited
                return self._corpus
            docs = tuple(self.stores.facts.documents())
            labels = frozenset(label_to_key(x) for x in self.stores.facts.labels())
            new_words = {x for x in labels - self._corpus.labels if len(x) <= 20}
            if new_words:
                add_words(new_words)
                self._passages.clear()       # BM25 tokens must be cut with the same dictionary as questions
            self._corpus = Corpus(versions=versions, docs=docs, labels=labels)
            return self._corpus

    def documents(self) -> list[Document]:
        return list(self._refresh().docs)

    def facts(self, doc_id: str | None = None) -> list[Fact]:
        if doc_id is None:
            return self.stores.facts.facts()
        d = next((d for d in self._corpus.docs if d.doc_id == doc_id), None)
        if d is None:
            return self.stores.facts.facts(doc_id)
        return self._facts.get(self._corpus.doc_key(d), lambda: self.stores.facts.facts(doc_id))

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

    # ------------------------------------------------------------ retrieval of passages
    def _doc_passages(self, corpus: Corpus, d: Document) -> DocPassages:
        def load() -> DocPassages:
            active = dict(corpus.versions)
            chunks = {c.chunk_id: (c, f) for c, f, v in self.stores.vectors.all_chunks([d.doc_id])
                      if active.get(f) == v}
            return DocPassages(chunks, Bm25Index(list(chunks), [c.text for c, _ in chunks.values()]))
        return self._passages.get(corpus.doc_key(d), load)

    def search(self, text: str, k: int, docs: list[str]) -> list[A.Passage]:
        corpus = self._corpus
        indexes = [self._doc_passages(corpus, d) for d in corpus.docs if d.doc_id in docs]
        chunks = {cid: cf for x in indexes for cid, cf in x.chunks.items()}
        lexical = [cid for cid, _ in sorted((hit for x in indexes for hit in x.bm25.search(text, k=k * 2)),
                                            key=lambda h: -h[1])][:k * 2]
        dense = [h.chunk.chunk_id for h in self.stores.vectors.query(text, k=k * 2, docs=docs)
                 if h.chunk.chunk_id in chunks]
        fused = rrf([lexical, dense])[:k]
        if self.settings.rerank_model and fused:
            from retrieval.rerank import rerank
            order = rerank(self.settings.rerank_model, text, [chunks[cid][0].text for cid, _ in fused])
            fused = [fused[i] for i in order]
        out = []
        for cid, score in fused:
            c, f = chunks[cid]
            out.append(A.Passage(text=c.text, page=c.page, section=c.section, table=c.table, file=f, score=score))
        return out

    # ------------------------------------------------------------ asking
    def _prepare(self, question: str, history, doc: str | None) -> tuple[Query, list[Document], str | None]:
        corpus = self._refresh()
        q = question_to_query(resolve_followup(question, history), corpus.labels)
        docs = [d for d in corpus.docs if d.doc_id == doc] if doc else list(corpus.docs)
        q = resolve_org(q, docs, corpus.labels)
        chosen, reason = select_docs(q, docs, corpus.labels)
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

    def _drafts(self, q: Query, docs: list[Document], citer: Citer) -> list[tuple[Document, A.Draft]]:
        return [(d, A.draft_for_doc(q, d, self.facts(d.doc_id), lambda t, k, d=d: self.search(t, k, [d.doc_id]),
                                    citer)) for d in docs]

    def _compose(self, question: str, q: Query, chosen: list[Document]) -> Answer:
        citer = Citer()
        if q.intent in ("rank_max", "rank_min") and len(chosen) > 1 and A.ACROSS_BODIES.search(question):
            across = A.rank_documents(q, [(d, self.facts(d.doc_id)) for d in chosen], citer)
            if across:
                return Answer(question=question, answer="".join(across.sentences), answerable=True,
                              value=across.value, unit=across.unit, citations=tuple(citer.citations),
                              docs=tuple(d.doc_id for d in chosen))
        drafts = self._drafts(q, chosen[:6], citer)
        found = [(d, x) for d, x in drafts if x.found]
        named = [d for d, x in found if not x.broad_only]
        if named and len(named) < len(found):    # a document that has the item itself answers alone
            citer = Citer()
            drafts = self._drafts(q, named, citer)
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
            heading = f"{d.body}·{d.scope}{d.kind}" if len(found) > 1 else ""
            parts.append(AnswerPart(doc_id=d.doc_id, heading=heading, text="".join(x.sentences), value=x.value,
                                    unit=x.unit))
        text = "\n".join((say("multi_doc_head", doc=p.heading) if p.heading else "") + p.text for p in parts)
        allowed = set().union(*(x.allowed for _, x in found))
        bad = ungrounded_numbers(text, citer.citations, question, allowed)
        if bad:   # never show a figure that is not in a source: drop the lines holding it
            text = "\n".join(s for s in text.split("\n") if not ungrounded_numbers(s, citer.citations, question, allowed))
        if not text.strip():
            return Answer(question=question, answer=say("not_found", item=q.item or question), answerable=False,
                          docs=tuple(d.doc_id for d in chosen))
        if len(found) == 1 and len(self._corpus.docs) > 1:
            d = found[0][0]
            text += "\n" + say("used_doc", doc=f"{d.body}{d.scope}{d.kind}")
        first = found[0][1]
        kept = [p for p in parts if p.text and not ungrounded_numbers(p.text, citer.citations, question, allowed)]
        return Answer(question=question, answer=text, answerable=True, value=first.value, unit=first.unit,
                      citations=tuple(citer.citations), docs=tuple(d.doc_id for d, _ in found), parts=tuple(kept))


def resolve_followup(question: str, history) -> str:
    q = question.strip()
    prev = [h.get("content", "") for h in (history or []) if h.get("role") == "user"]
    if not prev:
        return q
    short = len(q) <= 12 and (q.startswith(FOLLOWUP_HEAD) or q.rstrip("？?").endswith("呢"))
    if not short:
        return q
    core = q.lstrip("那么还有另外再问个").rstrip("？?。").rstrip("呢")
    before = prev[-1].rstrip("？?。")
    new, old = question_to_query(core), question_to_query(before)
    if new.item and new.item in core and not new.measures and old.item and old.item in before:
        return before.replace(old.item, new.item, 1)     # 那城乡社区支出呢: the same question of another item
    return f"{before}，{core}"                           # 那2025年呢, 那项目支出呢: the same item, narrowed


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
