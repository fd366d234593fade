// Suggestions under the search boxes, as readers type. Without this script (or without
// JavaScript) every search box is the plain form it is in the HTML.
(function () {
  'use strict';
  var KINDS = { query: '热搜', person: '人物', tag: '标签', title: '文章' };
  var forms = document.querySelectorAll('form[data-suggest]');
  Array.prototype.forEach.call(forms, function (form, n) {
    var input = form.querySelector('input[name="q"]');
    if (!input || !window.fetch) return;
    var list = document.createElement('ul');
    list.id = 'suggest-' + n;
    list.className = 'suggest';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', '搜索建议');
    list.hidden = true;
    form.appendChild(list);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', list.id);
    input.setAttribute('autocomplete', 'off');
    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }

    function highlight(i) {
      var options = list.children;
      for (var k = 0; k < options.length; k++) {
        options[k].setAttribute('aria-selected', k === i ? 'true' : 'false');
      }
      active = i;
      if (i >= 0) {
        input.setAttribute('aria-activedescendant', options[i].id);
      } else {
        input.removeAttribute('aria-activedescendant');
      }
    }

    function show(found) {
      items = Array.isArray(found) ? found : [];
      list.textContent = '';
      items.forEach(function (s, i) {
        var li = document.createElement('li');
        li.id = list.id + '-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.dataset.i = String(i);
        var text = document.createElement('span');
        text.textContent = s.text;
        var kind = document.createElement('small');
        kind.textContent = KINDS[s.kind] || '';
        li.appendChild(text);
        li.appendChild(kind);
        list.appendChild(li);
      });
      if (items.length === 0) {
        close();
        return;
      }
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      highlight(-1);
    }

    // An article goes to its page; anything else is searched.
    function choose(i) {
      var s = items[i];
      if (!s) return;
      close();
      if (s.url) {
        window.location.href = s.url;
      } else {
        input.value = s.text;
        form.submit();
      }
    }

    input.addEventListener('input', function () {
      clearTimeout(timer);
      var typed = input.value.trim();
      if (!typed) {
        close();
        return;
      }
      timer = setTimeout(function () {
        var mine = ++asked;
        fetch(form.dataset.suggest + '?q=' + encodeURIComponent(typed), {
          headers: { Accept: 'application/json' }
        })
          .then(function (r) { return r.ok ? r.json() : []; })
          // Only the answer to the latest keystroke is shown.
          .then(function (found) { if (mine === asked) show(found); })
          .catch(close);
      }, 60);
    });

    input.addEventListener('keydown', function (e) {
      if (list.hidden) return;
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        highlight((active + 1) % items.length);
      } else if (e.key === 'ArrowUp') {
        e.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (e.key === 'Enter' && active >= 0) {
        e.preventDefault();
        choose(active);
      } else if (e.key === 'Escape') {
        close();
      }
    });

    input.addEventListener('blur', function () { setTimeout(close, 150); });

    list.addEventListener('mousedown', function (e) {
      var li = e.target.closest('li');
      if (li) {
        e.preventDefault();
        choose(Number(li.dataset.i));
      }
    });
  });
})();
