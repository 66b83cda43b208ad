"""One reading of the question: only the reading modules scan its text; everything later asks the Query's
fields. The answering code's phrasing is data (retrieval/lexicon/wording.tsv, vocabulary.tsv), not code."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.match import described
from retrieval.understand import question_to_query
from retrieval.wording import WORDING, rx, template, words
from vocabulary import read_kinds

ROOT = Path(__file__).resolve().parents[1]
RULE_COUNT = ROOT.parent / "shared" / "tools" / "rule_count.py"
READERS = {"understand.py", "citizen.py", "followup.py", "bodies.py", "plan.py", "llm.py", "compose.py"}
SCANS = {"search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"}


def names_question(node: ast.AST) -> bool:
    return any((isinstance(n, ast.Name) and n.id == "question") or (isinstance(n, ast.Attribute) and n.attr == "question")
               for n in ast.walk(node))


def question_scans(source: str) -> list[int]:
    """Lines where the question text is handed to a regular expression: re.search(p, question), or a compiled
    pattern's .search(q.question) / .sub(repl, question)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SCANS):
            continue
        on_re = isinstance(node.func.value, ast.Name) and node.func.value.id in ("re", "regex")
        text_at = (1 if on_re else 0) + (1 if node.func.attr in ("sub", "subn") else 0)
        text = node.args[text_at] if len(node.args) > text_at else None
        if text is not None and names_question(text):
            lines.append(node.lineno)
    return lines


def test_the_scan_finder_sees_a_question_handed_to_a_pattern():
    planted = ('import re\nre.search(r"目标", q.question)\nrx("asks_target_re").search(question)\n'
               'P.sub("", normalize(q.question))\nq.question.split("，")\nre.search(r"x", q.item)\n')
    assert question_scans(planted) == [2, 3, 4]


def test_after_the_reading_nothing_regex_scans_the_question():
    found = {p.name: question_scans(p.read_text(encoding="utf-8"))
             for p in sorted((ROOT / "retrieval").glob("*.py")) if p.name not in READERS}
    assert {name: lines for name, lines in found.items() if lines} == {}


@pytest.mark.parametrize("question,across", [
    ("哪个单位的会议费最多？", True),
    ("各部门的办公费分别是多少", True),
    ("会议费最多的是哪一项？", False),
])
def test_a_question_comparing_bodies_is_read_as_across_bodies(question, across):
    assert question_to_query(question).across_bodies is across


def test_what_later_steps_need_from_the_text_is_read_with_the_query():
    target = question_to_query("绩效目标里满意度指标是多少？")
    assert (target.asks_target, target.names_target) == (True, True)
    plain = question_to_query("办公费是多少？")
    assert (plain.asks_target, plain.names_target, plain.level_asked, plain.asks_economic_class) == \
        (False, False, None, False)
    assert question_to_query("项级科目里哪项支出最多？").level_asked == "项"
    assert question_to_query("基本支出里哪项经济科目最多？").asks_economic_class


def test_a_describing_verb_before_the_label_is_found_from_the_reading():
    q = question_to_query("打电话寄信的邮电费是多少？")
    assert (0, 1) in q.describing_verbs and (3, 4) in q.describing_verbs          # 打, 寄
    assert described(q, "邮电费", ("电话", "寄信"))
    noun = question_to_query("高中的教育支出是多少？")
    assert not described(noun, "教育支出", ("高中",))                           # a noun makes another item


def test_every_named_expression_and_word_list_the_code_uses_is_in_the_data():
    kinds = read_kinds(WORDING)
    used = set()
    for p in (ROOT / "retrieval").glob("*.py"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in \
                    ("rx", "template", "wording_words") and node.args and isinstance(node.args[0], ast.Constant):
                used.add(node.args[0].value)
    assert used and used <= set(kinds)
    assert all(isinstance(rx(k), re.Pattern) for k in kinds if k.endswith("_re") and "{}" not in template(k))
    assert words("money_unit") == ("万元", "元", "亿元")


def test_retrieval_holds_no_phrasing():
    """≤ 40 regex literals and no Chinese word list in retrieval/, as the shared tool counts them."""
    done = subprocess.run([sys.executable, str(RULE_COUNT), "retrieval", "--max-regex", "40", "--max-lists", "0"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
