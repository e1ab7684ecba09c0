// Live preview only (never in the published site): shows the last build's errors over the page.
// The server writes __preview/status.json after every build and then asks livereload to reload.
(function () {
  "use strict";
  var root = document.currentScript.getAttribute("data-root") || "/";
  var ui = {
    ar: { name: "العربية", dir: "rtl", title: "فشل البناء: يعرض الموقع آخر نسخة سليمة", hint: "تلميح", errors: "أخطاء", close: "إخفاء",
          stale: "الترجمة تحتاج مراجعة", unreviewed: "الترجمة لم تُراجَع بعد", parity: "أرقام أو أشهر تختلف بين اللغتين",
          draft: "مسودة: لا تُنشر" },
    en: { name: "English", dir: "ltr", title: "Build failed: showing the last good version", hint: "hint", errors: "errors", close: "Hide",
          stale: "Translation needs review", unreviewed: "Translation not yet reviewed", parity: "Numbers or months differ between languages",
          draft: "Draft: not published" }
  };
  var pref = null;
  try { pref = localStorage.getItem("preview-ui-lang"); } catch (e) { /* storage may be off */ }
  // the overlay's own languages (the editors'): the page's if it has it, else the last of them
  var codes = Object.keys(ui);
  var page = document.documentElement.lang;
  var lang = pref && ui[pref] ? pref : ui[page] ? page : codes[codes.length - 1];
  function next() { return codes[(codes.indexOf(lang) + 1) % codes.length]; }

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function draw(status) {
    var old = document.getElementById("preview-overlay");
    if (old) old.remove();
    if (!status || status.ok) return;
    var t = ui[lang];
    var box = el("section", "preview-overlay");
    box.id = "preview-overlay";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-label", t.title);
    box.lang = lang;
    box.dir = t.dir;
    var head = el("header", "po-head");
    head.appendChild(el("h2", "po-title", t.title + " (" + (status.count || status.errors.length) + " " + t.errors + ")"));
    var toggle = el("button", "po-lang", ui[next()].name);
    toggle.type = "button";
    toggle.addEventListener("click", function () {
      lang = next();
      try { localStorage.setItem("preview-ui-lang", lang); } catch (e) { /* ignore */ }
      draw(status);
    });
    var close = el("button", "po-close", t.close);
    close.type = "button";
    close.addEventListener("click", function () { box.remove(); });
    head.appendChild(toggle);
    head.appendChild(close);
    box.appendChild(head);
    status.errors.forEach(function (e) {
      var item = el("article", "po-error");
      var where = el("p", "po-where");
      where.dir = "ltr";
      where.appendChild(el("code", "po-loc", e.path + ":" + e.line + ":" + e.col));
      item.appendChild(where);
      var msg = el("p", "po-message", e.message);
      msg.dir = "auto";
      item.appendChild(msg);
      if (e.hint) {
        var hint = el("p", "po-hint");
        hint.appendChild(el("strong", "", t.hint + ": "));
        var h = el("span", "", e.hint);
        h.dir = "auto";
        hint.appendChild(h);
        item.appendChild(hint);
      }
      if (e.excerpt && e.excerpt.length) {
        var pre = el("pre", "po-excerpt");
        pre.dir = "ltr";
        e.excerpt.forEach(function (line) {
          var row = el("span", line.n === e.line ? "po-line po-hit" : "po-line");
          row.appendChild(el("span", "po-n", String(line.n).padStart(4, " ") + "  "));
          var text = el("span", "po-text", line.text);
          text.dir = "auto";
          row.appendChild(text);
          row.appendChild(document.createTextNode("\n"));
          pre.appendChild(row);
          if (line.n === e.line) {
            var caret = el("span", "po-caret", " ".repeat(6 + Math.max(e.col - 1, 0)) + "^\n");
            pre.appendChild(caret);
          }
        });
        item.appendChild(pre);
      }
      box.appendChild(item);
    });
    document.body.appendChild(box);
  }

  function mark(status) {
    var here = location.pathname;
    (status && status.marks || []).forEach(function (m) {
      if (!m.paths.some(function (p) { return here.slice(-p.length - 1) === "/" + p || here === "/" + p; })) return;
      var target = m.id ? document.getElementById(m.id) : document.querySelector(".page-head") || document.querySelector("main h1");
      if (!target) return;
      target.classList.add(m.kind === "draft" ? "preview-draft" : "preview-stale");
      target.setAttribute("data-stale", ui[lang][m.kind] + " · " + m.where);
      target.title = m.message;
    });
  }

  fetch(root + "__preview/status.json", { cache: "no-store" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (status) { draw(status); mark(status); })
    .catch(function () { /* no status yet */ })
    .then(function () { document.documentElement.setAttribute("data-preview-checked", ""); });  // for tests: the status is applied
})();
