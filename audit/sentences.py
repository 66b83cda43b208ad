"""Figures stated in sentences: value as printed, unit, and the clause that names it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from audit.figures import NUM, Printed, printed
from audit.view import Sentence

FIGURE = re.compile(rf"({NUM})\s*(亿元|万元|元|%|％|万(?![元平人套亩户吨千册个份次字张台辆余多]))")
DELIMS = "，,；;。：:、"
LEAD_WORDS = re.compile(r"^(?:其中|主要包括|包括|主要用于以下方面|主要用于|分别为|此外|另外|以及|和|及|即|全年|共|合计为)+")
YEAR_HEAD = re.compile(r"^\s*20\d{2}\s*年度?")
SELF = re.compile(r"^(?:本部门|本单位|我部|我单位|本级)")
TAIL_WORDS = re.compile(r"(?:为|是|达到|达|约|共计|总额为|为止)+$")
COMPARE = re.compile(r"比|较|与.{0,12}相比|增加|减少|增长|下降|增幅|减幅|上升|降低|同比|持平|增减|压减|调增|调减|节约")
OTHER_TIME = re.compile(r"上年|上一年|去年|以前年度|年初预算|全年预算|调整预算|年初|执行数|预计")


@dataclass(frozen=True)
class Figure:
    sentence: Sentence
    start: int
    end: int
    value: Printed
    subject: str          # the words naming the figure, cleaned
    clause: str           # clause text up to the figure
    comparison: bool      # 比上年增加… / 增长…%
    other_time: bool      # 上年 / 年初预算 / 全年预算 …

    @property
    def is_percent(self) -> bool:
        return self.value.unit == "%"


def clean_subject(text: str, body: str = "") -> str:
    s = re.sub(r"\s+", "", text)
    for _ in range(4):
        before = s
        s = YEAR_HEAD.sub("", s)
        if body and s.startswith(body):
            s = s[len(body):]
        s = SELF.sub("", s)
        s = LEAD_WORDS.sub("", s)
        s = re.sub(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*", "", s)
        if s == before:
            break
    s = TAIL_WORDS.sub("", s)
    return s[1:] if s[:1] in "”\"" else s


def sentence_to_figures(s: Sentence, body: str = "") -> list[Figure]:
    out: list[Figure] = []
    prev_end = 0
    for m in FIGURE.finditer(s.text):
        if _inside_reference(s.text, m.start()):
            prev_end = m.end()
            continue
        unit = "%" if m.group(2) in ("%", "％") else ("万元" if m.group(2) == "万" else m.group(2))
        p = printed(m.group(1), unit)
        if p is None:
            continue
        before = s.text[:m.start()]
        cut = max([before.rfind(d) for d in DELIMS] + [prev_end - 1, before.rfind("其中") + 1 if "其中" in before else -1])
        clause = before[cut + 1:]
        subject = clean_subject(clause, body)
        out.append(Figure(s, m.start(), m.end(), p, subject, clause, bool(COMPARE.search(clause)),
                          bool(OTHER_TIME.search(clause))))
        prev_end = m.end()
    return out


def _inside_reference(text: str, pos: int) -> bool:
    """Inside 《…》 or 〔…〕 (titles and document numbers are not figures)."""
    for o, c in (("《", "》"), ("〔", "〕"), ("[", "]"), ("【", "】")):
        if text.rfind(o, 0, pos) > text.rfind(c, 0, pos):
            return True
    return False
