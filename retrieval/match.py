"""Query + facts -> the facts that answer it. Pure: scoring of labels, codes, tables and columns."""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache

from labels import label_key, label_to_key, normalize
from retrieval import rank
from retrieval.coverage import Coverage, coverage, item_terms, sound_index, tagged
from retrieval.lexical import Tokenizer
from retrieval.understand import Query, synonyms
from retrieval.wording import rx
from retrieval.wording import words as wording_words
from schema import Fact
from vocabulary import pattern
from vocabulary import words as vocabulary_words

TABLE_ORDER: tuple[str | None, ...] = wording_words("table_order") + (None,)
TOTAL_COL = rx("total_col_re")
TOTAL_ROW = rx("total_row_re")


@dataclass(frozen=True)
class Scored:
    fact: Fact
    score: float


def fact_key(f: Fact) -> str:
    return label_to_key(f.label)


def bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)}


def dice(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


@lru_cache(maxsize=200_000)
def term_score(term: str, key: str) -> float:
    """How well a label (key) names a term; cached, as a document prints each label in several tables."""
    if not term or not key:
        return 0.0
    if key == term:
        return 30 + len(key)
    if key in term and len(key) >= 2:
        return 6 + len(key) + 10 * len(key) / len(term)
    if term in key and len(term) >= 2:
        return 6 + len(term) + 3 * len(term) / len(key)
    if len(term) >= 3 and is_subsequence(term, key) and subsequence_span(term, key) <= 2 * len(term) + 1:
        return 5 + len(term)       # 区府办 in 区政府办公室; not 人大立法 spread over a long project name
    d = dice(term, key)
    return 10 * d if d >= 0.5 else (3 * d if d >= 0.25 else 0.0)


GENERIC_WORDS = rx("name_generic_word_re")   # shared by many names: no evidence of one


@lru_cache(maxsize=100_000)
def common_run(a: str, b: str) -> str:
    """The longest stretch of characters the two strings share."""
    best = ""
    for i in range(len(a)):
        for j in range(i + len(best) + 1, len(a) + 1):
            if a[i:j] in b:
                best = a[i:j]
            else:
                break
    return best


def is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def subsequence_span(short: str, long: str) -> int:
    """Length of the shortest stretch of `long` holding `short` in order (len(long) + 1 if none)."""
    best = len(long) + 1
    for start, ch in enumerate(long):
        if ch != short[0]:
            continue
        i = start
        for c in short[1:]:
            i = long.find(c, i + 1)
            if i < 0:
                return best
        best = min(best, i - start + 1)
    return best


TOTAL_TAIL = rx("total_tail_re")


@lru_cache(maxsize=200_000)
def core(s: str) -> str:
    """`三公经费/小计` and `三公经费合计` both -> `三公经费`."""
    return TOTAL_TAIL.sub("", s.replace("/", "")) or s


MONEY_TAIL = rx("money_tail_re")


def without_money_tail(item: str) -> list[str]:
    """`普法宣传教育资金` -> `普法宣传教育`; `群众文化活动经费资金` -> `群众文化活动经费`, `群众文化活动`:
    people add what the figure is (资金, 经费, 项目) to a name that may or may not carry it."""
    forms = []
    while (m := MONEY_TAIL.search(item)) and len(item) - len(m.group(0)) >= 2:
        item = item[:m.start()]
        forms.append(item)
    return forms


@dataclass(frozen=True)
class QueryTerms:
    """What fact_score compares labels with, computed once per question (not once per fact)."""
    item: str
    bare: str                       # the item without the measures asked (项目支出 …)
    named: tuple[str, ...]          # the item without 资金/经费/项目 added
    core: str
    expansions: tuple[str, ...]
    broad: tuple[str, ...]
    side: tuple[str, ...]
    word: str = ""                  # the one word the item comes to (买家具 -> 家具), when it is one


@lru_cache(maxsize=512)
def query_terms(q: Query) -> QueryTerms:
    item = normalize(q.item)
    bare = item
    for m in q.measures:     # 一般公共预算 asked; the item may hold it with 预算 already taken out (一般公共)
        bare = bare.replace(m, "").replace(rx("budget_final_tail_re").sub("", m) or m, "")
    return QueryTerms(item=item, bare=bare, named=tuple(without_money_tail(item)), core=core(bare),
                      expansions=tuple(normalize(x) for x in q.expansions), broad=tuple(normalize(x) for x in q.broad),
                      side=tuple(rx("income_expense_total_re").findall(bare)) if not q.measures else (),
                      word=words[0] if len(words := terms_of(bare)) == 1 and words[0] != bare else "")


def fact_score(f: Fact, q: Query) -> float:
    if q.codes and f.code and f.code in q.codes:
        return 100.0
    key = fact_key(f)
    t = query_terms(q)
    item = t.item
    best = term_score(item, key)
    if "/" in key:          # “三公”经费预算数/公务接待费: a column-oriented table's row is its last segment
        best = max(best, *(term_score(x, form) for x in (item, *t.expansions) for form in column_forms(key)))
    for named in t.named:
        best = max(best, term_score(named, key) - 1)
    if len(t.word) >= 2:
        best = max(best, term_score(t.word, key) - 1)
    ck = core(key)
    if len(t.core) >= 2 and (len(ck) >= 3 or ck == t.core):
        best = max(best, term_score(t.core, ck) - 1)
    if f.kind != "indicator" and len(item) > len(key) and len(run := common_run(key, item)) >= 5 \
            and len(GENERIC_WORDS.sub("", run)) >= 4 and len(run) >= 0.45 * len(key):
        best = max(best, 4.0 + len(run))    # 修修补补马路的市政道路维护: the label's own stretch, words around it
    if f.kind == "text" and len(run := common_run(normalize(lead_in(f)), item)) >= 4 \
            and len(GENERIC_WORDS.sub("", run)) >= 4:
        best = max(best, 3.0 + len(run))    # 编报绩效目标的项目49个，涉及项目预算资金…: the words leading to it
    if f.kind == "indicator":
        context = normalize(label_key(f.table or ""))
        project = context.split("（")[-1].rstrip("）") if "（" in context else ""
        if project and project in item:
            best = max(best, term_score(item.replace(project, ""), key) + 8)
        elif project and len(GENERIC_WORDS.sub("", common_run(project, item))) >= 4:
            # 市政道路维护项目的成本指标: the project named short (公建公司市政道路维护项目), then its indicator
            rest = item
            while len(run := common_run(project, rest)) >= 2:      # every word of the project's name
                rest = rest.replace(run, "")
            rest = rx("asks_target_re").sub("", rest) or rest
            column = (f.column or "").rsplit("/", 1)[-1]
            if len(rx("money_or_amount_re").sub("", rest)) >= 2:     # an indicator is asked, not the money
                best = max(best, max(term_score(rest, key), term_score(rest, column)) + 8)
    if f.kind == "cell" and len(item) >= 3 and best < 5 + len(item) and item in (f.text or ""):
        best = 5 + len(item)    # 综合管理费 | 物业管理费 | 410.40: the item is another label cell of the row
    if f.kind == "text":        # 事业运行全年预算为17.68万元: the measure is part of a sentence's label
        for m in q.measures:
            best = max(best, term_score(item + m, key))
    for exp in t.expansions:
        best = max(best, 0.95 * term_score(exp, key))
    for exp in t.broad:
        best = max(best, 0.6 * term_score(exp, key))
    if q.measures and key in q.measures and not item.replace(key, ""):
        best = max(best, 30 + len(key))
    if q.measures and not t.bare and is_total_row(f) and any(m in (f.column or "") for m in q.measures):
        best = max(best, 25.0)     # 项目支出是多少: the total row's 项目支出 column
    side = t.side
    if best > 0 and side and f.column and side[0] in f.column.split("/")[0]:
        best += 2          # 支出总计 in a 收支总表 whose two sides share the label 总计
    if rx("bound_sign_re").match(f.raw or "") and not q.asks_target:
        best *= 0.7     # a target (≤244万元), not the budget figure, unless a target is asked
    if best > 0 and "项目" in q.item and f.table_name in ("项目支出表", "绩效目标表"):
        best += 3      # 马路保洁那个项目: a project's row, not the budget line of the same name
    if best > 0 and f.table_name == "绩效目标表" and not q.names_target:
        best -= 3      # 市政道路维护要多少钱: the project's budget row before its target table's 资金总额
    if q.unit_hint and best > 0:
        best += 15 if f.unit == q.unit_hint or f.unit == "万" + q.unit_hint else -5
    elif q.money and best > 0 and f.unit in wording_words("money_unit"):
        best += 5
    return best


@lru_cache(maxsize=50_000)
def column_forms(key: str) -> tuple[str, ...]:
    """How a column-oriented item is named: its last segment, and a part of an "A及B" group named with the
    group's head (公务用车购置及运行费/购置费 -> 公务用车购置费)."""
    parts = key.split("/")
    forms = [parts[-1]]
    if len(parts) >= 2 and "及" in parts[-2]:
        head = parts[-2].split("及")[0]
        stem = rx("column_forms_re").sub("", head) or head
        forms.append(stem + parts[-1])
    return tuple(forms)


KIND_TAILS = wording_words("kind_tail")     # what a short name is printed with: 家具用具, 退休费


def names_item(key: str, forms: list[str]) -> bool:
    """The label is the item itself, printed longer (`保障性租赁住房项目` for 保障性租赁住房) or shorter
    (`普法宣传教育` for 普法宣传教育经费)."""
    return any(key == x or (len(x) >= 3 and x in key) or (len(key) >= 3 and key in x and len(key) >= 0.6 * len(x))
               or (len(x) == 2 and key[len(x):] in KIND_TAILS and key.startswith(x))   # 家具 -> 家具用具, 退休 -> 退休费
               for x in forms)


def score_facts(facts: list[Fact], q: Query) -> list[Scored]:
    if q.broad or q.expansions:   # lexicon forms (住房 -> 住房保障支出) only when no row names the item itself
        t = query_terms(q)
        bare = t.bare                  # 住房方面项目支出: the item is 住房; 项目支出 is the column
        forms = [bare, *without_money_tail(bare), *([t.word] if len(t.word) == 2 else [])]   # 给退休的人: 退休
        named = any(names_item(fact_key(f), forms) for f in facts if f.label)
        if named or (not bare and any((f.column or "").rsplit("/", 1)[-1] in q.measures for f in facts)):
            q = replace(q, broad=(), expansions=())     # 公用经费 printed as a column: its total, not 商品和服务支出
    scored = [Scored(f, fact_score(f, q)) for f in facts]
    return sorted((s for s in scored if s.score > 0), key=lambda s: -s.score)


def table_rank(f: Fact) -> int:
    name = f.table_name if f.table else None
    return TABLE_ORDER.index(name) if name in TABLE_ORDER else len(TABLE_ORDER) - 2


def best_facts(facts: list[Fact], q: Query, doc_kind: str = "预算", scored: list[Scored] | None = None) -> list[Scored]:
    """The candidates, best first: those within the ranker's band of the best recall score, ordered by the fitted
    ranker (rank.py; ties: canonical table order, then order of printing)."""
    r = rank.current()
    band = candidate_band(facts, q, scored, r.band)
    top = band[0].score if band else 0.0
    described = [(candidate_features(s, q, doc_kind, top), s) for s in band]
    unmet = rank.FEATURES.index("measure_unmet")
    if any(not x[unmet] for x, _ in described):      # 项目支出 asked: a column of it, never the row's total for it
        described = [(x, s) for x, s in described if not x[unmet]]
    elif described and q.measures and measure_in_item(q):
        return []           # 离退休人员经费: the measure is a word of the item, and no candidate holds it
    keyed = [(r.score(x), s) for x, s in described]
    figure: dict = {}
    for score, s in keyed:          # the ranker chooses the figure; the tables printing it are cited in their order
        figure[to_wan(s.fact)] = max(score, figure.get(to_wan(s.fact), score))
    return [s for _, s in sorted(keyed, key=lambda ks: (-figure[to_wan(ks[1].fact)], ks[1].fact.value is None,
                                                         table_rank(ks[1].fact), -ks[0], ks[1].fact.row))]


def measure_in_item(q: Query) -> bool:
    """A measure asked is printed inside the item's own words, not beside them (离退休人员经费, not 住房保障的项目支出)."""
    item = normalize(q.item)
    return any(0 < item.find(m) and item.find(m) + len(m) <= len(item) and item[item.find(m) - 1] not in "的中里"
               for m in q.measures if m in item and len(item) > len(m))


def candidate_band(facts: list[Fact], q: Query, scored: list[Scored] | None, band: float) -> list[Scored]:
    """The scored candidates within `band` of the best (an empty cell of a row that prints a figure left out)."""
    scored = score_facts(facts, q) if scored is None else scored
    filled = printed_rows(facts)
    scored = [s for s in scored if s.fact.value is not None or (s.fact.table, s.fact.row, s.fact.label) not in filled
              or any(m in (s.fact.column or "") for m in q.measures)]    # 基本支出 asked: its empty cell is the answer
    if not scored:
        return []
    top = scored[0].score
    return [s for s in scored if s.score >= band * top - 0.01]


def candidate_features(s: Scored, q: Query, doc_kind: str, top: float) -> tuple[float, ...]:
    """The ranker's view of one candidate (rank.FEATURES)."""
    f = s.fact
    col = f.column or ""
    last = col.split("/")[-1]
    within = normalize(f.table or "")
    asked = [m for m in q.measures if m != "决算" and m not in fact_key(f) and m not in within]
    in_column = any(m in col for m in asked) or (f.kind == "text" and any(m in f.label for m in q.measures))
    c = rank.Candidate(
        relative=s.score / top if top else 0.0, measure_in_column=in_column, measure_unmet=bool(asked) and not in_column,
        total_column=bool(TOTAL_COL.search(last) or TOTAL_COL.search(col)),
        earlier_column=bool(EARLIER_COL.search(col)) and not any(m in col for m in q.measures),
        own_table=from_its_own_table(f))
    return rank.features(f, c, query_terms(q).bare, q.plain, q.unit_hint, q.money, doc_kind,
                         q.asks_budget)


EARLIER_COL = rx("earlier_col_re")


_FILLED: dict[int, tuple[list[Fact], frozenset]] = {}


def printed_rows(facts: list[Fact]) -> frozenset:
    """The items of table rows that print a figure in some cell: an empty cell of such an item is a column its row
    does not use (or a column read apart from its figure), never the item printed empty. Keyed by the label too: a
    two-sided row (收入总计 … 支出总计 …) holds two items (kept for the last few lists)."""
    hit = _FILLED.get(id(facts))
    if hit is not None and hit[0] is facts:
        return hit[1]
    rows = frozenset((f.table, f.row, f.label) for f in facts if f.table and f.value is not None)
    if len(_FILLED) > 64:
        _FILLED.clear()
    _FILLED[id(facts)] = (facts, rows)
    return rows


@lru_cache(maxsize=1)
def _parts() -> dict[str, frozenset[str]]:
    from retrieval.understand import LEXICON
    rows = [r.split("\t") for r in (LEXICON / "parts.tsv").read_text(encoding="utf-8").splitlines()
            if r.strip() and not r.startswith("#")]
    return {label_to_key(total): frozenset(label_to_key(p) for p in ps.split("|")) for total, ps in rows}


def parts_of(item: str) -> frozenset[str]:
    """The parts a total is made of (三公经费 -> 因公出国（境）费, 公务接待费, 公务用车购置及运行费)."""
    return _parts().get(label_to_key(item), frozenset())


@lru_cache(maxsize=1)
def _sangong_parts() -> frozenset[str]:
    keys = ("三公经费", "公务用车购置及运行费")
    return frozenset().union(*(parts_of(k) for k in keys)) | {label_to_key(k) for k in keys}


def from_its_own_table(f: Fact) -> bool:
    """A 三公 item's figure in the 三公 table covers basic and project spending; the economic
    classification table holds the basic part only. So does any table whose title names the row
    (“三公”经费、会议费、培训费支出预算表 for 会议费): it is the item's own table."""
    last = fact_key(f).rsplit("/", 1)[-1]
    if f.table_name == "三公经费表" and last in _sangong_parts():
        return True
    return f.kind == "cell" and len(last) >= 3 and last in normalize(f.table or "")


def same_figure(a: Fact, b: Fact) -> bool:
    if a.value is None or b.value is None:
        return a.value == b.value
    return to_wan(a) == to_wan(b)


def to_wan(f: Fact) -> Decimal | None:
    if f.value is None:
        return None
    if f.unit == "元":
        return (f.value / Decimal(10000)).quantize(Decimal("0.01"))
    if f.unit == "亿元":
        return f.value * 10000
    return f.value.quantize(Decimal("0.01")) if f.unit == "万元" else f.value


def is_total_row(f: Fact, body: str = "") -> bool:
    key = fact_key(f)
    last = key.rsplit("/", 1)[-1]       # “三公”经费/小计 in a column-oriented table
    return bool(TOTAL_ROW.match(key)) or (body and key == body) or key.endswith("合计") or last in ("小计", "合计")


def table_facts(facts: list[Fact], table: str) -> list[Fact]:
    return [f for f in facts if f.table == table]


def nearest_labels(facts: list[Fact], item: str, n: int = 5) -> list[str]:
    seen: dict[str, float] = {}
    for f in facts:
        if f.value is None:
            continue
        k = fact_key(f)
        if k and k not in seen:
            seen[k] = dice(normalize(item), k)
    return [k for k, v in sorted(seen.items(), key=lambda kv: -kv[1])[:n] if v > 0.15]


# ------------------------------------------------------------------ coverage of the item asked
@lru_cache(maxsize=1)
def _cutter() -> Tokenizer:
    """jieba's own dictionary, no corpus words: an item is cut the same way whatever is loaded."""
    return Tokenizer()


@lru_cache(maxsize=1)
def lexicon() -> dict[str, tuple[str, ...]]:
    return dict(synonyms())


def cut_words(text: str) -> list[str]:
    """jieba's words of a text (its own dictionary, no HMM guesses), spaces dropped."""
    return [w for w in _cutter()._jieba.lcut(text, HMM=False) if w.strip()]


@lru_cache(maxsize=4096)
def terms_of(item: str) -> tuple[str, ...]:
    return item_terms(item, cut_words, tuple(lexicon()))


def fact_parts(f: Fact, parents: dict[str, str] | None = None) -> tuple[str, ...]:
    """What a fact is about, part by part: its label, column, table title, section, parent rows' labels."""
    row = f.text if f.kind == "cell" or CHANGED.search(f.label) else ""
    # other label cells of the row (综合管理费 | 物业管理费); the sentence a stated change is made in.
    # Not its columns (上级补助收入 is a source of funds, not the item) nor its parent rows (会议费's parent
    # 商品和服务支出 does not make it 会议服务).
    own_column = f.kind == "indicator" or (f.column and label_to_key(f.column) == fact_key(f))
    column = f.column if own_column else ""         # indicators' columns, and items printed as columns
    return (fact_key(f), column, f.table or "", f.section or "", row, lead_in(f))


LAST_FIGURE = rx("last_figure_re")


def lead_in(f: Fact) -> str:
    """The words of a sentence that lead to its figure's label, back to the figure before: `其他运转类项目3个，
    涉及金额160.00万元` is the 涉及金额 of 其他运转类项目; `…6个，涉及金额7,788.00万元` is another's."""
    if f.kind != "text" or not f.text or (at := f.text.find(f.label)) <= 0:
        return ""
    return LAST_FIGURE.sub("", f.text[:at], count=1)


CHANGED = pattern("compared")


def parent_labels(facts: list[Fact]) -> dict[str, str]:
    return {f.code: fact_key(f) for f in facts if f.code}


def covers(q: Query, parts: tuple[str, ...]) -> Coverage:
    """Coverage of the item without the measures asked (一般公共预算, 项目支出 … are columns, not the item),
    unless the measure is all the item names (政府性基金支出: the 政府性基金 table itself)."""
    terms = terms_of(query_terms(q).bare)
    if terms and all(t in SIDES for t in terms):
        terms = terms_of(q.item)
    if terms and all(t in WEAK for t in terms):      # 其他资金 is not 其他收入: a weak word names nothing alone
        terms = (normalize(q.item),)
    found = coverage(terms, parts, lexicon(), q.similar, tuple(w for p in parts[:1] for w in terms_of(p)))
    if found.ok or not (named_whole(q.item, parts[0], found.missing) or described(q, parts[0], found.missing)):
        return found
    return Coverage(tuple(replace(c, how="beside", by=parts[0]) if c.how == "missing" else c for c in found.terms))


def described(q: Query, key: str, missing: tuple[str, ...]) -> bool:
    """The words not covered describe the label, printed whole after them and a 的, with a verb that says what
    it is spent on (打电话寄信的邮电费); a noun before 的 makes another item (高中的教育支出, 局长的工资)."""
    text = q.plain
    at = text.find("的" + key) if len(key) >= 3 else -1
    if at < 0:
        return False
    before = text[:at]
    if not missing or not all(t in before for t in missing):
        return False
    start = min(before.find(t) for t in missing)       # the describing words only, not the body's name
    return any(start <= i and j <= at for i, j in q.describing_verbs)


def named_whole(item: str, key: str, missing: tuple[str, ...]) -> bool:
    """The question prints the label whole, and the words it does not cover stand apart from it: after it
    (工程建设管理上面大概…), or before it with other words between (…那个项目，就是…). A word right before the
    label is a modifier that makes another item (高中/教育支出, 局长/工资): not apart."""
    text = pattern("residue_re").sub("", normalize(item))
    at = text.find(key) if len(key) >= 3 else -1
    if at < 0:
        return False
    return all((pos := text.find(t)) >= 0 and (pos >= at + len(key) or apart(text[pos + len(t):at]))
               for t in missing)


def apart(between: str) -> bool:
    """Words between a word and the label that make them two things (发的, 那个项目，就是), not one name whose
    words run on (其他城乡社区|管理|事务支出: 管理 is part of the name): a verb, a particle or a mark among them."""
    return bool(between) and (not all(ch.isalnum() for ch in between) or any(
        flag in vocabulary_words("apart_pos") for _, flag in tagged(between)))


SIDES = wording_words("side")
WEAK = vocabulary_words("weak")


_KEYS: dict[int, tuple[list[Fact], tuple[str, ...]]] = {}


def label_keys(facts: list[Fact]) -> tuple[str, ...]:
    """The distinct label keys of a document's facts (kept for the last few fact lists seen)."""
    hit = _KEYS.get(id(facts))
    if hit is not None and hit[0] is facts:
        return hit[1]
    keys = tuple(dict.fromkeys(fact_key(f) for f in facts if f.label))
    if len(_KEYS) > 64:
        _KEYS.clear()
    _KEYS[id(facts)] = (facts, keys)
    return keys


_SOUNDS: dict[int, tuple[list[Fact], dict]] = {}


def label_sounds(facts: list[Fact]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """The document's label stretches by their sound (kept for the last few fact lists seen)."""
    hit = _SOUNDS.get(id(facts))
    if hit is not None and hit[0] is facts:
        return hit[1]
    index = sound_index(label_keys(facts))
    if len(_SOUNDS) > 64:
        _SOUNDS.clear()
    _SOUNDS[id(facts)] = (facts, index)
    return index
