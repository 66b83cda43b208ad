"""Streamlit chat over the loaded budget disclosures: widgets + engine calls, nothing else.

    streamlit run app.py            full page, with the sidebar (documents, upload)
    http://HOST:8501/?embed=true    compact mode for framing in a portal page

Every answer comes from `engine.ask` / `engine.ask_stream`. Document content is shown as text:
markdown is escaped with `md_text`, and the little HTML built here escapes with `html.escape`.
"""
from __future__ import annotations

import html
import json
import logging
import re
import threading
import uuid
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
import streamlit as st

from config import Settings, load_settings
from prompts.staff_zh import UI as STAFF
from prompts.ui_zh import APP as T
from prompts.ui_zh import CHROME, RANK_SUGGESTIONS, SUGGESTIONS
from retrieval.compose import scoped
from schema import Answer, AnswerPart, Citation, Document, Fact
from service import answer_from_json, ingest_uploads, open_engine, token_ok, upload_note
from stores.facts import StoreUnavailable
from stores.feedback import FeedbackStore
from stores.vectors import VectorUnavailable

log = logging.getLogger("budgetqa.app")
MAX_QUESTION = 500
HISTORY_MESSAGES = 8
UPLOAD_TYPES = ["pdf", "txt"]
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳" + "".join(map(chr, range(0x3251, 0x3260))) + "".join(map(chr, range(0x32B1, 0x32C0)))
MARK = re.compile(r"[①-⑳㉑-㉟㊱-㊿]|\[(\d+)\]")     # citation markers as the engine writes them (① … ㊿)
TITLE = "doc"                        # a citation of a document's title (for the year an answer names): not a card
SENTENCE = re.compile(r"[^。！？\n]+(?:[。！？]+[”’」）)]*(?:[①-⑳]|\[\d+\])*|$)|\n")
SUGGESTED = 3                        # clickable questions offered when not found
MAIN, AGREES, DIFFERS = "main", "agrees", "differs"
HIGHLIGHT = "background-color: #fff3cd; font-weight: 600"
TABLE_ROWS = 24                      # rows shown before the table scrolls
ALL_DOCS = "*"
WAN, YUAN = "万元", "元"             # units as the engine reports them (data, not UI text)
UNAVAILABLE = (StoreUnavailable, VectorUnavailable)
AVATARS = {"assistant": ":material/account_balance:", "user": ":material/person:"}

CSS = """<style>
:root { --bq-red: #a8261d; --bq-blue: #1f4e8c; --bq-line: #dfe3ea; }
.bq-head, .bq-ans, .bq-doc-item, .bq-copy {
  font-family: "Source Sans", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; }
[data-testid="stDecoration"], [data-testid="InputInstructions"] { display: none; }
.block-container { padding-top: 3.5rem; }
.block-container, [data-testid="stBottomBlockContainer"] { max-width: 58rem; }
.bq-head { display: flex; align-items: center; gap: .75rem; border-bottom: 3px solid var(--bq-red);
  padding: .25rem 0 .6rem; margin-bottom: .25rem; }
.bq-mark { flex: none; width: 2.6rem; height: 2.6rem; border-radius: 4px; background: var(--bq-red);
  color: #fff; font-weight: 700; display: flex; align-items: center; justify-content: center;
  font-size: .95rem; letter-spacing: .05em; }
.bq-title { font-size: 1.35rem; font-weight: 700; color: #1d2733; line-height: 1.3; }
.bq-sub { font-size: .85rem; color: #5b6675; }
.bq-ans { font-size: 1rem; line-height: 1.65; color: #1d2733; overflow-wrap: anywhere; }
.bq-part + .bq-part { border-top: 1px solid var(--bq-line); margin-top: .6rem; padding-top: .6rem; }
.bq-part-h { font-weight: 700; color: var(--bq-blue); font-size: .9rem; line-height: 1.4; margin-bottom: .15rem; }
.bq-lead { margin: 0 0 .3rem; font-size: 1.08rem; }
.bq-fig { background: #fdf3f2; color: var(--bq-red); font-weight: 700; padding: 0 .15em; border-radius: 3px; }
.bq-ref { color: var(--bq-blue); }
.bq-more { margin: .3rem 0; }
.bq-conv { color: #5b6675; font-size: .8rem; margin: .1rem 0 .2rem; }
.bq-card { border-left: 3px solid var(--bq-blue); border-radius: 4px; padding: .3rem .6rem; margin: .3rem 0;
  background: #f5f8fc; font-size: .85rem; line-height: 1.5; }
.bq-card .bq-src-h { color: #5b6675; margin-right: .3rem; }
.bq-card .bq-n { color: var(--bq-blue); font-weight: 700; margin-right: .2rem; }
.bq-card .bq-doc { font-weight: 600; }
.bq-card .bq-where { color: #3d4a5c; }
.bq-card .bq-row { display: block; color: #3d4a5c; white-space: pre-wrap; font-size: .8rem;
  font-family: "WenQuanYi Micro Hei Mono", "Noto Sans Mono CJK SC", ui-monospace, monospace; }
.bq-card.bq-differs { border-left-color: #b86200; background: #fff7eb; }
.bq-card .bq-flag { color: #8a4a00; font-weight: 700; margin-right: .3rem; }
.bq-fold { margin: .25rem 0; font-size: .85rem; }
.bq-fold summary { cursor: pointer; color: var(--bq-blue); padding: .3rem 0; }
.bq-fold summary:focus-visible, .bq-copy:focus-visible { outline: 3px solid #f2b705; outline-offset: 2px; }
.bq-fold .bq-more { font-size: .9rem; }
.bq-copy { border: 1px solid #c5cfdd; background: #fff; color: #3d4a5c; border-radius: 6px; font-size: .85rem;
  padding: .2rem .75rem; min-height: 2rem; cursor: pointer; }
.bq-copy:hover { background: #f0f3f8; }
.bq-doc-item { border-bottom: 1px solid var(--bq-line); padding: .35rem 0; font-size: .88rem; line-height: 1.45; }
.bq-doc-item .bq-doc-meta { color: #5b6675; font-size: .8rem; }
.bq-rowcard { border: 1px solid var(--bq-line); border-radius: 6px; padding: .4rem .6rem; margin: .2rem 0 .5rem;
  font-size: .9rem; }
.bq-rowlabel { font-weight: 700; margin-bottom: .2rem; }
.bq-kvs { list-style: none; margin: 0; padding: 0; }
.bq-kv { display: flex; justify-content: space-between; gap: .6rem; border-bottom: 1px dashed var(--bq-line);
  padding: .15rem 0; }
.bq-kv .bq-k { color: #5b6675; overflow-wrap: anywhere; } .bq-kv .bq-v { font-variant-numeric: tabular-nums; white-space: nowrap; }
.bq-kv-hit { background: #fff3cd; font-weight: 700; }
.bq-pdf { display: inline-block; margin: .2rem 0 .4rem; color: var(--bq-blue); }
@media (max-width: 480px) {
  .block-container { padding-left: .6rem; padding-right: .6rem; padding-top: 3rem; }
  .bq-title { font-size: 1.1rem; } .bq-sub { font-size: .78rem; }
  .bq-mark { width: 2.1rem; height: 2.1rem; font-size: .8rem; }
  .bq-head { padding-bottom: .4rem; } .bq-lead { font-size: 1.02rem; }
}
</style>"""
EMBED_CSS = "<style>.block-container { padding-top: 1rem; padding-bottom: 1rem; }</style>"

# Streamlit's controls carry English labels and its first Tab stop is a skip link. This script, run once per
# page, puts the Chinese of prompts/ui_zh.py CHROME on them (attributes anywhere; texts only inside the
# Streamlit controls of CHROME["scopes"], never in answers), makes the question box the first Tab stop, and
# handles the copy buttons. It carries no document content: its only input is CHROME and two labels.
CHROME_JS = """<script>
(function () {
  var cfg = %s, doc = window.document;
  if (window.__bqChrome) { window.__bqChrome.cfg = cfg; return; }
  var rules = function (exact, patterns) {
    var res = (patterns || []).map(function (p) { return [new RegExp(p[0]), p[1]]; });
    return function (s) {
      var t = (s || "").trim();
      if (Object.prototype.hasOwnProperty.call(exact, t)) { return exact[t]; }
      for (var i = 0; i < res.length; i++) { if (res[i][0].test(t)) { return t.replace(res[i][0], res[i][1]); } }
      return null;
    };
  };
  var attr = rules(cfg.attrs, cfg.attr_patterns), text = rules(cfg.texts, cfg.text_patterns);
  function localise() {
    doc.documentElement.lang = cfg.lang;
    doc.querySelectorAll("[aria-label],[title],[placeholder]").forEach(function (e) {
      ["aria-label", "title", "placeholder"].forEach(function (a) {
        var v = e.getAttribute(a), t = v && attr(v);
        if (t && t !== v) { e.setAttribute(a, t); }
      });
    });
    doc.querySelectorAll(cfg.scopes).forEach(function (scope) {
      var walk = doc.createTreeWalker(scope, NodeFilter.SHOW_TEXT), n;
      while ((n = walk.nextNode())) {
        if (n.parentElement && n.parentElement.closest('[data-testid="stIconMaterial"]')) { continue; }
        var t = text(n.nodeValue);
        if (t && t !== n.nodeValue.trim()) { n.nodeValue = t; }
      }
    });
    doc.querySelectorAll('[data-testid="stIconMaterial"]:not([aria-hidden])').forEach(function (e) {
      e.setAttribute("aria-hidden", "true");
    });
    var box = doc.querySelector('[data-testid="stChatInputTextArea"]');
    if (box && box.tabIndex !== 1) { box.tabIndex = 1; }
  }
  var queued = false;
  var observer = new MutationObserver(function () {
    if (queued) { return; }
    queued = true;
    window.requestAnimationFrame(function () { queued = false; localise(); });
  });
  observer.observe(doc.body, { subtree: true, childList: true, characterData: true, attributes: true,
                               attributeFilter: ["aria-label", "title", "placeholder"] });
  function fallbackCopy(value) {
    var area = doc.createElement("textarea");
    area.value = value; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
    doc.body.appendChild(area); area.select();
    var ok = doc.execCommand("copy");
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy"));
  }
  doc.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-bq-copy]");
    if (!btn) { return; }
    var value = btn.getAttribute("data-bq-copy"), label = btn.textContent;
    var done = function (word) { btn.textContent = word; setTimeout(function () { btn.textContent = label; }, 2000); };
    var write = navigator.clipboard && window.isSecureContext ? navigator.clipboard.writeText(value) : fallbackCopy(value);
    write.catch(function () { return fallbackCopy(value); })
      .then(function () { btn.setAttribute("data-bq-copied", "1"); done(window.__bqChrome.cfg.copied); },
            function () { done(window.__bqChrome.cfg.copy_failed); });
  });
  window.__bqChrome = { cfg: cfg };
  localise();
})();
</script>"""


def chrome_html() -> str:
    """The script above with its Chinese labels (JSON, so no string from outside prompts/ reaches it)."""
    cfg = CHROME | {"copied": T["copied"], "copy_failed": T["copy_failed"]}
    return CHROME_JS % json.dumps(cfg, ensure_ascii=False).replace("</", "<\\/")


def staff_unlocked(settings: Settings) -> bool:
    """The gate of a staff page: closed with no admin token configured (the page says how to enable it);
    with one, open once it is entered."""
    if not settings.admin_token:
        st.info(STAFF["disabled"])
        return False
    given = st.session_state.get("staff_token", "")
    if token_ok(given, settings.admin_token):
        return True
    st.info(STAFF["locked"])
    st.text_input(STAFF["token"], type="password", key="staff_token")
    if given:
        st.caption(STAFF["token_wrong"])
    return False


def chrome() -> None:
    """Styles and the labelling script, for the chat and the staff pages."""
    st.html(CSS)
    st.html(chrome_html(), unsafe_allow_javascript=True)


# ------------------------------------------------------------------ text helpers (pure)
def md_text(s: str) -> str:
    """Show `s` literally through st.markdown: escape every ASCII punctuation, keep line breaks."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", s or "").replace("\n", "  \n")


def esc(s) -> str:
    return html.escape("" if s is None else str(s))


def money_line(value: str | None, unit: str | None) -> str | None:
    """3241.03 万元 -> '约合 32,410,300.00 元'; large 元 amounts -> 万元. Display only."""
    try:
        v = Decimal(str(value).replace(",", ""))
    except (InvalidOperation, TypeError):
        return None
    if unit == WAN:
        return T["money_wan_to_yuan"].format(yuan=f"{v * 10000:,.2f}")
    if unit == YUAN and abs(v) >= 10000:
        return T["money_yuan_to_wan"].format(wan=f"{v / 10000:,.2f}")
    return None


def citation_where(c: Citation) -> str:
    parts = [c.table or c.section or ""]
    if c.page:
        parts.append(T["source_page"].format(page=c.page))
    return " · ".join(p for p in parts if p)


def mark_of(n: int) -> str:
    return CIRCLED[n - 1] if 1 <= n <= len(CIRCLED) else f"[{n}]"


def marks_in(text: str) -> list[int]:
    """Citation numbers a text cites, in order of first mention: '…万元①…②③' -> [1, 2, 3]."""
    found = [int(m.group(1)) if m.group(1) else CIRCLED.index(m.group()) + 1 for m in MARK.finditer(text)]
    return list(dict.fromkeys(found))


def text_to_sentences(text: str) -> list[str]:
    """Split after 。！？ (a closing quote and the citation marks that follow stay with their sentence)."""
    return [s.strip() for s in SENTENCE.findall(text or "") if s.strip()]


@dataclass(frozen=True)
class Block:
    """One document's share of an answer, as the chat shows it: a lead sentence, then its source."""
    heading: str
    lead: str
    value: str | None
    unit: str | None
    more: tuple[str, ...] = ()       # sentences shown under the source
    folded: tuple[str, ...] = ()     # sentences citing only agreeing tables: folded with them
    main: int | None = None          # citation number shown in the short line under the lead
    agrees: tuple[int, ...] = ()
    differs: tuple[int, ...] = ()
    others: tuple[int, ...] = ()


def part_to_block(part: AnswerPart, citations: tuple[Citation, ...], cited: list[int]) -> Block:
    """A part's text and the citation numbers it covers -> lead, source line, folded agreeing tables."""
    sentences = text_to_sentences(part.text) or [""]
    role = {n: citations[n - 1].role for n in cited if 1 <= n <= len(citations)}
    main = next((n for n in role if role[n] == MAIN), next(iter(role), None))
    rest = sentences[1:]
    agreeing = [s for s in rest if marks_in(s) and all(role.get(n) == AGREES for n in marks_in(s))]
    return Block(heading=part.heading, lead=sentences[0], value=part.value, unit=part.unit,
                 more=tuple(s for s in rest if s not in agreeing), folded=tuple(agreeing), main=main,
                 agrees=tuple(n for n in role if role[n] == AGREES and n != main),
                 differs=tuple(n for n in role if role[n] == DIFFERS and n != main),
                 others=tuple(n for n in role if role[n] not in (AGREES, DIFFERS) and n != main))


def answer_to_blocks(a: Answer) -> tuple[Block, ...]:
    """One block per document when the text is made of the answer's parts; else one block for the whole text.

    Every citation lands in some block: the ones no text mentions go with the last block."""
    parts = a.parts if len(a.parts) > 1 and all(p.text and p.text in a.answer for p in a.parts) else ()
    if not parts:
        parts = (AnswerPart(doc_id="", heading="", text=a.answer, value=a.value, unit=a.unit),)
    cited = [marks_in(p.text) for p in parts]
    seen = {n for ns in cited for n in ns}
    cited[-1] += [n for n, c in enumerate(a.citations, 1) if n not in seen and c.role != TITLE]
    return tuple(part_to_block(p, a.citations, ns) for p, ns in zip(parts, cited))


def figure_pattern(value: str, unit: str | None) -> re.Pattern:
    return re.compile(re.escape(esc(value)) + r"\s*" + re.escape(esc(unit or "")))


def sentence_html(text: str, value: str | None = None, unit: str | None = None) -> str:
    """Escaped sentence; citation marks styled; the answered figure (value + unit) highlighted once.
    A sentence that does not state the figure gets it after itself, highlighted."""
    out = esc(text)
    if value:
        fig = figure_pattern(value, unit)
        marked = fig.sub(lambda m: f'<mark class="bq-fig">{m.group()}</mark>', out, count=1)
        out = marked if marked != out else f'{out} <mark class="bq-fig">{esc(value)}{esc(unit or "")}</mark>'
    return MARK.sub(lambda m: f'<span class="bq-ref">{m.group()}</span>', out)


def card_html(n: int, c: Citation, lead: bool = False, with_doc: bool = True) -> str:
    """A source in one short line (document, table or section, page) and its row as printed."""
    head = f'<span class="bq-src-h">{esc(T["source_lead"])}</span>' if lead else ""
    flag = f'<span class="bq-flag">{esc(T["differs"])}</span>' if c.role == DIFFERS else ""
    doc = f'<span class="bq-doc">{esc(T["doc_quoted"].format(doc=c.doc))}</span>' if with_doc and c.doc else ""
    cls = "bq-card bq-differs" if c.role == DIFFERS else "bq-card"
    return (f'<div class="{cls}">{head}{flag}<span class="bq-n">{mark_of(n)}</span>{doc}'
            f'<span class="bq-where">{esc(citation_where(c))}</span>'
            f'<span class="bq-row" title="{esc(T["source_row"])}">{esc(c.text)}</span></div>')


def cards_html(numbers, citations: tuple[Citation, ...], with_doc: bool) -> str:
    return "".join(card_html(n, citations[n - 1], with_doc=with_doc) for n in numbers)


def fold_html(label: str, inner: str) -> str:
    return f'<details class="bq-fold"><summary>{esc(label)}</summary>{inner}</details>'


def block_html(b: Block, citations: tuple[Citation, ...]) -> str:
    """Lead sentence, its source in a short line, the conversion, further sentences, sources that differ
    (always shown), then agreeing tables and other sources folded."""
    with_doc = not b.heading
    html_parts = [f'<div class="bq-part-h">{esc(b.heading)}</div>' if b.heading else "",
                  f'<p class="bq-lead">{sentence_html(b.lead, b.value, b.unit)}</p>']
    if b.main:
        html_parts.append(card_html(b.main, citations[b.main - 1], lead=True, with_doc=with_doc))
    if conv := money_line(b.value, b.unit):
        html_parts.append(f'<div class="bq-conv">{esc(conv)}{esc(T["money_note"])}</div>')
    html_parts += [f'<p class="bq-more">{sentence_html(s)}</p>' for s in b.more]
    html_parts.append(cards_html(b.differs, citations, with_doc))
    if b.agrees:
        folded = "".join(f'<p class="bq-more">{sentence_html(s)}</p>' for s in b.folded)
        inner = folded + cards_html(b.agrees, citations, with_doc)
        html_parts.append(fold_html(T["agrees_fold"].format(n=len(b.agrees)), inner))
    if b.others:
        html_parts.append(fold_html(T["others_fold"].format(n=len(b.others)), cards_html(b.others, citations, with_doc)))
    return f'<div class="bq-part">{"".join(html_parts)}</div>'


SHOWN_BLOCKS = 3                     # documents shown in full; the others fold into one line


def answer_html(a: Answer) -> str:
    """The blocks of the first documents in full, the others folded under one line (never a wall of ten)."""
    blocks = answer_to_blocks(a)
    shown = "".join(block_html(b, a.citations) for b in blocks[:SHOWN_BLOCKS])
    if len(blocks) > SHOWN_BLOCKS:
        rest = blocks[SHOWN_BLOCKS:]
        shown += fold_html(T["more_docs"].format(n=len(rest)), "".join(block_html(b, a.citations) for b in rest))
    return f'<div class="bq-ans" role="article">{shown}</div>'


def copy_text(a: Answer) -> str:
    """What the copy button puts on the clipboard: the answer, then every source with its row as printed."""
    lines = [a.answer]
    if a.citations:
        lines.append(T["copy_sources"])
        lines += [T["copy_source"].format(mark=mark_of(i), doc=c.doc, where=citation_where(c), text=c.text)
                  for i, c in enumerate(a.citations, 1) if c.role != TITLE]
    return "\n".join(lines)


def copy_html(a: Answer) -> str:
    return (f'<button type="button" class="bq-copy" data-bq-copy="{esc(copy_text(a))}" '
            f'aria-label="{esc(T["copy_label"])}" title="{esc(T["copy_label"])}">{esc(T["copy"])}</button>')


def doc_label(d: Document) -> str:
    year = T["year"].format(year=d.year) if d.year else T["doc_year_unknown"]
    line = T["doc_line"].format(body=d.body, year=year, scope=d.scope, kind=d.kind)
    return line + (T["doc_template"] if d.is_template else "")


def facts_to_frame(facts: list[Fact], cited: list[Citation]) -> tuple[pd.DataFrame, list[int]]:
    """A table's facts -> one row per printed row, columns in printed order; positions of the cited rows.

    Two-sided tables (收入 | 支出 side by side) get one label column per side.
    """
    labels_per_row: dict[int, set[str]] = {}
    for f in facts:
        labels_per_row.setdefault(f.row, set()).add(f.label)
    two_sided = any(len(x) > 1 for x in labels_per_row.values())
    rows: dict[int, dict[str, str]] = {}
    cols: list[str] = []
    for f in facts:
        label_col = f"{f.column.split('/')[0]}·{T['col_label']}" if two_sided else T["col_label"]
        for col, val in ((T["col_code"], f.code or ""), (label_col, f.label), (f.column, f.raw)):
            if col == T["col_code"] and not f.code:
                continue
            rows.setdefault(f.row, {}).setdefault(col, val)
            if col not in cols:
                cols.append(col)
    cols.sort(key=lambda c: c != T["col_code"])      # 科目编码 first, the rest as printed
    order = sorted(rows)
    hit_rows = {f.row for c in cited for f in cited_facts(facts, c)}
    frame = pd.DataFrame([rows[r] for r in order], columns=cols).fillna("")
    return frame, [i for i, r in enumerate(order) if r in hit_rows]


def cited_facts(facts: list[Fact], c: Citation) -> list[Fact]:
    """The facts a citation points at: same printed text, else same label."""
    return [f for f in facts if f.text == c.text] or [f for f in facts if c.label and f.label == c.label]


def ingest_line(r) -> tuple[str, str]:
    """IngestResult -> (level, one line in Chinese); level is success | warning | error."""
    name = Path(r.file).name
    reason = (r.error or "").split(" / ")[0]
    if not r.ok:
        return "error", T["upload_failed"].format(name=name, error=reason)
    if r.skipped:
        text = T["upload_failed"].format(name=name, error=reason) if reason else T["upload_skipped"].format(name=name)
        return "warning", text
    return "success", T["upload_ok"].format(name=name, facts=r.facts, chunks=r.chunks) + upload_note(r)


# ------------------------------------------------------------------ state
def session_settings() -> Settings:
    """Settings are read from the environment once per browser session."""
    if "settings" not in st.session_state:
        st.session_state.settings = load_settings()
    return st.session_state.settings


def messages() -> list[dict]:
    return st.session_state.setdefault("messages", [])


def ask_picked(key: str) -> None:
    """A suggestion pill was clicked: ask it on this run and leave the pill unselected."""
    if picked := st.session_state.get(key):
        st.session_state.pending = picked
    st.session_state[key] = None


def clear_chat() -> None:
    st.session_state.messages = []


# ------------------------------------------------------------------ the conversation kept in the browser
KEPT_MESSAGES = 20                   # messages kept in the browser's localStorage across a reload
HISTORY_COMPONENT = Path(__file__).resolve().parent / "widget" / "history"


def messages_to_json(msgs: list[dict]) -> str:
    """The last messages as JSON for the browser (answers with their citations, so sources still show)."""
    out = []
    for m in msgs[-KEPT_MESSAGES:]:
        item = {k: m[k] for k in ("role", "content", "id", "error", "question") if k in m}
        if isinstance(m.get("answer"), Answer):
            a = m["answer"].to_json()
            a["citations"] = [c | {"label": x.label, "column": x.column}
                              for c, x in zip(a["citations"], m["answer"].citations)]
            item["answer"] = a
        out.append(item)
    return json.dumps(out, ensure_ascii=False)


def json_to_messages(text: str) -> list[dict]:
    """What the browser kept -> messages; anything unreadable is dropped (the chat starts empty)."""
    try:
        out = []
        for m in json.loads(text or "[]"):
            if m.get("role") not in ("user", "assistant") or not isinstance(m.get("content"), str):
                continue
            if "answer" in m:
                m["answer"] = answer_from_json(m["answer"])
            elif m["role"] == "assistant" and not m.get("error"):
                continue
            m.setdefault("id", uuid.uuid4().hex[:12])
            out.append(m)
        return out
    except (ValueError, TypeError, KeyError, AttributeError):
        return []


@st.cache_resource(show_spinner=False)
def history_component():
    import streamlit.components.v1 as components
    return components.declare_component("bq_history", path=str(HISTORY_COMPONENT))


def keep_in_browser() -> None:
    """Restore the conversation this browser kept (once per session), then keep it there after each turn."""
    restored = st.session_state.get("bq_restored", False)
    try:
        kept = history_component()(save=messages_to_json(messages()) if restored else None, key="bq_history",
                                   default=None)
    except Exception:  # noqa: BLE001 - without the component the chat still works, it is only not kept
        log.exception("history component failed")
        return
    if kept is None or restored:
        return
    st.session_state.bq_restored = True
    if not messages() and (back := json_to_messages(kept)):
        st.session_state.messages = back
        st.rerun()


def retry(question: str) -> None:
    """Ask the question again (a new answer below; the earlier one stays)."""
    st.session_state.pending = question


def on_comment(answer_id: str) -> None:
    text = (st.session_state.get(f"fbc_{answer_id}") or "").strip()
    if not text:
        return
    try:
        if FeedbackStore.in_store(session_settings().store_dir).comment(answer_id, text):
            st.toast(T["feedback_comment_thanks"])
    except Exception:  # noqa: BLE001 - feedback must never break the chat
        log.exception("feedback comment not stored")


def on_feedback(answer_id: str) -> None:
    entry = next((m for m in messages() if m.get("id") == answer_id), None)
    if entry is None:
        return
    settings = session_settings()
    try:
        FeedbackStore.in_store(settings.store_dir).record(answer_id, entry["answer"],
                                                          st.session_state.get(f"fb_{answer_id}"))
        st.toast(T["feedback_thanks"])
    except Exception:  # noqa: BLE001 - feedback must never break the chat
        log.exception("feedback not stored")


# ------------------------------------------------------------------ page parts
def header() -> None:
    st.html(f'<div class="bq-head"><div class="bq-mark">{esc(T["mark"])}</div>'
            f'<div><div class="bq-title">{esc(T["title"])}</div><div class="bq-sub">{esc(T["subtitle"])}</div></div></div>')


def quoted(titles: list[str]) -> str:
    return T["list_sep"].join(T["doc_quoted"].format(doc=t) for t in titles)


def welcome_chips(docs: list[Document], scope: str | None) -> list[str]:
    """Questions to click, about the documents in scope: one body's (its latest document's, named with its
    year) when several are loaded, and a ranking across the bodies; never one question answered for ten."""
    live = [d for d in docs if not d.is_template and (scope is None or d.doc_id == scope)]
    if len({(d.body, d.year) for d in live}) <= 1:
        return list(SUGGESTIONS)
    latest = max(live, key=lambda d: d.year or 0)
    return list(scoped(SUGGESTIONS[:4], [latest])) + list(RANK_SUGGESTIONS)


def welcome(docs: list[Document], asking: bool, scope: str | None = None) -> None:
    titles = [d.title for d in docs if not d.is_template]
    if not titles:
        text = T["welcome_none"]
    elif len(titles) == 1:
        text = T["welcome_one"].format(doc=titles[0])
    elif len(titles) <= 3:
        text = T["welcome_many"].format(n=len(titles), docs=quoted(titles))
    else:
        more = T["welcome_more"].format(docs=quoted(titles[:2]), n=len(titles))
        text = T["welcome_many"].format(n=len(titles), docs=more)
    with st.chat_message("assistant", avatar=AVATARS["assistant"]):
        st.markdown(md_text(f"{text}\n{T['welcome_tail']}"))
        if titles and not messages() and not asking:
            st.pills(T["suggest_head"], welcome_chips(docs, scope), key="suggest", on_change=ask_picked,
                     args=("suggest",), format_func=md_text)


def table_facts(engine, doc_id: str, title: str) -> list[Fact]:
    try:
        facts = engine.table_facts(doc_id, title)
        if not facts and " " in title:   # citation titles may carry the printed number: "预算公开表1 2026年…"
            facts = engine.table_facts(doc_id, title.split(" ", 1)[1])
        return facts
    except Exception:  # noqa: BLE001 - the cited row is already on screen; say the table is unavailable
        log.exception("table facts failed")
        return []


def cited_fact(facts: list[Fact], c: Citation) -> Fact | None:
    """The cell a citation points at: its row, in its column when the citation names one."""
    hits = cited_facts(facts, c)
    return next((f for f in hits if c.column and f.column == c.column), hits[0] if hits else None)


def row_lines_html(facts: list[Fact], cell: Fact) -> str:
    """The cited row as “栏目：数值” lines, every column, the cited one marked: readable on a phone, where
    the whole table is cut at the screen's edge."""
    row = [f for f in facts if f.row == cell.row and f.label == cell.label]
    lines = []
    for f in row:
        mine = f.column == cell.column
        value = f'{esc(f.raw or T["row_empty"])}{esc(f.unit if f.raw and f.unit and not f.raw.endswith(f.unit) else "")}'
        lines.append(f'<li class="bq-kv{" bq-kv-hit" if mine else ""}"><span class="bq-k">{esc(f.column)}</span>'
                     f'<span class="bq-v">{value}</span>{esc(T["row_cited"]) if mine else ""}</li>')
    code = f'{esc(cell.code)} ' if cell.code else ""
    return (f'<div class="bq-rowcard"><div class="bq-rowlabel">{code}{esc(cell.label)}</div>'
            f'<ul class="bq-kvs">{"".join(lines)}</ul></div>')


def show_table(engine, doc_id: str, title: str, cited: list[Citation]) -> list[Fact]:
    """The cited rows as lines, then the whole table with them highlighted; returns the table's facts."""
    facts = table_facts(engine, doc_id, title)
    if not facts:
        st.caption(T["table_empty"])
        return []
    cells = [f for f in (cited_fact(facts, c) for c in cited) if f is not None]
    if cells:
        st.html("".join(row_lines_html(facts, f) for f in {(f.row, f.label): f for f in cells}.values()))
    frame, hits = facts_to_frame(facts, cited)
    st.caption(T["table_unit"].format(unit=facts[0].unit or "—"))
    styled = frame.style.apply(lambda r: [HIGHLIGHT if r.name in hits else "" for _ in r], axis=1)
    st.dataframe(styled, hide_index=True, width="stretch", height=min(len(frame), TABLE_ROWS) * 35 + 38)
    return facts


@st.cache_data(max_entries=32, show_spinner=False)
def page_png(path: str, page: int, mtime: float, label: str = "", figure: str = "") -> tuple[bytes, tuple | None]:
    from ingest.pdf_read import pdf_page_png, pdf_page_png_marked
    if label or figure:
        return pdf_page_png_marked(Path(path), page, label, figure)
    return pdf_page_png(Path(path), page), None


def crop_png(png: bytes, place: tuple, width: int = 760, height: int = 420) -> bytes:
    """A window of the page around the marked place, for reading the cited cell at a phone's width."""
    from io import BytesIO

    from PIL import Image
    image = Image.open(BytesIO(png))
    cx, cy = (place[0] + place[2]) // 2, (place[1] + place[3]) // 2
    w = max(width, min(place[2] - place[0] + 80, image.width))
    left = max(0, min(cx - w // 2, image.width - w))
    top = max(0, min(cy - height // 2, image.height - height))
    buf = BytesIO()
    image.crop((left, top, min(left + w, image.width), min(top + height, image.height))).save(buf, format="PNG")
    return buf.getvalue()


def pdf_link(path: Path, c: Citation) -> str | None:
    """A URL that opens the stored PDF at the cited page (#page=N), served by Streamlit's media endpoint
    for as long as the source view is open; None where no server runs (tests of the script)."""
    try:
        from streamlit.runtime import get_instance
        url = get_instance().media_file_mgr.add(str(path), "application/pdf", f"pdf-{c.doc_id}-{c.file}-{c.page}")
    except Exception:  # noqa: BLE001 - the link is a nicety; the page image is shown anyway
        return None
    return f"{url}#page={c.page}"


def show_page(engine, c: Citation, cell: Fact | None = None) -> None:
    try:
        path = engine.source_file(c.doc_id, c.file)
        label, figure = (cell.label, cell.raw) if cell else (c.label, "")
        png, place = page_png(str(path), c.page, path.stat().st_mtime, label, figure) if path else (None, None)
    except Exception:  # noqa: BLE001 - a page image is a nicety; the cited row is already shown
        log.exception("page render failed")
        path, png, place = None, None, None
    if not png or not path:
        st.caption(T["page_failed"])
        return
    if link := pdf_link(path, c):
        st.html(f'<a class="bq-pdf" href="{esc(link)}" target="_blank" rel="noopener">'
                f'{esc(T["open_pdf"].format(page=c.page))}</a>')
    if place:
        st.image(crop_png(png, place), caption=T["page_crop"].format(page=c.page), width="stretch")
    st.image(png, caption=T["page_caption"].format(doc=c.doc, page=c.page), width="stretch")


def is_pdf_page(c: Citation) -> bool:
    return bool(c.page and c.file.lower().endswith(".pdf"))


def viewed_sources(a: Answer) -> tuple[Citation, ...]:
    """The sources offered as “查看原表”: each block's source under its lead and the ones that differ
    (the agreeing tables are folded in the answer; their rows are already shown there)."""
    numbers = [n for b in answer_to_blocks(a)[:SHOWN_BLOCKS] for n in ((b.main,) if b.main else ()) + b.differs]
    return tuple(a.citations[n - 1] for n in dict.fromkeys(numbers))


def view_label(c: Citation, with_doc: bool) -> str:
    label = T["view_table"].format(table=c.table) if c.table else T["view_page"].format(page=c.page)
    return label + (T["view_doc"].format(doc=c.doc) if with_doc else "")


def source_views(engine, entry_id: str, citations: tuple[Citation, ...]) -> None:
    """Lazy expanders: “查看原表” per cited table (with the cited PDF pages), “查看原页” for a cited passage."""
    groups: dict[tuple, list[Citation]] = {}
    for c in citations:
        if c.table or is_pdf_page(c):
            groups.setdefault((c.doc_id, c.table) if c.table else (c.doc_id, c.file, c.page), []).append(c)
    with_doc = len({c.doc_id for c in citations}) > 1
    for k, cited in enumerate(groups.values()):
        first = cited[0]
        box = st.expander(md_text(view_label(first, with_doc)), key=f"src_{entry_id}_{k}", on_change="rerun")
        if not box.open:
            continue
        with box:
            facts = show_table(engine, first.doc_id, first.table, cited) if first.table else []
            for c in {(c.file, c.page): c for c in cited if is_pdf_page(c)}.values():
                show_page(engine, c, cited_fact(facts, c) if facts else None)


def show_answer(engine, entry: dict) -> None:
    if entry.get("error"):
        st.error(entry["content"])
        if asked := entry.get("question"):
            st.button(T["retry"], key=f"retry_{entry['id']}", on_click=retry, args=(asked,), icon=":material/refresh:")
        return
    a: Answer = entry["answer"]
    offered = not a.answerable and bool(a.suggestions)
    st.html(answer_html(replace(a, answer=text_to_sentences(a.answer)[0]) if offered else a))
    if offered:                      # the suggestions as buttons only (the text's list would say them twice)
        key = f"alt_{entry['id']}"
        st.pills(T["not_found_try"], list(a.suggestions[:SUGGESTED]), key=key, on_change=ask_picked, args=(key,),
                 format_func=md_text)
    if a.citations:
        source_views(engine, entry["id"], viewed_sources(a))
    if a.note:
        st.caption(md_text(a.note))
    with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        st.html(copy_html(a), width="content")
        st.feedback("thumbs", key=f"fb_{entry['id']}", on_change=on_feedback, args=(entry["id"],))
        st.button(T["retry"], key=f"retry_{entry['id']}", on_click=retry, args=(a.question,), type="tertiary",
                  icon=":material/refresh:")
    if st.session_state.get(f"fb_{entry['id']}") == 0:          # 👎: one line for what was wrong
        st.text_input(T["feedback_comment"], key=f"fbc_{entry['id']}", max_chars=MAX_QUESTION,
                      placeholder=T["feedback_comment_hint"], on_change=on_comment, args=(entry["id"],))
    if is_staff():                   # timings and mode are for staff, never under a visitor's answer
        with st.expander(T["debug"], key=f"dbg_{entry['id']}"):
            st.caption(T["latency"].format(sec=f"{a.latency_ms / 1000:.2f}") + f" · {a.mode}")


def produce(engine, settings: Settings, question: str, history: list[dict], doc: str | None) -> Answer:
    if not settings.llm_enabled:
        with st.spinner(T["thinking"]):
            return engine.ask(question, history, doc)
    final: list[Answer] = []

    def pieces():
        for item in engine.ask_stream(question, history, doc):
            if isinstance(item, Answer):
                final.append(item)
            else:
                yield md_text(item)
    box = st.empty()
    with box.container():
        st.write_stream(pieces())
    box.empty()
    return final[-1]


def answer_turn(engine, settings: Settings, question: str, doc: str | None) -> None:
    msgs = messages()
    history = [{"role": m["role"], "content": m["content"]} for m in msgs if not m.get("error")]
    with st.chat_message("user", avatar=AVATARS["user"]):
        st.markdown(md_text(question))
    msgs.append({"role": "user", "content": question})
    with st.chat_message("assistant", avatar=AVATARS["assistant"]):
        entry = {"role": "assistant", "id": uuid.uuid4().hex[:12], "question": question}
        try:
            a = produce(engine, settings, question, history[-HISTORY_MESSAGES:], doc)
            entry.update(content=a.answer, answer=a)
        except UNAVAILABLE:
            entry.update(content=T["error_store"], error=True)
        except Exception:  # noqa: BLE001 - the visitor sees a friendly line, the log gets the rest
            log.exception("ask failed")
            entry.update(content=T["error_generic"], error=True)
        msgs.append(entry)
        show_answer(engine, entry)


def chat(engine, settings: Settings, docs: list[Document], doc: str | None) -> None:
    typed = st.chat_input(T["chat_placeholder"], max_chars=MAX_QUESTION)   # pinned to the bottom
    question = (typed or st.session_state.pop("pending", None) or "").strip()
    welcome(docs, asking=bool(question), scope=doc)
    for m in messages():
        with st.chat_message(m["role"], avatar=AVATARS[m["role"]]):
            if m["role"] == "user":
                st.markdown(md_text(m["content"]))
            else:
                show_answer(engine, m)
    if question:
        answer_turn(engine, settings, question[:MAX_QUESTION], doc)


# ------------------------------------------------------------------ sidebar
def filter_docs(docs: list[Document]) -> list[Document]:
    if len(docs) < 2:
        return docs
    text = st.text_input(T["doc_filter"], placeholder=T["doc_filter_placeholder"], key="doc_filter").strip()
    years = sorted({d.year for d in docs if d.year}, reverse=True)
    kinds = sorted({d.kind for d in docs})
    pick_years = st.pills(T["doc_year"], years, selection_mode="multi", key="doc_years",
                          format_func=lambda y: T["year"].format(year=y)) if len(years) > 1 else []
    pick_kinds = st.pills(T["doc_kind"], kinds, selection_mode="multi", key="doc_kinds") if len(kinds) > 1 else []
    return [d for d in docs
            if (not text or text in f"{d.title}{d.body}{d.year}{d.kind}")
            and (not pick_years or d.year in pick_years) and (not pick_kinds or d.kind in pick_kinds)]


def doc_sidebar(docs: list[Document]) -> str | None:
    st.subheader(T["sidebar_docs"])
    if not docs:
        st.caption(T["docs_none"])
        return None
    shown = filter_docs(docs)
    if len(docs) > 1:
        st.caption(T["doc_count"].format(n=len(docs), m=len(shown)))
    st.html("".join(f'<div class="bq-doc-item">{esc(d.title)}<div class="bq-doc-meta">{esc(doc_label(d))}</div></div>'
                    for d in shown))
    labels = {ALL_DOCS: T["doc_all"]} | {d.doc_id: d.title for d in docs}
    scope = st.selectbox(T["doc_scope"], [ALL_DOCS] + [d.doc_id for d in shown], key="doc_scope",
                         format_func=lambda x: labels.get(x, x))
    return None if scope == ALL_DOCS else scope


def is_staff() -> bool:
    """Staff entered the configured admin token in this session (sidebar)."""
    settings = session_settings()
    return bool(settings.admin_token) and token_ok(st.session_state.get("admin_token"), settings.admin_token)


def upload_unlocked(settings: Settings) -> bool:
    """Upload only with the admin token configured and entered (never for a visitor of a default install)."""
    if not settings.admin_token:
        return False
    given = st.text_input(T["upload_token"], type="password", key="admin_token")
    if given and not token_ok(given, settings.admin_token):
        st.caption(T["upload_token_wrong"])
    return bool(given) and token_ok(given, settings.admin_token)


def upload_files(engine, files) -> list[tuple[str, str]]:
    bar = st.progress(0.0, text=md_text(T["upload_progress"].format(name=files[0].name, i=1, n=len(files))))

    def progress(i: int, n: int, name: str) -> None:
        text = T["upload_progress"].format(name=name, i=i + 1, n=n) if name else T["upload_done"]
        bar.progress(min(i / max(n, 1), 1.0), text=md_text(text))
    results = ingest_uploads(engine, [(f.name, f.getvalue()) for f in files], progress=progress)
    bar.progress(1.0, text=T["upload_done"])
    return [ingest_line(r) for r in results]


def upload_sidebar(engine, settings: Settings) -> None:
    if not settings.admin_token:
        return                                           # read-only install: no upload in the chat at all
    st.divider()
    st.subheader(T["upload_head"])
    if not upload_unlocked(settings):
        st.caption(T["upload_locked"])
        return
    n = st.session_state.setdefault("upload_n", 0)
    files = st.file_uploader(T["upload_label"], type=UPLOAD_TYPES, accept_multiple_files=True, key=f"upload_{n}",
                             help=T["upload_help"].format(mb=settings.max_upload_mb),
                             max_upload_size=settings.max_upload_mb)
    if files and st.button(T["upload_go"], key="upload_go", type="primary"):
        try:
            st.session_state.ingest_results = upload_files(engine, files)
        except UNAVAILABLE:
            st.session_state.ingest_results = [("error", T["error_store"])]
        st.session_state.upload_n = n + 1
        st.rerun()
    for level, line in st.session_state.get("ingest_results", []):
        getattr(st, level)(md_text(line))                # file names are shown as typed, never as markdown


def sidebar(engine, settings: Settings, docs: list[Document]) -> str | None:
    with st.sidebar:
        doc = doc_sidebar(docs)
        upload_sidebar(engine, settings)
        st.divider()
        st.button(T["new_chat"], on_click=clear_chat, key="new_chat")
        st.caption(T["footer"])
    return doc


# The staff pages (pages/1_核查.py, pages/2_数据浏览.py) are not linked from the chat: staff open them by URL
# (/核查, /数据浏览) and enter the admin token. The automatic page menu is off (.streamlit/config.toml).


# ------------------------------------------------------------------ entry point
@st.cache_resource(show_spinner=False)
def engine_lock() -> threading.Lock:
    """One per process: sessions opening at once must not build (and fill) the store twice."""
    return threading.Lock()


def load_engine(settings: Settings):
    with st.spinner(T["loading"]), engine_lock():
        return open_engine(settings)


def main() -> None:
    st.set_option("client.showErrorDetails", "none")    # a visitor never sees a traceback
    st.set_page_config(page_title=T["page_title"], page_icon=":material/account_balance:", layout="centered")
    chrome()
    embedded = bool(st.context.is_embedded)
    if embedded:
        st.html(EMBED_CSS)
    else:
        header()
    try:
        settings = session_settings()
        engine = load_engine(settings)
        docs = engine.documents()
        doc = None if embedded else sidebar(engine, settings, docs)
        chat(engine, settings, docs, doc)
        keep_in_browser()
    except UNAVAILABLE:
        log.exception("store unavailable")
        st.error(T["error_store"])
    except Exception:  # noqa: BLE001 - never show a traceback to a visitor
        log.exception("app failed")
        st.error(T["error_load"])
    if embedded:
        st.caption(T["footer"])


if __name__ == "__main__":
    main()
