"""重复表述与绩效: the same item stated twice with different figures; 绩效目标 tables against the project
table, their own 项目概况 and the spending tables."""
from __future__ import annotations

import re
from difflib import SequenceMatcher

from audit.chains import by_name, norm_name, view_to_codes
from audit.common import show
from audit.figures import MONEY_UNITS, NUM, Printed, printed, same_amount
from audit.items import candidates, subject_to_item
from audit.messages import say
from audit.model import ERROR, HINT, Finding
from audit.sentences import COMPARE, OTHER_TIME, clean_subject
from audit.view import Sentence, View
from labels import label_key
from schema import Citation, Fact
from vocabulary import pattern

FAMILY = "repeat"
UNITS = r"万平方米|平方米|亿元|万元|元|公里|千米|米|个|辆|套|人|项|次|基|条|棵|台|家|亩|户|名|份|所|处|间|座|盏"
COUNT = re.compile(rf"({NUM})\s*({UNITS})")
GENERIC = re.compile(r"^(?:涉及|共计|合计|计|其中|包括|总计|共|约|达|金额|资金|项目金额|申请|安排)|^.{0,2}$|\d")
THRESHOLD = re.compile(r"^\s*(?:[（(][^）)]{0,4}[)）])?\s*(?:及)?(?:以上|以下|以内)")
VERB = re.compile(r"^(?:完成|实现|确保|开展|推进|新建|建成|计划完成)")
PROJECT = re.compile(r"[（(]([^（）()]+)[)）]$")


def facts_and_lines_to_findings(view: View) -> list[Finding]:
    out = repeated_statements(view)
    perf = [f for f in view.facts if f.kind == "indicator" and f.table]
    out += indicators_vs_overview(view, perf)
    out += funds_vs_project_table(view, perf)
    out += cost_caps(view, perf)
    out += fund_sources(view, perf)
    out += overall_targets(view, perf)
    return out


# ------------------------------------------------------------------ the same item twice
def _statements(view: View, generic: bool = False) -> list[tuple[str, str, Printed, Sentence, str]]:
    """(scope, subject, figure, sentence, clause) for every figure with a unit (thresholds such as
    50万元以上 left out; generic subjects such as 涉及金额 left out unless asked for)."""
    out = []
    for s in view.sentences:
        scope = s.section.split(" / ")[0] if s.in_table else "正文"
        if s.in_table and not _project(scope):
            continue                      # a cell whose project is not known cannot be compared
        prev = prev_end = 0
        for m in COUNT.finditer(s.text):
            before = s.text[:m.start()]
            cut = max([before.rfind(d) for d in "，,；;。：:、"] + [prev - 1])
            clause = before[cut + 1:]
            prev, prev_end = m.end(), prev
            if COMPARE.search(clause) or OTHER_TIME.search(clause) or _in_reference(s.text, m.start()) \
                    or THRESHOLD.match(s.text[m.end():m.end() + 8]):
                continue
            unit = "万元" if m.group(2) == "万元" else m.group(2)
            p = printed(m.group(1), unit)
            subject = _qualified(s.text, m.start() - len(clause), prev_end,
                                 VERB.sub("", clean_subject(clause, view.document.body)), view.document.body)
            if subject and ACQUIRE.search(s.text[:m.start() - len(clause)]) and not ACQUIRE.search(subject):
                subject = f"购置·{subject}"   # 购置…设备0台 is not the 设备1台 held
            if p is not None and subject and (generic or not GENERIC.search(subject)):
                out.append((scope, subject, p, s, clause))
    return out


ACQUIRE = pattern("audit_acquire")
BARE = re.compile(r"^(?:(?:当年|本年|年度|部门)?(?:预算|决算)?(?:安排|执行数|预算数|金额|资金|数)?|采购金额|合计|共计)$")


def _qualified(text: str, clause_start: int, prev_end: int, subject: str, body: str) -> str:
    """The subject with what tells it apart from another item's: a bare word (预算安排, 采购金额)
    takes the words before it in the sentence, or is no subject at all; an item listed after 其中
    takes the head it belongs to (共有车辆 … 其中 其他用车 / 购置车辆 … 其中 其他用车)."""
    if BARE.match(subject):
        words = clean_subject(re.sub(NUM, "", text[prev_end:clause_start]), body).strip("，,；;：: ")
        if len(re.findall(r"[\u4e00-\u9fa5]", words)) < 2:
            return ""
        subject = words + subject
    at = text.rfind("其中", 0, clause_start)
    if at > 0:
        head = re.sub(rf"(?:{NUM})\s*(?:{UNITS})?", "", re.split(r"[，,；;。：:]", text[:at].rstrip("，,：: "))[-1])
        subject = f"{clean_subject(head, body)}·{subject}"
    return subject


def _in_reference(text: str, pos: int) -> bool:
    return any(text.rfind(o, 0, pos) > text.rfind(c, 0, pos) for o, c in (("《", "》"), ("〔", "〕"), ("【", "】")))


def _same(a: Printed, b: Printed) -> bool:
    if a.unit in MONEY_UNITS and b.unit in MONEY_UNITS:
        return same_amount(a, b)
    return a.unit == b.unit and a.value == b.value


def repeated_statements(view: View) -> list[Finding]:
    classes = by_name(view_to_codes(view))
    seen: dict[tuple[str, str, str], tuple[Printed, Sentence]] = {}
    out = []
    flagged: set[tuple] = set()
    for scope, subject, p, s, _ in _statements(view):
        if not s.in_table and p.unit in MONEY_UNITS and (subject_to_item(subject) or norm_name(subject) in classes):
            continue                      # checked against the tables instead (文表一致), scope by scope
        key = (scope, subject, "money" if p.unit in MONEY_UNITS else p.unit)
        if key not in seen:
            seen[key] = (p, s)
            continue
        first, fs = seen[key]
        if _same(first, p) or key in flagged:
            continue
        flagged.add(key)
        after = s.text[s.text.find(p.raw) + len(p.raw) + len(p.unit):] if p.raw in s.text else ""
        tail = re.match(r"^([\u4e00-\u9fa5]{1,6}?)(?:的|[^\u4e00-\u9fa5]|$)", after)
        item = f"{subject}…{tail.group(1)}" if tail and p.unit not in MONEY_UNITS else subject
        msg = say("repeat.text", item=item, a=f"{first.raw}{first.unit}", b=f"{p.raw}{p.unit}")
        out.append(Finding(FAMILY, ERROR, msg, (fs.cite(view.title, view.document.doc_id),
                                                s.cite(view.title, view.document.doc_id)),
                           (f"{first.raw}{first.unit}", f"{p.raw}{p.unit}"), "repeat.text", view.document.doc_id))
    return out


# ------------------------------------------------------------------ 绩效目标表
def _project(table_title: str) -> str | None:
    m = PROJECT.search(table_title or "")
    return m.group(1) if m else None


def _cite_fact(view: View, f: Fact) -> Citation:
    return Citation(doc=view.title, page=f.page, table=f.table, section=None, text=f.text, doc_id=f.doc,
                    file=f.file, label=f.label, column=f.column)


def _similar(a: str, b: str) -> bool:
    a, b = re.sub(r"[^\u4e00-\u9fa5A-Za-z]", "", a), re.sub(r"[^\u4e00-\u9fa5A-Za-z]", "", b)
    if len(a) < 3 or len(b) < 3:
        return False
    m = SequenceMatcher(None, a, b)
    longest = m.find_longest_match(0, len(a), 0, len(b)).size
    return m.ratio() >= 0.75 or (longest >= 4 and longest >= 0.6 * min(len(a), len(b)))


def indicators_vs_overview(view: View, perf: list[Fact]) -> list[Finding]:
    """An exact-valued indicator against the figures its own 项目概况/目标 text gives for the same thing."""
    texts: dict[str, list[tuple[str, Printed, Sentence]]] = {}
    for scope, subject, figure, s, _ in _statements(view):
        if s.in_table:
            texts.setdefault(scope, []).append((subject.split("·")[-1], figure, s))
    out, done = [], set()
    for f in perf:
        assert f.table is not None      # perf: indicators with a table (facts_and_lines_to_findings)
        if not _project(f.table):
            continue
        op_free = not re.search(r"[≥≤><＞＜]", f.raw or "")
        p = printed(f.raw, f.unit, f.value)
        if not op_free or p is None or f.unit in ("%", "", "元", "万元") or (f.table, f.label) in done:
            continue
        similar = [(subj, q, s) for subj, q, s in texts.get(f.table, []) if q.unit == f.unit and _similar(f.label, subj)]
        if not similar or any(q.value == p.value for _, q, _ in similar):
            continue
        done.add((f.table, f.label))
        subj, q, s = similar[0]
        msg = say("perf.indicator", project=_project(f.table) or f.table, indicator=f.label, a=f"{f.raw}",
                  b=f"{q.raw}{q.unit}（“{subj}”）")
        out.append(Finding(FAMILY, ERROR, msg, (_cite_fact(view, f), s.cite(view.title, view.document.doc_id)),
                           (f.raw, f"{q.raw}{q.unit}"), "perf.indicator", view.document.doc_id))
    return out


def _annual_funds(perf: list[Fact]) -> dict[str, Fact]:
    out: dict[str, Fact] = {}
    for f in perf:
        assert f.table is not None      # perf: indicators with a table (facts_and_lines_to_findings)
        if re.sub(r"[:：\s]", "", f.label) in ("年度资金总额", "年度资金") and f.value is not None:
            out.setdefault(f.table, f)
    return out


def _money_of(f: Fact) -> Printed | None:
    unit = f.unit if f.unit in MONEY_UNITS else ("元" if "元" in f.column else "")
    return printed(f.raw, unit, f.value) if unit else None


def funds_vs_project_table(view: View, perf: list[Fact]) -> list[Finding]:
    rows = {label_key(r.label): r for t in view.tables_named("项目支出表") for r in t.rows}
    out = []
    for table, f in _annual_funds(perf).items():
        project = _project(table)
        row = rows.get(label_key(project or ""))
        p = _money_of(f)
        if row is None or p is None:
            continue
        cell = next((c for c in row.cells if c.column.split("/")[-1] in ("合计", "小计", "金额") and c.value is not None), None)
        if cell is None:
            continue
        q = printed(cell.raw, cell.unit, cell.value)
        assert q is not None            # the cell was chosen for its value
        if same_amount(p, q):
            continue
        msg = say("perf.fund", project=project, table_value=show(q), perf_value=f"{f.raw}{p.unit}")
        out.append(Finding(FAMILY, ERROR, msg, (row.cite(view.title, cell.column), _cite_fact(view, f)),
                           (show(q), f"{f.raw}{p.unit}"), "perf.fund", view.document.doc_id))
    return out


def cost_caps(view: View, perf: list[Fact]) -> list[Finding]:
    """A cost indicator capped (≤) below the project's own annual funds."""
    funds = _annual_funds(perf)
    out, done = [], set()
    for f in perf:
        assert f.table is not None      # perf: indicators with a table (facts_and_lines_to_findings)
        fund = funds.get(f.table)
        if not fund or not re.match(r"^\s*[≤<＜]", f.raw or "") or (f.table, f.label) in done:
            continue
        if not re.search(r"成本|经费|金额|资金|投资|费用|预算|电费", f.label) or re.search(r"总投资|概算|总成本", f.label):
            continue
        cap, money = _money_of(f), _money_of(fund)
        if cap is None or money is None or cap.in_yuan() + cap.half_in_yuan() >= money.in_yuan():
            continue
        done.add((f.table, f.label))
        msg = say("perf.cost_cap", project=_project(f.table) or f.table, indicator=f.label, cap=f.raw,
                  funds=f"{fund.raw}{money.unit}")
        out.append(Finding(FAMILY, HINT, msg, (_cite_fact(view, f), _cite_fact(view, fund)), (f.raw, fund.raw),
                           "perf.cost_cap", view.document.doc_id))
    return out


SOURCES = (("中央财政", re.compile(r"中央")), ("省级财政", re.compile(r"省级|省财政")),
           ("市县(区)财政", re.compile(r"市县|县级|区级|市级|本级财政")))


def fund_sources(view: View, perf: list[Fact]) -> list[Finding]:
    """项目概况 says the money comes from 中央/省级/市县 财政; the 资金来源 rows say otherwise."""
    out = []
    for scope, subject, p, s, clause in _statements(view, generic=True):
        if not s.in_table or p.unit not in MONEY_UNITS or "资金" not in subject + clause:
            continue
        for name, rx in SOURCES:
            if not rx.search(clause):
                continue
            cells = [f for f in perf if f.table == scope and rx.search(f.label) and "资金" in f.label]
            cell = cells[-1] if cells else None
            q = _money_of(cell) if cell else None
            if cell is None or q is None or same_amount(p, q):
                continue
            msg = say("perf.source", project=_project(scope) or scope, source=name, text_value=f"{p.raw}{p.unit}",
                      cell_value=f"{cell.raw}{q.unit}")
            out.append(Finding(FAMILY, ERROR, msg, (s.cite(view.title, view.document.doc_id), _cite_fact(view, cell)),
                               (f"{p.raw}{p.unit}", cell.raw), "perf.source", view.document.doc_id))
            break
    return out


OVERALL = {"基本支出": "basic", "项目支出": "project"}


def overall_targets(view: View, perf: list[Fact]) -> list[Finding]:
    """整体支出绩效目标申报表: its 基本/项目支出 against the spending tables, and 合计 = 基本 + 项目."""
    out = []
    facts = [f for f in perf if "整体" in (f.table or "") and f.unit in MONEY_UNITS]
    got: dict[str, Fact] = {}
    for fact in facts:
        key = re.sub(r"^其中[:：]", "", label_key(fact.label))
        if key in OVERALL or key == "合计":
            got.setdefault(key, fact)
    flagged = False
    for key, item in OVERALL.items():
        f = got.get(key)
        if f is None:
            continue
        p = printed(f.raw, f.unit, f.value)
        assert p is not None            # an indicator always carries the value read from its cell
        cands = candidates(view, item)
        if not cands or any(same_amount(p, c.value) for c in cands):
            continue
        c = cands[0]
        flagged = True
        msg = say("perf.overall", item=key, a=f"{f.raw}{f.unit}", table=c.table.title, b=show(c.value))
        out.append(Finding(FAMILY, ERROR, msg, (_cite_fact(view, f), c.row.cite(view.title, c.column)),
                           (f.raw, show(c.value)), "perf.overall", view.document.doc_id))
    totals = [f for f in facts if label_key(f.label) == "合计"]
    if not flagged and totals and "基本支出" in got and "项目支出" in got:
        b, pj = printed(got["基本支出"].raw, "万元"), printed(got["项目支出"].raw, "万元")
        assert b is not None and pj is not None     # an indicator's cell holds a number (cell_to_measure)
        s = b.value + pj.value
        for t in totals:
            tp = printed(t.raw, "万元")
            assert t.value is not None and tp is not None
            if abs(t.value - s) > b.half + pj.half + tp.half:
                msg = say("perf.overall_sum", total=t.raw, basic=b.raw, project=pj.raw, sum=str(s))
                out.append(Finding(FAMILY, ERROR, msg, (_cite_fact(view, t), _cite_fact(view, got["项目支出"])),
                                   (t.raw, str(s)), "perf.overall_sum", view.document.doc_id))
                break
    return out
