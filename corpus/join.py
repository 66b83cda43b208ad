"""A disclosure printed in two files becomes one stored document, in whichever order they came.

The tables of a disclosure are often printed apart from its text and print no year (or the body
another way). A file that arrives after its document joins it as it is parsed (`unify_identity` in
corpus/load.py); a stored document that turns out to belong to a newly written one is moved into it
here: its chunks first, then its facts, lines, tables and files in one SQL transaction, each file under
a new version so that every process reloads it.
"""
from __future__ import annotations

import hashlib

from ingest.identity import unify_identity
from schema import Document, Parsed
from stores import Stores


def joined_version(digest: str, doc_id: str) -> str:
    """The version of a stored file moved into another document: new, so every reader reloads it."""
    return hashlib.sha1(f"{digest}|{doc_id}".encode()).hexdigest()[:12]


def join_stored_documents(stores: Stores) -> list[tuple[str, str]]:
    """A stored document that belongs to another stored one (the tables of a disclosure that print no
    year or body, ingested before its text) is moved into it: its chunks first, then in one SQL
    transaction its facts, lines, tables and files. Returns (moved document, target) pairs; run at the
    end of every ingest, so a run killed between the two steps is completed by the next one."""
    moved = []
    with stores.facts.writer_lock():
        docs = stores.facts.documents()
        for d in docs:
            if d.year is not None and d.body:
                continue
            others = [k for k in docs if k.doc_id != d.doc_id]
            target_id = unify_identity(Parsed(document=d, facts=(), chunks=()), others).document.doc_id
            target = next((k for k in others if k.doc_id == target_id), None)
            if target is not None:
                _move_document(stores, d, target)
                moved.append((d.doc_id, target.doc_id))
    return moved


def _move_document(stores: Stores, d: Document, target: Document) -> None:
    own = [f for f in stores.facts.files() if f.doc_id == d.doc_id]
    versions = {f.name: joined_version(f.hash, target.doc_id) for f in own}
    for f in own:
        stores.vectors.retag_file(f.name, target.doc_id, versions[f.name])
    stores.facts.rekey_document(d.doc_id, target, versions)
