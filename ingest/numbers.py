"""Reading figures as printed: `8,277.83`, `307.82 万元`, `≥95%`, `62891平方米`, `五个`."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

NUMBER = r"-?\d[\d,，]*(?:\.\d+)?"
CELL_NUMBER = re.compile(rf"^\s*({NUMBER})\s*$")
CELL_MEASURE = re.compile(rf"^\s*([≥≤><=＞＜]*)\s*({NUMBER})\s*(%|％|[^\d\s]{{1,4}})?\s*$")
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def text_to_decimal(raw: str) -> Decimal | None:
    """`8,277.83` -> Decimal('8277.83'); anything else -> None."""
    s = (raw or "").strip().replace(",", "").replace("，", "").replace(" ", "")
    if not s or not re.fullmatch(r"-?\d+(?:\.\d+)?", s):
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def is_number_cell(cell: str) -> bool:
    return bool(CELL_NUMBER.match(cell or "")) and text_to_decimal(cell) is not None


def cell_to_measure(cell: str) -> tuple[Decimal, str, str] | None:
    """`≥95%` -> (95, '%', '≥'); `62891平方米` -> (62891, '平方米', ''); else None."""
    cell = re.sub(r"m\s*[²2]$|㎡$|M\s*[²2]$", "平方米", (cell or "").strip())
    m = CELL_MEASURE.match(cell)
    if not m:
        return None
    value = text_to_decimal(m.group(2))
    if value is None:
        return None
    unit = (m.group(3) or "").replace("％", "%")
    return value, unit, m.group(1) or ""


def chinese_to_int(s: str) -> int | None:
    """`五` -> 5, `十二` -> 12, `二十一` -> 21, `一百零五` -> 105."""
    if not s or any(ch not in CN_DIGITS and ch not in CN_UNITS for ch in s):
        return None
    total, current = 0, 0
    for ch in s:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        else:
            total += (current or 1) * CN_UNITS[ch]
            current = 0
    return total + current


def same_figure(a: Decimal, b: Decimal) -> bool:
    """9312.9 and 9,312.90 are the same printed figure."""
    return a == b
