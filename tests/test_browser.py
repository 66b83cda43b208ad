"""End to end in headless Chromium: the Streamlit chat, the staff pages and the portal widget on real servers.

Starts uvicorn and streamlit on free loopback ports with a temp store, two portal pages on two more
loopback origins (one allowed by BUDGETQA_CORS_ORIGINS, one not), asks through all of them, and saves
screenshots to artifacts/ at 1280 px and at 390 px (a phone, emulated) for a person to look at.
"""
from __future__ import annotations

import contextlib
import http.server
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import SCRIPT_DISCLOSURE

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
QUESTION = "住房保障支出是多少？"
NOT_FOUND = "无人机购置费是多少？"
TOKEN = "browser-test-token"
SCRIPT_DOC = SCRIPT_DISCLOSURE
REFUSED = "本站尚未获准使用问答服务，请联系网站管理员。"
PHONE = (390, 844)
DESKTOP = (1280, 900)
ALLOWED_WORDS = {"PDF", "TXT", "CSV", "Excel"}      # format names a Chinese page writes as they are

pytestmark = pytest.mark.browser

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but /usr/bin/chromium or /usr/bin/chromedriver is missing", pytrace=False)
    pytest.skip("Chromium not installed (/usr/bin/chromium, /usr/bin/chromedriver): browser test skipped",
                allow_module_level=True)      # module level: conftest.skip_or_fail cannot be used here

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


@contextlib.contextmanager
def portal(port: int, api_url: str):
    """A portal page on its own loopback origin: the demo page, its widget loaded from the API's host."""
    page = (ROOT / "widget" / "demo.html").read_text(encoding="utf-8")
    body = page.replace('src="/widget/embed.js"', f'src="{api_url}/widget/embed.js"').encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            found = self.path.split("?")[0] == "/"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body if found else b"")

        def log_message(self, *args):
            pass
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Page)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    api_port, app_port, allowed_port, refused_port = free_port(), free_port(), free_port(), free_port()
    api_url, app_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{app_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETQA_")}
    env.update(BUDGETQA_STORE=str(tmp / "store"), BUDGETQA_ADMIN_TOKEN=TOKEN, PYTHONUNBUFFERED="1",
               BUDGETQA_CORS_ORIGINS=f"http://127.0.0.1:{allowed_port}", BUDGETQA_RATE_LIMIT="0")
    api_cmd = [sys.executable, "-m", "uvicorn", "api:app", "--host", "127.0.0.1", "--port", str(api_port)]
    app_cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(app_port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"]
    with server(api_cmd, env, tmp / "api.log") as api:
        wait_http(f"{api_url}/api/health", api, tmp / "api.log")   # the sample is ingested once, here
        with server(app_cmd, env, tmp / "app.log") as app, portal(allowed_port, api_url) as allowed, \
                portal(refused_port, api_url) as refused:
            wait_http(f"{app_url}/_stcore/health", app, tmp / "app.log")
            yield {"api": api_url, "app": app_url, "allowed": allowed, "refused": refused, "store": tmp / "store",
                   "env": env, "tmp": tmp}


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


# ------------------------------------------------------------------ helpers
def wait_for(driver, predicate, timeout: float = 90):
    return WebDriverWait(driver, timeout, poll_frequency=0.3).until(lambda d: predicate())


def body_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def no_horizontal_scroll(driver) -> bool:
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def viewport(driver, size: tuple[int, int]) -> None:
    """1280 px: a desktop window. 390 px: a phone's viewport (emulated, so the page gets exactly 390 × 844)."""
    if size == PHONE:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": size[0], "height": size[1], "deviceScaleFactor": 2, "mobile": True})
    else:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.set_window_size(*size)
    time.sleep(1.0)


def shot(driver, name: str) -> Path:
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    return path


def at_top(driver, element) -> None:
    """Scroll `element` to just under Streamlit's sticky header."""
    driver.execute_script("""
        const el = arguments[0];
        el.scrollIntoView({block: 'start'});
        const head = document.querySelector('[data-testid="stHeader"]');
        let box = el.parentElement;
        while (box && box.scrollHeight <= box.clientHeight + 1) { box = box.parentElement; }
        (box || document.scrollingElement).scrollBy(0, -((head ? head.getBoundingClientRect().bottom : 0) + 8));
    """, element)
    time.sleep(0.4)


def open_chat(driver, url: str, fresh: bool = True):
    """The chat page; `fresh`: without the conversation this browser kept from an earlier test."""
    driver.get(url)
    if fresh:
        driver.execute_script("window.localStorage.clear()")
        driver.get(url)
    return wait_for(driver, lambda: driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatInputTextArea"]'))[0]


def ask_chat(driver, url: str, question: str):
    """Ask on a fresh page; the answer's chat message once it is rendered."""
    open_chat(driver, url).send_keys(question, Keys.ENTER)
    try:
        wait_for(driver, lambda: len(driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"] .bq-ans')) == 1,
                 timeout=150)
    except Exception as e:                                      # say what the page showed instead
        raise AssertionError(f"no answer to {question!r}; the page shows: {body_text(driver)[-1500:]}") from e
    time.sleep(1.0)
    return driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')[-1]


def fits_under_header(driver, top, bottom) -> dict:
    """Height from `top`'s top to `bottom`'s bottom, against the room between the header and the question box."""
    return driver.execute_script("""
        const head = document.querySelector('[data-testid="stHeader"]');
        const box = document.querySelector('[data-testid="stChatInput"]');
        const room = (box ? box.getBoundingClientRect().top : innerHeight) - (head ? head.getBoundingClientRect().bottom : 0);
        return {need: arguments[1].getBoundingClientRect().bottom - arguments[0].getBoundingClientRect().top, room: room};
    """, top, bottom)


ENGLISH = """
const out = [], seen = new Set();
const word = /[A-Za-z]{3,}/;
document.querySelectorAll('[aria-label],[title],[placeholder],[alt]').forEach(e => {
  for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
    const v = e.getAttribute(a); if (v && word.test(v)) { out.push(a + ': ' + v); }
  }
});
const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
let n;
while ((n = walk.nextNode())) {
  const p = n.parentElement, t = n.nodeValue.trim();
  if (!t || !word.test(t) || !p || p.closest('style,script,noscript,[data-testid="stIconMaterial"]')) { continue; }
  if (p.checkVisibility && !p.checkVisibility()) { continue; }
  out.push('text: ' + t);
}
return out;
"""


def english_left(driver) -> list[str]:
    """Labels and visible text still in English (format names such as PDF aside)."""
    return [x for x in driver.execute_script(ENGLISH) if set(re.findall(r"[A-Za-z]{3,}", x.split(": ", 1)[1])) - ALLOWED_WORDS]


# ------------------------------------------------------------------ the chat
def test_chat_is_in_chinese_with_no_developer_menu_and_the_first_tab_reaches_the_question_box(servers, driver):
    viewport(driver, DESKTOP)
    open_chat(driver, servers["app"])
    wait_for(driver, lambda: "晋城经济技术开发区建设管理部" in body_text(driver))
    wait_for(driver, lambda: driver.execute_script("return document.documentElement.lang") == "zh-CN")
    time.sleep(1.0)
    shot(driver, "app-welcome-1280.png")
    assert "Deploy" not in body_text(driver) and not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMainMenu"]')
    assert english_left(driver) == []
    token = driver.find_element(By.CSS_SELECTOR, "[data-testid='stSidebar'] input[aria-label='管理口令']")
    token.send_keys(TOKEN, Keys.ENTER)                          # the uploader shows once the admin token is given
    dropzone = wait_for(driver, lambda: driver.find_elements(By.CSS_SELECTOR, '[data-testid="stFileUploaderDropzone"]'))[0]
    time.sleep(0.5)
    assert "选择文件" in dropzone.text and "单个文件不超过 50 MB" in dropzone.text and "Browse" not in dropzone.text
    assert english_left(driver) == []
    shot(driver, "app-uploader-1280.png")
    driver.get(servers["app"])
    open_chat(driver, servers["app"])
    time.sleep(1.0)
    driver.execute_script("document.activeElement && document.activeElement.blur()")
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("data-testid") == "stChatInputTextArea"


def test_one_figure_answer_leads_with_its_sentence_and_source_and_fits_a_phone(servers, driver):
    viewport(driver, DESKTOP)
    answer = ask_chat(driver, servers["app"], QUESTION)
    lead = answer.find_element(By.CSS_SELECTOR, ".bq-lead")
    source = answer.find_element(By.CSS_SELECTOR, ".bq-lead + .bq-card")
    assert "3241.03万元" in lead.find_element(By.CSS_SELECTOR, "mark.bq-fig").text
    assert lead.text.startswith("晋城经济技术开发区建设管理部2026年住房保障支出")      # whose figure, which year
    assert "收支总表" in source.text and "二十、住房保障支出 3241.03 3241.03" in source.text
    assert "用时" not in answer.text and "依据：" not in answer.text                 # no internal words for visitors
    fold = answer.find_element(By.CSS_SELECTOR, "details.bq-fold")
    assert fold.find_element(By.TAG_NAME, "summary").text == "另有2张表数字一致"
    assert fold.get_attribute("open") is None and "35.03 3206.00" not in answer.text     # folded until tapped
    assert english_left(driver) == []
    question = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')[-2]
    at_top(driver, question)
    shot(driver, "app-answer-1280.png")
    viewport(driver, PHONE)
    at_top(driver, question)
    room = fits_under_header(driver, answer, source)
    assert room["need"] <= room["room"], room                 # the answer and its first source on one screen
    shot(driver, "app-answer-390.png")
    assert no_horizontal_scroll(driver)
    fold.find_element(By.TAG_NAME, "summary").click()         # a tap opens the agreeing tables
    wait_for(driver, lambda: "221 住房保障支出 3241.03 35.03 3206.00" in fold.text)
    shot(driver, "app-answer-open-390.png")
    viewport(driver, DESKTOP)


def test_copy_button_puts_the_answer_and_its_sources_on_the_clipboard(servers, driver):
    viewport(driver, DESKTOP)
    driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": servers["app"], "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    answer = ask_chat(driver, servers["app"], QUESTION)
    button = answer.find_element(By.CSS_SELECTOR, "button.bq-copy")
    assert button.text == "复制" and button.get_attribute("aria-label") == "复制回答和来源"
    button.click()
    wait_for(driver, lambda: button.get_attribute("data-bq-copied") == "1", timeout=10)
    copied = driver.execute_async_script(
        "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('ERROR ' + e));")
    assert copied.startswith("晋城经济技术开发区建设管理部2026年住房保障支出") and "3241.03万元" in copied
    assert "来源：" in copied and "二十、住房保障支出 3241.03 3241.03" in copied and "35.03 3206.00" in copied


def test_not_found_repeats_the_question_and_offers_clickable_questions(servers, driver):
    viewport(driver, DESKTOP)
    answer = ask_chat(driver, servers["app"], NOT_FOUND)
    time.sleep(1.0)
    question = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')[-2]
    at_top(driver, question)
    shot(driver, "app-notfound-1280.png")                      # shots first: a person looks at them either way
    viewport(driver, PHONE)
    at_top(driver, question)
    shot(driver, "app-notfound-390.png")
    assert no_horizontal_scroll(driver)
    viewport(driver, DESKTOP)
    assert NOT_FOUND.rstrip("？") in answer.find_element(By.CSS_SELECTOR, ".bq-ans").text   # as asked
    pills = answer.find_elements(By.CSS_SELECTOR, '[data-testid="stButtonGroup"] button')
    assert 2 <= len(pills) <= 3
    asked = pills[0].text
    pills[0].click()
    wait_for(driver, lambda: len(driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"] .bq-ans')) == 2)
    assert asked in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')[-2].text


def test_streamlit_embed_mode_is_compact_at_390px(servers, driver):
    viewport(driver, PHONE)
    driver.get(servers["app"] + "/?embed=true")
    wait_for(driver, lambda: "晋城经济技术开发区建设管理部" in body_text(driver))
    assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebar"]')
    shot(driver, "app-embed-390.png")
    assert no_horizontal_scroll(driver)
    viewport(driver, DESKTOP)


def test_view_table_opens_the_whole_source_table(servers, driver):
    viewport(driver, DESKTOP)
    ask_chat(driver, servers["app"], QUESTION)
    views = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stExpander"]')
    assert len(views) == 1 and "收支总表" in views[0].text          # the agreeing tables are in the fold
    views[0].find_element(By.TAG_NAME, "summary").click()
    wait_for(driver, lambda: driver.find_elements(By.CSS_SELECTOR, '[data-testid="stDataFrame"]'))
    time.sleep(1.5)
    at_top(driver, views[0])
    shot(driver, "app-table-1280.png")
    assert english_left(driver) == []


# ------------------------------------------------------------------ the widget
def widget_root(driver):
    host = wait_for(driver, lambda: driver.find_elements(By.ID, "budgetqa-widget"))[0]
    return host.shadow_root


def ask_widget(driver, root, question: str) -> None:
    field = root.find_element(By.CSS_SELECTOR, "#bq-q")
    field.send_keys(question, Keys.ENTER)


def open_widget(driver, url: str):
    driver.get(url)
    root = widget_root(driver)
    launcher = root.find_element(By.CSS_SELECTOR, ".launcher")
    launcher.click()
    assert launcher.get_attribute("aria-expanded") == "true"
    wait_for(driver, lambda: root.find_elements(By.CSS_SELECTOR, ".chip"))
    return root


def widget_answer(driver, root, question: str):
    before = len(root.find_elements(By.CSS_SELECTOR, ".log .msg.bot"))
    ask_widget(driver, root, question)
    wait_for(driver, lambda: len(root.find_elements(By.CSS_SELECTOR, ".log .msg.bot")) > before
             and not root.find_elements(By.CSS_SELECTOR, "[aria-busy='true']"))
    return root.find_elements(By.CSS_SELECTOR, ".log .msg.bot")[-1]


def test_portal_widget_answers_with_citation(servers, driver):
    viewport(driver, DESKTOP)
    driver.get(servers["api"] + "/widget/demo.html")
    root = widget_root(driver)
    wait_for(driver, lambda: root.find_element(By.CSS_SELECTOR, "#bq-q").get_attribute("placeholder"))
    shot(driver, "widget-closed-1280.png")
    root = open_widget(driver, servers["api"] + "/widget/demo.html")
    answer = widget_answer(driver, root, QUESTION)
    assert "3241.03万元" in answer.find_element(By.CSS_SELECTOR, ".lead mark.fig").text
    source = answer.find_element(By.CSS_SELECTOR, ".lead + .src")
    assert "收支总表" in source.text and "二十、住房保障支出 3241.03 3241.03" in source.text
    assert answer.find_element(By.CSS_SELECTOR, "details.fold summary").text == "另有2张表数字一致"
    assert answer.find_element(By.CSS_SELECTOR, "button.copy").text == "复制"
    shot(driver, "widget-answer-1280.png")
    viewport(driver, PHONE)
    shot(driver, "widget-answer-390.png")
    assert no_horizontal_scroll(driver)
    viewport(driver, DESKTOP)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "390"])
def test_widget_on_an_allowed_portal_of_another_origin_answers(servers, driver, size):
    viewport(driver, size)
    root = open_widget(driver, servers["allowed"])
    assert not root.find_elements(By.CSS_SELECTOR, ".notice")
    answer = widget_answer(driver, root, QUESTION)
    assert "3241.03万元" in answer.text and "收支总表" in answer.find_element(By.CSS_SELECTOR, ".src").text
    shot(driver, f"widget-cors-allowed-{size[0]}.png")
    assert no_horizontal_scroll(driver)
    viewport(driver, DESKTOP)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "390"])
def test_widget_on_a_portal_the_api_refuses_says_so_in_chinese_and_still_greets(servers, driver, size):
    viewport(driver, size)
    root = open_widget(driver, servers["refused"])
    notice = wait_for(driver, lambda: root.find_elements(By.CSS_SELECTOR, ".notice"), timeout=20)[0]
    assert notice.text == REFUSED
    log = root.find_element(By.CSS_SELECTOR, ".log").text
    assert "您好！我可以回答部门预算公开文件中的问题" in log                    # the bundled welcome
    chips = root.find_elements(By.CSS_SELECTOR, ".chip")
    assert [c.text for c in chips][:2] == ["住房保障支出是多少？", "城乡社区支出是多少？"]
    box = root.find_element(By.CSS_SELECTOR, "#bq-q")
    assert box.get_attribute("placeholder") == "请输入您的问题"
    wait_for(driver, lambda: all(not c.is_enabled() for c in chips) and not box.is_enabled(), timeout=20)
    assert not root.find_element(By.CSS_SELECTOR, "button.send").is_enabled()
    assert root.find_element(By.CSS_SELECTOR, ".log").text.count(REFUSED) == 1   # said once, nothing to click
    shot(driver, f"widget-cors-refused-{size[0]}.png")
    assert no_horizontal_scroll(driver)
    viewport(driver, DESKTOP)


def test_widget_shows_script_in_document_as_text_without_running_it(servers, driver):
    r = httpx.post(servers["api"] + "/api/ingest", headers={"Authorization": f"Bearer {TOKEN}"},
                   files={"files": ("script.txt", SCRIPT_DOC.encode(), "text/plain")}, timeout=120)
    assert r.status_code == 200 and r.json()["results"][0]["ok"]
    viewport(driver, DESKTOP)
    root = open_widget(driver, servers["api"] + "/widget/demo.html")
    ask_widget(driver, root, "示例区市场监督管理局住房保障支出是多少？")
    wait_for(driver, lambda: "<script>alert(1)</script>" in root.find_element(By.CSS_SELECTOR, ".log").text)
    time.sleep(0.5)
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - raises when no alert() ran
    assert not root.find_elements(By.CSS_SELECTOR, ".log script, .log img")


def test_widget_frame_mode_frames_the_app_in_embed_mode(servers, driver):
    viewport(driver, DESKTOP)
    driver.get(servers["api"] + "/widget/demo.html")
    widget_root(driver)
    driver.execute_script("""
        document.getElementById('budgetqa-widget').remove();
        window.__budgetqaWidget = false;
        const s = document.createElement('script');
        s.src = '/widget/embed.js';
        s.dataset.title = '预算问答';
        s.dataset.mode = 'frame';
        s.dataset.appUrl = arguments[0] + '/';
        document.body.appendChild(s);""", servers["app"])
    root = widget_root(driver)
    root.find_element(By.CSS_SELECTOR, ".launcher").click()
    frame = root.find_element(By.CSS_SELECTOR, "iframe.frame")
    assert frame.get_attribute("src") == servers["app"] + "/?embed=true" and frame.get_attribute("title")
    driver.switch_to.frame(frame)
    try:
        wait_for(driver, lambda: driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatInputTextArea"]'))
        assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebar"]')
    finally:
        driver.switch_to.default_content()
    shot(driver, "widget-frame-1280.png")


# ------------------------------------------------------------------ sidebar and staff pages
def test_sidebar_lists_documents_with_filter_and_scope(servers, driver):
    r = httpx.post(servers["api"] + "/api/ingest", headers={"Authorization": f"Bearer {TOKEN}"},
                   files={"files": ("script.txt", SCRIPT_DOC.encode(), "text/plain")}, timeout=120)
    assert r.status_code == 200
    viewport(driver, DESKTOP)
    driver.get(servers["app"])
    wait_for(driver, lambda: "共 2 份" in body_text(driver))
    sidebar = driver.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"]')
    assert "示例区市场监督管理局" in sidebar.text and "晋城经济技术开发区建设管理部" in sidebar.text
    box = wait_for(driver, lambda: sidebar.find_elements(By.CSS_SELECTOR, "input[aria-label='筛选文件']"))[0]
    box.send_keys("晋城", Keys.ENTER)
    wait_for(driver, lambda: "共 2 份，显示 1 份" in body_text(driver))
    shot(driver, "app-sidebar-filter-1280.png")


def test_staff_page_is_reached_by_url_and_links_back_to_the_chat(servers, driver):
    viewport(driver, DESKTOP)
    open_chat(driver, servers["app"])
    wait_for(driver, lambda: "晋城经济技术开发区建设管理部" in body_text(driver))
    links = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebar"] a')
    assert not [a for a in links if "核查" in a.text or "数据浏览" in a.text]   # never linked from the chat
    driver.get(servers["app"] + "/核查")
    wait_for(driver, lambda: "一致性核查" in body_text(driver))
    wait_for(driver, lambda: "管理口令" in body_text(driver))       # the staff gate, with a token configured
    back = wait_for(driver, lambda: [a for a in driver.find_elements(By.TAG_NAME, "a") if a.text.endswith("返回问答")])[0]
    assert english_left(driver) == []
    shot(driver, "staff-audit-1280.png")
    back.click()
    wait_for(driver, lambda: driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatInputTextArea"]'))
    assert "晋城经济技术开发区建设管理部" in body_text(driver)


# ------------------------------------------------------------------ a real PDF: its page, and two documents
def ingest_real_pdf(servers):
    from tests.conftest import REAL, need_shared
    pdf = REAL / "shanghai-putuo-qufuban-2025-dept-budget.pdf"
    need_shared(pdf)
    r = httpx.post(servers["api"] + "/api/ingest", headers={"Authorization": f"Bearer {TOKEN}"},
                   files={"files": (pdf.name, pdf.read_bytes(), "application/pdf")}, timeout=300)
    assert r.status_code == 200 and r.json()["results"][0]["ok"], r.text


def test_pdf_answer_shows_the_cited_page_image(servers, driver):
    ingest_real_pdf(servers)
    viewport(driver, (1280, 1000))
    ask_chat(driver, servers["app"], "区府办2025年一般公共服务支出预算是多少？")
    wait_for(driver, lambda: "82,096,797.42" in body_text(driver))
    assert "8,209.68 万元" in body_text(driver)           # 元 shown in 万元 too, for reading
    page_view = next(e for e in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stExpander"]')
                     if "查看原表" in e.text)
    page_view.find_element(By.TAG_NAME, "summary").click()
    image = wait_for(driver, lambda: page_view.find_elements(By.TAG_NAME, "img"))[0]
    wait_for(driver, lambda: driver.execute_script("return arguments[0].naturalWidth > 0", image))
    at_top(driver, image)
    shot(driver, "app-pdf-page-1280.png")
    viewport(driver, DESKTOP)


def test_two_document_answer_has_one_block_per_document_each_with_its_figure(servers, driver):
    ingest_real_pdf(servers)                                   # unchanged: already there, nothing re-ingested
    viewport(driver, DESKTOP)
    answer = ask_chat(driver, servers["app"], "住房公积金是多少？")
    parts = answer.find_elements(By.CSS_SELECTOR, ".bq-part")
    by_heading = {p.find_element(By.CSS_SELECTOR, ".bq-part-h").text: p for p in parts}
    jincheng = next(p for h, p in by_heading.items() if "晋城" in h)
    putuo = next(p for h, p in by_heading.items() if h == "区政府办公室2025年部门预算")      # short name, its year
    assert jincheng.find_element(By.CSS_SELECTOR, "mark.bq-fig").text == "35.03万元"
    assert putuo.find_element(By.CSS_SELECTOR, "mark.bq-fig").text == "1,741,445.22元"
    for part in (jincheng, putuo):                             # each block: its own source line under its lead
        assert "住房公积金" in part.find_element(By.CSS_SELECTOR, ".bq-lead + .bq-card").text
    question = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')[-2]
    at_top(driver, question)
    shot(driver, "app-two-docs-1280.png")
    viewport(driver, PHONE)
    at_top(driver, question)
    first = parts[0].find_element(By.CSS_SELECTOR, ".bq-lead + .bq-card")
    room = fits_under_header(driver, answer, first)
    assert room["need"] <= room["room"], room
    shot(driver, "app-two-docs-390.png")
    assert no_horizontal_scroll(driver)
    viewport(driver, DESKTOP)


# ------------------------------------------------------------------ issue 22: safe as installed, what a citizen sees
@pytest.fixture(scope="module")
def readonly_app(servers):
    """The chat as installed: the same store, no BUDGETQA_ADMIN_TOKEN."""
    env = {k: v for k, v in servers["env"].items() if k != "BUDGETQA_ADMIN_TOKEN"} | {"BUDGETQA_LOAD_SAMPLE": "0"}
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
           "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"]
    log = servers["tmp"] / "app-readonly.log"
    with server(cmd, env, log) as proc:
        wait_http(f"http://127.0.0.1:{port}/_stcore/health", proc, log)
        yield f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "390"])
def test_without_an_admin_token_visitors_get_no_upload_and_no_staff_pages(readonly_app, driver, size):
    viewport(driver, size)
    open_chat(driver, readonly_app)
    wait_for(driver, lambda: "晋城经济技术开发区建设管理部" in body_text(driver))
    time.sleep(1.0)
    shot(driver, f"app-readonly-{size[0]}.png")
    page = driver.page_source
    assert "管理口令" not in page and "上传公开文件" not in page and not driver.find_elements(
        By.CSS_SELECTOR, '[data-testid="stFileUploaderDropzone"]')
    assert not [a for a in driver.find_elements(By.TAG_NAME, "a") if "核查" in a.text or "数据浏览" in a.text]
    driver.get(readonly_app + "/核查")
    wait_for(driver, lambda: "BUDGETQA_ADMIN_TOKEN" in body_text(driver))     # says how to enable it
    assert not driver.find_elements(By.CSS_SELECTOR, "input[type='password']")
    assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stExpander"]')     # no finding shown
    shot(driver, f"staff-disabled-{size[0]}.png")
    viewport(driver, DESKTOP)


def feedback_rows(servers) -> list[dict]:
    from stores.feedback import FeedbackStore
    return FeedbackStore.in_store(servers["store"]).rows()


def test_the_conversation_survives_a_reload_retries_and_a_thumbs_down_takes_one_line(servers, driver):
    viewport(driver, DESKTOP)
    ask_chat(driver, servers["app"], QUESTION)
    driver.refresh()                                          # kept in this browser, not on the server
    wait_for(driver, lambda: len(driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"] .bq-ans')) == 1,
             timeout=60)
    answer = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')[-1]
    assert "3241.03万元" in answer.text and QUESTION in body_text(driver)
    shot(driver, "app-reloaded-1280.png")
    retry = next(b for b in answer.find_elements(By.TAG_NAME, "button") if "重新回答" in b.text)
    retry.click()
    wait_for(driver, lambda: len(driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"] .bq-ans')) == 2,
             timeout=90)
    time.sleep(1.0)
    answer = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')[-1]
    down = wait_for(driver, lambda: answer.find_elements(By.CSS_SELECTOR, "button[aria-label='没有帮助']"), timeout=20)
    down[0].click()                                           # 👎
    box = wait_for(driver, lambda: answer.find_elements(By.CSS_SELECTOR, "input[aria-label^='哪里不对']"), timeout=30)[0]
    box.send_keys("正确的数字是3200.00万元", Keys.ENTER)
    wait_for(driver, lambda: [r for r in feedback_rows(servers) if r["comment"] == "正确的数字是3200.00万元"], timeout=30)
    viewport(driver, PHONE)
    at_top(driver, answer)
    shot(driver, "app-thumbsdown-390.png")
    assert no_horizontal_scroll(driver)
    viewport(driver, DESKTOP)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1280"])
def test_view_table_on_a_phone_lists_the_row_boxes_the_cell_and_links_the_pdf_page(servers, driver, size):
    ingest_real_pdf(servers)
    viewport(driver, size)
    # the row cited first is the 支出预算总表's, p.11: 201 03 01 行政运行 12,029,501.84 11,919,501.84 110,000.00
    ask_chat(driver, servers["app"], "区府办2025年行政运行预算是多少？")
    view = next(e for e in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stExpander"]') if "查看原表" in e.text)
    view.find_element(By.TAG_NAME, "summary").click()
    card = wait_for(driver, lambda: view.find_elements(By.CSS_SELECTOR, ".bq-rowcard"), timeout=60)[0]
    hit = card.find_element(By.CSS_SELECTOR, ".bq-kv-hit")
    assert "12,029,501.84" in hit.text and "引用" in hit.text and len(card.find_elements(By.CSS_SELECTOR, ".bq-kv")) >= 2
    link = wait_for(driver, lambda: view.find_elements(By.CSS_SELECTOR, "a.bq-pdf"), timeout=60)[0]
    href = link.get_attribute("href")
    assert re.search(r"#page=\d+$", href) and "第" in link.get_attribute("textContent")   # scrolled out of view: .text is ""
    served = httpx.get(href.split("#")[0], timeout=30)
    assert served.status_code == 200 and served.content[:5] == b"%PDF-"
    images = wait_for(driver, lambda: view.find_elements(By.TAG_NAME, "img"), timeout=60)
    wait_for(driver, lambda: all(driver.execute_script("return arguments[0].naturalWidth > 0", i) for i in images))
    assert len(images) == 2                                   # the close-up of the cited cell, then the page
    scale = [driver.execute_script("return arguments[0].naturalWidth / arguments[0].getBoundingClientRect().width", i)
             for i in images]
    assert scale[0] * 1.5 < scale[1]                          # the close-up is shown half as large again, or more
    view.find_element(By.CSS_SELECTOR, ".bq-rowcard").screenshot(str(ARTIFACTS / f"app-view-row-{size[0]}.png"))
    at_top(driver, images[0])
    shot(driver, f"app-view-page-{size[0]}.png")
    if size == PHONE:
        assert no_horizontal_scroll(driver)
    viewport(driver, DESKTOP)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "390"])
def test_widget_shows_the_pdf_page_link_money_note_thumbs_and_the_documents_it_knows(servers, driver, size):
    ingest_real_pdf(servers)
    viewport(driver, size)
    root = open_widget(driver, servers["allowed"])
    hello = wait_for(driver, lambda: [m for m in root.find_elements(By.CSS_SELECTOR, ".msg.bot") if "份公开文件" in m.text
                                      or "《" in m.text], timeout=20)[0]
    assert "晋城经济技术开发区建设管理部" in hello.text
    answer = widget_answer(driver, root, "区府办2025年一般公共服务支出预算是多少？")
    assert answer.find_element(By.CSS_SELECTOR, ".lead").text.startswith("区政府办公室2025年")
    link = answer.find_element(By.CSS_SELECTOR, ".src a.pdf")
    href = link.get_attribute("href")
    assert "/api/source?doc=" in href and re.search(r"#page=\d+$", href)
    served = httpx.get(href.split("#")[0], timeout=30)
    assert served.status_code == 200 and served.content[:5] == b"%PDF-"
    assert "约合" in answer.find_element(By.CSS_SELECTOR, ".conv").text
    thumbs = answer.find_elements(By.CSS_SELECTOR, "button.thumb")
    assert [t.get_attribute("aria-label") for t in thumbs] == ["有帮助", "没帮助"]
    thumbs[1].click()
    why = wait_for(driver, lambda: answer.find_elements(By.CSS_SELECTOR, ".why input"), timeout=10)[0]
    comment = f"数字不对（{size[0]}）"
    why.send_keys(comment, Keys.ENTER)
    wait_for(driver, lambda: answer.find_elements(By.CSS_SELECTOR, ".why .thanks"), timeout=20)
    wait_for(driver, lambda: [r for r in feedback_rows(servers) if r["comment"] == comment], timeout=20)
    shot(driver, f"widget-pdf-{size[0]}.png")
    assert no_horizontal_scroll(driver)
    viewport(driver, DESKTOP)


def ingest_more_real_pdfs(servers) -> None:
    from tests.conftest import REAL, need_shared
    for name in ("shanghai-putuo-wanli-jiedao-2024-dept-budget.pdf", "shanghai-putuo-wanli-jiedao-2025-dept-budget.pdf"):
        pdf = REAL / name
        need_shared(pdf)
        r = httpx.post(servers["api"] + "/api/ingest", headers={"Authorization": f"Bearer {TOKEN}"},
                       files={"files": (pdf.name, pdf.read_bytes(), "application/pdf")}, timeout=300)
        assert r.status_code == 200 and r.json()["results"][0]["ok"], r.text


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "390"])
def test_many_documents_fold_past_three_blocks_and_welcome_buttons_name_one_body(servers, driver, size):
    ingest_real_pdf(servers)
    ingest_more_real_pdfs(servers)
    viewport(driver, size)
    open_chat(driver, servers["app"])
    chips = wait_for(driver, lambda: driver.find_elements(
        By.CSS_SELECTOR, '[data-testid="stChatMessage"] [data-testid="stButtonGroup"] button'))
    texts = [c.text for c in chips]
    assert "哪个单位的住房公积金最多？" in texts
    named = [t for t in texts if not t.startswith("哪个单位")]
    assert named and all(re.match(r"^\S+?20\d\d年", t) for t in named), texts      # one body and its year
    shot(driver, f"app-welcome-many-{size[0]}.png")
    answer = ask_chat(driver, servers["app"], "住房公积金是多少？")
    ans = answer.find_element(By.CSS_SELECTOR, ".bq-ans")
    shown = [p for p in ans.find_elements(By.XPATH, "./div[@class='bq-part']")]
    folded = ans.find_element(By.XPATH, "./details[contains(@class,'bq-fold')]")
    assert len(shown) == 3 and "份文件的结果" in folded.find_element(By.TAG_NAME, "summary").text
    heads = [p.find_element(By.CSS_SELECTOR, ".bq-part-h").text for p in shown]
    assert all(re.search(r"20\d\d年", h) for h in heads) and not any("〇" in h for h in heads)
    seen = driver.execute_script("""return [...arguments[0].querySelectorAll('.bq-card .bq-n')]
        .filter(e => !e.closest('details')).map(e => e.textContent);""", ans)
    assert seen == list("①②③④⑤⑥⑦⑧⑨⑩")[:len(seen)] and len(seen) >= 3, seen   # the sources shown: ①②③, no gap
    question = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')[-2]
    at_top(driver, question)
    shot(driver, f"app-many-docs-{size[0]}.png")
    if size == PHONE:
        assert no_horizontal_scroll(driver)
    viewport(driver, DESKTOP)
