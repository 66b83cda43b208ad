"""Planted disclosures (PDFs generated here) that tempt a wrong join: the tables of one body beside the
narrative of another body of the same year (same file-name stem, same totals, one upload), and a
disclosure whose cover is an image and which prints its body nowhere. Staff correct an identity with
`python -m corpus FILE --as 单位,年度,类别`, and the correction outlives re-ingest."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from bench.pdfgen import text_to_pdf
from corpus.__main__ import result_line
from corpus.load import ingest_paths, remove
from stores import open_stores
from tests.conftest import ROOT, make_settings

YEAR = 2025
TABLES = """{body}
{year}年部门预算公开表

预算公开表1
{year}年部门收支总表
部门名称：{body}
单位：万元
收入\t\t支出\t\t\t
项目\t{year}年预算数\t项目\t合计\t当年预算安排\t上年结转安排
一、一般公共预算\t512.30\t一、一般公共服务支出\t400.00\t400.00\t
\t\t二、住房保障支出\t112.30\t112.30\t
收入总计\t512.30\t支出总计\t512.30\t512.30\t
"""
NARRATIVE = """{body}
{year}年度部门预算公开

第一部分 部门概况
一、主要职责
负责本区有关工作，组织实施本部门年度计划。

第二部分 {year}年部门预算情况说明
一、收支预算总体情况
{year}年，{body}收入预算512.30万元，支出预算512.30万元。其中一般公共服务支出400.00万元。
"""
FINANCE, EDUCATION = "示例区财政局", "示例区教育局"
# a disclosure whose body is printed only on its cover (an image): tables print no 部门名称 line
NO_BODY_TABLES = """{year}年部门预算公开表

预算公开表1
{year}年部门收支总表
单位：万元
收入\t\t支出\t\t\t
项目\t{year}年预算数\t项目\t合计\t当年预算安排\t上年结转安排
一、一般公共预算\t873.10\t一、教育支出\t800.00\t800.00\t
\t\t二、住房保障支出\t73.10\t73.10\t
收入总计\t873.10\t支出总计\t873.10\t873.10\t
"""


def make_pdf(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    text_to_pdf(text, path)
    return path


def image_cover_pdf(folder: Path, name: str) -> Path:
    """Page 1: the cover as a picture (no text layer); then tables that never print the body."""
    picture = folder / "cover.png"
    image = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 200, 540, 320), outline="black", width=6)     # where a printed title would be
    draw.rectangle((120, 360, 480, 420), fill="darkred")
    image.save(picture)
    cover = folder / "cover.pdf"
    c = canvas.Canvas(str(cover), pagesize=A4)
    c.drawImage(str(picture), 40, 80, width=515, height=680)
    c.showPage()
    c.save()
    tables = make_pdf(folder, "tables-part.pdf", NO_BODY_TABLES.format(year=YEAR))
    doc = pdfium.PdfDocument(str(cover))
    doc.import_pages(pdfium.PdfDocument(str(tables)))
    path = folder / name
    doc.save(str(path))
    doc.close()
    return path


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted")
    return {
        # the same stem (one would be the other's tables file), the same year and totals: two bodies
        "tables": make_pdf(folder, "shiliqu-2025-budget-tables.pdf", TABLES.format(body=FINANCE, year=YEAR)),
        "narrative": make_pdf(folder, "shiliqu-2025-budget.pdf", NARRATIVE.format(body=EDUCATION, year=YEAR)),
        "other": make_pdf(folder, "wanli-2025.pdf", NARRATIVE.format(body="示例区万里街道办事处", year=YEAR)),
        "image": image_cover_pdf(folder, "xx-daxue-2025-budget.pdf"),
    }


def summary(stores) -> list[tuple]:
    return sorted((d.doc_id, d.body, d.year, tuple(sorted(d.files))) for d in stores.facts.documents())


def test_tables_of_one_body_never_join_the_narrative_of_another_in_any_order_run_or_upload(tmp_path, planted):
    a, b = planted["tables"], planted["narrative"]
    expected = [(f"{EDUCATION}-2025-部门预算", EDUCATION, YEAR, (b.name,)),
                (f"{FINANCE}-2025-部门预算", FINANCE, YEAR, (a.name,))]
    for i, (runs, uploads) in enumerate([([[a, b]], False), ([[b, a]], False), ([[a], [b]], False),
                                         ([[b], [a]], False), ([[a, b]], True)]):
        stores = open_stores(make_settings(tmp_path / str(i)))
        results = [r for run in runs for r in ingest_paths(stores, run, uploads=uploads)]
        assert all(r.ok and not r.skipped for r in results), results
        assert summary(stores) == expected, (runs, uploads)
        assert not any("合为一份" in result_line(r) or "并入" in result_line(r) for r in results)


def test_a_disclosure_whose_cover_is_an_image_is_stored_under_its_file_name_and_marked_for_staff(tmp_path, planted):
    stores = open_stores(make_settings(tmp_path / "store"))
    for run in ([planted["other"]], [planted["image"]], [planted["other"], planted["image"]]):
        results = ingest_paths(stores, run)
        assert all(r.ok for r in results)
    [mine] = [d for d in stores.facts.documents() if planted["image"].name in d.files]
    assert mine.files == (planted["image"].name,) and mine.year == YEAR      # never joined to 万里's 2025
    assert mine.doc_id == "xx-daxue-2025-budget（单位待确认）-2025-部门预算" and mine.body == "xx-daxue-2025-budget"
    assert stores.facts.unconfirmed() == [mine.doc_id]
    fresh = open_stores(make_settings(tmp_path / "fresh"))
    [r] = ingest_paths(fresh, [planted["image"]])
    assert "单位待确认" in result_line(r) and "--as" in result_line(r)


def corpus_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "corpus", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_staff_correction_refiles_the_document_and_survives_re_ingest(tmp_path, planted):
    store = tmp_path / "store"
    image = planted["image"]
    first = corpus_cli(image, planted["other"], "--store", store)
    assert first.returncode == 0 and "单位待确认" in first.stdout, first.stdout + first.stderr
    assert first.stdout.splitlines()[-1].startswith("共 2 个文件：新增 2 份，替换 0 份，合并 0 组")
    assert first.stdout.splitlines()[-1].endswith("；1 份单位待确认")
    fixed = corpus_cli(image, "--as", "某某大学,2025,部门预算", "--store", store)
    assert fixed.returncode == 0 and "某某大学-2025-部门预算" in fixed.stdout, fixed.stdout + fixed.stderr
    assert "新增 0 份" in fixed.stdout and "更正 1 份" in fixed.stdout
    stores = open_stores(make_settings(store))
    [mine] = [d for d in stores.facts.documents() if image.name in d.files]
    assert (mine.doc_id, mine.body, mine.year) == ("某某大学-2025-部门预算", "某某大学", YEAR)
    assert stores.facts.unconfirmed() == []
    assert {f.doc for f in stores.facts.facts() if f.file == image.name} == {"某某大学-2025-部门预算"}
    assert {c.doc for c, f, _ in stores.vectors.all_chunks() if f == image.name} == {"某某大学-2025-部门预算"}
    again = corpus_cli(image, "--store", store)                             # unchanged: kept as corrected
    assert again.returncode == 0 and "跳过 skipped" in again.stdout
    remove(stores, image.name)
    [back] = ingest_paths(stores, [image])                                  # ingested anew: corrected again
    assert back.ok and back.doc_id == "某某大学-2025-部门预算" and "单位待确认" not in result_line(back)
    bad = corpus_cli(image, "--as", "某某大学,二〇二五,预算表", "--store", store)
    assert bad.returncode == 2 and "--as 的格式" in bad.stdout


def test_files_that_are_not_pdf_or_text_get_their_own_line_and_the_others_still_ingest(tmp_path, planted):
    from tests.conftest import REAL, SCRIPT_DISCLOSURE, need_shared
    need_shared(REAL)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "disclosure.txt").write_text(SCRIPT_DISCLOSURE, encoding="utf-8")
    (folder / "SOURCES.md").write_bytes((REAL / "SOURCES.md").read_bytes())
    (folder / "figures.xlsx").write_bytes(b"PK\x03\x04" + bytes(200))
    Image.new("RGB", (40, 40), "white").save(folder / "cover.png")
    (folder / "corpus.jsonl").write_text('{"file": "x.pdf"}\n', encoding="utf-8")
    stores = open_stores(make_settings(tmp_path / "store"))
    results = {r.name: r for r in ingest_paths(stores, [folder])}
    assert results["disclosure.txt"].ok and not results["disclosure.txt"].skipped
    for name, what in (("SOURCES.md", "说明文档"), ("figures.xlsx", "电子表格"), ("cover.png", "图片"),
                       ("corpus.jsonl", "说明文档")):
        line = result_line(results[name])
        assert results[name].ok and results[name].skipped, line
        assert "不是 PDF 或文本格式的预算公开文件" in line and what in line and "模板" not in line, line
    assert [d.files for d in stores.facts.documents()] == [("disclosure.txt",)]
