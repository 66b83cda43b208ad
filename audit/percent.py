"""比例与增减: every share (占…%), growth (增长/下降…%) and completion rate (完成…预算的…%) recomputed from
the figures it names, at the precision printed; direction words against the figures."""
from __future__ import annotations

import re
from decimal import Decimal

from audit.chains import sentence_to_chain
from audit.common import show
from audit.figures import (
    MONEY_UNITS,
    Printed,
    exact_percent,
    fmt,
    percent_agrees,
    percent_off_by_one,
    ratio_range,
    same_amount,
)
from audit.items import candidates, subject_to_item
from audit.messages import say
from audit.model import ERROR, HINT, Finding
from audit.sentences import Figure, clean_subject, sentence_to_figures
from audit.view import Sentence, View
from vocabulary import pattern, words

FAMILY = "percent"
UP = re.compile(r"增加|增长|上升|提高|增幅")
DOWN = re.compile(r"减少|下降|降低|减幅|压减|节约")
TEMPLATE_PAIR = re.compile(r"增加[（(]减少[)）]|增长[（(](下降|减少)[)）]|减少[（(]增加[)）]")
LEADS_PARTS = re.compile(r"^[，,：:\s]*(?:其中|主要包括|主要用于|包括|具体|如下|分别为)|^[：:]")
SHARE_BASE = re.compile(r"占(.{0,24}?)的?\s*$")
COMPLETION = re.compile(r"完成(年初预算|全年预算|调整预算|预算)(?:数)?的\s*$")
FINAL = re.compile(r"(?:支出)?决算(?:数)?为?\s*$")
BUDGET_OF = {"年初预算": re.compile(r"年初预算(?:数)?为?\s*$"), "全年预算": re.compile(r"全年预算(?:数)?为?\s*$"),
             "调整预算": re.compile(r"调整预算(?:数)?为?\s*$"), "预算": re.compile(r"预算(?:数)?为?\s*$")}
RATE_AFTER = re.compile(r"^\s*[，,]?\s*(?:同比|分别)?(?:增长|下降|增加|减少|上升|降低|提高|增幅为?|降幅为?|减幅为?)了?\s*$")
COMPARE_WORD = re.compile(r"决算数?(小于|大于|等于|低于|高于)(全年|年初)?预算数?|决算数?与(全年|年初)?预算数?持平")


def facts_and_lines_to_findings(view: View) -> list[Finding]:
    out: list[Finding] = []
    sents = [s for s in view.sentences]
    figs = {s.index: sentence_to_figures(s, view.document.body) for s in sents}
    for i, s in enumerate(sents):
        for f in figs[s.index]:
            if f.value.unit != "%":
                continue
            before = s.text[:f.start]
            if COMPLETION.search(before):
                out += _completion(view, s, f, sents, figs, i)
            elif "占" in f.clause:
                out += _share(view, s, f, sents, figs, i)
            elif UP.search(f.clause) or DOWN.search(f.clause):
                out += _growth(view, s, f, sents, figs, i)
        out += _direction_words(view, s)
        out += _direction_levels(view, s, sents, figs, i)
        out += _compare_words(view, s, sents, figs, i)
    return out


def _money(fs: list[Figure]) -> list[Figure]:
    return [f for f in fs if f.value.unit != "%"]


def _back(sents: list[Sentence], figs: dict, i: int, n: int = 8) -> list[tuple[Sentence, Figure]]:
    """Money figures before sentence i in the same section, nearest first (up to n sentences back)."""
    out = []
    for j in range(i - 1, max(-1, i - 1 - n), -1):
        if sents[j].section != sents[i].section or sents[j].in_table != sents[i].in_table:
            break
        out += [(sents[j], f) for f in reversed(_money(figs[sents[j].index]))]
    return out


# ------------------------------------------------------------------ shares
def _share(view, s, f, sents, figs, i) -> list[Finding]:
    before = [x for x in _money(figs[s.index]) if x.end <= f.start]
    if not before:
        return []
    num = before[-1]
    if num.comparison:
        return []
    named = SHARE_BASE.search(s.text[:f.start])
    base_name = re.sub(r"[“”\"]", "", named.group(1)).strip() if named else ""
    bases = _named_bases(view, base_name, s, sents, figs, i) if base_name else _lead_bases(s, num, before, sents, figs, i)
    bases = [b for b in bases if b.value > 0 or b.decimals < 9]
    if not bases:
        return []
    tried = []
    num = _precise(view, num)
    bases = [_precise_value(view, base_name, b) for b in bases]
    for b in bases:
        rng = ratio_range(num.value, b)
        if rng is None:
            if num.value.value == 0 and f.value.value == 0:
                return []
            continue
        if percent_agrees(f.value, rng):
            return []
        tried.append((b, rng))
    if not tried:
        return []
    b, rng = min(tried, key=lambda x: min(abs(x[1][0] - f.value.value), abs(x[1][1] - f.value.value)))   # the nearest base
    tail = percent_off_by_one(f.value, rng)
    if tail and _shares_make_100(view, s, figs):
        return []              # one share moved by a unit so that the list totals 100%
    expected = exact_percent(num.value, b, f.value.decimals)
    item = num.subject or "该项"
    rule = "pct.tail" if tail else "pct.share"
    msg = say(rule, item=item, expected=expected, num=show(num.value), den=show(b), printed=f.value.raw)
    return [Finding(FAMILY, HINT if tail else ERROR, msg, (s.cite(view.title, view.document.doc_id),),
                    (f"{f.value.raw}%", f"{expected}%"), rule, view.document.doc_id)]


def _precise(view, fig: Figure) -> Figure:
    """The figure as the tables print it when they print the same item more precisely (text 0.62万元,
    table 6,111元): a rate is recomputed from the most precise figures printed, at their rounding."""
    better = _precise_value(view, fig.subject, fig.value)
    return fig if better is fig.value else Figure(fig.sentence, fig.start, fig.end, better, fig.subject, fig.clause,
                                                  fig.comparison, fig.other_time)


def _precise_value(view, subject: str, value: Printed) -> Printed:
    item = subject_to_item(subject) if subject else None
    if not item or value.unit not in MONEY_UNITS:
        return value
    found = [c.value for c in candidates(view, item[0], item[2], view.document.kind)
             if c.value.decimals < 9 and c.value.unit in MONEY_UNITS and same_amount(c.value, value)
             and c.value.half_in_yuan() < value.half_in_yuan()]
    return min(found, key=lambda p: p.half_in_yuan()) if found else value


def _shares_make_100(view, s, figs) -> bool:
    """The shares (占…%) listed in this paragraph, or in the list of one share a line around it
    (基本支出…占65.56%；/项目支出…占17.94%；/…), add up to exactly 100%."""
    def shares_of(x):
        return [f.value for f in figs.get(x.index, []) if f.value.unit == "%" and "占" in f.clause]
    listed = [p for x in view.paragraph(s) for p in shares_of(x)]
    if len(listed) >= 2 and sum((p.value for p in listed), Decimal(0)) == 100:
        return True
    sents = [x for x in view.sentences if x.section == s.section and x.in_table == s.in_table]
    at = next((k for k, x in enumerate(sents) if x.index == s.index), None)
    if at is None:
        return False
    lo = hi = at
    while lo > 0 and shares_of(sents[lo - 1]):
        lo -= 1
    while hi + 1 < len(sents) and shares_of(sents[hi + 1]):
        hi += 1
    run = [p for x in sents[lo:hi + 1] for p in shares_of(x)]
    return len(run) >= 2 and sum((p.value for p in run), Decimal(0)) == 100


def _lead_bases(s, num, before, sents, figs, i) -> list[Printed]:
    """The amount a list of shares is taken of: the figure followed by 其中/主要用于/包括 …"""
    for x in reversed(before[:-1]):
        if LEADS_PARTS.search(s.text[x.end:x.end + 12]) and not x.comparison:
            return [x.value]
    for sj, x in _back(sents, figs, i):
        if LEADS_PARTS.search(sj.text[x.end:x.end + 12]) and not x.comparison:
            return [x.value]
        if sj.text.rstrip().endswith(("：", ":")) and x is _money(figs[sj.index])[-1] and not x.comparison:
            return [x.value]
    return []


def _named_bases(view, name, s, sents, figs, i) -> list[Printed]:
    key = clean_subject(re.sub(r"(预算|决算)", "", name))
    out: list[Printed] = []
    own = [x for x in _money(figs[s.index])] + [x for _, x in _back(sents, figs, i, 12)]
    for x in own:
        if x.comparison or x.other_time:
            continue
        subj = re.sub(r"(预算|决算)", "", x.subject)
        if subj and (subj == key or subj.endswith(key) or key.endswith(subj) and len(subj) >= 3):
            out.append(x.value)
    item = subject_to_item(name) or subject_to_item(key)
    if item:
        out += [c.value for c in candidates(view, item[0], item[2], view.document.kind)]
    return out


# ------------------------------------------------------------------ growth
def _growth(view, s, f, sents, figs, i) -> list[Finding]:
    if TEMPLATE_PAIR.search(s.text):
        return []
    before = [x for x in _money(figs[s.index]) if x.end <= f.start]
    if before and not before[-1].comparison and LEVELS.search(s.text[before[-1].end:f.start]):
        return _levels(view, s, f, before[-1], sents, figs, i)
    if not before or not before[-1].comparison or not RATE_AFTER.match(s.text[before[-1].end:f.start]):
        return []
    diff = before[-1]
    up = bool(UP.search(diff.clause)) and not DOWN.search(diff.clause)
    down = bool(DOWN.search(diff.clause)) and not UP.search(diff.clause)
    if up == down:
        return []
    currents = [x.value for x in reversed(before[:-1]) if not x.comparison and not x.other_time]
    currents += [x.value for _, x in _back(sents, figs, i, 3) if not x.comparison and not x.other_time]
    if not currents:
        return []
    tried = []
    for v in currents:
        base = _base(v, diff.value, up)
        if base is None:
            return []          # growth from nothing: no rate to check
        rng = growth_range(v, diff.value, up)
        if rng is None or percent_agrees(f.value, rng):
            return []
        tried.append((v, base))
    v, base = tried[0]
    expected = exact_percent(diff.value, base, f.value.decimals)
    rng = growth_range(v, diff.value, up)
    tail = f.value.decimals >= 2 and rng is not None and percent_off_by_one(f.value, rng)
    rule = "pct.growth_tail" if tail else "pct.growth"
    msg = say(rule, item=currents and _subject_of(before, diff) or "", direction="增长" if up else "下降",
              expected=expected, diff=show(diff.value), base=show(base), printed=f.value.raw)
    return [Finding(FAMILY, HINT if tail else ERROR, msg, (s.cite(view.title, view.document.doc_id),),
                    (f"{f.value.raw}%", f"{expected}%"), rule, view.document.doc_id)]


LEVELS = re.compile(r"^[，,]?\s*(?:较|比)(?:\s*(?:19|20)\d{2}\s*年度?)?([\u4e00-\u9fa5]{1,10}?)(增加|减少|增长|下降|上升|降低)了?\s*$")


def _levels(view, s, f, current, sents, figs, i) -> list[Finding]:
    """比…执行数增加P% with no amount of change: P recomputed from the two levels the text states
    (2023年当年预算执行数为60.13万元，2024年预算安排25.77万元，比2023年预算执行数减少57.14%)."""
    m = LEVELS.search(s.text[current.end:f.start])
    assert m is not None        # _growth calls this only when LEVELS matches this text
    base_key, word = re.sub(r"^(?:当年|本年|年度)", "", m.group(1)), m.group(2)
    if len(base_key) < 2:
        return []
    pool = [x for x in _money(figs[s.index]) if x.end <= current.start] + [x for _, x in _back(sents, figs, i, 2)]
    base = next((x for x in pool if base_key in re.sub(r"\s+", "", x.clause)), None)
    if base is None or base.value.in_yuan() <= 0:
        return []
    up = bool(UP.search(word))
    if _direction_wrong(current.value, base.value, word):
        return []              # the direction word itself is wrong: _direction_levels says so
    levels = [current] + [x for x in pool if x is not base and not x.comparison and not x.other_time]
    if any(_level_agrees(x, base, up, f) for x in levels):
        return []              # a level the text states elsewhere gives the rate: the other level is the error
    diff = current.value.in_yuan() - base.value.in_yuan()
    expected = fmt(abs(diff) / base.value.in_yuan() * 100, f.value.decimals)
    direction = "增长" if diff > 0 else "下降"
    msg = say("pct.levels", item=_subject_of([current], current) or "", direction=direction, expected=expected,
              current=show(current.value), base_name=base_key, base=show(base.value), printed=f.value.raw)
    return [Finding(FAMILY, ERROR, msg, (s.cite(view.title, view.document.doc_id),), (f"{f.value.raw}%", f"{expected}%"),
                    "pct.levels", view.document.doc_id)]


def _level_agrees(current: Figure, base: Figure, up: bool, pct: Figure) -> bool:
    """P% from two stated levels, judged with the rounding of both (0.50 → 0.62万元 allows 21.8%–26.3%)."""
    diff = current.value.in_yuan() - base.value.in_yuan()
    rng = levels_range(current.value, base.value)
    return rng is not None and ((diff > 0) == up or diff == 0) and percent_agrees(pct.value, rng)


def levels_range(current: Printed, base: Printed) -> tuple[Decimal, Decimal] | None:
    """|current − base| / base in percent over the rounding intervals of both levels."""
    c, hc, b, hb = current.in_yuan(), current.half_in_yuan(), base.in_yuan(), base.half_in_yuan()
    if b - hb <= 0:
        return None
    ends = [abs(cc / bb - 1) * 100 for cc in (c - hc, c + hc) for bb in (b - hb, b + hb)]
    lo = Decimal(0) if (c - hc) <= b + hb and (c + hc) >= b - hb else min(ends)
    return lo, max(ends)


def growth_range(current: Printed, diff: Printed, up: bool) -> tuple[Decimal, Decimal] | None:
    """D / (current ∓ D) in percent over the rounding intervals of the level and the change."""
    v, hv, d, hd = current.in_yuan(), current.half_in_yuan(), diff.in_yuan(), diff.half_in_yuan()
    d_lo, d_hi = max(d - hd, Decimal(0)), d + hd
    if up:
        lo_den, hi_den = v - hv - d_hi, v + hv - d_lo
    else:
        lo_den, hi_den = v - hv + d_lo, v + hv + d_hi
    if lo_den <= 0:
        return None
    return d_lo / hi_den * 100, d_hi / lo_den * 100


def _subject_of(before: list[Figure], diff: Figure) -> str:
    subj = [x.subject for x in reversed(before) if not x.comparison and x.subject]
    return subj[0] if subj else ""


def _base(v: Printed, d: Printed, up: bool) -> Printed | None:
    value = v.in_yuan() - d.in_yuan() if up else v.in_yuan() + d.in_yuan()
    if value <= 0:
        return None
    unit = v.unit
    return Printed(value / MONEY_UNITS.get(unit, 1), max(v.decimals, d.decimals), unit, "")


# ------------------------------------------------------------------ completion (决算)
def _completion(view, s, f, sents, figs, i) -> list[Finding]:
    m = COMPLETION.search(s.text[:f.start])
    assert m is not None        # facts_and_lines_to_findings calls this only when COMPLETION matches this text
    base_name = m.group(1)
    pool = [(s, x) for x in reversed(_money(figs[s.index])) if x.end <= f.start] + _back(sents, figs, i, 3)
    at = next((k for k, (sj, x) in enumerate(pool) if FINAL.search(sj.text[:x.start])), None)
    if at is None:
        return []
    final, own = pool[at][1], []
    for sj, x in pool[at + 1:]:          # the budget stated before this 决算, not before another item's
        if FINAL.search(sj.text[:x.start]):
            break
        own.append((sj, x))
    budgets = {name: next((x for sj, x in own if rx.search(sj.text[:x.start])), None) for name, rx in BUDGET_OF.items()}
    base = budgets.get(base_name) or (budgets.get("全年预算") if base_name == "预算" else None)
    if base is None:
        return _completion_of_table_budget(view, s, f, final, base_name)
    cite = (s.cite(view.title, view.document.doc_id),)
    if base.value.value == 0:
        other = next(((n, b) for n, b in budgets.items() if b and n != base_name and b.value.value > 0), None)
        if other and (rng := ratio_range(final.value, other[1].value)) and percent_agrees(f.value, rng):
            msg = say("pct.zero_base", item=_item_of(s), base_name=base_name, printed=f.value.raw,
                      base=show(base.value), other_name=other[0], other=show(other[1].value))
            return [Finding(FAMILY, ERROR, msg, cite, (f"{f.value.raw}%", show(base.value)), "pct.zero_base",
                            view.document.doc_id)]
        return []
    rng = ratio_range(final.value, base.value)
    if rng is None or percent_agrees(f.value, rng):
        return []
    expected = exact_percent(final.value, base.value, f.value.decimals)
    msg = say("pct.completion", item=_item_of(s) or _chain_item(sents, i), expected=expected, num=show(final.value),
              den=show(base.value),
              printed=f.value.raw)
    return [Finding(FAMILY, ERROR, msg, cite, (f"{f.value.raw}%", f"{expected}%"), "pct.completion",
                    view.document.doc_id)]


def _completion_of_table_budget(view, s, f, final, base_name) -> list[Finding]:
    """完成预算的P% for an item whose budget only the tables print (因公出国（境）费决算为A万元，完成预算的B%):
    A against the item's 预算数 column (三公经费表 …)."""
    item = subject_to_item(final.subject)
    if not item:
        return []
    bases = [c.value for c in candidates(view, item[0], item[2], "预算")
             if "预算" in c.column and "决算" not in c.column and (base_name == "预算" or base_name in c.column)]
    rngs = [r for r in (ratio_range(final.value, b) for b in bases) if r]
    if not rngs or any(percent_agrees(f.value, r) for r in rngs):
        return []
    expected = exact_percent(final.value, bases[0], f.value.decimals)
    msg = say("pct.completion", item=item[1], expected=expected, num=show(final.value), den=show(bases[0]),
              printed=f.value.raw)
    return [Finding(FAMILY, ERROR, msg, (s.cite(view.title, view.document.doc_id),), (f"{f.value.raw}%", f"{expected}%"),
                    "pct.completion", view.document.doc_id)]


def _chain_item(sents: list[Sentence], i: int) -> str:
    """The 项 named by the nearest 科目 chain before sentence i in its section (“1、X（类）Y（款）Z（项）。”)."""
    for j in range(i, max(-1, i - 4), -1):
        if sents[j].section != sents[i].section:
            break
        chain = sentence_to_chain(sents[j].text)
        if chain:
            return chain[-1].written
    return ""


def _item_of(s: Sentence) -> str:
    m = re.match(r"^(.{2,30}?)(?:年初预算|全年预算|调整预算|支出决算|决算数|，)", s.text)
    item = clean_subject(m.group(1)) if m else ""
    return "" if re.search(r"\d|预算|决算", item) else item


# ------------------------------------------------------------------ direction words
def _direction_words(view: View, s: Sentence) -> list[Finding]:
    """比上年减少…，增长…% (one comparison, two directions)."""
    if TEMPLATE_PAIR.search(s.text):
        return []
    out = []
    for m in re.finditer(r"(增加|减少)\s*[\d,，.]+\s*(?:万元|元|亿元)?\s*[，,]\s*(增长|下降|增加|减少)\s*[\d.]+\s*[%％]", s.text):
        a, b = m.group(1), m.group(2)
        if (a in ("增加",) and b in ("下降", "减少")) or (a == "减少" and b in ("增长", "增加")):
            msg = say("dir.words", a=a, b=b, snippet=m.group(0))
            out.append(Finding(FAMILY, ERROR, msg, (s.cite(view.title, view.document.doc_id),), (a, b), "dir.words",
                               view.document.doc_id))
    return out


def _compare_words(view, s, sents, figs, i) -> list[Finding]:
    """决算数小于/大于/等于/与…持平 全年预算数, against the two figures."""
    m = COMPARE_WORD.search(s.text)
    if not m:
        return []
    pool = [(s, x) for x in _money(figs[s.index]) if x.end <= m.start()] + _back(sents, figs, i, 3)
    final = next((x for sj, x in pool if FINAL.search(sj.text[:x.start])), None)
    which = m.group(2) or m.group(3) or "全年"
    budget = next((x for sj, x in pool if BUDGET_OF.get(which + "预算", BUDGET_OF["预算"]).search(sj.text[:x.start])
                   and not FINAL.search(sj.text[:x.start])), None)
    if final is None or budget is None:
        return []
    word = m.group(1) or "持平"
    a, b = final.value, budget.value
    equal = same_amount(a, b)
    ok = {"小于": a.in_yuan() < b.in_yuan() and not equal, "低于": a.in_yuan() < b.in_yuan() and not equal,
          "大于": a.in_yuan() > b.in_yuan() and not equal, "高于": a.in_yuan() > b.in_yuan() and not equal,
          "等于": equal, "持平": equal}[word]
    if ok:
        return []
    msg = say("dir.compare", item=_item_of(sents[i]) or "", word=m.group(0), left_name="决算数", left=show(a),
              right_name=f"{which}预算数", right=show(b))
    return [Finding(FAMILY, HINT if equal else ERROR, msg, (s.cite(view.title, view.document.doc_id),),
                    (show(a), show(b)), "dir.compare", view.document.doc_id)]


DIR_LEVEL = pattern("audit_flat", r"(?:比|较|与)(?:\s*(?:19|20)\d{{2}}\s*年度?)?([\u4e00-\u9fa5]{{2,12}}?)(?:相比)?[，,]?\s*"
                                r"({}|增加|减少|增长|下降|上升|降低)")
FLAT = words("audit_flat")


def _direction_wrong(current: Printed, base: Printed, word: str) -> bool:
    if word in FLAT:
        return word != "基本持平" and not same_amount(current, base)
    if same_amount(current, base):
        return False           # within rounding: no direction to read
    up = bool(UP.search(word))
    return (current.in_yuan() > base.in_yuan()) != up


def _direction_levels(view, s, sents, figs, i) -> list[Finding]:
    """增加/减少/持平 against the two levels the sentence states (“2023年当年预算执行数为54.60万元，2024年预算
    安排53.84万元，比2023年预算执行数增加…” or “…与2023年预算执行数持平” where the two differ)."""
    out = []
    for m in DIR_LEVEL.finditer(s.text):
        base_key = re.sub(r"^(?:当年|本年|年度)", "", m.group(1))
        if not re.search(r"执行数|决算数|执行|实际", base_key):
            continue           # a level the text states (预算执行数), not a budget it does not print
        mine = [x for x in _money(figs[s.index]) if x.end <= m.start()]
        pool = mine + [x for _, x in _back(sents, figs, i, 2)]
        base = next((x for x in pool if base_key in re.sub(r"\s+", "", x.clause) and x.other_time), None)
        current = next((x for x in reversed(mine) if x is not base and not x.comparison and not x.other_time), None)
        if base is None or current is None or current.start < (base.start if base.sentence is s else -1):
            continue
        word = m.group(2)
        if not _direction_wrong(current.value, base.value, word):
            continue
        fact = "两数相等" if same_amount(current.value, base.value) else \
            ("实为减少" if base.value.in_yuan() > current.value.in_yuan() else "实为增加")
        named = re.sub(r"^(?:比|较|与)\s*", "", m.group(0)[:m.start(2) - m.start()]).rstrip("，, ")
        msg = say("dir.levels", current=show(current.value), base_name=re.sub(r"\s+|相比$", "", named),
                  base=show(base.value), word=word, fact=fact)
        out.append(Finding(FAMILY, ERROR, msg, (s.cite(view.title, view.document.doc_id),),
                           (show(current.value), show(base.value), word), "dir.levels", view.document.doc_id))
    return out
