// The search index is fetched only when a reader opens search (issue 22). Material fetches it on
// every page load, and it is most of what a village page opened from a QR code would transfer.
// Loaded before Material's bundle (overrides/main.html): the request for search_index.json is
// held back until the search box is opened or focused, then sent as usual.
(function () {
  'use strict';
  var waiting = [], opened = false;
  function isIndex(url) { return /\/search\/search_index\.json(\?|$)/.test(String(url)); }
  function open() {
    if (opened) return;
    opened = true;
    waiting.splice(0).forEach(function (go) { go(); });
  }
  function later(go) { if (opened) go(); else waiting.push(go); }

  var send = XMLHttpRequest.prototype.send, openRequest = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.__lazyIndex = isIndex(url);
    return openRequest.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    var xhr = this, args = arguments;
    if (!xhr.__lazyIndex) return send.apply(xhr, args);
    later(function () { send.apply(xhr, args); });
  };
  if (window.fetch) {
    var fetch = window.fetch;
    window.fetch = function (input) {
      var args = arguments, url = input && input.url ? input.url : input;
      if (!isIndex(url)) return fetch.apply(window, args);
      return new Promise(function (resolve) { later(resolve); }).then(function () { return fetch.apply(window, args); });
    };
  }
  document.addEventListener('DOMContentLoaded', function () {
    var toggle = document.getElementById('__search');
    if (toggle) toggle.addEventListener('change', function () { if (toggle.checked) open(); });
    document.addEventListener('focusin', function (e) {
      if (e.target && e.target.classList && e.target.classList.contains('md-search__input')) open();
    });
    document.addEventListener('click', function (e) {
      if (e.target && e.target.closest && e.target.closest('label[for="__search"]')) open();
    });
  });
})();
