"""End to end in headless Chromium: the Streamlit chat and the portal widget on real servers.

Starts uvicorn and streamlit on free loopback ports with a temp store, asks through both, and
saves screenshots to artifacts/ (desktop and 360 px wide) for a person to look at.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
QUESTION = "住房保障支出是多少？"
TOKEN = "browser-test-token"
SCRIPT_DOC = """示例区市场监督管理局
2025年度部门预算公开

预算公开表1
2025年预算收支总表
单位：万元
收入\t\t支出\t\t\t
项目\t2025年\t项目\t2025年合计\t当年预算安排\t上年结转安排
一、一般公共预算\t512.30\t一、一般公共服务支出\t400.00\t400.00\t
\t\t二、<script>alert(1)</script><img src=x onerror=alert(2)>专项支出\t112.30\t112.30\t
收入总计\t512.30\t支出总计\t512.30\t512.30\t
"""

pytestmark = pytest.mark.browser

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but /usr/bin/chromium or /usr/bin/chromedriver is missing", pytrace=False)
    pytest.skip("Chromium not installed (/usr/bin/chromium, /usr/bin/chromedriver): browser test skipped",
                allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=5).status_code == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"{url} not up after {timeout}s: {log.read_text(errors='replace')[-3000:]}")


@contextlib.contextmanager
def server(cmd: list[str], env: dict, log: Path):
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETQA_")}
    env.update(BUDGETQA_STORE=str(tmp / "store"), BUDGETQA_ADMIN_TOKEN=TOKEN, PYTHONUNBUFFERED="1")
    api_port, app_port = free_port(), free_port()
    api_url, app_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{app_port}"
    api_cmd = [sys.executable, "-m", "uvicorn", "api:app", "--host", "127.0.0.1", "--port", str(api_port)]
    app_cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(app_port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with server(api_cmd, env, tmp / "api.log") as api:
        wait_http(f"{api_url}/api/health", api, tmp / "api.log")   # the sample is ingested once, here
        with server(app_cmd, env, tmp / "app.log") as app:
            wait_http(f"{app_url}/_stcore/health", app, tmp / "app.log")
            yield {"api": api_url, "app": app_url}


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--lang=zh-CN", "--window-size=1280,900", "--hide-scrollbars",
                f"--user-data-dir={tmp_path_factory.mktemp('chrome-profile')}"):
        opts.add_argument(arg)
    d = webdriver.Chrome(options=opts, service=Service(str(CHROMEDRIVER)))
    d.set_page_load_timeout(60)
    ARTIFACTS.mkdir(exist_ok=True)
    yield d
    d.quit()


def wait_for(driver, predicate, timeout: float = 90):
    return WebDriverWait(driver, timeout, poll_frequency=0.3).until(lambda d: predicate())


def body_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def no_horizontal_scroll(driver) -> bool:
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def shot(driver, name: str, width: int, height: int) -> Path:
    driver.set_window_size(width, height)
    time.sleep(1.0)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    return path


def test_streamlit_chat_answers_with_figure_and_source_card(servers, driver):
    driver.set_window_size(1280, 900)
    driver.get(servers["app"])
    box = wait_for(driver, lambda: driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatInputTextArea"]'))[0]
    wait_for(driver, lambda: "晋城经济技术开发区建设管理部" in body_text(driver))
    shot(driver, "app-welcome-desktop.png", 1280, 900)
    box.send_keys(QUESTION, Keys.ENTER)
    wait_for(driver, lambda: "3241.03万元" in body_text(driver))
    cards = wait_for(driver, lambda: driver.find_elements(By.CSS_SELECTOR, ".bq-card"))
    assert "收支总表" in cards[0].text and "二十、住房保障支出 3241.03 3241.03" in cards[0].text
    assert "32,410,300.00 元" in body_text(driver)
    shot(driver, "app-answer-desktop.png", 1280, 1100)
    driver.find_elements(By.CSS_SELECTOR, '[data-testid="stExpander"] summary')[0].click()
    wait_for(driver, lambda: driver.find_elements(By.CSS_SELECTOR, '[data-testid="stDataFrame"]'))
    time.sleep(1.5)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})",
                          driver.find_element(By.CSS_SELECTOR, '[data-testid="stDataFrame"]'))
    shot(driver, "app-table-desktop.png", 1280, 900)
    shot(driver, "app-answer-360.png", 360, 780)
    assert no_horizontal_scroll(driver)


def test_streamlit_embed_mode_is_compact_at_360px(servers, driver):
    driver.set_window_size(360, 780)
    driver.get(servers["app"] + "/?embed=true")
    wait_for(driver, lambda: "晋城经济技术开发区建设管理部" in body_text(driver))
    assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebar"]')
    shot(driver, "app-embed-360.png", 360, 780)
    assert no_horizontal_scroll(driver)


def widget_root(driver):
    host = wait_for(driver, lambda: driver.find_elements(By.ID, "budgetqa-widget"))[0]
    return host.shadow_root


def ask_widget(driver, root, question: str) -> None:
    field = root.find_element(By.CSS_SELECTOR, "#bq-q")
    field.send_keys(question, Keys.ENTER)


def test_portal_widget_answers_with_citation(servers, driver):
    driver.set_window_size(1280, 900)
    driver.get(servers["api"] + "/widget/demo.html")
    root = widget_root(driver)
    wait_for(driver, lambda: root.find_element(By.CSS_SELECTOR, "#bq-q").get_attribute("placeholder"))  # /api/ui
    shot(driver, "widget-closed-desktop.png", 1280, 900)
    launcher = root.find_element(By.CSS_SELECTOR, ".launcher")
    launcher.click()
    assert launcher.get_attribute("aria-expanded") == "true"
    wait_for(driver, lambda: root.find_elements(By.CSS_SELECTOR, ".chip"))
    ask_widget(driver, root, QUESTION)
    wait_for(driver, lambda: "3241.03万元" in root.find_element(By.CSS_SELECTOR, ".log").text)
    sources = root.find_elements(By.CSS_SELECTOR, ".sources li")
    assert sources and "收支总表" in sources[0].text and "二十、住房保障支出 3241.03 3241.03" in sources[0].text
    shot(driver, "widget-answer-desktop.png", 1280, 900)
    shot(driver, "widget-answer-360.png", 360, 780)
    assert no_horizontal_scroll(driver)


def test_widget_shows_script_in_document_as_text_without_running_it(servers, driver):
    r = httpx.post(servers["api"] + "/api/ingest", headers={"Authorization": f"Bearer {TOKEN}"},
                   files={"files": ("script.txt", SCRIPT_DOC.encode(), "text/plain")}, timeout=120)
    assert r.status_code == 200 and r.json()["results"][0]["ok"]
    driver.set_window_size(1280, 900)
    driver.get(servers["api"] + "/widget/demo.html")
    root = widget_root(driver)
    root.find_element(By.CSS_SELECTOR, ".launcher").click()
    ask_widget(driver, root, "示例区市场监督管理局专项支出是多少？")
    wait_for(driver, lambda: "<script>alert(1)</script>" in root.find_element(By.CSS_SELECTOR, ".log").text)
    time.sleep(0.5)
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - raises when no alert() ran
    assert not root.find_elements(By.CSS_SELECTOR, ".log script, .log img")
