"""The Streamlit chat, driven headless by AppTest against a real engine on a temp store."""
from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from schema import Answer, AnswerPart, Citation, Fact
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


TOKEN = "s3cret"


@pytest.fixture
def staff(store, monkeypatch) -> Path:
    """A store of an install with an admin token configured (upload possible once it is entered)."""
    monkeypatch.setenv("BUDGETQA_ADMIN_TOKEN", TOKEN)
    return store


def start(embedded: bool = False, token: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    if embedded:
        at.context["is_embedded"] = True
    if token:
        at.session_state["admin_token"] = token          # staff entered the admin token in the sidebar
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


def visible(markup: str) -> str:
    """What a visitor reads of an st.html block: its text, tags dropped and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def shown_text(at: AppTest) -> str:
    return "\n".join([plain(m.value) for m in at.markdown] + [visible(h.value) for h in at.html if "<script" not in h.value]
                     + [c.value for c in at.caption])


def answer_markup(at: AppTest) -> str:
    return [h.value for h in at.html if 'class="bq-ans"' in h.value][-1]


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


def test_default_install_is_read_only_no_upload_and_no_staff_links(store):
    at = start()
    assert not at.file_uploader and not [t for t in at.text_input if t.key == "admin_token"]
    sidebar = "".join(str(getattr(e, "value", "")) + str(getattr(e, "label", "")) for e in at.sidebar)
    assert "上传" not in sidebar and "管理口令" not in sidebar
    assert "核查" not in sidebar and "数据浏览" not in sidebar


def test_upload_needs_the_configured_admin_token_entered_first(staff):
    at = start()
    assert not at.file_uploader and at.text_input(key="admin_token")
    at.text_input(key="admin_token").set_value("wrong").run()
    assert not at.file_uploader and any("口令不正确" in c.value for c in at.sidebar.caption)
    at.text_input(key="admin_token").set_value(TOKEN).run()
    assert at.file_uploader


def test_upload_text_disclosure_adds_document_and_escapes_script(staff):
    at = start(token=TOKEN)
    at.file_uploader[0].upload("mini.txt", MINI.encode("utf-8"), "text/plain")
    at.run()
    at.button(key="upload_go").click().run()
    assert not at.exception
    assert any("mini.txt：已导入" in plain(s.value) for s in at.sidebar.success)
    assert "示例区市场监督管理局 · 2025年 · 部门预算" in "".join(h.value for h in at.sidebar.html)
    at = ask(at, "示例区市场监督管理局住房保障支出是多少？")
    cards = "".join(h.value for h in at.html if "bq-card" in h.value)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img" in cards and "<script" not in cards and "<img" not in cards
    lead = re.search(r'<p class="bq-lead">(.*?)</p>', answer_markup(at)).group(1)
    assert "&lt;script&gt;" in lead and "<script>" in visible(lead)       # escaped HTML, read as text


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


def test_pdf_upload_answer_shows_table_and_cited_page_image_and_yuan_to_wan(staff):
    from tests.conftest import REAL, need_shared
    pdf = REAL / "shanghai-putuo-qufuban-2025-dept-budget.pdf"
    need_shared(pdf)
    at = start(token=TOKEN)
    at.file_uploader[0].upload(pdf.name, pdf.read_bytes(), "application/pdf")
    at.run()
    at.button(key="upload_go").click().run(timeout=300)
    assert any(pdf.name in plain(s.value) for s in at.sidebar.success), [e.value for e in at.sidebar.error]
    at = ask(at, "区府办2025年一般公共服务支出预算是多少？")
    answer = at.session_state.messages[-1]["answer"]
    assert answer.citations and answer.citations[0].page and answer.citations[0].file == pdf.name
    if answer.unit == "元":
        assert "万元" in re.search(r'<div class="bq-conv">(.*?)</div>', answer_markup(at)).group(1)
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


# ------------------------------------------------------------------ the answer as citizens read it
def test_answer_leads_with_its_sentence_then_the_main_source_and_folds_the_agreeing_tables(store):
    at = ask(start(), QUESTION)
    markup = answer_markup(at)
    lead = re.search(r'<p class="bq-lead">(.*?)</p>', markup)
    first_card = re.search(r'<div class="bq-card">(.*?)</div>', markup)
    fold = re.search(r'<details class="bq-fold"><summary>(.*?)</summary>(.*?)</details>', markup)
    assert lead and first_card and fold
    assert visible(lead.group(1)).startswith(at.session_state.messages[-1]["answer"].answer.split("。")[0])
    assert '<mark class="bq-fig">3241.03万元</mark>' in lead.group(1)
    assert lead.end() <= first_card.start() < fold.start()                    # lead, then its source, then the fold
    assert "来源" in first_card.group(1) and "收支总表" in first_card.group(1)
    assert "二十、住房保障支出 3241.03 3241.03" in first_card.group(1)
    assert fold.group(1) == "另有2张表数字一致"
    assert "2026年预算支出总表" in fold.group(2) and "2026年预算收入总表" in fold.group(2)
    assert "221 住房保障支出 3241.03 35.03 3206.00" in fold.group(2)
    assert "约合 32,410,300.00 元" in visible(markup)
    assert [e.label for e in at.expander if e.label.startswith("查看原表")] == ["查看原表：预算公开表1 2026年预算收支总表"]


def test_two_documents_get_one_block_each_with_its_own_figure(staff):
    at = start(token=TOKEN)
    at.file_uploader[0].upload("mini.txt", MINI.encode("utf-8"), "text/plain")
    at.run()
    at.button(key="upload_go").click().run()
    at = ask(at, QUESTION)
    answer = at.session_state.messages[-1]["answer"]
    assert len(answer.parts) == 2
    markup = answer_markup(at)
    heads = re.findall(r'<div class="bq-part-h">(.*?)</div>', markup)
    figures = re.findall(r'<mark class="bq-fig">(.*?)</mark>', markup)
    assert sorted(heads) == ["区市场监督管理局2025年部门预算", "晋城经济技术开发区建设管理部2026年部门预算"]  # short name, year
    assert sorted(figures) == ["112.30万元", "3241.03万元"]
    assert markup.count('<span class="bq-src-h">来源</span>') == 2             # each block: its own source line


def test_not_found_repeats_the_question_and_offers_two_or_three_clickable_questions(store):
    question = "无人机购置费是多少？"
    at = ask(start(), question)
    answer = at.session_state.messages[-1]["answer"]
    assert not answer.answerable
    assert question.rstrip("？") in visible(answer_markup(at))              # the question as asked, not its keywords
    pills = next(p for p in at.pills if str(p.key).startswith("alt_"))
    assert 2 <= len(pills.options) <= 3
    picked = pills.options[0]
    pills.select(picked).run()
    assert not at.exception
    assert at.session_state.messages[-2]["content"] == plain(picked)
    assert at.session_state.messages[-1]["answer"].answerable


def test_copy_button_carries_the_answer_and_its_sources(store):
    at = ask(start(), QUESTION)
    button = next(h.value for h in at.html if h.value.startswith('<button type="button" class="bq-copy"'))
    copied = html.unescape(re.search(r'data-bq-copy="([^"]*)"', button).group(1))
    answer = at.session_state.messages[-1]["answer"]
    assert copied.startswith(answer.answer)
    assert "来源：" in copied and all(c.text in copied for c in answer.citations)
    assert 'aria-label="复制回答和来源"' in button


def test_upload_file_name_is_shown_as_plain_text_not_markdown(staff):
    from app import md_text
    name = "**粗体**_[链接](x.cn)`代码`<b>.txt"
    at = start(token=TOKEN)
    at.file_uploader[0].upload(name, MINI.encode("utf-8"), "text/plain")
    at.run()
    at.button(key="upload_go").click().run()
    line = next(s.value for s in at.sidebar.success)
    assert plain(line).startswith(name + "：已导入")
    assert line.startswith(md_text(name))                                     # every markdown character escaped


def test_default_start_has_no_developer_menu_and_shows_no_tracebacks():
    import tomllib
    config = tomllib.loads((APP.parent / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["toolbarMode"] == "minimal" and config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False


# ------------------------------------------------------------------ pure helpers of the answer view
def cite(n: int, role: str, table: str, text: str) -> Citation:
    return Citation(doc="示例文件", page=n, table=table, section=None, text=text, doc_id="d", role=role)


def test_sentences_keep_their_citation_marks_and_closing_quotes():
    from app import marks_in, text_to_sentences
    text = "住房保障支出为3241.03万元①。表二、表三中也为3241.03万元②③。“注意”。"
    assert text_to_sentences(text) == ["住房保障支出为3241.03万元①。", "表二、表三中也为3241.03万元②③。", "“注意”。"]
    assert marks_in("甲①乙[21]丙①②") == [1, 21, 2]
    assert text_to_sentences("无句号的回答") == ["无句号的回答"]


def test_a_differing_source_is_always_shown_and_agreeing_ones_fold():
    from app import answer_html, answer_to_blocks
    a = Answer(question="q", answer="办公费为17.00万元①。表二也为17.00万元②。表三为17.50万元③。", answerable=True,
               value="17.00", unit="万元",
               citations=(cite(1, "main", "表一", "办公费 17.00"), cite(2, "agrees", "表二", "办公费 17.00"),
                          cite(3, "differs", "表三", "办公费 17.50")))
    (b,) = answer_to_blocks(a)
    assert (b.main, b.agrees, b.differs) == (1, (2,), (3,))
    assert b.folded == ("表二也为17.00万元②。",) and b.more == ("表三为17.50万元③。",)
    markup = answer_html(a)
    fold_at = markup.index("<details")
    assert markup.index("办公费 17.50") < fold_at and "此处数字不同" in markup[:fold_at]
    assert markup.index("办公费 17.00", fold_at) > fold_at                     # 表二's row only inside the fold


def test_citations_no_sentence_mentions_still_appear_folded_as_other_sources():
    from app import answer_html, answer_to_blocks
    a = Answer(question="q", answer="没有标记的回答。", answerable=True,
               citations=(cite(1, "", "表一", "甲 1"), cite(2, "", "表二", "乙 2")))
    (b,) = answer_to_blocks(a)
    assert b.main == 1 and b.others == (2,)
    assert "其他来源（1）" in answer_html(a) and "乙 2" in answer_html(a)


def test_parts_that_do_not_make_up_the_text_fall_back_to_one_block():
    from app import answer_to_blocks
    parts = (AnswerPart("a", "甲", "甲为1元①。", "1", "元"), AnswerPart("b", "乙", "乙为2元②。", "2", "元"))
    a = Answer(question="q", answer="改写过的回答①②。", answerable=True, parts=parts,
               citations=(cite(1, "main", "表一", "甲 1"), cite(2, "main", "表二", "乙 2")))
    assert [b.lead for b in answer_to_blocks(a)] == ["改写过的回答①②。"]
    whole = Answer(question="q", answer="【甲】甲为1元①。\n【乙】乙为2元②。", answerable=True, parts=parts,
                   citations=a.citations)
    assert [(b.heading, b.main) for b in answer_to_blocks(whole)] == [("甲", 1), ("乙", 2)]


def test_the_labelling_script_gets_only_prompt_strings_as_json():
    import json

    from app import chrome_html
    from prompts.ui_zh import CHROME
    out = chrome_html()
    cfg = json.loads(re.search(r"var cfg = (\{.*?\}), doc", out, re.S).group(1).replace("<\\/", "</"))
    assert cfg["attrs"] == CHROME["attrs"] and cfg["copied"] == "已复制" and out.count("</script>") == 1
    assert all(re.search(r"[\u4e00-\u9fff]", v) for v in CHROME["attrs"].values())


def test_widget_bundles_the_strings_and_suggestions_the_api_serves():
    import importlib.util
    spec = importlib.util.spec_from_file_location("bundle", APP.parent / "widget" / "bundle.py")
    bundle = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bundle)
    assert bundle.embed_bundle(bundle.EMBED.read_text(encoding="utf-8")) == bundle.ui_payload()
    assert bundle.ui_payload()["widget"]["refused"] == "本站尚未获准使用问答服务，请联系网站管理员。"


def test_a_lead_that_does_not_state_the_figure_gets_it_highlighted_after_it():
    from app import sentence_html
    assert sentence_html("办公费见下表①。", "17.00", "万元") == \
        '办公费见下表<span class="bq-ref">①</span>。 <mark class="bq-fig">17.00万元</mark>'
    assert sentence_html("办公费为17.00 万元①。", "17.00", "万元").count("<mark") == 1


def test_view_table_lists_the_cited_row_as_label_value_lines_with_the_cited_column_marked(store):
    at = ask(start(), QUESTION)
    key = next(k for k in at.session_state.keys() if str(k).startswith("src_") and str(k).endswith("_0"))
    at.session_state[key] = True
    at.run()
    card = next(h.value for h in at.html if "bq-rowcard" in h.value)
    assert "住房保障支出" in visible(card) and card.count('<li class="bq-kv') >= 2      # every column of the row
    hit = re.search(r'<li class="bq-kv bq-kv-hit">(.*?)</li>', card).group(1)
    assert "3241.03" in visible(hit) and "引用" in visible(hit)


def test_welcome_buttons_with_several_bodies_name_one_body_and_year_or_rank_the_bodies():
    from app import welcome_chips
    from prompts.ui_zh import RANK_SUGGESTIONS, SUGGESTIONS
    from schema import Document
    docs = [Document(doc_id=f"d{y}{b}", title=f"{b}{y}年部门预算", body=b, year=y, kind="预算", scope="部门")
            for b in ("上海市普陀区人民政府万里街道办事处", "江苏省人民检察院") for y in (2024, 2025)]
    chips = welcome_chips(docs, None)
    scoped_chips = [c for c in chips if c not in RANK_SUGGESTIONS]
    assert scoped_chips and all(c.startswith("万里街道2025年") for c in scoped_chips)
    assert set(RANK_SUGGESTIONS) <= set(chips)
    assert welcome_chips(docs, "d2024江苏省人民检察院") == list(SUGGESTIONS)        # one document in scope
    assert welcome_chips(docs[:1], None) == list(SUGGESTIONS)


def test_an_answer_about_many_documents_shows_three_blocks_and_folds_the_rest_in_one_line():
    from app import answer_html
    parts = tuple(AnswerPart(doc_id=f"d{i}", heading=f"单位{i}2025年部门预算", text=f"办公费预算为{i}.00万元{'①②③④⑤'[i]}。",
                             value=f"{i}.00", unit="万元") for i in range(5))
    cites = tuple(Citation(doc=f"单位{i}", page=1, table="表", section=None, text=f"办公费 {i}.00", doc_id=f"d{i}",
                           role="main") for i in range(5))
    a = Answer(question="办公费是多少", answer="\n".join(p.text for p in parts), answerable=True, citations=cites,
               parts=parts)
    markup = answer_html(a)
    folded = re.search(r'<details class="bq-fold"><summary>(.*?)</summary>(.*)</details>', markup, re.S)
    assert folded and "另有 2 份文件" in folded.group(1)
    assert "单位3" in folded.group(2) and "单位4" in folded.group(2) and "单位3" not in markup[:folded.start()]


def test_thumbs_down_opens_one_line_for_what_was_wrong_and_stores_it(store):
    at = ask(start(), QUESTION)
    entry_id = at.session_state.messages[-1]["id"]
    assert not [t for t in at.text_input if t.key == f"fbc_{entry_id}"]            # nothing before a 👎
    at.feedback[0].set_value(0).run()
    at.text_input(key=f"fbc_{entry_id}").set_value("正确的数字是3200.00万元").run()
    rows = FeedbackStore.in_store(store).rows()
    assert [(r["rating"], r["comment"]) for r in rows] == [(0, "正确的数字是3200.00万元")]


def test_retry_asks_the_same_question_again_below(store):
    at = ask(start(), QUESTION)
    first = at.session_state.messages[-1]["id"]
    at.button(key=f"retry_{first}").click().run()
    msgs = at.session_state.messages
    assert len(msgs) == 4 and msgs[2]["content"] == QUESTION and msgs[3]["answer"].value == "3241.03"


def test_the_conversation_kept_in_the_browser_reads_back_with_its_sources(store):
    from app import json_to_messages, messages_to_json
    at = ask(start(), QUESTION)
    kept = messages_to_json(at.session_state.messages)
    back = json_to_messages(kept)
    assert [m["role"] for m in back] == ["user", "assistant"]
    a, b = at.session_state.messages[-1]["answer"], back[-1]["answer"]
    assert (b.answer, b.value, b.unit, b.citations, b.parts) == (a.answer, a.value, a.unit, a.citations, a.parts)
    assert json_to_messages("not json") == [] and json_to_messages('[{"role": "x"}]') == []
