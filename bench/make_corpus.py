"""python bench/make_corpus.py N [--out DIR] [--seed S] [--pdf-share 0.3]

Writes N synthetic disclosures of one city's departments (部门预算 / 部门决算, 2019–2026) in the
bundled sample's form (title lines, 单位：万元, tab-separated tables with 科目编码 rows, 三公 table,
project table, narrative 第三部分 stating totals and shares), a share of them as PDF via
`tests/pdfgen.py` when it exists, and beside them:

  corpus.jsonl     one line per file: file, doc_id, body, year, kind, pages
  questions.jsonl  id, question (naming department and year), answer_value, unit, kind, doc, source

Figures are consistent inside a document (children sum to parents, 合计 = 基本 + 项目, the narrative
restates the tables) and deterministic from the seed. Amounts are held as integer 分 of 万元.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus_model import Model, build_model, model_for, pct, rng_for, tree_rows, yuan  # noqa: E402
from bench.corpus_spec import DEPARTMENTS, DISTRICTS  # noqa: E402
from bench.corpus_text import model_to_text  # noqa: E402

YEARS = tuple(range(2019, 2027))
KINDS = ("预算", "决算")
LINES_PER_PAGE = 40


# ---------------------------------------------------------------- questions drawn from the model
ECON_ASKED = ("办公费", "差旅费", "培训费", "印刷费", "电费", "绩效工资", "基本工资", "津贴补贴", "工会经费")


def candidate_questions(m: Model, prev: Model) -> list[tuple[int, dict]]:
    """(weight, question) pairs; each question names the department, the year and the kind."""
    ask = f"{m.body}{m.year}年部门{m.kind}中"
    money = lambda q, v, src, kind="lookup": {"question": ask + q, "answer_value": yuan(v), "unit": "万元",  # noqa: E731
                                             "kind": kind, "source": src}
    rows = tree_rows(m.leaves)
    names = [n for _, n, _, _, _ in rows]
    out: list[tuple[int, dict]] = []
    for code, name, total, _, _ in rows:
        values = {t for _, n, t, _, _ in rows if n == name}
        if len(values) == 1 and (len(code) == 3 or names.count(name) == 1 or len(code) == 7):
            out.append((3 if len(code) == 3 else 1, money(f"{name}是多少？", total, "支出总表")))
    out += [(2, money("基本支出是多少？", m.basic, "支出总表")), (2, money("项目支出合计多少？", m.project, "支出总表")),
            (2, money("人员经费是多少？", m.personnel, "基本支出分经济科目表")),
            (2, money("收入总计是多少？", m.total, "收支总表"))]
    econ = {n: a for n, _, a, _ in m.econ}
    out += [(1, money(f"{n}是多少？", econ[n], "基本支出分经济科目表")) for n in ECON_ASKED if econ.get(n)]
    if m.kind == "预算":
        out += [(1, money(f"{p.name}安排了多少资金？", p.amount, "项目支出表")) for p in m.projects]
        top = max(m.projects, key=lambda p: p.amount)
        if sum(p.amount == top.amount for p in m.projects) == 1:
            out.append((2, money("哪个项目的预算最多？", top.amount, "项目支出表", "rank")))
    total3 = sum(m.sangong.values())
    out.append((2, money("“三公”经费是多少？", total3, "三公经费表") if total3 else
                {"question": ask + "“三公”经费是多少？", "answer_value": "0", "unit": "万元", "kind": "empty",
                 "source": "三公经费表"}))
    out.append((2, {"question": ask + "基本支出占总支出的比例是多少？", "answer_value": pct(m.basic, m.total),
                    "unit": "%", "kind": "ratio", "source": "第三部分"}))
    out.append((2, {**money("收入总计比上年增减了多少？", abs(m.total - prev.total), "第三部分", "change")}))
    procurement = sum(m.procurement)
    out.append((2, money(f"政府采购{m.kind}总额是多少？", procurement, "第三部分", "text")))
    out.append((2, {"question": ask + "办公用房建筑面积是多少平方米？", "answer_value": str(m.office_area),
                    "unit": "平方米", "kind": "text", "source": "第三部分"}))
    return out


def pick_questions(r: random.Random, candidates: list[tuple[int, dict]], k: int) -> list[dict]:
    pool = list(candidates)
    chosen: list[dict] = []
    while pool and len(chosen) < k:
        i = r.choices(range(len(pool)), weights=[w for w, _ in pool])[0]
        chosen.append(pool.pop(i)[1])
    return chosen


# ---------------------------------------------------------------- files
@dataclass(frozen=True)
class Spec:
    district: int
    dept: int
    year: int
    kind: str

    @property
    def stem(self) -> str:
        return f"yunchuan-d{self.district + 1}-{self.dept + 1:02d}-{self.year}-{'budget' if self.kind == '预算' else 'final'}"


def choose_specs(n: int, seed: int) -> list[Spec]:
    every = [Spec(d, p, y, k) for d in range(len(DISTRICTS)) for p in range(len(DEPARTMENTS))
             for y in YEARS for k in KINDS]
    if n > len(every):
        raise SystemExit(f"at most {len(every)} distinct disclosures (districts × departments × years × kinds)")
    random.Random(seed).shuffle(every)
    return sorted(every[:n], key=lambda s: s.stem)


def pdf_writer(layout: str | None):
    """A function (text, path, rng) -> pages drawing with tests/pdfgen.py, or None when it is absent.

    layout None: each PDF gets one of pdfgen's layouts (ruled, unruled, landscape, split), as a city's
    departments print theirs differently."""
    try:
        from bench.pdfgen import LAYOUTS, text_to_pdf
    except ImportError:
        return None

    def write(text: str, path: Path, r: random.Random) -> int:
        from reportlab import rl_config
        invariant, rl_config.invariant = rl_config.invariant, 1     # no timestamp or random id: same bytes
        try:
            pages = text_to_pdf(text, path, layout=layout or r.choice(LAYOUTS))
        finally:
            rl_config.invariant = invariant
        return pages if isinstance(pages, int) else pdf_pages(path)
    return write


def pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(path))
    try:
        return len(doc)
    finally:
        doc.close()


def write_one(spec: Spec, out: Path, seed: int, as_pdf, questions_per_doc: int) -> tuple[dict, list[dict]]:
    dept = DEPARTMENTS[spec.dept]
    m = model_for(seed, DISTRICTS[spec.district], dept, spec.year, spec.kind)
    prev = build_model(seed, DISTRICTS[spec.district], dept, spec.year - 1, spec.kind)
    text = model_to_text(m, prev)
    if as_pdf:
        path = out / f"{spec.stem}.pdf"
        pages = as_pdf(text, path, rng_for(seed, "layout", spec.stem))
    else:
        path = out / f"{spec.stem}.txt"
        path.write_text(text, encoding="utf-8")
        pages = -(-text.count("\n") // LINES_PER_PAGE)
    doc_id = f"{m.body}-{m.year}-部门{m.kind}"
    entry = {"file": path.name, "doc_id": doc_id, "body": m.body, "year": m.year, "kind": m.kind, "pages": pages,
             "format": path.suffix[1:]}
    qs = pick_questions(rng_for(seed, "q", spec.stem), candidate_questions(m, prev), questions_per_doc)
    return entry, [{**q, "doc": doc_id, "file": path.name} for q in qs]


def make_corpus(n: int, out: Path, seed: int = 7, pdf_share: float = 0.3, questions_per_doc: int = 2,
                pdf_layout: str | None = None) -> tuple[list[dict], list[dict]]:
    """Write the files, corpus.jsonl and questions.jsonl under `out`; returns (manifest, questions)."""
    out.mkdir(parents=True, exist_ok=True)
    writer = pdf_writer(pdf_layout) if pdf_share > 0 else None
    if pdf_share > 0 and writer is None:
        print("tests/pdfgen.py not found: writing every disclosure as text", file=sys.stderr)
    pick = random.Random(f"{seed}|pdf")
    manifest, questions = [], []
    for spec in choose_specs(n, seed):
        as_pdf = writer if writer and pick.random() < pdf_share else None
        entry, qs = write_one(spec, out, seed, as_pdf, questions_per_doc)
        manifest.append(entry)
        questions.extend(qs)
    for i, q in enumerate(questions, 1):
        q["id"] = f"g{i:04d}"
    _write_jsonl(out / "corpus.jsonl", manifest)
    _write_jsonl(out / "questions.jsonl", [{"id": q.pop("id"), **q} for q in questions])
    return manifest, questions


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("n", type=int, help="number of disclosures")
    p.add_argument("--out", type=Path, default=Path("/tmp/budgetqa-corpus"))
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--pdf-share", type=float, default=0.3, help="share written as PDF (needs tests/pdfgen.py)")
    p.add_argument("--pdf-layout", default=None, help="one tests/pdfgen.py layout for every PDF (default: mixed)")
    p.add_argument("--questions-per-doc", type=int, default=2)
    args = p.parse_args(argv)
    manifest, questions = make_corpus(args.n, args.out, args.seed, args.pdf_share, args.questions_per_doc,
                                      args.pdf_layout)
    pdfs = sum(1 for m in manifest if m["format"] == "pdf")
    print(f"{len(manifest)} disclosures ({pdfs} PDF, {sum(m['pages'] for m in manifest)} pages) and "
          f"{len(questions)} questions in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
