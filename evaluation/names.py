"""A body's name as people say it: 上海市普陀区财政局 -> 普陀区财政局, 区财政局, 财政局. Pure."""
from __future__ import annotations

import re

ZH = r"[\u4e00-\u9fa5]"
PARTY = re.compile(r"^(中共|中国共产党)")
TOP = re.compile(rf"^{ZH}{{2,3}}?(?P<level>省|自治区|市)(?={ZH}{{2,}})")
DISTRICT = re.compile(rf"^{ZH}{{1,4}}?(?P<level>区|县|市)(?={ZH}{{2,}})")
GOVERNMENT = "人民政府"


def organ_names(organ: str) -> list[str]:
    """An organ and its everyday forms: 万里街道办事处 -> 万里街道; 商务委员会 -> 商务委."""
    out = [organ]
    if organ.endswith("街道办事处"):
        out.append(organ[:-len("办事处")])
    if organ.endswith("委员会"):
        out.append(organ[:-len("委员会")] + "委")
    return out


def district_names(rest: str, level: str, organ: str) -> list[str]:
    """普陀区财政局 -> 普陀区财政局, 区财政局, 财政局; 普陀区人民政府万里街道办事处 -> …, 万里街道."""
    if organ.startswith(GOVERNMENT) and len(organ) - len(GOVERNMENT) >= 4:
        return [rest] + organ_names(organ[len(GOVERNMENT):])
    names = [rest, level + organ.replace(GOVERNMENT, "政府")]
    return names + ([] if organ.startswith(("委", GOVERNMENT)) else organ_names(organ))


def short_names(body: str) -> tuple[str, ...]:
    """The full name first, then shorter ones; never a bare 委…/办公室 that names no body."""
    b = PARTY.sub("", body)
    names = [body, b]
    top = TOP.match(b)
    if top:
        rest = b[top.end():]
        district = DISTRICT.match(rest)
        if district:
            names += district_names(rest, district.group("level"), rest[district.end():])
        else:
            names += [top.group("level") + rest] + ([] if rest.startswith("委") else [rest])
    return tuple(n for n in dict.fromkeys(names) if len(n) >= 3)


def unambiguous_names(body: str, others: set[str]) -> tuple[str, ...]:
    """The body's names that name no other loaded body as well (财政局 is both 上海市财政局 and 普陀区财政局:
    a question naming it is rightly answered for both, so it asks nothing of one of them)."""
    taken = {n for o in others if o != body for n in short_names(o)}
    return tuple(n for n in short_names(body) if n not in taken) or (body,)
