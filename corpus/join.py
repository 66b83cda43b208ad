"""Files of one disclosure become one stored document, in whichever order and runs they came.

Each file is written under the document its own reading gives. Then, at the end of every ingest, a
stored document that is shown to belong to another (ingest/identity.py `join_reason`: the same body
printed, or the same file name, or one upload; the same year; totals that agree) is moved into the one
ranked above it: its chunks first, then its facts, lines, tables and files in one SQL transaction, each
file under a new version so that every process reloads it. A document with no such evidence stays
apart (a body not printed is stored under its file's name, 单位待确认), so the result is the same in
any order and any number of runs.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace

from ingest.identity import Member, facts_to_totals, formal_body, join_target, name_key
from schema import Document
from stores import Stores


def joined_version(digest: str, doc_id: str) -> str:
    """The version of a stored file moved into another document: new, so every reader reloads it."""
    return hashlib.sha1(f"{digest}|{doc_id}".encode()).hexdigest()[:12]


def store_to_members(stores: Stores) -> tuple[dict[str, Member], dict[str, Document]]:
    """Every stored document as a join weighs it (totals only for those that have a candidate)."""
    docs = {d.doc_id: d for d in stores.facts.documents() if not d.is_template}
    by_doc: dict[str, list] = {}
    for r in stores.facts.join_files():
        by_doc.setdefault(r.doc_id, []).append(r)
    members = {}
    for doc_id, d in docs.items():
        mine = by_doc.get(doc_id, [])
        confirmed = any(not r.review for r in mine) if mine else bool(d.body)
        members[doc_id] = Member(doc_id, d.body, d.year, d.kind, d.scope, confirmed,
                                 frozenset(k for r in mine if (k := name_key(r.original or r.name))),
                                 frozenset(), frozenset(r.batch for r in mine if r.batch))
    index = Index(members)
    paired = sorted(m for m in members if index.candidates(members[m]))
    totals = stores.facts.totals(paired)
    for doc_id in paired:
        members[doc_id] = replace(members[doc_id], totals=facts_to_totals(totals.get(doc_id, [])))
    return members, docs


def buckets(m: Member) -> set[str]:
    """Where a document's possible partners are: its body's last four characters (one body printed with or
    without its place shares them), its file-name keys, its upload."""
    return {f"body:{m.kind}:{formal_body(m.body)[-4:]}"} | {f"key:{k}" for k in m.keys} | {f"up:{b}" for b in m.batches}


class Index:
    """Documents by bucket, so that each is weighed against the few that may be its partners."""

    def __init__(self, members: dict[str, Member]):
        self.members = members
        self.by_bucket: dict[str, set[str]] = {}
        for m in members.values():
            self.add(m)

    def add(self, m: Member) -> None:
        self.members[m.doc_id] = m
        for b in buckets(m):
            self.by_bucket.setdefault(b, set()).add(m.doc_id)

    def drop(self, m: Member) -> None:
        del self.members[m.doc_id]
        for b in buckets(m):
            self.by_bucket[b].discard(m.doc_id)

    def candidates(self, m: Member) -> list[Member]:
        ids = set().union(*(self.by_bucket.get(b, set()) for b in buckets(m))) - {m.doc_id}
        return [self.members[i] for i in sorted(ids)]


def join_stored_documents(stores: Stores) -> list[tuple[str, str, str]]:
    """Moves each stored document shown to belong to another into it, lowest ranked first; returns
    (moved document, target, reason). Run at the end of every ingest, so a run killed between the two
    steps of a move is completed by the next one."""
    moved = []
    with stores.facts.writer_lock():
        members, docs = store_to_members(stores)
        index = Index(members)
        pending = sorted(members.values(), key=lambda m: m.rank)
        while pending:
            m = pending.pop(0)
            found = join_target(m, index.candidates(m))
            if found is None:
                continue
            target, why = found
            _move_document(stores, docs[m.doc_id], docs[target.doc_id])
            merged = replace(target, keys=target.keys | m.keys, totals=target.totals | m.totals,
                             batches=target.batches | m.batches)
            index.drop(m)
            index.drop(target)
            index.add(merged)
            pending = sorted(index.members.values(), key=lambda x: x.rank)      # a move may give others a partner
            moved.append((m.doc_id, target.doc_id, why))
    return moved


def _move_document(stores: Stores, d: Document, target: Document) -> None:
    own = [f for f in stores.facts.files() if f.doc_id == d.doc_id]
    versions = {f.name: joined_version(f.hash, target.doc_id) for f in own}
    for f in own:
        stores.vectors.retag_file(f.name, target.doc_id, versions[f.name])
    stores.facts.rekey_document(d.doc_id, target, versions)
