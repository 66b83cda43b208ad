"""Document identity (body, year, kind, scope) and the blank-form check, on real PDFs and on generated
disclosures where the year is printed in one place only, or the previous year more often than the current."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from bench.pdfgen import text_to_pdf
from corpus import ingest_paths
from ingest.identity import (
    blocks_to_identity,
    clean_body,
    doc_id_for,
    document_to_member,
    facts_to_totals,
    formal_body,
    is_body,
    join_reason,
    join_target,
    name_key,
    same_body,
    unify_identity,
)
from ingest.pipeline import blocks_to_parsed, blocks_to_reading, parse_file
from ingest.text import text_to_blocks
from schema import Document
from stores import open_stores
from tests.conftest import REAL, make_settings, need_shared

BODY = "示例区市场监督管理局"


def disclosure(cover=(BODY, "2025年度部门预算公开"), title="2025年预算收支总表", header="2025年预算数",
               sentences=(), body_line=True, cells=("512.30", "400.00", "112.30")) -> str:
    """A small disclosure in the bundled sample's text form; each part can leave the year out."""
    total, general, housing = cells
    lines = [*cover, "", "目 录", "第一部分 部门概况", "第二部分 部门预算报表", "", "预算公开表1", title]
    lines += [f"部门名称：{BODY}"] if body_line else []
    lines += ["单位：万元", "收入\t\t支出\t", f"项目\t{header}\t项目\t{header}",
              f"一、一般公共预算\t{total}\t一、一般公共服务支出\t{general}",
              f"\t\t二、住房保障支出\t{housing}", f"收入总计\t{total}\t支出总计\t{total}", "",
              "第三部分 部门预算情况说明", "一、收支预算总体情况", *sentences]
    return "\n".join(lines) + "\n"


def identity_of(text: str):
    return blocks_to_identity(text_to_blocks(text))


def parsed_of(text: str, name="x.txt"):
    return blocks_to_parsed(text_to_blocks(text), name, "0" * 64, None)


COMPARED = ("收入预算512.30万元，比2024年预算增加12.30万元。", "支出预算512.30万元，比2024年预算增加12.30万元。",
            "一般公共服务支出400.00万元，与2024年预算持平。", "住房保障支出112.30万元，较2024年预算减少1.00万元。",
            "政府性基金预算支出0万元，与2024年预算持平。", "截至2024年8月31日，共有车辆0辆。",
            "根据《关于2024年度部门预算编制的通知》编制。")

VARIANTS = {
    "year_only_in_table_titles": disclosure(cover=(BODY, "部门预算公开"), header="预算数", sentences=COMPARED),
    "year_only_on_the_cover": disclosure(title="预算收支总表", header="预算数", sentences=COMPARED),
    "year_only_in_a_table_header": disclosure(cover=(BODY, "部门预算公开"), title="预算收支总表",
                                              sentences=COMPARED),
    "previous_year_mentioned_more_than_the_current": disclosure(
        sentences=("2025年，示例区市场监督管理局收入预算512.30万元。",) + COMPARED * 3),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_year_is_the_documents_own_wherever_it_is_printed(variant):
    who = identity_of(VARIANTS[variant])
    assert (who.body, who.year, who.kind, who.scope) == (BODY, 2025, "预算", "部门")


@pytest.mark.parametrize("variant", ["year_only_in_table_titles", "previous_year_mentioned_more_than_the_current"])
def test_generated_pdf_variant_reads_the_same_identity_as_its_text(tmp_path, variant):
    path = tmp_path / f"{variant}.pdf"
    text_to_pdf(VARIANTS[variant], path)
    d = parse_file(path).document
    assert (d.body, d.year, d.kind, d.scope, d.is_template) == (BODY, 2025, "预算", "部门", False)
    assert d.doc_id == f"{BODY}-2025-部门预算"


def test_final_account_of_a_unit_compared_with_the_year_before():
    text = disclosure(cover=(BODY, "2024年度单位决算"), title="2024年收入支出决算总表", header="决算数",
                      sentences=("本年收入合计512.30万元，与2023年度决算相比增加10.00万元。",) * 4)
    who = identity_of(text)
    assert (who.year, who.kind, who.scope) == (2024, "决算", "单位")


def test_body_printed_only_in_sentences_of_a_file_without_cover():
    text = disclosure(cover=(), body_line=False,
                      sentences=(f"{BODY}2025年度收入、支出预算总计512.30万元。", f"{BODY}本年收入预算合计512.30万元。"))
    who = identity_of(text)
    assert (who.body, who.year) == (BODY, 2025)


def test_cover_printing_the_year_above_the_body_or_in_chinese_numerals():
    above = disclosure(cover=("2025年度", BODY, "部门预算"), title="预算收支总表", header="预算数", sentences=COMPARED)
    numerals = disclosure(cover=(BODY, "二〇二五年部门预算"), title="预算收支总表", header="预算数",
                          sentences=("与二〇二四年预算相比增加12.30万元。",) * 4)
    for text in (above, numerals):
        who = identity_of(text)
        assert (who.body, who.year, who.kind) == (BODY, 2025, "预算")


def test_cover_line_beats_a_sentence_about_the_previous_year():
    text = disclosure(cover=(f"{BODY}2025年度部门预算公开",), title="预算收支总表", header="预算数",
                      sentences=("2024年部门预算执行情况良好。",) * 6)
    assert identity_of(text).year == 2025


# ---------------------------------------------------------------- the blank-form check
BLANK_SENTENCES = ("上海市XX局2024年度收入支出总计XXX万元。与2023年度相比，增加（减少）XXX万元。",)


def test_blank_form_with_placeholder_body_is_a_template():
    text = disclosure(cover=("上海市XX局", "2024年度部门决算"), title="收入支出决算总表", header="决算数",
                      body_line=False, sentences=BLANK_SENTENCES, cells=("", "", ""))
    assert parsed_of(text).document.is_template


def test_empty_tables_beside_a_narrative_of_a_body_and_year_are_a_disclosure():
    text = disclosure(cells=("", "", ""), sentences=(f"2025年，{BODY}收入预算512.30万元。",))
    d = parsed_of(text).document
    assert not d.is_template and d.year == 2025


def test_narrative_file_without_tables_of_a_body_and_year_is_not_a_template():
    text = "\n".join([f"{BODY}2025年度部门预算公开", "第三部分 2025年度部门预算情况说明",
                      "一、收支预算总体情况", f"{BODY}2025年度收入、支出预算总计512.30万元。"])
    parsed = parsed_of(text)
    assert not parsed.document.is_template and not parsed.tables
    assert any(f.value is not None for f in parsed.facts)


def test_real_blank_national_form_is_refused_and_real_narrative_files_are_not():
    need_shared(REAL)
    assert parse_file(REAL / "template-dept-final-accounts-blank.pdf").document.is_template
    for name in ("jiangsu-zhengxie-2019-dept-budget.pdf", "jiangsu-shengweiban-2018-dept-budget.pdf"):
        d = parse_file(REAL / name).document
        assert not d.is_template and d.year is not None, (name, d)


# ---------------------------------------------------------------- names and joins
def test_a_party_organ_printed_without_zhonggong_has_the_same_formal_name():
    assert formal_body("江苏省委办公厅") == "中共江苏省委办公厅"
    assert formal_body("上海市普陀区委社会工作部") == "中共上海市普陀区委社会工作部"
    assert formal_body("中共江苏省委办公厅") == "中共江苏省委办公厅"
    for name in ("上海市普陀区商务委员会", "共青团上海市委员会", "江苏省人大常委会办公厅"):
        assert formal_body(name) == name
    assert doc_id_for("江苏省委办公厅", 2018, "部门", "预算") == doc_id_for("中共江苏省委办公厅", 2018, "部门", "预算")


def test_same_body_printed_with_or_without_its_place():
    assert same_body("普陀区财政局", "上海市普陀区财政局")
    assert same_body("江苏省委办公厅", "中共江苏省委办公厅")
    assert not same_body("上海市普陀区人民政府", "上海市普陀区人民政府万里街道办事处")
    assert not same_body("上海市普陀区财政局", "上海市普陀区商务委员会")
    assert not same_body("", "上海市普陀区财政局")


def doc(body, year, kind="预算", scope="部门"):
    return Document(doc_id=doc_id_for(body, year, scope, kind), title=f"{body}{year}年度{scope}{kind}公开",
                    body=body, year=year, kind=kind, scope=scope)


def member(body, year, totals=(), files=(), confirmed=True, kind="预算", batch=None):
    d = replace(doc(body, year, kind), files=tuple(files))
    return document_to_member(d, confirmed, frozenset(Decimal(t) for t in totals),
                              frozenset([batch]) if batch else frozenset())


def tables_file(body, year, name="tables.txt"):
    text = disclosure(cover=(), title="预算收支总表", header="预算数").replace(BODY, body)
    if year:
        text = text.replace("预算收支总表", f"{year}年预算收支总表")
    return parsed_of(text, name)


def member_of(parsed, confirmed=True, batch=None):
    return document_to_member(parsed.document, confirmed, facts_to_totals(parsed.facts),
                              frozenset([batch]) if batch else frozenset())


def test_tables_file_without_a_year_joins_its_body_only_where_totals_or_the_file_name_place_it():
    me = member_of(tables_file("江苏省委办公厅", None))
    assert me.year is None and me.totals == {Decimal("512.30")}
    agreeing = member("中共江苏省委办公厅", 2018, totals=["512.30"])
    assert join_target(me, [agreeing, member("江苏省人大常委会办公厅", 2019, totals=["512.30"])]) == (
        agreeing, "同一单位、总额一致")
    assert join_target(me, [member("中共江苏省委办公厅", 2018)]) is None            # the body alone: no year
    named = member("中共江苏省委办公厅", 2018, files=["shengweiban-budget.pdf"])
    me_named = member_of(tables_file("江苏省委办公厅", None, "shengweiban-budget-tables.txt"))
    assert join_target(me_named, [named, member("中共江苏省委办公厅", 2019)]) == (named, "同一单位")


def test_tables_file_without_a_year_stays_apart_when_two_years_agree_or_kind_or_body_differ():
    me = member_of(tables_file(BODY, None))
    assert join_target(me, [member(BODY, 2024, ["512.30"]), member(BODY, 2025, ["512.30"])]) is None
    assert join_target(me, [member(BODY, 2024, ["512.30"], kind="决算")]) is None
    assert join_target(me, [member("示例区财政局", 2025, ["512.30"])]) is None
    assert join_target(me, [member(BODY, 2025, ["999.00"])]) is None                  # totals disagree


def test_file_with_the_body_printed_another_way_joins_the_document_of_its_year():
    parsed = tables_file("普陀区市场监督管理局", 2025)
    joined = unify_identity(parsed, [doc("上海市普陀区市场监督管理局", 2025)])
    assert joined.document.doc_id == "上海市普陀区市场监督管理局-2025-部门预算"
    assert joined.document.body == "上海市普陀区市场监督管理局"
    assert unify_identity(parsed, [doc("上海市普陀区市场监督管理局", 2024)]) == parsed


def test_a_file_whose_body_is_not_printed_never_joins_the_sole_document_of_its_year():
    """Issue 21: an unrecognised body joined the one loaded document of its year (万里街道 took a
    university's figures). Stored under its file's name, it joins only what its name or upload places."""
    text = disclosure(cover=(), body_line=False).replace(BODY, "")
    parsed = parsed_of(text, "某某大学预算表格.txt")
    reading = blocks_to_reading(text_to_blocks(text), "某某大学预算表格.txt", "0" * 64, None)
    assert not reading.confirmed and parsed.document.year == 2025
    assert parsed.document.doc_id == "某某大学预算表格（单位待确认）-2025-部门预算"
    assert reading.evidence[0] == "单位：某某大学预算表格（文件名，单位待确认）"
    me = member_of(parsed, confirmed=False)
    sole = member("上海市普陀区人民政府万里街道办事处", 2025, totals=["512.30"])
    assert unify_identity(parsed, [doc("上海市普陀区人民政府万里街道办事处", 2025)]) == parsed
    assert join_target(me, [sole]) is None
    own_text = member("某某大学", 2025, files=["某某大学预算.txt"])
    assert join_target(me, [sole, own_text]) == (own_text, "文件名相同、同一年度")
    assert join_target(member_of(parsed, confirmed=False, batch="u1"),
                       [replace(sole, batches=frozenset(["u1"]))]) == (replace(sole, batches=frozenset(["u1"])),
                                                                       "同一次上传、同一年度、总额一致")


def test_a_file_named_for_a_body_it_does_not_print_joins_that_bodys_document_of_its_year_when_totals_agree():
    text = disclosure(cover=(), body_line=False).replace(BODY, "")
    reading = blocks_to_reading(text_to_blocks(text), "上海某某大学2025年部门预算.pdf", "0" * 64, None)
    d = reading.parsed.document
    assert (d.body, d.year, reading.confirmed) == ("上海某某大学", 2025, False)
    assert d.doc_id == "上海某某大学（单位待确认）-2025-部门预算"          # not the printed one's id by coincidence
    me = member_of(reading.parsed, confirmed=False)
    printed = member("上海某某大学", 2025, ["512.30"])
    assert join_target(me, [printed]) == (printed, "文件名所印单位相同、同一年度、总额一致")
    assert join_target(me, [member("上海某某大学", 2025, ["9.99"])]) is None
    assert join_target(me, [member("上海某某大学", 2024, ["512.30"])]) is None


def test_the_tables_of_one_body_never_join_the_narrative_of_another_whatever_their_names_and_totals():
    a = member("示例区财政局", 2025, ["512.30"], files=["2025年部门预算.pdf"])
    b = member("示例区教育局", 2025, ["512.30"], files=["2025年部门预算-表格.pdf"])
    assert join_reason(a, b) is None and join_reason(b, a) is None
    c = member("示例区教育局", 2025, ["512.30"], files=["shiliqu-2025-budget.pdf"])
    d = member("示例区财政局", 2025, ["512.30"], files=["shiliqu-2025-budget-tables.pdf"], batch="u")
    assert join_reason(c, replace(d, batches=frozenset(["u"]))) is None


def test_file_names_of_one_disclosure_share_a_key_and_generic_names_none():
    assert name_key("jiangsu-renda-2019-dept-budget-tables.pdf") == name_key("jiangsu-renda-2019-dept-budget.pdf")
    assert name_key("某某大学2023年部门预算（表格）.pdf") == name_key("某某大学2023年部门预算.pdf") != ""
    assert name_key("2026年部门预算.pdf") == "" and name_key("a/2026年部门预算.pdf") == ""
    assert name_key("jiangsu-zhengxie-2019-dept-budget.pdf") != name_key("jiangsu-renda-2019-dept-budget.pdf")


def test_a_body_name_ending_like_a_school_is_a_body_and_a_numbered_generic_heading_is_not():
    assert is_body("上海某某大学") and is_body("某某研究院") and is_body("上海某某有限公司")
    assert not is_body("（一）学校") and not is_body("（四）高等学校") and not is_body("学校")
    assert clean_body("（二）上海某某大学") == "上海某某大学"
    assert clean_body("上海某某大学（本级）") == "上海某某大学" and is_body("上海某某大学（本级）")


def test_generated_tables_file_without_year_joins_its_text_in_separate_runs_in_either_order(tmp_path):
    text = tmp_path / "text.txt"
    text.write_text("\n".join(["江苏省委办公厅2025年度部门预算公开", "第三部分 2025年度部门预算情况说明",
                               "一、收支预算总体情况", "江苏省委办公厅2025年度收入、支出预算总计512.30万元。"]) + "\n",
                    encoding="utf-8")
    tables = tmp_path / "tables.txt"
    tables.write_text(disclosure(cover=(), title="预算收支总表", header="预算数").replace(BODY, "中共江苏省委办公厅"),
                      encoding="utf-8")
    assert parse_file(tables).document.year is None
    for i, order in enumerate(((text, tables), (tables, text))):
        stores = open_stores(make_settings(tmp_path / f"store{i}"))
        for path in order:
            assert all(r.ok for r in ingest_paths(stores, [path]))
        docs = stores.facts.documents()
        assert [(d.doc_id, d.year, set(d.files)) for d in docs] == [
            ("中共江苏省委办公厅-2025-部门预算", 2025, {"text.txt", "tables.txt"})], order


JIANGSU_PAIRS = [("jiangsu-zhengxie-2019-dept-budget.pdf", "jiangsu-zhengxie-2019-dept-budget-tables.pdf",
                  "江苏省政协办公厅-2019-部门预算"),
                 ("jiangsu-shengweiban-2018-dept-budget.pdf", "jiangsu-shengweiban-2018-dept-budget-tables.pdf",
                  "中共江苏省委办公厅-2018-部门预算")]


@pytest.mark.parametrize("text,tables,doc_id", JIANGSU_PAIRS)
def test_jiangsu_text_and_tables_files_join_in_both_orders(text, tables, doc_id):
    need_shared(REAL)
    a, b = parse_file(REAL / text), parse_file(REAL / tables)
    for first, second in ((a, b), (b, a)):
        joined = unify_identity(second, [first.document])
        assert joined.document.doc_id == first.document.doc_id == doc_id
        assert joined.document.year == first.document.year


@pytest.mark.parametrize("text,tables,doc_id", JIANGSU_PAIRS)
def test_jiangsu_pair_ingested_in_separate_runs_in_either_order_is_one_document(tmp_path, text, tables, doc_id):
    need_shared(REAL)
    for i, order in enumerate(((text, tables), (tables, text))):
        stores = open_stores(make_settings(tmp_path / str(i)))
        for name in order:
            assert all(r.ok and not r.skipped for r in ingest_paths(stores, [REAL / name]))
        docs = stores.facts.documents()
        assert [(d.doc_id, set(d.files)) for d in docs] == [(doc_id, {text, tables})], order
        assert docs[0].year and not docs[0].is_template
