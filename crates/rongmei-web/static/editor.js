/* Rongmei editor: rich editing on top of a plain form that works without this script.
   Pastes and uploads go through the server, so the one sanitiser decides what survives. */
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  var rich = document.getElementById("rich");
  var body = document.getElementById("body");
  if (!form || !rich || !body || !window.fetch || !document.execCommand) return;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var toolbar = form.querySelector(".toolbar");
  var status = form.querySelector(".upload-status");

  function post(url, payload) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(payload)
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j && j.error ? j.error.message : ("HTTP " + r.status));
        return j;
      });
    });
  }

  /* Text without tags is what the server takes as one paragraph a line. */
  function initialHtml(v) {
    if (v.indexOf("<") >= 0) return Promise.resolve(v);
    if (!v.trim()) return Promise.resolve("<p><br></p>");
    return post("/api/v1/sanitize", { html: v }).then(function (j) { return j.html; });
  }

  initialHtml(body.value).then(function (html) {
    rich.innerHTML = html;
    body.hidden = true;
    rich.hidden = false;
    toolbar.hidden = false;
  }).catch(function () { /* keep the plain textarea */ });

  document.execCommand("defaultParagraphSeparator", false, "p");

  toolbar.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-cmd]");
    if (!b) return;
    e.preventDefault();
    rich.focus();
    var cmd = b.getAttribute("data-cmd");
    if (cmd === "p" || cmd === "h2") document.execCommand("formatBlock", false, cmd);
    else if (cmd === "bold") document.execCommand("bold");
    else if (cmd === "link") {
      var url = window.prompt("链接地址（http:// 或 https://）", "https://");
      if (url && /^(https?:\/\/|\/)/i.test(url)) document.execCommand("createLink", false, url);
    }
    scheduleCheck();
  });

  rich.addEventListener("paste", function (e) {
    var cd = e.clipboardData;
    if (!cd) return;
    var html = cd.getData("text/html");
    var text = cd.getData("text/plain");
    e.preventDefault();
    post("/api/v1/sanitize", { html: html || text || "" }).then(function (j) {
      document.execCommand("insertHTML", false, j.html);
      scheduleCheck();
    }).catch(function (err) { status.textContent = "粘贴失败：" + err.message; });
  });

  var input = document.getElementById("image-input");
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file) return;
    var fd = new FormData();
    fd.append("file", file);
    status.textContent = "上传中…";
    fetch("/api/v1/media", {
      method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf }, body: fd
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j && j.error ? j.error.message : ("HTTP " + r.status));
        return j;
      });
    }).then(function (img) {
      var fig = document.createElement("figure");
      var el = document.createElement("img");
      el.src = img.url;
      /* A camera's file name (IMG_2043) is no caption: the reporter writes one. */
      el.alt = "";
      var cap = document.createElement("figcaption");
      cap.setAttribute("data-placeholder", "图片说明");
      fig.appendChild(el);
      fig.appendChild(cap);
      rich.appendChild(fig);
      rich.appendChild(document.createElement("p")).appendChild(document.createElement("br"));
      status.textContent = "已插入图片";
      input.value = "";
      placeCaret(cap);
    }).catch(function (err) { status.textContent = "上传失败：" + err.message; });
  });

  /* The caret into an empty caption, so the reporter types the caption straight away. */
  function placeCaret(el) {
    var sel = window.getSelection && window.getSelection();
    if (!sel || !document.createRange) return;
    rich.focus();
    var range = document.createRange();
    range.selectNodeContents(el);
    range.collapse(true);
    sel.removeAllRanges();
    sel.addRange(range);
  }

  /* Live publication checks, a moment after typing stops. */
  var timer = null;
  var checks = document.getElementById("checks");
  function scheduleCheck() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(runCheck, 800);
  }
  function runCheck() {
    post("/api/v1/checks", {
      title: document.getElementById("title").value,
      body: rich.hidden ? body.value : rich.innerHTML,
      tags: document.getElementById("tags").value,
      bylines: document.getElementById("bylines").value.split("\n")
    }).then(function (j) {
      var box = checks.querySelector(".live") || checks.appendChild(document.createElement("div"));
      box.className = "live";
      box.textContent = "";
      var p = document.createElement("p");
      p.className = j.blocks ? "error" : (j.hits.length ? "notice" : "ok");
      p.textContent = j.hits.length ? ("实时检查：" + j.hits.length + " 处问题" + (j.blocks ? "，其中有禁止发布的词语" : "")) : "实时检查：未发现问题";
      box.appendChild(p);
      var ul = document.createElement("ul");
      j.hits.forEach(function (h) {
        var li = document.createElement("li");
        li.textContent = (h.severity === "block" ? "【禁止】" : "【提示】") + h.matched + "：" + h.context +
          (h.suggestion ? " → 建议改为“" + h.suggestion + "”" : "");
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }).catch(function () {});
  }
  rich.addEventListener("input", scheduleCheck);
  document.getElementById("title").addEventListener("input", scheduleCheck);

  form.addEventListener("submit", function () {
    if (rich.hidden) return;
    /* A picture's alternative text is its caption, once the reporter has written one. */
    Array.prototype.forEach.call(rich.querySelectorAll("figure"), function (fig) {
      var img = fig.querySelector("img");
      var cap = fig.querySelector("figcaption");
      if (img && cap && !img.getAttribute("alt")) img.setAttribute("alt", cap.textContent.trim());
    });
    body.value = rich.innerHTML;
  });
})();

/* The WeChat page: the rendering copied with its inline styles, as selecting it and copying
   does; the 公众号 editor keeps them on paste. Without this script the text is selected by hand. */
(function () {
  "use strict";
  var button = document.getElementById("copy-wechat");
  var preview = document.getElementById("wechat-preview");
  if (!button || !preview || !window.getSelection) return;
  var status = document.getElementById("copy-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    var range = document.createRange();
    range.selectNodeContents(preview);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    if (status) {
      status.textContent = copied
        ? "已复制：粘贴到公众号编辑器即可。"
        : "已选中全文：请按 Ctrl+C（Mac 上 ⌘C）复制。";
    }
  });
})();
