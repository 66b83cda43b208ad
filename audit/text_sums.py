"""表内算术, the text's side: a total the narrative states against the parts it lists after it (三公,
政府采购, 基本支出), a part larger than its whole, and two complementary parts (地上/地下, 计容/不计容)
against theirs. Part of the arithmetic family (audit/arithmetic.py)."""
from __future__ import annotations

import re
from decimal import Decimal

from audit.common import diff_message, show, show_value
from audit.figures import NUM, printed, sum_agrees, sum_verdict, whole_as_written
from audit.messages import say
from audit.model import ERROR, HINT, Finding
from audit.repeats import UNITS as QTY_UNITS
from audit.sentences import sentence_to_figures
from audit.view import View

FAMILY = "arithmetic"


PAIRS = (("地上", "地下"), ("计容", "不计容"), ("新建", "改建"), ("室内", "室外"))
QTY = re.compile(rf"({NUM})\s*({QTY_UNITS})")


def paired_parts(view: View) -> list[Finding]:
    """“总建筑面积A平方米，其中地上B平方米（其中计容C、不计容D），地下E平方米”: two complementary parts
    (地上/地下, 计容/不计容 …) listed after 其中 at the same bracket depth sum to their whole. One finding per
    sentence, the innermost list first (it names the figure that breaks the outer one)."""
    out = []
    for s in view.sentences:
        qty = [(m.start(), m.end(), printed(m.group(1), m.group(2))) for m in QTY.finditer(s.text)]
        bad = [f for f in (_pair_sum(s.text, qty, m.start()) for m in re.finditer("其中", s.text)) if f]
        if bad:
            head, parts, clauses, _, name = max(bad, key=lambda b: b[3])
            total = sum((p.value for p in parts), Decimal(0))
            msg = say("parts.pair", whole=name + show(head), parts="＋".join(f"{c}{show(p)}" for c, p in zip(clauses, parts)),
                      sum=show_value(total, head.unit, head.decimals))
            out.append(Finding(FAMILY, ERROR, msg, (s.cite(view.title, view.document.doc_id),),
                               (show(head), show_value(total, head.unit, head.decimals)), "sum.pair", view.document.doc_id))
    return out


def _pair_sum(text: str, qty: list, at: int):
    """(whole, parts, part names, depth) when the two parts after this 其中 are a complementary pair
    that does not sum to the figure before it; None otherwise."""
    head = next((q for q in reversed(qty) if q[1] <= at), None)
    if head is None:
        return None
    parts, depth = [], 0
    pos = at
    for start, _end, p in (q for q in qty if q[0] > at):
        depth += _depth(text[pos:start])
        pos = start
        if depth < 0:
            break
        if depth == 0:
            parts.append((start, p))
    if len(parts) != 2 or any(p.unit != head[2].unit for _, p in parts) or head[2].unit in ("万元", "元", "亿元"):
        return None
    clauses = [re.split(r"[，,；;：:、（(）)]", text[:st])[-1] for st, _ in parts]
    names = [_pair_word(c) for c in clauses]
    if None in names or {n[1] for n in names} != {0, 1} or names[0][0] != names[1][0]:
        return None
    values = [p for _, p in parts]
    if sum_agrees(head[2], values):
        return None
    name = _clause_name(re.split(r"[，,；;：:、（(）)]", text[:head[0]])[-1])
    return (head[2], values, [_clause_name(c) for c in clauses], _depth(text[:at]), name)


def _clause_name(clause: str) -> str:
    return re.sub(r"[为约是达]+$", "", re.sub(r"^(?:其中|本工程|本项目|规划)+", "", clause.strip()))


def _depth(text: str) -> int:
    return text.count("（") + text.count("(") - text.count("）") - text.count(")")


def _pair_word(clause: str):
    for k, (a, b) in enumerate(PAIRS):
        if b in clause:
            return k, 1
        if a in clause:
            return k, 0
    return None


def parts_over_whole(view: View) -> list[Finding]:
    """“A X万元，其中：B Y万元…”: a part listed after 其中 larger than the figure it is part of."""
    out = []
    for s in view.narrative:
        figs = [f for f in sentence_to_figures(s, view.document.body) if f.value.unit != "%"]
        for at in (m.start() for m in re.finditer("其中", s.text)):
            head = next((f for f in reversed(figs) if f.end <= at), None)
            if head is None or head.comparison or head.other_time:
                continue
            nxt = s.text.find("其中", at + 2)
            for part in (f for f in figs if f.start > at and (nxt < 0 or f.start < nxt)):
                if part.comparison or part.other_time or _stage(part) not in ("", _stage(head)):
                    continue
                if part.value.in_yuan() - part.value.half_in_yuan() > head.value.in_yuan() + head.value.half_in_yuan():
                    msg = say("parts.over_whole", part=part.subject or "其中一项", value=show(part.value),
                              whole=head.subject or "总额", total=show(head.value))
                    out.append(Finding(FAMILY, ERROR, msg, (s.cite(view.title, view.document.doc_id),),
                                       (show(part.value), show(head.value)), "sum.part_over_whole", view.document.doc_id))
                    break
    return out


# ------------------------------------------------------------------ parts stated in the text
TEXT_PARTS = (
    ("“三公”经费", re.compile(r"^[“\"]?三公[”\"]?经费(?:财政拨款)?(?:预算|决算)?(?:支出)?(?:预算|决算)?(?:数|总额)?$"),
     (("因公出国（境）费", re.compile(r"^因公出国[（(]境[)）]费用?")), ("公务接待费", re.compile(r"^公务接待费")),
      ("公务用车购置及运行费", re.compile(r"^公务用车购置及运行(?:维护)?费")))),
    ("公务用车购置及运行费", re.compile(r"^公务用车购置及运行(?:维护)?费"),
     (("公务用车购置费", re.compile(r"^公务用车购置(?!及)")), ("公务用车运行维护费", re.compile(r"^公务用车运行")))),
    ("政府采购总额", re.compile(r"^政府采购(?:支出)?(?:预算|决算)?(?:总额|金额)?(?:[（(]以合同签订为准[)）])?$"),
     (("货物", re.compile(r"货物")), ("工程", re.compile(r"工程")), ("服务", re.compile(r"服务")))),
    ("基本支出", re.compile(r"^(?:一般公共预算|财政拨款|一般公共预算财政拨款)*(?:安排的?)?基本支出(?:预算|决算)?(?:数)?$"),
     (("人员经费", re.compile(r"^人员经费")), ("公用经费", re.compile(r"^公用经费")))),
)


def text_parts(view: View) -> list[Finding]:
    """A total the text states followed by its parts (三公, 车, 政府采购, 人员/公用): total = sum."""
    out = []
    sents = view.narrative
    figs = {s.index: [f for f in sentence_to_figures(s, view.document.body) if f.value.unit != "%"] for s in sents}
    for i, s in enumerate(sents):
        for f in figs[s.index]:
            if f.comparison or f.other_time:
                continue
            for what, rx, parts in TEXT_PARTS:
                if rx.match(f.subject):
                    found = _following_parts(sents, figs, i, f, parts, what)
                    if found:
                        out += _text_sum(view, s, f, what, found)
    return out


def _stage(f) -> str:
    """决算 or 预算 when the clause says which (a 决算's 预算数 and its parts' 决算 are not one sum)."""
    return "决算" if "决算" in f.clause else "预算" if "预算" in f.clause else ""


def _following_parts(sents, figs, i, total, parts, what) -> list:
    """Figures of the named parts after the total, in the same section (up to 10 sentences on)."""
    found: dict[str, object] = {}
    for s in sents[i:i + 10]:
        if s.section != sents[i].section:
            break
        for f in figs[s.index]:
            if (s is sents[i] and f.start <= total.start) or f.comparison or f.other_time \
                    or _stage(f) not in ("", _stage(total)):
                continue
            for name, rx in parts:
                if name not in found and rx.search(f.subject) and not (what == "“三公”经费" and "购置费" in f.subject):
                    found[name] = f
    if what == "政府采购总额" and len(found) < 2:
        return []
    if what != "政府采购总额" and len(found) < len(parts):
        return []
    return [found[n] for n, _ in parts if n in found]


def _text_sum(view, s, total, what, parts) -> list[Finding]:
    whole, *figures = whole_as_written([total.value] + [p.value for p in parts])
    verdict = sum_verdict(whole, figures)
    if verdict == "ok":
        return []
    s_, diff = diff_message(total.value, figures)
    msg = say("parts.text", what=total.subject or what, total=show(total.value),
              parts="＋".join(p.subject for p in parts), sum=s_, diff=diff)
    cites = [s.cite(view.title, view.document.doc_id)]
    for p in parts:
        if p.sentence is not s and all(c.text != p.sentence.text for c in cites):
            cites.append(p.sentence.cite(view.title, view.document.doc_id))
    if verdict == "tail":
        return [Finding(FAMILY, HINT, msg + "（尾差）", tuple(cites), (show(total.value), s_), "sum.text_tail",
                        view.document.doc_id)]
    return [Finding(FAMILY, ERROR, msg, tuple(cites), (show(total.value), s_), "sum.text", view.document.doc_id)]
