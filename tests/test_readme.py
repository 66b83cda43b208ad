"""The README's promises: two Quick start commands that exist, CI runs the test one, the settings table is true."""
from __future__ import annotations

import re

from config import SETTINGS_DOC, load_settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.strip().splitlines() if line.strip()]


def test_quick_start_has_exactly_two_commands_run_and_test():
    assert quick_start_commands() == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:.*\n(\t.*\n)*\t.*streamlit run app\.py", makefile, re.M)
    assert re.search(r"^test:.*\n(\t.*\n)*\t.*pytest", makefile, re.M)


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert [x for x in ci.splitlines() if x and not x.startswith(("#", "set ", "cd "))] == ["make test"]


def test_settings_table_matches_config():
    rows = re.findall(r"^\| `(BUDGETQA_[A-Z_]+)` \| `([^`]*)` \| (.+?) \|$", README, re.M)
    assert {name: (default, doc) for name, default, doc in rows} == {
        name: (default, doc) for name, (_field, default, doc) in SETTINGS_DOC.items()}


def test_every_setting_is_read_from_the_environment():
    env = {"BUDGETQA_STORE": "/tmp/x", "BUDGETQA_RATE_LIMIT": "7", "BUDGETQA_CORS_ORIGINS": "https://a.gov.cn, https://b.gov.cn",
           "BUDGETQA_LOAD_SAMPLE": "0", "BUDGETQA_LLM_TIMEOUT": "2.5"}
    s = load_settings(env=env)
    assert (str(s.store_dir), s.rate_limit, s.cors_origins, s.load_sample, s.llm_timeout) == (
        "/tmp/x", 7, ("https://a.gov.cn", "https://b.gov.cn"), False, 2.5)
