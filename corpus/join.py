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

from ingest.identity import Member, facts_to_totals, join_target, name_key
from schema import Document
from stores import Stores


def joined_version(digest: str, doc_id: str) -> str:
    """The version of a stored file moved into another document: new, so every reader reloads it."""
    return hashlib.sha1(f"{digest}|{doc_id}".encode()).hexdigest()[:12]


def store_to_members(stores: Stores) -> tuple[dict[str, Member], dict[str, Document]]:
    """Every stored document as a join weighs it."""
    docs = {d.doc_id: d for d in stores.facts.documents() if not d.is_template}
    rows = [r for r in stores.facts.join_files() if r.doc_id in docs]
    totals = stores.facts.totals(sorted(docs))
    members = {}
    for doc_id, d in docs.items():
        mine = [r for r in rows if r.doc_id == doc_id]
        confirmed = any(not r.review for r in mine) if mine else bool(d.body)
        members[doc_id] = Member(doc_id, d.body, d.year, d.kind, d.scope, confirmed,
                                 frozenset(k for r in mine if (k := name_key(r.original or r.name))),
                                 facts_to_totals(totals.get(doc_id, [])),
                                 frozenset(r.batch for r in mine if r.batch))
    return members, docs


def join_stored_documents(stores: Stores) -> list[tuple[str, str, str]]:
    """Moves each stored document shown to belong to another into it, lowest ranked first; returns
    (moved document, target, reason). Run at the end of every ingest, so a run killed between the two
    steps of a move is completed by the next one."""
    moved = []
    with stores.facts.writer_lock():
        members, docs = store_to_members(stores)
        changed = True
        while changed:
            changed = False
            for m in sorted(members.values(), key=lambda m: m.rank):
                found = join_target(m, [k for k in members.values() if k.doc_id != m.doc_id])
                if found is None:
                    continue
                target, why = found
                _move_document(stores, docs[m.doc_id], docs[target.doc_id])
                members[target.doc_id] = replace(target, keys=target.keys | m.keys, totals=target.totals | m.totals,
                                                 batches=target.batches | m.batches)
                del members[m.doc_id]
                moved.append((m.doc_id, target.doc_id, why))
                changed = True
                break
    return moved


def _move_document(stores: Stores, d: Document, target: Document) -> None:
    own = [f for f in stores.facts.files() if f.doc_id == d.doc_id]
    versions = {f.name: joined_version(f.hash, target.doc_id) for f in own}
    for f in own:
        stores.vectors.retag_file(f.name, target.doc_id, versions[f.name])
    stores.facts.rekey_document(d.doc_id, target, versions)
