/*
 * budget-qa chat widget. One line on a portal page:
 *
 *   <script src="https://HOST/widget/embed.js" data-title="预算问答"></script>
 *
 * Adds a floating button that opens a chat panel talking to HOST/api/ask (the script's own
 * origin; the portal's origin must be in BUDGETQA_CORS_ORIGINS). Options (data-*):
 *   data-title       button and panel title
 *   data-mode        "chat" (default) or "frame": the panel frames the Streamlit app ?embed=true
 *   data-app-url     the Streamlit app's address for data-mode="frame" (default: HOST/)
 *   data-position    "right" (default) or "left"
 *   data-doc         limit questions to one document id
 *
 * Everything from the server is rendered with textContent, never as HTML. Styles live in a
 * shadow root, so the portal's CSS and the widget's do not touch each other. The Chinese labels
 * come from GET /api/ui (prompts/ui_zh.py); FALLBACK only covers the API being unreachable.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__budgetqaWidget) { return; }
  window.__budgetqaWidget = true;

  var ORIGIN = new URL(script.src, window.location.href).origin;
  var data = script.dataset || {};
  var MODE = data.mode === "frame" ? "frame" : "chat";
  var FALLBACK = { title: "预算问答", close: "关闭", send: "发送",
                   error: "抱歉，暂时无法回答，请稍后再试。", placeholder: "", thinking: "…",
                   sources: "", page: "{page}", welcome: "", disclaimer: "", "try": "", too_long: "" };
  var S = Object.assign({}, FALLBACK);
  var MAX_QUESTION = 500;
  var HISTORY = 8;
  var history = [];
  var suggestions = [];
  var busy = false;
  var els = {};

  var CSS = [
    ":host { all: initial; }",
    "* { box-sizing: border-box; }",
    ".root { font-family: 'PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei','Noto Sans CJK SC',system-ui,sans-serif;",
    "  font-size: 15px; line-height: 1.55; color: #1d2733; }",
    ".launcher { position: fixed; bottom: 20px; z-index: 2147483000; display: flex; align-items: center; gap: 8px;",
    "  border: 0; border-radius: 28px; padding: 12px 18px; background: #a8261d; color: #fff; font: inherit;",
    "  font-weight: 600; box-shadow: 0 4px 14px rgba(0,0,0,.22); cursor: pointer; }",
    ".launcher:hover { background: #8e1f18; } .launcher svg { width: 20px; height: 20px; flex: none; }",
    ".right { right: 20px; } .left { left: 20px; }",
    "button:focus-visible { outline: 3px solid #f2b705; outline-offset: 2px; }",
    "textarea:focus { outline: 2px solid #1f4e8c; outline-offset: 0; border-color: #1f4e8c; }",
    ".panel { position: fixed; bottom: 84px; z-index: 2147483001; width: 380px; max-width: calc(100vw - 24px);",
    "  height: 600px; max-height: calc(100vh - 110px); display: flex; flex-direction: column; background: #fff;",
    "  border: 1px solid #d5dae2; border-radius: 10px; box-shadow: 0 10px 32px rgba(0,0,0,.25); overflow: hidden; }",
    ".panel[hidden] { display: none; }",
    ".head { display: flex; align-items: center; justify-content: space-between; padding: 10px 14px;",
    "  background: #a8261d; color: #fff; border-bottom: 3px solid #7d1c15; }",
    ".head h2 { margin: 0; font-size: 16px; font-weight: 700; }",
    ".close { border: 0; background: transparent; color: #fff; font-size: 24px; line-height: 1; width: 36px;",
    "  height: 36px; border-radius: 4px; cursor: pointer; }",
    ".close:hover { background: rgba(255,255,255,.15); }",
    ".log { position: relative; flex: 1; overflow-y: auto; padding: 12px; background: #f6f7f9; }",
    ".msg { margin: 0 0 10px; padding: 9px 12px; border-radius: 8px; max-width: 92%; overflow-wrap: anywhere;",
    "  white-space: pre-wrap; }",
    ".user { margin-left: auto; background: #1f4e8c; color: #fff; }",
    ".bot { background: #fff; border: 1px solid #e0e4ea; }",
    ".bot.error { border-color: #e7b4b0; background: #fdf3f2; }",
    ".value { margin: 6px 0 0; font-weight: 700; color: #a8261d; }",
    ".srch { margin: 8px 0 2px; font-size: 13px; color: #5b6675; }",
    ".sources { margin: 0; padding: 0; list-style: none; white-space: normal; }",
    ".sources li { margin: 5px 0; padding: 6px 8px; border-left: 3px solid #1f4e8c; background: #f4f7fb;",
    "  border-radius: 4px; font-size: 13px; }",
    ".sources .n { color: #1f4e8c; font-weight: 700; margin-right: 4px; }",
    ".sources .where { display: block; color: #3d4a5c; }",
    ".sources code { display: block; margin-top: 3px; padding: 3px 6px; background: #fff; border: 1px dashed #c5cfdd;",
    "  border-radius: 3px; font-family: inherit; white-space: pre-wrap; }",
    ".chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 10px; }",
    ".chip { border: 1px solid #1f4e8c; color: #1f4e8c; background: #fff; border-radius: 16px; padding: 5px 11px;",
    "  font: inherit; font-size: 13px; cursor: pointer; }",
    ".chip:hover { background: #eef3fa; }",
    ".ask { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e0e4ea; background: #fff; }",
    ".ask textarea { flex: 1; resize: none; min-height: 42px; max-height: 120px; padding: 9px 10px; font: inherit;",
    "  border: 1px solid #b9c2cf; border-radius: 6px; }",
    ".send { border: 0; border-radius: 6px; padding: 0 16px; background: #1f4e8c; color: #fff; font: inherit;",
    "  font-weight: 600; cursor: pointer; min-width: 64px; }",
    ".send[disabled] { opacity: .55; cursor: default; }",
    ".note { margin: 0; padding: 4px 12px 8px; font-size: 12px; color: #7a8594; background: #fff; }",
    ".frame { flex: 1; width: 100%; border: 0; }",
    ".sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }",
    "@media (max-width: 480px) {",
    "  .panel { inset: 0; width: 100%; max-width: none; height: 100%; max-height: none; border-radius: 0; border: 0; }",
    "  .launcher { bottom: 14px; padding: 11px 15px; } .right { right: 14px; } .left { left: 14px; }",
    "  .root.open .launcher { display: none; }",
    "}",
    "@media (prefers-reduced-motion: no-preference) { .panel { animation: up .16s ease-out; }",
    "  @keyframes up { from { transform: translateY(8px); opacity: 0; } to { transform: none; opacity: 1; } } }"
  ].join("\n");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function fmt(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_, k) { return values[k] == null ? "" : values[k]; });
  }

  function title() { return data.title || S.title; }

  function icon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("fill", "currentColor");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z" +
      "m3 6a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z");
    svg.appendChild(path);
    return svg;
  }

  function build() {
    var host = document.createElement("div");
    host.id = "budgetqa-widget";
    var shadow = host.attachShadow({ mode: "open" });
    var style = document.createElement("style");
    style.textContent = CSS;
    var root = el("div", "root");
    var side = data.position === "left" ? "left" : "right";

    var launcher = el("button", "launcher " + side);
    launcher.type = "button";
    launcher.setAttribute("aria-haspopup", "dialog");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "bq-panel");
    launcher.appendChild(icon());
    var label = el("span", "label", title());
    launcher.appendChild(label);

    var panel = el("section", "panel " + side);
    panel.id = "bq-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "false");
    panel.setAttribute("aria-labelledby", "bq-title");
    var head = el("div", "head");
    var h2 = el("h2", "", title());
    h2.id = "bq-title";
    var close = el("button", "close", "×");
    close.type = "button";
    head.appendChild(h2);
    head.appendChild(close);
    panel.appendChild(head);

    els = { host: host, root: root, launcher: launcher, label: label, panel: panel, title: h2, close: close };
    if (MODE === "frame") { buildFrame(panel); } else { buildChat(panel); }
    root.appendChild(launcher);
    root.appendChild(panel);
    shadow.appendChild(style);
    shadow.appendChild(root);
    document.body.appendChild(host);

    launcher.addEventListener("click", toggle);
    close.addEventListener("click", function () { setOpen(false); });
    panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { setOpen(false); } });
    applyStrings();
  }

  function buildFrame(panel) {
    var url = new URL(data.appUrl || ORIGIN + "/", window.location.href);
    url.searchParams.set("embed", "true");
    var frame = el("iframe", "frame");
    frame.setAttribute("loading", "lazy");
    frame.dataset.src = url.toString();
    panel.appendChild(frame);
    els.frame = frame;
  }

  function buildChat(panel) {
    var log = el("div", "log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    var form = el("form", "ask");
    var lab = el("label", "sr");
    lab.setAttribute("for", "bq-q");
    var input = el("textarea");
    input.id = "bq-q";
    input.rows = 1;
    input.maxLength = MAX_QUESTION;
    var send = el("button", "send");
    send.type = "submit";
    form.appendChild(lab);
    form.appendChild(input);
    form.appendChild(send);
    var note = el("p", "note");
    panel.appendChild(log);
    panel.appendChild(form);
    panel.appendChild(note);
    Object.assign(els, { log: log, form: form, inputLabel: lab, input: input, send: send, note: note });

    form.addEventListener("submit", function (e) { e.preventDefault(); ask(input.value); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); ask(input.value); }
    });
  }

  function applyStrings() {
    els.label.textContent = title();
    els.title.textContent = title();
    els.close.setAttribute("aria-label", S.close);
    els.close.title = S.close;
    if (els.frame) { els.frame.title = title(); return; }
    els.inputLabel.textContent = S.placeholder || title();
    els.input.placeholder = S.placeholder;
    els.send.textContent = S.send;
    els.note.textContent = S.disclaimer;
  }

  function loadStrings() {
    return fetch(ORIGIN + "/api/ui", { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (ui) {
        if (!ui) { return; }
        Object.assign(S, ui.widget || {});
        suggestions = ui.suggestions || [];
        MAX_QUESTION = ui.max_question || MAX_QUESTION;
        applyStrings();
      })
      .catch(function () { /* the fallback labels stay */ });
  }

  function toggle() { setOpen(els.panel.hidden); }

  function setOpen(open) {
    els.panel.hidden = !open;
    els.root.classList.toggle("open", open);
    els.launcher.setAttribute("aria-expanded", String(open));
    if (!open) { els.launcher.focus(); return; }
    if (els.frame) {
      if (!els.frame.src) { els.frame.src = els.frame.dataset.src; }
      return;
    }
    if (!els.log.childElementCount) { greet(); }
    els.input.focus();
  }

  function greet() {
    if (S.welcome) { els.log.appendChild(el("div", "msg bot", S.welcome)); }
    chips(suggestions);
  }

  function chips(items, label) {
    if (!items || !items.length) { return; }
    if (label) { els.log.appendChild(el("p", "srch", label)); }
    var box = el("div", "chips");
    items.slice(0, 6).forEach(function (q) {
      var b = el("button", "chip", q);
      b.type = "button";
      b.addEventListener("click", function () { ask(q); });
      box.appendChild(b);
    });
    els.log.appendChild(box);
    scroll();
  }

  function scroll(from) {
    // Show a new answer from its question down, rather than its last line.
    els.log.scrollTop = from ? Math.max(0, from.offsetTop - 8) : els.log.scrollHeight;
  }

  function answerView(a) {
    var box = el("div", "msg bot");
    box.appendChild(el("div", "answer", a.answer));
    if (a.value && a.unit) { box.appendChild(el("p", "value", a.value + " " + a.unit)); }
    var cites = a.citations || [];
    if (cites.length) {
      box.appendChild(el("p", "srch", S.sources));
      var list = el("ol", "sources");
      cites.forEach(function (c, i) {
        var li = el("li");
        li.appendChild(el("span", "n", "①②③④⑤⑥⑦⑧⑨⑩".charAt(i) || "[" + (i + 1) + "]"));
        li.appendChild(el("strong", "", c.doc));
        var where = [c.table || c.section || ""];
        if (c.page) { where.push(fmt(S.page, { page: c.page })); }
        li.appendChild(el("span", "where", where.filter(Boolean).join(" · ")));
        li.appendChild(el("code", "", c.text));
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    return box;
  }

  function ask(raw) {
    var question = String(raw || "").trim();
    if (!question || busy) { return; }
    if (question.length > MAX_QUESTION) { els.log.appendChild(el("div", "msg bot error", S.too_long)); scroll(); return; }
    busy = true;
    els.send.disabled = true;
    els.input.value = "";
    var asked = el("div", "msg user", question);
    els.log.appendChild(asked);
    var wait = el("div", "msg bot", S.thinking);
    wait.setAttribute("aria-busy", "true");
    els.log.appendChild(wait);
    scroll();
    var body = { question: question, history: history.slice(-HISTORY) };
    if (data.doc) { body.doc = data.doc; }
    fetch(ORIGIN + "/api/ask", {
      method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) { return { ok: r.ok, body: j }; });
      })
      .then(function (res) {
        wait.remove();
        if (!res.ok || typeof res.body.answer !== "string") {
          els.log.appendChild(el("div", "msg bot error", res.body.message || S.error));
          return;
        }
        els.log.appendChild(answerView(res.body));
        if (!res.body.answerable) { chips(res.body.suggestions, S["try"]); }
        history.push({ role: "user", content: question }, { role: "assistant", content: res.body.answer });
      })
      .catch(function () {
        wait.remove();
        els.log.appendChild(el("div", "msg bot error", S.error));
      })
      .then(function () {
        busy = false;
        els.send.disabled = false;
        scroll(asked);
        els.input.focus();
      });
  }

  function start() { build(); loadStrings(); }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
