"""The Streamlit chat, driven headless by AppTest against a real engine on a temp store."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from schema import Citation, Fact
from stores.feedback import FeedbackStore
from tests.conftest import SCRIPT_DISCLOSURE

APP = Path(__file__).resolve().parent.parent / "app.py"
QUESTION = "住房保障支出是多少？"
MINI = SCRIPT_DISCLOSURE
ENV_CLEARED = ("BUDGETQA_LLM_BASE_URL", "BUDGETQA_LLM_MODEL", "BUDGETQA_ADMIN_TOKEN", "BUDGETQA_DATABASE_URL",
               "BUDGETQA_CHROMA_HOST", "BUDGETQA_LOAD_SAMPLE", "BUDGETQA_EMBEDDER")


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    for name in ENV_CLEARED:
        monkeypatch.delenv(name, raising=False)
    store = tmp_path / "store"
    monkeypatch.setenv("BUDGETQA_STORE", str(store))
    return store


def start(embedded: bool = False) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    if embedded:
        at.context["is_embedded"] = True
    at.run(timeout=180)
    assert not at.exception, at.exception
    return at


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def plain(markdown: str) -> str:
    """Undo the app's markdown escaping, to compare with what a visitor reads."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def shown_text(at: AppTest) -> str:
    return "\n".join([plain(m.value) for m in at.markdown] + [h.value for h in at.html] + [c.value for c in at.caption])


def test_opens_on_sample_with_welcome_naming_it_and_suggestions(store):
    at = start()
    welcome = plain(at.chat_message[0].markdown[0].value)
    assert "《晋城经济技术开发区建设管理部2026年度部门预算" in welcome
    assert 4 <= len(at.pills(key="suggest").options) <= 6
    assert at.chat_input[0].proto.max_chars == 500


def test_housing_question_shows_figure_money_line_and_source_card(store):
    at = ask(start(), QUESTION)
    text = shown_text(at)
    assert "3241.03万元" in text
    assert "约合 32,410,300.00 元" in text
    cards = [h.value for h in at.html if "bq-card" in h.value]
    assert cards and "收支总表" in cards[0]
    assert "二十、住房保障支出 3241.03 3241.03" in cards[0]
    assert any(e.label.startswith("查看原表") and "收支总表" in e.label for e in at.expander)


def test_view_table_expander_shows_whole_table_with_cited_row_highlighted(store):
    at = ask(start(), QUESTION)
    key = next(k for k in at.session_state.keys() if str(k).startswith("src_") and str(k).endswith("_0"))
    at.session_state[key] = True
    at.run()
    frame = at.dataframe[0].value
    assert len(frame) > 20 and "支出·项目" in frame.columns
    row = frame[frame["支出·项目"] == "二十、住房保障支出"]
    assert not row.empty and "3241.03" in row.iloc[0].tolist()


def test_suggested_question_button_asks_it(store):
    at = start()
    at.pills(key="suggest").select("住房保障支出是多少？").run()
    assert not at.exception
    assert plain(at.chat_message[1].markdown[0].value) == "住房保障支出是多少？"
    assert "3241.03" in shown_text(at)
    assert not [p for p in at.pills if p.key == "suggest"]


def test_follow_up_keeps_history(store):
    at = ask(start(), QUESTION)
    at = ask(at, "那城乡社区支出呢？")
    assert len(at.session_state.messages) == 4
    assert "4742.00" in shown_text(at)


def test_upload_text_disclosure_adds_document_and_escapes_script(store):
    at = start()
    at.file_uploader[0].upload("mini.txt", MINI.encode("utf-8"), "text/plain")
    at.run()
    at.button(key="upload_go").click().run()
    assert not at.exception
    assert any("mini.txt：已导入" in s.value for s in at.sidebar.success)
    assert "示例区市场监督管理局 · 2025年 · 部门预算" in "".join(h.value for h in at.sidebar.html)
    at = ask(at, "示例区市场监督管理局住房保障支出是多少？")
    cards = "".join(h.value for h in at.html if "bq-card" in h.value)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img" in cards and "<script" not in cards and "<img" not in cards
    answer = at.chat_message[-1].markdown[0].value
    assert "\\<script\\>" in answer and "<script>" in plain(answer)   # escaped markdown, read as text


def test_feedback_click_is_stored_in_sqlite(store):
    at = ask(start(), QUESTION)
    at.feedback[0].set_value(1).run()
    rows = FeedbackStore.in_store(store).rows()
    assert len(rows) == 1
    assert rows[0]["question"] == QUESTION and rows[0]["rating"] == 1
    assert "收支总表" in rows[0]["citations"][0]["table"]
    at.feedback[0].set_value(0).run()
    assert [r["rating"] for r in FeedbackStore.in_store(store).rows()] == [0]


def test_embed_mode_has_no_sidebar_and_still_answers(store):
    at = start(embedded=True)
    assert not at.sidebar.children and not at.file_uploader
    at = ask(at, QUESTION)
    assert "3241.03" in shown_text(at)


def test_llm_reply_streams_then_the_checked_answer_stays(store, monkeypatch):
    from tests.openai_stub import OpenAIStub, Reply
    with OpenAIStub() as stub:
        stub.script(Reply(pieces=("根据预算收支总表，", "住房保障支出为", "3241.03万元[1]。")))
        for name, value in (("BUDGETQA_LLM_BASE_URL", stub.url), ("BUDGETQA_LLM_MODEL", "stub"),
                            ("BUDGETQA_LLM_API_KEY", "x")):
            monkeypatch.setenv(name, value)
        at = ask(start(), QUESTION)
        assert stub.requests and stub.requests[-1].json["stream"] is True
    final = at.session_state.messages[-1]["answer"]
    assert final.mode == "llm" and "根据预算收支总表" in final.answer
    assert "根据预算收支总表，住房保障支出为3241.03万元①。" in shown_text(at)
    assert any("收支总表" in h.value for h in at.html if "bq-card" in h.value)


def test_pdf_upload_answer_shows_table_and_cited_page_image_and_yuan_to_wan(store):
    from tests.conftest import REAL, need_shared
    pdf = REAL / "shanghai-putuo-qufuban-2025-dept-budget.pdf"
    need_shared(pdf)
    at = start()
    at.file_uploader[0].upload(pdf.name, pdf.read_bytes(), "application/pdf")
    at.run()
    at.button(key="upload_go").click().run(timeout=300)
    assert any(pdf.name in s.value for s in at.sidebar.success), [e.value for e in at.sidebar.error]
    at = ask(at, "区府办2025年一般公共服务支出预算是多少？")
    answer = at.session_state.messages[-1]["answer"]
    assert answer.citations and answer.citations[0].page and answer.citations[0].file == pdf.name
    if answer.unit == "元":
        assert "万元" in "".join(h.value for h in at.html if "bq-money" in h.value)
    key = next(k for k in at.session_state.keys() if str(k).startswith("src_") and str(k).endswith("_0"))
    at.session_state[key] = True
    at.run(timeout=120)
    assert at.dataframe and at.image and at.image[0].value and "页" in at.image[0].captions[0]


def test_engine_failure_shows_friendly_message_not_traceback(store, monkeypatch):
    import service

    def broken(settings):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(service, "get_engine", broken)
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception
    assert "稍后" in at.error[0].value and "disk" not in shown_text(at)


# ------------------------------------------------------------------ pure helpers of app.py
def fact(row: int, label: str, column: str, raw: str, text: str, code: str | None = None) -> Fact:
    return Fact(doc="d", table="2026年预算收支总表", table_name=None, table_no=None, section=None, page=3,
                code=code, level=None, parent=None, label=label, column=column,
                value=Decimal(raw) if raw else None, raw=raw, unit="万元", text=text, row=row)


def test_two_sided_table_keeps_one_row_per_printed_row_and_highlights_the_cited_one():
    from app import facts_to_frame
    facts = [fact(2, "一、一般公共预算", "收入/2026年", "8277.83", "一、一般公共预算 8277.83"),
             fact(2, "一、一般公共服务支出", "支出/2026年合计", "228.09", "一、一般公共服务支出 228.09"),
             fact(3, "二十、住房保障支出", "支出/2026年合计", "3241.03", "二十、住房保障支出 3241.03 3241.03")]
    cited = Citation(doc="x", page=3, table="预算公开表1 2026年预算收支总表", section=None,
                     text="二十、住房保障支出 3241.03 3241.03", label="二十、住房保障支出")
    frame, hits = facts_to_frame(facts, [cited])
    assert list(frame.columns) == ["收入·项目", "收入/2026年", "支出·项目", "支出/2026年合计"]
    assert len(frame) == 2 and hits == [1]
    assert frame.iloc[1]["支出/2026年合计"] == "3241.03" and frame.iloc[1]["收入·项目"] == ""


def test_code_column_comes_first_even_when_the_total_row_has_no_code():
    from app import facts_to_frame
    facts = [fact(2, "合计", "2026年预算数/合计", "8277.83", "合计 8277.83"),
             fact(3, "住房保障支出", "2026年预算数/合计", "3241.03", "221 住房保障支出 3241.03", code="221")]
    frame, hits = facts_to_frame(facts, [Citation(doc="x", page=None, table="t", section=None, text="nope",
                                                  label="住房保障支出")])
    assert list(frame.columns) == ["科目编码", "项目", "2026年预算数/合计"] and hits == [1]


def test_markdown_is_escaped_so_document_text_shows_literally():
    from app import md_text
    assert plain(md_text("**粗体** [链接](http://x) $x$ :red[字] <b>")) == "**粗体** [链接](http://x) $x$ :red[字] <b>"
    assert "\\*\\*" in md_text("**a**") and "\\[" in md_text("[a](b)")


def test_money_line_converts_for_display_only():
    from app import money_line
    assert money_line("3241.03", "万元") == "约合 32,410,300.00 元"
    assert money_line("1250000", "元") == "约合 125.00 万元"
    assert money_line("800", "元") is None and money_line("12.5", "%") is None and money_line("abc", "万元") is None


def test_citation_card_escapes_html():
    from app import card_html
    c = Citation(doc="<b>部门</b>", page=4, table="表一", section=None, text="<script>alert(1)</script> 7.00")
    out = card_html(1, c)
    assert "<script" not in out and "&lt;script&gt;" in out and "&lt;b&gt;部门" in out and "第 4 页" in out
