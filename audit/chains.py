"""类/款/项 named in the narrative: “一般公共服务支出（类）人大事务（款）行政运行（项）”,
“一般公共服务支出-政府办公厅（室）及相关机构事务-行政运行”科目, or a bare 类 name; resolved to the
tables' 科目编码."""
from __future__ import annotations

import re
from dataclasses import dataclass

from audit.view import View
from labels import label_key

LEVEL_MARK = re.compile(r"([\u4e00-\u9fa5（）()、“”]+?)\s*[（(]\s*(类|款|项)\s*[)）]")
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


def norm_name(name: str) -> str:
    n = re.sub(r"[（(](类|款|项)[)）]", "", label_key(name))
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
    m = DASH_PATH.search(text)
    if m:
        parts, pos, out = m.group(1).split("-"), m.start(1), []
        for i, p in enumerate(parts):
            out.append(ChainItem(p.strip(), ("类", "款", "项")[i] if i < 3 else None, pos, pos + len(p)))
            pos += len(p) + 1
        return out
    out: list[ChainItem] = []
    for mm in LEVEL_MARK.finditer(text):
        if out and mm.start() > out[-1].end + 2:
            break
        name = re.sub(r"^.*?[，。；：:、]", "", mm.group(1))
        name = re.sub(r"^[“\"]|^\d+[．.、]\s*|^[（(][一二三四五六七八九十]+[)）]", "", name)
        out.append(ChainItem(name, mm.group(2), mm.start(1) + (len(mm.group(1)) - len(name)), mm.end()))
    return out


def resolve(chain: list[ChainItem], names: dict[str, list[CodeName]]) -> list[CodeName | None]:
    """Each chain item -> the code it names (using the one before as parent), None when unknown."""
    out: list[CodeName | None] = []
    parent: CodeName | None = None
    for item in chain:
        options = names.get(norm_name(item.written), [])
        if parent:
            under = [c for c in options if c.code.startswith(parent.code) and len(c.code) > len(parent.code)]
            options = under or options
        hit = options[0] if len(options) == 1 else None
        out.append(hit)
        parent = hit or parent
    return out
