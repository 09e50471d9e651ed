// What the calculator and screener pages share (a classic script, loaded before either).
window.HealthPage = {
  // Show the app in place of its "needs JavaScript" note; null when the page or its data is missing.
  boot: function (appId, noteId) {
    var root = document.getElementById(appId);
    if (!root || !window.HealthCalc || !window.POLICY_DATA) return null;
    var note = document.getElementById(noteId);
    if (note) note.hidden = true;
    root.hidden = false;
    return root;
  },
  // el('p', {class: 'x', text: '...'}, [children]): a DOM node, text always as text (never HTML).
  el: function (tag, attrs, kids) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'text') node.textContent = attrs[k];
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  },
};
