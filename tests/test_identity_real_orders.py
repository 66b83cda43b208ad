"""Every real disclosure of ../shared/corpus/real in one store: each document is one body's, with the body,
year and kind its cover prints, whatever the order the files come in and however many runs they take;
files that are not disclosures (SOURCES.md) get their own line. Each file is read and embedded once per
session (`real_readings`); every store below writes and joins those readings for real."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from corpus.__main__ import result_line, summary_line
from corpus.load import Incoming, write_readings
from ingest.errors import IngestError
from ingest.identity import formal_body, same_body
from ingest.pipeline import Reading, read_file
from stores import open_stores
from stores.vectors import embed_chunks
from tests.conftest import REAL, make_settings, need_shared
from tests.test_real_pdfs import BY_HAND

SEEDS = (3, 14, 159)


@pytest.fixture(scope="session")
def real_readings(tmp_path_factory):
    """name -> (Incoming, Reading or IngestError, vectors): every file of the real folder read once."""
    need_shared(REAL)
    embedder = open_stores(make_settings(tmp_path_factory.mktemp("embedder"))).vectors.embedder
    out = {}
    for path in sorted(p for p in REAL.iterdir() if p.is_file()):
        try:
            reading: Reading | IngestError = read_file(path)
        except IngestError as e:
            reading = e
        vectors = None
        if isinstance(reading, Reading) and reading.parsed.chunks and not reading.parsed.document.is_template:
            vectors = embed_chunks(embedder, list(reading.parsed.chunks))
        out[path.name] = (Incoming(path, path.name, str(path.resolve())), reading, vectors)
    return out


def sources_table() -> dict[str, tuple[str, str, str]]:
    """SOURCES.md's rows: file -> (body, year, kind); 〃 repeats the body above, (-tables) names two files."""
    rows, body = {}, ""
    for line in (REAL / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not cells[0].endswith(".pdf"):
            continue
        body = body if cells[1] == "〃" else cells[1]
        for name in {cells[0].replace("(-tables)", ""), cells[0].replace("(-tables)", "-tables")}:
            rows[name] = (body, cells[2], cells[3])
    return rows


def ingest(tmp_path: Path, readings: dict, runs: list[list[str]]):
    """A fresh store; each run writes the named files' readings in the order given. -> (store, results)."""
    stores = open_stores(make_settings(tmp_path))
    results = []
    for names in runs:
        results += write_readings(stores, [readings[n] for n in names])
    return stores, results


def documents(stores) -> dict[frozenset, tuple]:
    """files -> (doc_id, body, year, kind, scope): the store's documents, keyed by what they hold."""
    return {frozenset(d.files): (d.doc_id, d.body, d.year, d.kind, d.scope) for d in stores.facts.documents()}


def expected_documents() -> dict[frozenset, tuple]:
    """The documents the covers print (BY_HAND): one per body (formal name), year, scope and kind."""
    groups: dict[tuple, set] = {}
    for name, (body, year, kind, scope, template) in BY_HAND.items():
        if not template:
            groups.setdefault((formal_body(body), year, scope, kind), set()).add(name)
    return {frozenset(files): key for key, files in groups.items()}


def orders(names: list[str]) -> dict[str, list[list[str]]]:
    """Three seeded random orders in one run each, and a fourth order spread over several runs."""
    out = {}
    for seed in SEEDS:
        shuffled = names[:]
        random.Random(seed).shuffle(shuffled)
        out[f"one run, seed {seed}"] = [shuffled]
    rng = random.Random(2653)
    shuffled = names[:]
    rng.shuffle(shuffled)
    runs, i = [], 0
    while i < len(shuffled):
        n = rng.randint(1, 4)
        runs.append(shuffled[i:i + n])
        i += n
    out[f"{len(runs)} runs"] = runs
    return out


def test_sources_md_and_by_hand_agree_on_every_real_pdf():
    need_shared(REAL)
    pdfs = {p.name for p in REAL.glob("*.pdf")}
    listed = sources_table()
    assert set(listed) == pdfs == set(BY_HAND)
    for name, (body, year, kind) in listed.items():
        if name.startswith("template"):
            assert BY_HAND[name][4]
            continue
        by_hand = BY_HAND[name]
        assert (str(by_hand[1]), by_hand[3] + by_hand[2]) == (year, kind), name
        assert same_body(body, by_hand[0]) or body.replace("万里街道", "人民政府万里街道") == by_hand[0], name


def test_every_real_pdf_is_one_document_of_the_body_year_and_kind_its_cover_prints_in_any_order(
        tmp_path, real_readings):
    names = sorted(real_readings)
    expected = expected_documents()
    assert len(expected) == 18 and sum(map(len, expected)) == 23
    seen = {}
    for label, runs in orders(names).items():
        stores, results = ingest(tmp_path / re.sub(r"\W", "_", label), real_readings, runs)
        docs = documents(stores)
        assert set(docs) == set(expected), label                 # the same grouping of files, every time
        for files, (doc_id, body, year, kind, scope) in docs.items():
            printed = {BY_HAND[f][0] for f in files}
            assert all(same_body(body, p) for p in printed), (label, doc_id, printed)   # one body per document
            assert (formal_body(body), year, scope, kind) == expected[files], (label, doc_id)
        assert stores.facts.unconfirmed() == [], label
        facts = stores.facts.facts()
        assert all(f.doc == docs[next(k for k in docs if f.file in k)][0] for f in facts), label
        seen[label] = sorted(docs.values())
        by_name = {r.name: r for r in results}
        assert by_name["template-dept-final-accounts-blank.pdf"].skipped
        assert "模板" in by_name["template-dept-final-accounts-blank.pdf"].error
        sources = by_name["SOURCES.md"]
        assert sources.ok and sources.skipped and "不是 PDF 或文本格式的预算公开文件" in result_line(sources)
        assert "模板" not in result_line(sources)
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert len({repr(v) for v in seen.values()}) == 1, seen     # the very same documents in every order


def test_a_real_two_file_disclosure_says_its_files_became_one_document(tmp_path, real_readings):
    pair = ["jiangsu-zhengxie-2018-dept-budget-tables.pdf", "jiangsu-zhengxie-2018-dept-budget.pdf"]
    _, results = ingest(tmp_path, real_readings, [pair])
    lines = [result_line(r) for r in results]
    assert all("合为一份文档" in x and "江苏省政协办公厅-2018-部门预算" in x for x in lines), lines
    assert all(re.search(r"\d+ 个数字，\d+ 段文字", x) and "facts=" not in x for x in lines), lines
    assert summary_line(results).startswith("共 2 个文件：新增 1 份，替换 0 份，合并 1 组"), summary_line(results)
