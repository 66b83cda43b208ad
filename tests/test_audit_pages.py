"""The staff pages, driven headless by AppTest on a temp facts store holding the sample."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from audit.staff import FactFilter, fact_records, filter_facts
from stores.facts import FactStore
from tests.conftest import ROOT, SAMPLE, make_settings

AUDIT_PAGE = ROOT / "pages" / "1_核查.py"
BROWSE_PAGE = ROOT / "pages" / "2_数据浏览.py"


@pytest.fixture()
def store(tmp_path, monkeypatch, sample_parsed):
    store = tmp_path / "store"
    FactStore(make_settings(store).facts_db).replace_file(sample_parsed, SAMPLE.name)
    monkeypatch.setenv("BUDGETQA_STORE", str(store))
    monkeypatch.setenv("BUDGETQA_LOAD_SAMPLE", "0")
    monkeypatch.setenv("BUDGETQA_ADMIN_TOKEN", TOKEN)
    monkeypatch.delenv("BUDGETQA_DATABASE_URL", raising=False)
    return store


TOKEN = "s3cret"


def run(page, token: str | None = TOKEN) -> AppTest:
    """The page as the app serves it: app.py is the entry point, the page is switched to; staff have
    entered the admin token (None: not yet)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if token:
        at.session_state["staff_token"] = token
    at.switch_page(str(page.relative_to(ROOT))).run()
    assert not at.exception, at.exception
    return at


def test_audit_page_groups_findings_by_family_and_offers_exports(store):
    at = run(AUDIT_PAGE)
    labels = [e.label for e in at.expander]
    assert "重复表述与绩效（7）" in labels and "文表一致（2）" in labels and "格式残留（3）" in labels
    assert any("916套" in t.value for t in at.text)
    assert any("错误 8 · 提示 4" in c.value for c in at.caption)


def test_audit_page_filters_by_severity(store):
    at = run(AUDIT_PAGE)
    at.pills(key="sev").set_value(["提示"]).run()
    assert any("错误 0 · 提示 4" in c.value for c in at.caption)


def test_audit_page_asks_for_the_admin_token_when_one_is_set(store):
    at = run(AUDIT_PAGE, token=None)
    assert not at.expander and at.text_input(key="staff_token")
    at.text_input(key="staff_token").set_value("wrong").run()
    assert not at.expander and any("口令不正确" in c.value for c in at.caption)
    at.text_input(key="staff_token").set_value(TOKEN).run()
    assert at.expander


@pytest.mark.parametrize("page", [AUDIT_PAGE, BROWSE_PAGE])
def test_staff_page_without_a_configured_token_is_closed_and_says_how_to_enable_it(store, monkeypatch, page):
    monkeypatch.delenv("BUDGETQA_ADMIN_TOKEN")
    at = run(page, token="anything")
    assert not at.expander and not at.dataframe and not at.text_input
    assert any("BUDGETQA_ADMIN_TOKEN" in i.value for i in at.info)


def test_browse_page_shows_and_filters_facts(store):
    at = run(BROWSE_PAGE)
    frame = at.dataframe[0].value
    assert len(frame) == len(sample_facts(store)) and "数值（原样）" in frame.columns
    at.text_input(key="f_code").set_value("2210201").run()
    frame = at.dataframe[0].value
    assert set(frame["科目编码"]) == {"2210201"} and "35.03" in set(frame["数值（原样）"])


def sample_facts(store):
    return FactStore(make_settings(store).facts_db).facts()


def test_browse_page_search_with_no_hit_shows_an_empty_table(store):
    at = run(BROWSE_PAGE)
    at.text_input(key="f_search").set_value("不存在的词").run()
    assert len(at.dataframe[0].value) == 0 and any("显示 0 条" in c.value for c in at.caption)


def test_filter_facts_by_every_field(sample_parsed):
    facts = list(sample_parsed.facts)
    got = filter_facts(facts, FactFilter(tables=("2026年预算支出总表",), code="221", column="合计"))
    assert {f.code for f in got} == {"221", "22101", "2210111", "22102", "2210201"}
    got = filter_facts(facts, FactFilter(search="住房公积金 35.03", kinds=("cell",), units=("万元",)))
    assert got and all(f.raw == "35.03" for f in got)
    rows = fact_records(got[:1])
    assert rows[0]["数值（原样）"] == "35.03" and rows[0]["类型"] == "表格数字"
