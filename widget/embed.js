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
 * and suggested questions are BUNDLED below (written from prompts/ui_zh.py by widget/bundle.py)
 * and refreshed from GET /api/ui when it answers. When the API is reachable but refuses this
 * portal's origin (not in BUDGETQA_CORS_ORIGINS), the panel says so instead of failing blankly.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__budgetqaWidget) { return; }
  window.__budgetqaWidget = true;

  var ORIGIN = new URL(script.src, window.location.href).origin;
  var data = script.dataset || {};
  var MODE = data.mode === "frame" ? "frame" : "chat";
  var BUNDLED = {"max_question": 500, "suggestions": ["住房保障支出是多少？", "城乡社区支出是多少？", "项目支出是多少？", "政府采购预算是多少？", "“三公”经费预算是多少？", "机关运行经费是多少？"], "widget": {"agrees": "另有{n}张表数字一致", "close": "关闭", "copied": "已复制", "copy": "复制", "copy_failed": "无法复制，请手动选择文字", "copy_label": "复制回答和来源", "differs": "此处数字不同", "disclaimer": "依据已公开文件自动生成，仅供参考。", "error": "抱歉，暂时无法回答，请稍后再试。", "feedback_comment": "哪里不对？例如：正确的数字是……", "feedback_send": "提交", "feedback_thanks": "感谢您的反馈！", "helpful": "有帮助", "money_note": "（换算仅便于阅读，以原表数字为准）", "money_wan_to_yuan": "约合 {yuan} 元", "money_yuan_to_wan": "约合 {wan} 万元", "more_docs": "另有 {n} 份文件的结果", "offline": "暂时无法连接问答服务，请稍后再试。", "others": "其他来源（{n}）", "page": "第 {page} 页", "placeholder": "请输入您的问题", "refused": "本站尚未获准使用问答服务，请联系网站管理员。", "send": "发送", "source": "来源", "sources": "来源", "thinking": "正在查找…", "title": "预算问答", "too_long": "问题过长，请控制在 500 字以内。", "try": "您可以这样问：", "unhelpful": "没帮助", "view_page": "查看原表（第 {page} 页，PDF）", "welcome": "您好！我可以回答部门预算公开文件中的问题，每个数字都会注明出处。", "welcome_many": "您好！我可以回答关于以下 {n} 份公开文件的问题：{docs}。每个数字都会注明出处。", "welcome_more": "{docs} 等", "welcome_one": "您好！我可以回答关于《{doc}》的问题，每个数字都会注明出处。"}};
  var S = Object.assign({}, BUNDLED.widget);
  var MAX_QUESTION = BUNDLED.max_question || 500;
  var HISTORY = 8;
  var SUGGESTED = 3;
  var CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚㉛㉜㉝㉞㉟㊱㊲㊳㊴㊵㊶㊷㊸㊹㊺㊻㊼㊽㊾㊿";
  var MARK = /[\u2460-\u2473\u3251-\u325F\u32B1-\u32BF]|\[(\d+)\]/g;
  var SENTENCE = /[^。！？\n]+(?:[。！？]+[”’」）)]*(?:[\u2460-\u2473\u3251-\u325F\u32B1-\u32BF]|\[\d+\])*|$)/g;
  var SHOWN_BLOCKS = 3;         // documents shown in full; the others fold into one line (as the chat)
  var TITLE = "doc";            // a citation of a document's title (for the year named): not a source card
  var history = [];
  var suggestions = (BUNDLED.suggestions || []).slice();
  var access = "unknown";       // ok | refused (origin not allowed) | offline (API unreachable)
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
    "button:focus-visible, summary:focus-visible { outline: 3px solid #f2b705; outline-offset: 2px; }",
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
    ".part + .part { margin-top: 8px; padding-top: 8px; border-top: 1px solid #e0e4ea; }",
    ".part-h { font-weight: 700; color: #1f4e8c; font-size: 13px; }",
    ".lead { margin: 0; }",
    ".fig { background: #fdf3f2; color: #a8261d; font-weight: 700; padding: 0 2px; border-radius: 3px; }",
    ".more { margin: 4px 0 0; }",
    ".src { margin: 5px 0 0; padding: 5px 8px; border-left: 3px solid #1f4e8c; background: #f4f7fb; border-radius: 4px;",
    "  font-size: 13px; white-space: normal; }",
    ".src .h { color: #5b6675; margin-right: 4px; }",
    ".src.differs { border-left-color: #b86200; background: #fff7eb; } .src .flag { color: #8a4a00; font-weight: 700; margin-right: 4px; }",
    "details.fold { margin: 4px 0 0; font-size: 13px; white-space: normal; }",
    "details.fold summary { cursor: pointer; color: #1f4e8c; padding: 4px 0; }",
    ".actions { display: flex; justify-content: flex-end; margin-top: 6px; }",
    ".copy { border: 1px solid #c5cfdd; background: #fff; color: #3d4a5c; border-radius: 6px; padding: 3px 10px; font: inherit;",
    "  font-size: 13px; cursor: pointer; }",
    ".notice { margin: 0 0 10px; padding: 9px 12px; border-radius: 8px; background: #fff7eb; border: 1px solid #f0c987;",
    "  color: #6b3d00; font-weight: 600; }",
    ".srch { margin: 8px 0 2px; font-size: 13px; color: #5b6675; }",
    ".n { color: #1f4e8c; font-weight: 700; margin-right: 4px; }",
    ".where { color: #3d4a5c; }",
    ".src code { display: block; margin-top: 2px; font-family: inherit; white-space: pre-wrap; color: #3d4a5c; }",
    ".chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 10px; }",
    ".chip { border: 1px solid #1f4e8c; color: #1f4e8c; background: #fff; border-radius: 16px; padding: 5px 11px;",
    "  font: inherit; font-size: 13px; cursor: pointer; }",
    ".chip:hover { background: #eef3fa; } .chip[disabled], .ask textarea[disabled] { opacity: .5; cursor: not-allowed; }",
    ".conv { margin: 3px 0 0; font-size: 12px; color: #5b6675; }",
    ".src a.pdf { display: inline-block; margin-top: 3px; color: #1f4e8c; }",
    ".actions { gap: 6px; align-items: center; }",
    ".thumb { border: 1px solid #c5cfdd; background: #fff; color: #3d4a5c; border-radius: 6px; padding: 3px 8px;",
    "  cursor: pointer; line-height: 0; } .thumb svg { width: 16px; height: 16px; }",
    ".thumb[aria-pressed='true'] { background: #eef3fa; border-color: #1f4e8c; }",
    ".why { display: flex; gap: 6px; margin-top: 6px; } .why input { flex: 1; min-width: 0; padding: 4px 8px; font: inherit;",
    "  font-size: 13px; border: 1px solid #b9c2cf; border-radius: 6px; } .thanks { font-size: 13px; color: #3d6b2f; }",
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

  function useStrings(ui) {
    Object.assign(S, ui.widget || {});
    suggestions = ui.suggestions || suggestions;
    MAX_QUESTION = ui.max_question || MAX_QUESTION;
    applyStrings();
  }

  function reachable() {
    // An opaque (no-cors) request succeeds when the server answers at all, whatever its CORS headers.
    return fetch(ORIGIN + "/api/ui", { mode: "no-cors", cache: "no-store", credentials: "omit" })
      .then(function () { return "refused"; }, function () { return "offline"; });
  }

  function loadStrings() {
    return fetch(ORIGIN + "/api/ui", { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (ui) { if (ui) { useStrings(ui); } access = "ok"; }, function () {
        return reachable().then(function (state) { access = state; });
      })
      .then(function () { if (els.log && els.log.childElementCount) { notice(); } });
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
    var hello = el("div", "msg bot", S.welcome);
    if (S.welcome) { els.log.appendChild(hello); }
    chips(suggestions);
    notice();
    if (access === "refused") { return; }
    fetch(ORIGIN + "/api/docs", { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j) { hello.textContent = welcomeText(j.documents || []) || S.welcome; } }, function () {});
  }

  function welcomeText(docs) {
    // The documents this service knows, named as the chat's welcome names them.
    var titles = docs.filter(function (d) { return !d.is_template && (!data.doc || d.doc_id === data.doc); })
      .map(function (d) { return d.title; });
    if (!titles.length) { return ""; }
    if (titles.length === 1) { return fmt(S.welcome_one, { doc: titles[0] }); }
    var named = titles.slice(0, 3).map(function (t) { return "《" + t + "》"; }).join("、");
    return fmt(S.welcome_many, { n: titles.length, docs: titles.length > 3 ? fmt(S.welcome_more, { docs: named }) : named });
  }

  function notice() {
    // The one line a portal visitor needs when this site is not (yet) allowed to use the service; a refused
    // portal also gets its input and buttons disabled (asking could only fail).
    var text = access === "refused" ? S.refused : access === "offline" ? S.offline : "";
    var off = access === "refused";
    if (els.input) {
      els.input.disabled = off;
      els.send.disabled = off || busy;
      els.log.querySelectorAll(".chip").forEach(function (c) { c.disabled = off; });
    }
    var box = els.log.querySelector(".notice");
    if (!text) { if (box) { box.remove(); } return; }
    if (!box) {
      box = el("p", "notice");
      box.setAttribute("role", "status");
      var first = els.log.querySelector(".msg.bot");
      els.log.insertBefore(box, first ? first.nextSibling : els.log.firstChild);
    }
    box.textContent = text;
  }

  function chips(items, label) {
    if (!items || !items.length) { return; }
    if (label) { els.log.appendChild(el("p", "srch", label)); }
    var box = el("div", "chips");
    items.slice(0, label ? SUGGESTED : 6).forEach(function (q) {
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

  // ------------------------------------------------ an answer: per document a lead sentence, then its source
  function markOf(n) { return CIRCLED.charAt(n - 1) || "[" + n + "]"; }

  function marksIn(text) {
    var out = [];
    String(text || "").replace(MARK, function (m, d) {
      var n = d ? parseInt(d, 10) : CIRCLED.indexOf(m) + 1;
      if (out.indexOf(n) < 0) { out.push(n); }
      return m;
    });
    return out;
  }

  function sentences(text) {
    return (String(text || "").match(SENTENCE) || []).map(function (x) { return x.trim(); }).filter(Boolean);
  }

  function blocks(a) {
    var cites = a.citations || [];
    var parts = (a.parts || []).length > 1 && a.parts.every(function (p) { return p.text && a.answer.indexOf(p.text) >= 0; })
      ? a.parts : [{ heading: "", text: a.answer, value: a.value, unit: a.unit }];
    var seen = [];
    var out = parts.map(function (p) {
      var cited = marksIn(p.text).filter(function (n) { return n <= cites.length; });
      seen = seen.concat(cited);
      return { part: p, cited: cited };
    });
    cites.forEach(function (c, i) {
      if (seen.indexOf(i + 1) < 0 && c.role !== TITLE) { out[out.length - 1].cited.push(i + 1); }
    });
    return out.map(function (b) { return toBlock(b.part, b.cited, cites); });
  }

  function toBlock(p, cited, cites) {
    var role = function (n) { return (cites[n - 1] || {}).role || ""; };
    var main = cited.filter(function (n) { return role(n) === "main"; })[0] || cited[0];
    var ss = sentences(p.text);
    var rest = ss.slice(1);
    var agreeing = rest.filter(function (x) {
      var ms = marksIn(x);
      return ms.length && ms.every(function (n) { return role(n) === "agrees"; });
    });
    var not = function (r) { return function (n) { return n !== main && role(n) === r; }; };
    return { heading: p.heading || "", lead: ss[0] || "", value: p.value, unit: p.unit, main: main,
             more: rest.filter(function (x) { return agreeing.indexOf(x) < 0; }), folded: agreeing,
             agrees: cited.filter(not("agrees")), differs: cited.filter(not("differs")),
             others: cited.filter(function (n) { return n !== main && ["agrees", "differs"].indexOf(role(n)) < 0; }) };
  }

  function sentence(cls, text, value, unit) {
    // Text nodes only; the answered figure is wrapped in <mark> by splitting the text around it (or, when the
    // sentence does not state it, added after it).
    var p = el("p", cls);
    var fig = value ? String(value) + (unit || "") : "";
    var at = fig ? text.indexOf(fig) : -1;
    if (at < 0) {
      p.textContent = text;
      if (fig) { p.appendChild(document.createTextNode(" ")); p.appendChild(el("mark", "fig", fig)); }
      return p;
    }
    p.appendChild(document.createTextNode(text.slice(0, at)));
    p.appendChild(el("mark", "fig", fig));
    p.appendChild(document.createTextNode(text.slice(at + fig.length)));
    return p;
  }

  function sourceView(n, c, lead, withDoc) {
    var box = el("div", "src" + (c.role === "differs" ? " differs" : ""));
    if (lead) { box.appendChild(el("span", "h", S.source)); }
    if (c.role === "differs") { box.appendChild(el("span", "flag", S.differs)); }
    box.appendChild(el("span", "n", markOf(n)));
    var where = [withDoc && c.doc ? "《" + c.doc + "》" + (c.table || c.section || "") : c.table || c.section || ""];
    if (c.page) { where.push(fmt(S.page, { page: c.page })); }
    box.appendChild(el("span", "where", where.filter(Boolean).join(" · ")));
    box.appendChild(el("code", "", c.text));
    if (c.page && c.doc_id && /\.pdf$/i.test(c.file || "")) {
      var link = el("a", "pdf", fmt(S.view_page, { page: c.page }));
      link.href = ORIGIN + "/api/source?doc=" + encodeURIComponent(c.doc_id) + "&file=" + encodeURIComponent(c.file) +
        "#page=" + c.page;
      link.target = "_blank";
      link.rel = "noopener";
      box.appendChild(link);
    }
    return box;
  }

  function moneyLine(value, unit) {
    // 3241.03 万元 -> 约合 32,410,300.00 元; large 元 amounts -> 万元. Display only, as the chat shows it.
    var v = Number(String(value == null ? "" : value).replace(/,/g, ""));
    if (!isFinite(v) || String(value || "") === "") { return ""; }
    var two = function (x) { return x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }); };
    if (unit === "万元") { return fmt(S.money_wan_to_yuan, { yuan: two(Math.round(v * 1000000) / 100) }); }
    if (unit === "元" && Math.abs(v) >= 10000) { return fmt(S.money_yuan_to_wan, { wan: two(v / 10000) }); }
    return "";
  }

  function fold(label, children) {
    var d = el("details", "fold");
    d.appendChild(el("summary", "", label));
    children.forEach(function (c) { d.appendChild(c); });
    return d;
  }

  function blockView(b, cites) {
    var withDoc = !b.heading;
    var view = function (n) { return sourceView(n, cites[n - 1], false, withDoc); };
    var box = el("div", "part");
    if (b.heading) { box.appendChild(el("div", "part-h", b.heading)); }
    box.appendChild(sentence("lead", b.lead, b.value, b.unit));
    if (b.main) { box.appendChild(sourceView(b.main, cites[b.main - 1], true, withDoc)); }
    var money = moneyLine(b.value, b.unit);
    if (money) { box.appendChild(el("p", "conv", money + (S.money_note || ""))); }
    b.more.forEach(function (x) { box.appendChild(sentence("more", x)); });
    b.differs.forEach(function (n) { box.appendChild(view(n)); });
    if (b.agrees.length) {
      var inner = b.folded.map(function (x) { return sentence("more", x); }).concat(b.agrees.map(view));
      box.appendChild(fold(fmt(S.agrees, { n: b.agrees.length }), inner));
    }
    if (b.others.length) { box.appendChild(fold(fmt(S.others, { n: b.others.length }), b.others.map(view))); }
    return box;
  }

  function copyText(a) {
    var lines = [a.answer];
    (a.citations || []).forEach(function (c, i) {
      if (c.role === TITLE) { return; }
      if (lines.length === 1) { lines.push(S.source + "："); }
      var where = [c.table || c.section || ""];
      if (c.page) { where.push(fmt(S.page, { page: c.page })); }
      lines.push(markOf(i + 1) + "《" + c.doc + "》" + where.filter(Boolean).join(" · ") + "：" + c.text);
    });
    return lines.join("\n");
  }

  function copyButton(a) {
    var b = el("button", "copy", S.copy);
    b.type = "button";
    b.setAttribute("aria-label", S.copy_label);
    b.addEventListener("click", function () {
      var text = copyText(a);
      var done = function (word) { b.textContent = word; setTimeout(function () { b.textContent = S.copy; }, 2000); };
      var write = navigator.clipboard && window.isSecureContext ? navigator.clipboard.writeText(text) : Promise.reject();
      write.catch(function () { return fallbackCopy(text); })
        .then(function () { b.setAttribute("data-copied", "1"); done(S.copied); }, function () { done(S.copy_failed); });
    });
    return b;
  }

  function fallbackCopy(text) {
    var area = el("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    els.panel.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy"));
  }

  function answerView(a) {
    var box = el("div", "msg bot");
    if (!a.answerable && (a.suggestions || []).length) {      // the suggestions come as buttons: say them once
      a = Object.assign({}, a, { answer: sentences(a.answer)[0] || a.answer, parts: [] });
    }
    var cites = a.citations || [];
    var all = blocks(a);
    all.slice(0, SHOWN_BLOCKS).forEach(function (b) { box.appendChild(blockView(b, cites)); });
    if (all.length > SHOWN_BLOCKS) {
      var rest = all.slice(SHOWN_BLOCKS).map(function (b) { return blockView(b, cites); });
      box.appendChild(fold(fmt(S.more_docs, { n: rest.length }), rest));
    }
    var actions = el("div", "actions");
    actions.appendChild(copyButton(a));
    if (a.answerable !== false || (a.citations || []).length) { thumbs(a, actions, box); }
    box.appendChild(actions);
    return box;
  }

  function thumbs(a, actions, box) {
    // 👍/👎 as the chat has them, stored by POST /api/feedback; a 👎 opens one line for what was wrong.
    var id = "w" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    var rating = null;
    var post = function (comment) {
      return fetch(ORIGIN + "/api/feedback", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ id: id, rating: rating, comment: comment || "", answer: a })
      }).catch(function () { return null; });
    };
    [[false, 1, S.helpful], [true, 0, S.unhelpful]].forEach(function (t) {
      var b = el("button", "thumb");
      b.appendChild(thumbIcon(t[0]));           // drawn, not an emoji: every system shows it
      b.type = "button";
      b.setAttribute("aria-label", t[2]);
      b.title = t[2];
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", function () {
        rating = rating === t[1] ? null : t[1];
        actions.querySelectorAll(".thumb").forEach(function (x) { x.setAttribute("aria-pressed", "false"); });
        if (rating !== null) { b.setAttribute("aria-pressed", "true"); }
        post("");
        var line = box.querySelector(".why");
        if (rating === 0 && !line) { box.appendChild(whyLine(post)); } else if (rating !== 0 && line) { line.remove(); }
      });
      actions.appendChild(b);
    });
  }

  function thumbIcon(down) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("fill", "currentColor");
    if (down) { svg.setAttribute("transform", "rotate(180)"); }
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 " +
      "7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z");
    svg.appendChild(path);
    return svg;
  }

  function whyLine(post) {
    var form = el("form", "why");
    var input = el("input");
    input.type = "text";
    input.maxLength = MAX_QUESTION;
    input.placeholder = S.feedback_comment;
    input.setAttribute("aria-label", S.feedback_comment);
    var go = el("button", "copy", S.feedback_send);
    go.type = "submit";
    form.appendChild(input);
    form.appendChild(go);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!input.value.trim()) { return; }
      post(input.value.trim()).then(function () { form.replaceChildren(el("span", "thanks", S.feedback_thanks)); });
    });
    return form;
  }

  function failure(res) {
    // Why a question got no answer, in the visitor's words: a refused portal, an unreachable service, or the
    // API's own message (rate limit, too long, store down).
    if (res && res.body && res.body.message) { return Promise.resolve(res.body.message); }
    if (res) { return Promise.resolve(S.error); }
    return reachable().then(function (state) { access = state; notice(); return state === "refused" ? "" : S.error; });
  }

  function ask(raw) {
    var question = String(raw || "").trim();
    if (!question || busy || access === "refused") { return; }
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
    function showError(text) {
      wait.remove();
      if (text) { els.log.appendChild(el("div", "msg bot error", text)); }   // refused: the notice says it, once
    }
    fetch(ORIGIN + "/api/ask", {
      method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) { return { ok: r.ok, body: j }; });
      })
      .then(function (res) {
        if (!res.ok || typeof res.body.answer !== "string") { return failure(res).then(showError); }
        wait.remove();
        if (access !== "ok") { access = "ok"; notice(); }
        els.log.appendChild(answerView(res.body));
        if (!res.body.answerable) { chips(res.body.suggestions, S["try"]); }
        history.push({ role: "user", content: question }, { role: "assistant", content: res.body.answer });
      }, function () { return failure(null).then(showError); })
      .then(function () {
        busy = false;
        els.send.disabled = access === "refused";
        scroll(asked);
        els.input.focus();
      });
  }

  function start() { build(); loadStrings(); }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
