"""The one way in: Engine.ask(question) -> Answer, used by the CLI, the Streamlit app and the API.

The engine is the corpus state and `ask`. Before each question it reads the active file versions (one
small SELECT), so other processes' ingests are seen on the next question; a change reloads only the
document list and labels, and each document's facts and passage index load on first use, cached by the
versions of its files (bounded LRUs). Understanding, drafting and composing are pure functions
(understand.py, answer.py, compose.py) over what it loads.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

from config import Settings
from labels import label_to_key
from retrieval import answer as A
from retrieval.bodies import label_trigrams
from retrieval.cache import Lru
from retrieval.citizen import is_foreign, question_to_plain
from retrieval.compose import (
    drafts_to_answer,
    example_questions,
    foreign_answer,
    not_found_answer,
    refusal,
    table_label,
)
from retrieval.draft import Draft
from retrieval.followup import resolve_followup
from retrieval.hybrid import HybridSearch
from retrieval.understand import Query, Refusal, as_asked, read_question, select_docs
from schema import Answer, Document, Fact, Line
from stores import open_stores

MAX_DOCS = 12           # documents one answer speaks about when the question names none


@dataclass(frozen=True)
class Corpus:
    """What a question is answered over, swapped as one object when an ingest anywhere changes it."""
    versions: tuple = ()
    docs: tuple[Document, ...] = ()
    labels: frozenset[str] = frozenset()
    trigrams: frozenset[str] = frozenset()      # of the labels: where a body name runs into an item

    def doc_key(self, d: Document) -> tuple:
        """A document as of its files' active versions: the cache key of its facts and passages."""
        active = dict(self.versions)
        return (d.doc_id, tuple((f, active.get(f)) for f in d.files))


class Engine:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.stores = open_stores(settings)
        self._lock = threading.RLock()
        self._corpus = Corpus()
        self._facts: Lru[list[Fact]] = Lru(settings.cache_docs)
        self.hybrid = HybridSearch(self.stores.vectors, settings.cache_docs, settings.rerank_model)

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
            self.hybrid.add_words({x for x in labels - self._corpus.labels if len(x) <= 20})
            self._corpus = Corpus(versions=versions, docs=docs, labels=labels, trigrams=label_trigrams(labels))
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

    # ------------------------------------------------------------ passages
    def search(self, text: str, k: int, docs: list[str]) -> tuple[A.Passage, ...]:
        corpus = self._corpus
        active = dict(corpus.versions)
        indexes = [self.hybrid.index(d.doc_id, corpus.doc_key(d), active) for d in corpus.docs if d.doc_id in docs]
        return self.hybrid.search(text, k, indexes, docs)

    # ------------------------------------------------------------ asking
    def ask(self, question: str, history=(), doc: str | None = None) -> Answer:
        start = time.perf_counter()
        answer = self._answer(question, history, doc)
        if self.settings.llm_enabled and answer.answerable:
            from retrieval.llm import rephrase
            answer = rephrase(answer, self.settings)
        return replace(answer, latency_ms=ms(start))

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

    def explain(self, question: str, history=(), doc: str | None = None) -> list:
        """Per document the question would be answered from: the query as read, candidates and coverage."""
        from retrieval.explain import explain_doc
        q, chosen, _ = self._prepare(question, history, doc)
        return [explain_doc(q, d, self.facts(d.doc_id)) for d in chosen[:MAX_DOCS]]

    def _prepare(self, question: str, history, doc: str | None) -> tuple[Query, list[Document], Refusal | None]:
        corpus = self._refresh()
        docs = [d for d in corpus.docs if d.doc_id == doc] if doc else list(corpus.docs)
        plain = question_to_plain(resolve_followup(question, history))
        q = read_question(plain, tuple(d.body for d in docs), corpus.trigrams)
        scope = select_docs(q, docs)
        q = replace(as_asked(q, question), earlier_columns=scope.earlier_columns)
        if scope.before and not any(A.change_answer(q, d, self.facts(d.doc_id)) for d in scope.docs):
            # 比2018年多还是少, the change not stated: each year's own figure from its own document, side by side
            return replace(q, intent="lookup"), list(scope.docs + scope.before), scope.refusal
        return q, list(scope.docs), scope.refusal

    def _answer(self, question: str, history, doc: str | None) -> Answer:
        if is_foreign(question):
            return foreign_answer(question, example_questions(self._refresh().labels))
        q, chosen, why = self._prepare(question, history, doc)
        if why and why.key == "next_year":
            return not_found_answer(question, example_questions(self._refresh().labels))
        if not chosen:
            return refusal(question, why or Refusal("refuse_empty"))
        loaded = len(self._corpus.docs)
        across = q.across_bodies or len(q.bodies) > 1       # 省政协和省委办公厅哪个会议费多
        if q.intent in ("rank_max", "rank_min") and len({d.body for d in chosen}) > 1 and across:
            ranked = A.rank_documents(q, [(d, self.facts(d.doc_id)) for d in chosen])
            if ranked:
                return replace(drafts_to_answer(question, [(chosen[0], ranked)], 1),
                               docs=tuple(d.doc_id for d in chosen))
        drafts = self._drafts(q, chosen[:MAX_DOCS])
        if q.compared_years or q.compared_earlier:
            drafts = A.years_compared(drafts)
        found = [(d, x) for d, x in drafts if x.found]
        named = [(d, x) for d, x in found if not x.broad_only]
        if named and len(named) < len(found):    # a document that has the item itself answers alone
            drafts = named
        suggestions = tuple(dict.fromkeys(s for _, x in drafts for s in x.suggestions))[:3]
        answer = drafts_to_answer(question, drafts, loaded, suggestions or example_questions(self._corpus.labels))
        if not answer.answerable and self.settings.llm_enabled and self.settings.llm_plan:
            return self._planned(question, q, chosen) or answer
        return answer

    def _planned(self, question: str, q: Query, chosen: list[Document]) -> Answer | None:
        """The model's reading of the question (plan.py), checked against what is loaded, answered by the
        same drafting; None when there is no plan or it finds nothing either."""
        from retrieval.plan import plan_question, plan_to_query
        plan = plan_question(question, self.settings, chosen, self._corpus.labels)
        if plan is None:
            return None
        planned = plan_to_query(plan, q)
        docs = [d for d in chosen if not planned.bodies or d.body in planned.bodies]
        docs = [d for d in docs if not planned.years or d.year in planned.years]
        answer = drafts_to_answer(question, self._drafts(planned, docs[:MAX_DOCS]), len(self._corpus.docs))
        return replace(answer, mode="llm-plan") if answer.answerable else None

    def _drafts(self, q: Query, docs: list[Document]) -> list[tuple[Document, Draft]]:
        """Each document's draft from its facts; drafted again with its passages where it needs them
        (the passages of all those documents fetched together)."""
        drafts = [(d, A.draft_for_doc(q, d, self.facts(d.doc_id))) for d in docs]
        needing = [d for d, x in drafts if x.needs_passages]
        if not needing:
            return drafts
        corpus, active = self._corpus, dict(self._corpus.versions)
        indexes = {d.doc_id: self.hybrid.index(d.doc_id, corpus.doc_key(d), active) for d in needing}
        passages = self.hybrid.search_each(A.passage_query(q), 6, indexes)
        return [(d, A.draft_for_doc(q, d, self.facts(d.doc_id), passages[d.doc_id]) if x.needs_passages else x)
                for d, x in drafts]


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
