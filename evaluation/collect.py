"""The thin adapter between a store and the pure generation: each document's facts and lines -> Sources."""
from __future__ import annotations

from evaluation.generate import Source, documents_to_probes, read_lexicon, sample_probes, source_of
from evaluation.inventory import facts_to_inventory
from evaluation.records import Probe


def store_to_sources(facts_store, doc_ids: set[str] | None = None) -> list[Source]:
    """Every document of a facts store that is not a blank form (or only those of doc_ids)."""
    out = []
    for d in facts_store.documents():
        if d.is_template or (doc_ids and d.doc_id not in doc_ids):
            continue
        facts = facts_store.facts(d.doc_id)
        labels = [x for f in facts if f.table for x in (f.label, f.column)]
        lines = [x.text for x in facts_store.lines(d.doc_id)]
        out.append(source_of(d, facts_to_inventory(facts), lines, labels))
    return out


def sources_to_probes(sources: list[Source], caps: dict[str, int] | None = None) -> list[Probe]:
    probes = documents_to_probes(sources, read_lexicon())
    return sample_probes(probes, caps) if caps else probes


def skipped_of(sources: list[Source]) -> dict[str, dict[str, int]]:
    return {s.document.doc_id: dict(s.inventory.skipped) for s in sources}
