"""python -m retrieval audit: files read directly or a store; text or JSON; exit codes; exports."""
from __future__ import annotations

import csv
import json
import subprocess
import sys

from audit.cli import audit_main
from stores.facts import FactStore
from tests.conftest import ROOT, SAMPLE, make_settings


def test_audit_a_file_as_json(capsys):
    rc = audit_main(["--file", str(SAMPLE), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1 and out[0]["doc_id"] == "晋城经济技术开发区建设管理部-2026-部门预算"
    assert len(out[0]["findings"]) == 12 and out[0]["findings"][0]["severity"] == "错误"


def test_audit_a_store_as_text_with_csv_export(tmp_path, capsys, sample_parsed):
    settings = make_settings(tmp_path / "store")
    FactStore(settings.facts_db).replace_file(sample_parsed, SAMPLE.name)
    out_csv = tmp_path / "findings.csv"
    rc = audit_main(["--store", str(tmp_path / "store"), "--csv", str(out_csv)])
    text = capsys.readouterr().out
    title = sample_parsed.document.title
    assert title.startswith("晋城经济技术开发区建设管理部2026年度部门预算")
    assert rc == 1 and f"《{title}》：错误 8 条，提示 4 条" in text
    assert "916套" in text and "↳" in text
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8-sig")))
    assert len(rows) == 12


def test_unknown_doc_exits_2(tmp_path, capsys):
    settings = make_settings(tmp_path / "store")
    FactStore(settings.facts_db)
    assert audit_main(["--store", str(tmp_path / "store"), "--doc", "nope"]) == 2


def test_wired_as_python_m_retrieval_audit():
    r = subprocess.run([sys.executable, "-m", "retrieval", "audit", "--file", str(SAMPLE)], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "错误 8 条" in r.stdout
