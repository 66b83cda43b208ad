"""类/款/项 named in the narrative: “一般公共服务支出（类）人大事务（款）行政运行（项）”,
“一般公共服务支出-政府办公厅（室）及相关机构事务-行政运行”科目, or a bare 类 name; resolved to the
tables' 科目编码."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from audit.view import View
from labels import label_key, normalize

LEVEL_MARK = re.compile(r"([\u4e00-\u9fa5（）()、“”]+?)\s*[（(]\s*(\d{2,3})?\s*(类|款|项)\s*[)）]")
OLD_NAMES_FILE = Path(__file__).with_name("old_names.tsv")
DASH_PATH = re.compile(r"[“\"]([^“”\"]{2,80}?-[^“”\"]{2,80}?)[”\"]\s*科目")
LEVEL_OF_LEN = {3: "类", 5: "款", 7: "项"}


@dataclass(frozen=True)
class CodeName:
    code: str
    name: str
    level: str
    parent: str | None


@dataclass(frozen=True)
class ChainItem:
    written: str          # as printed
    level: str | None     # level the text gives it, None when not marked
    start: int
    end: int
    number: str = ""      # the code digits printed with the level: 204 in （204类）, 06 in （06款）


@lru_cache(maxsize=1)
def old_names() -> dict[str, str]:
    """Old 科目 name -> its current name (norm_name keys), from audit/old_names.tsv."""
    out = {}
    for line in OLD_NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            old, new = line.split("\t")
            out[norm_name(old)] = norm_name(new)
    return out


def norm_name(name: str) -> str:
    n = normalize(re.sub(r"[（(]\d*(类|款|项)[)）]", "", label_key(name)))
    n = re.sub(r"[“”\"\s]", "", n)
    return re.sub(r"支出$", "", n)


def view_to_codes(view: View) -> dict[str, CodeName]:
    """Functional 科目编码 printed in the tables (not the economic 30101 …)."""
    out: dict[str, CodeName] = {}
    for t in view.tables:
        if t.name == "基本支出分经济科目表" or t.name == "机关运行经费表":
            continue
        for r in t.rows:
            if r.code and r.level and not r.code.startswith(("3", "5")):
                out.setdefault(r.code, CodeName(r.code, label_key(r.label), r.level, r.parent))
    return out


def by_name(codes: dict[str, CodeName]) -> dict[str, list[CodeName]]:
    out: dict[str, list[CodeName]] = {}
    for c in codes.values():
        out.setdefault(norm_name(c.name), []).append(c)
    return out


def sentence_to_chain(text: str) -> list[ChainItem]:
    """The first run of level-marked names, or a dash path before 科目."""
    out: list[ChainItem] = []
    m = DASH_PATH.search(text)
    if m:
        parts, pos = m.group(1).split("-"), m.start(1)
        for i, p in enumerate(parts):
            out.append(ChainItem(p.strip(), ("类", "款", "项")[i] if i < 3 else None, pos, pos + len(p)))
            pos += len(p) + 1
        return out
    for mm in LEVEL_MARK.finditer(text):
        if out and mm.start() > out[-1].end + 2:
            break
        name = re.sub(r"^.*?[，。；：:、]", "", mm.group(1))
        name = re.sub(r"^[“\"]|^\d+[．.、]\s*|^[（(][一二三四五六七八九十]+[)）]", "", name)
        out.append(ChainItem(name, mm.group(3), mm.start(1) + (len(mm.group(1)) - len(name)), mm.end(),
                             mm.group(2) or ""))
    return out


def chain_numbers(chain: list[ChainItem]) -> list[str | None]:
    """The full codes a chain prints (（204类）（06款）（01项） -> 204, 20406, 2040601), None where not."""
    out: list[str | None] = []
    code = ""
    for item in chain:
        want = {"类": 3, "款": 2, "项": 2}.get(item.level or "")
        if not item.number or want is None or len(item.number) != want or (item.level != "类" and not code):
            out.append(None)
            code = "" if item.level == "类" else code
            continue
        code = item.number if item.level == "类" else code + item.number
        out.append(code)
    return out


def resolve(chain: list[ChainItem], names: dict[str, list[CodeName]],
            codes: dict[str, CodeName] | None = None) -> list[CodeName | None]:
    """Each chain item -> the code it names: the code printed with it when the tables know it, else
    by name (an old name read as its current one) under the item before; None when unknown."""
    out: list[CodeName | None] = []
    parent: CodeName | None = None
    numbers = chain_numbers(chain) if codes else [None] * len(chain)
    for item, number in zip(chain, numbers):
        hit: CodeName | None
        if number and codes and number in codes:      # numbers are all None without codes
            hit = codes[number]
        else:
            key = norm_name(item.written)
            options = names.get(key) or names.get(old_names().get(key, ""), [])
            if parent:
                under = [c for c in options if c.code.startswith(parent.code) and len(c.code) > len(parent.code)]
                options = under or options
            hit = options[0] if len(options) == 1 else None
        out.append(hit)
        parent = hit or parent
    return out
