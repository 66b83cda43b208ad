"""Real disclosures of other bodies, regions, years and kinds, read where they are in ../shared.

Figures below were read by hand from the PDFs (page numbers as printed by the PDF viewer)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from corpus.load import ingest_paths
from ingest.pipeline import parse_file
from stores import open_stores
from tests.conftest import REAL, make_settings, need_shared


@pytest.fixture(scope="module")
def parsed():
    need_shared(REAL)
    return {p.name: parse_file(p) for p in sorted(REAL.glob("*.pdf"))}


def find(parsed, name, **kw):
    return [f for f in parsed[name].facts if all(getattr(f, k) == v for k, v in kw.items())]


def test_identity_is_read_from_cover_and_titles(parsed):
    docs = {n: p.document for n, p in parsed.items()}
    d = docs["shanghai-putuo-qufuban-2025-dept-budget.pdf"]
    assert (d.body, d.year, d.scope, d.kind) == ("上海市普陀区人民政府办公室", 2025, "部门", "预算")
    d = docs["shanghai-putuo-shangwuwei-2025-unit-budget.pdf"]
    assert (d.body, d.year, d.scope, d.kind) == ("上海市普陀区商务委员会", 2025, "单位", "预算")
    d = docs["shanghai-putuo-shehuigongzuobu-2024-dept-final.pdf"]
    assert (d.body, d.year, d.kind) == ("中共上海市普陀区委社会工作部", 2024, "决算")
    assert docs["jiangsu-renda-2019-dept-budget.pdf"].body == "江苏省人大常委会办公厅"
    assert docs["jiangsu-renda-2019-dept-budget-tables.pdf"].body == "江苏省人大常委会办公厅"
    assert docs["template-dept-final-accounts-blank.pdf"].is_template
    assert set(docs) == set(BY_HAND), "a real PDF without its identity read by hand"
    for name, expected in BY_HAND.items():
        d = docs[name]
        assert (d.body, d.year, d.kind, d.scope, d.is_template) == expected, name
    pairs = [("jiangsu-renda-2019-dept-budget.pdf", "江苏省人大常委会办公厅-2019-部门预算"),
             ("jiangsu-zhengxie-2018-dept-budget.pdf", "江苏省政协办公厅-2018-部门预算"),
             ("jiangsu-zhengxie-2019-dept-budget.pdf", "江苏省政协办公厅-2019-部门预算"),
             ("jiangsu-shengweiban-2018-dept-budget.pdf", "中共江苏省委办公厅-2018-部门预算"),
             ("jiangsu-shengweiban-2019-dept-budget.pdf", "中共江苏省委办公厅-2019-部门预算")]
    for name, doc_id in pairs:          # the text file and its tables file are one document
        assert docs[name].doc_id == docs[name.replace(".pdf", "-tables.pdf")].doc_id == doc_id


# (body, year, kind, scope, is_template) of every real PDF, read by hand from its cover, titles and headers
BY_HAND = {
    "jiangsu-gaoyuan-2018-dept-budget.pdf": ("江苏省高级人民法院", 2018, "预算", "部门", False),   # 2018年度江苏省高级/人民法院预算公开
    "jiangsu-gaoyuan-2019-dept-budget.pdf": ("江苏省高级人民法院", 2019, "预算", "部门", False),
    "jiangsu-jianchayuan-2018-dept-budget.pdf": ("江苏省人民检察院", 2018, "预算", "部门", False),     # 2018年部门预算
    "jiangsu-jianchayuan-2019-dept-budget.pdf": ("江苏省人民检察院", 2019, "预算", "部门", False),
    "jiangsu-renda-2019-dept-budget-tables.pdf": ("江苏省人大常委会办公厅", 2019, "预算", "部门", False),  # 2019年政府采购预算表
    "jiangsu-renda-2019-dept-budget.pdf": ("江苏省人大常委会办公厅", 2019, "预算", "部门", False),
    "jiangsu-shengweiban-2018-dept-budget-tables.pdf": ("中共江苏省委办公厅", 2018, "预算", "部门", False),  # cover
    "jiangsu-shengweiban-2018-dept-budget.pdf": ("江苏省委办公厅", 2018, "预算", "部门", False),
    "jiangsu-shengweiban-2019-dept-budget-tables.pdf": ("中共江苏省委办公厅", 2019, "预算", "部门", False),  # 部门：中共…
    "jiangsu-shengweiban-2019-dept-budget.pdf": ("江苏省委办公厅", 2019, "预算", "部门", False),
    "jiangsu-zhengxie-2018-dept-budget-tables.pdf": ("江苏省政协办公厅", 2018, "预算", "部门", False),   # 部门：… + titles
    "jiangsu-zhengxie-2018-dept-budget.pdf": ("江苏省政协办公厅", 2018, "预算", "部门", False),
    "jiangsu-zhengxie-2019-dept-budget-tables.pdf": ("江苏省政协办公厅", 2019, "预算", "部门", False),
    "jiangsu-zhengxie-2019-dept-budget.pdf": ("江苏省政协办公厅", 2019, "预算", "部门", False),      # no cover
    "shanghai-caizhengju-2025-unit-budget.pdf": ("上海市财政局", 2025, "预算", "单位", False),    # 上海市2025年市级单位预算
    "shanghai-putuo-caizhengju-2025-dept-budget.pdf": ("上海市普陀区财政局", 2025, "预算", "部门", False),
    "shanghai-putuo-qufuban-2025-dept-budget.pdf": ("上海市普陀区人民政府办公室", 2025, "预算", "部门", False),
    "shanghai-putuo-shangwuwei-2025-unit-budget.pdf": ("上海市普陀区商务委员会", 2025, "预算", "单位", False),
    "shanghai-putuo-shehuifuliyuan-2024-unit-budget.pdf": ("上海市普陀区社会福利院", 2024, "预算", "单位", False),
    "shanghai-putuo-shehuigongzuobu-2024-dept-final.pdf": ("中共上海市普陀区委社会工作部", 2024, "决算", "部门", False),
    "shanghai-putuo-wanli-jiedao-2023-dept-budget.pdf": ("上海市普陀区人民政府万里街道办事处", 2023, "预算", "部门", False),
    "shanghai-putuo-wanli-jiedao-2024-dept-budget.pdf": ("上海市普陀区人民政府万里街道办事处", 2024, "预算", "部门", False),
    "shanghai-putuo-wanli-jiedao-2025-dept-budget.pdf": ("上海市普陀区人民政府万里街道办事处", 2025, "预算", "部门", False),
    "template-dept-final-accounts-blank.pdf": ("上海市XX局", 2024, "决算", "部门", True),
}


def test_tables_in_yuan_keep_their_unit_and_printed_figures(parsed):
    name = "shanghai-putuo-qufuban-2025-dept-budget.pdf"
    total = find(parsed, name, table_name="收支总表", label="收入总计")[0]
    assert (total.raw, total.unit, total.page) == ("91,016,775.35", "元", 8)
    row = find(parsed, name, table_name="支出总表", code="2010399", column="支出预算/合计")[0]
    assert (row.value, row.unit, row.level, row.parent) == (Decimal("20120000.00"), "元", "项", "20103")


def test_codes_printed_in_three_columns_join(parsed):
    name = "shanghai-putuo-shangwuwei-2025-unit-budget.pdf"
    row = find(parsed, name, table_name="支出总表", code="2150899", column="支出预算/合计")[0]
    assert row.label == "其他支持中小企业发展和管理支出" and row.raw == "293,810,000.00"
    assert find(parsed, name, table_name="支出总表", code="21508")[0].level == "款"


def test_sangong_table_in_wan_with_items_as_columns(parsed):
    name = "shanghai-putuo-qufuban-2025-dept-budget.pdf"
    facts = {f.label: f for f in parsed[name].facts if f.table_name == "三公经费表"}
    assert facts["“三公”经费预算数/合计"].raw == "867.50" and facts["“三公”经费预算数/合计"].unit == "万元"
    assert facts["“三公”经费预算数/因公出国(境)费"].raw == "839.00"
    assert facts["机关运行经费预算数"].raw == "213.28"


def test_sangong_subtotal_is_apart_from_meeting_and_training_costs(parsed):
    name = "jiangsu-renda-2019-dept-budget-tables.pdf"
    facts = {f.label: f.raw for f in parsed[name].facts if f.table_name == "三公经费表"}
    assert facts["“三公”经费/小计"] == "767.60" and facts["合计"] == "2,600.71"
    assert facts["会议费"] == "1,469.73" and facts["培训费"] == "363.38"


def test_final_accounts_tables_read(parsed):
    name = "shanghai-putuo-shehuigongzuobu-2024-dept-final.pdf"
    rows = find(parsed, name, table_name="支出总表", code="2080505")
    assert {(f.column, f.raw) for f in rows} >= {("本年支出合计", "6.18"), ("基本支出", "6.18")}
    empty = find(parsed, name, table_name="三公经费表")
    assert empty and all(f.value is None for f in empty)


def test_narrative_in_one_file_and_tables_in_another_are_one_document(tmp_path, parsed):
    stores = open_stores(make_settings(tmp_path))
    results = ingest_paths(stores, [REAL / "jiangsu-renda-2019-dept-budget-tables.pdf",
                                    REAL / "jiangsu-renda-2019-dept-budget.pdf"])
    assert all(r.ok for r in results)
    docs = stores.facts.documents()
    assert [d.doc_id for d in docs] == ["江苏省人大常委会办公厅-2019-部门预算"]
    assert set(docs[0].files) == {"jiangsu-renda-2019-dept-budget-tables.pdf", "jiangsu-renda-2019-dept-budget.pdf"}


def test_blank_template_is_not_ingested_as_a_disclosure(tmp_path):
    need_shared(REAL)
    stores = open_stores(make_settings(tmp_path))
    r = ingest_paths(stores, [REAL / "template-dept-final-accounts-blank.pdf"])[0]
    assert r.ok and r.skipped and "模板" in r.error
    assert stores.facts.documents() == []


def test_projects_ranked_by_the_item_rows_project_column_when_no_project_table(real_engine):
    a = real_engine.ask("区府办项目支出里最大的是哪个？")
    assert "一般行政管理事务" in a.answer and "46,140,000.00" in a.answer, a.answer


def test_budget_asked_of_a_final_account_says_the_figure_is_the_final_one(real_engine):
    a = real_engine.ask("社工部办公费预算是多少")
    assert a.value == "3.78" and "以上为决算数" in a.answer, a.answer


def test_full_year_budget_stated_under_an_item_heading_of_a_final_account(real_engine):
    """1、…住房改革支出（款）住房公积金（项）。全年预算为18.12万元… (the item is in the sentence before)."""
    a = real_engine.ask("社工部住房公积金全年预算是多少")
    assert a.value == "18.12" and "决算数" not in a.answer, a.answer
    b = real_engine.ask("社工部事业运行的全年预算是多少")
    assert b.value == "17.68" and "不一致" not in b.answer, b.answer
    c = real_engine.ask("社工部行政单位医疗完成全年预算的百分之几")
    assert c.value == "99.55" and c.unit == "%", c.answer


def test_what_people_add_around_an_item_is_left_out(real_engine):
    assert real_engine.ask("区府办给员工发基本工资用了多少").value == "2,540,192.00"
    assert real_engine.ask("江苏人大买笔记本电脑预算多少").value == "14.00"


def test_body_name_followed_by_an_item_that_ends_like_a_body(real_engine):
    assert real_engine.ask("商务委委托业务费多少？").value == "180,000.00"
    assert real_engine.ask("区府办今年花在办公费上的钱有多少？").value == "259,400.00"


@pytest.mark.parametrize("question,first", [
    ("区府办商品和服务支出里哪项最多？", "福利费"),                # the children of a named row
    ("区府办哪个项级科目预算最多？", "一般行政管理事务"),          # a level
    ("社工部基本支出里哪项经济科目最多？", "津贴补贴"),            # the economic classification
])
def test_a_ranking_is_scoped_the_way_the_question_scopes_it(real_engine, question, first):
    a = real_engine.ask(question)
    assert f"最多的是“{first}”" in a.answer, a.answer


def test_which_body_has_the_most_compares_the_bodies_in_one_unit(real_engine):
    a = real_engine.ask("哪个单位的住房公积金最多？")
    # 江苏高院2019 prints 2210201 住房公积金 1,879.36 (pp.10, 12) and 30113 住房公积金 1,879.36 (pp.11, 13)
    assert a.answer.startswith("住房公积金最多的是江苏省高级人民法院，1,879.36万元")
    assert "江苏省人大常委会办公厅2019年预算752.90万元" in a.answer
    assert "1,741,445.22元" in a.answer and len(a.citations) >= 4


@pytest.mark.parametrize("question,label,value", [
    ("人代会二次会议经费采购预算有多少", "省人大常委会办公厅2019年江苏省第十三届人代会二次会议经费", "1,035.00"),   # the table's word taken out
    ("江苏人大物业管理费政府采购预算多少", "省人大常委会办公厅2019年综合管理费", "410.40"),                      # another label cell of the row
    ("普陀区府办2025年政府采购里服务类的预算是多少万元？", "区政府办公室2025年政府采购服务预算", "34"),     # X里Y with a short Y
])
def test_a_row_of_a_named_table_is_answered_not_the_tables_total(real_engine, question, label, value):
    a = real_engine.ask(question)
    assert a.value == value and a.answer.startswith(label), a.answer


def test_two_bodies_named_together_are_compared(real_engine):
    a = real_engine.ask("区府办和商务委谁的工会经费多？")
    assert a.answer.startswith("工会经费最多的是上海市普陀区人民政府办公室，248,117.54元")
    assert "194,962.00元" in a.answer and len(a.citations) == 2


def test_the_parts_of_a_total_are_ranked_not_the_tables_other_rows(real_engine):
    a = real_engine.ask("江苏人大三公经费里哪项最多")
    assert "最多的是“公务接待费”，384.75万元" in a.answer, a.answer
