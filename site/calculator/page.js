// What the calculator, screener and slip check pages share (a classic script, loaded before each).
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
  // The day the calculator's first visit and the screener's answers start on: today on the phone,
  // or the day the pages describe (the build's as-of date, data-as-of on the app) when that is
  // later, so that a site built ahead of a change (or its preview) computes what its tables show.
  startDate: function (root, today) {
    var asOf = root.getAttribute('data-as-of') || '';
    return /^\d{4}-\d{2}-\d{2}$/.test(asOf) && asOf > today ? asOf : today;
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
  // A group of radio buttons, one per [value, label, one-line description]; none checked unless value names one.
  radios: function (name, options, value) {
    var el = window.HealthPage.el;
    return el('div', { class: 'hc-choices', role: 'radiogroup' }, options.map(function (o) {
      return el('label', { class: 'hc-choice' }, [el('input', { type: 'radio', name: name, value: o[0], checked: o[0] === value ? 'checked' : null }),
        el('span', { text: o[1] }), o[2] ? el('small', { text: o[2] }) : null]);
    }));
  },
  // A <select> of [value, label] pairs, the one equal to value selected.
  select: function (name, options, value) {
    var el = window.HealthPage.el, s = el('select', { name: name });
    options.forEach(function (o) { s.appendChild(el('option', { value: o[0], selected: o[0] === value ? 'selected' : null, text: o[1] })); });
    return s;
  },
  // A form field: its label, the input, and a one-line hint under it when given.
  field: function (label, input, hint) {
    var el = window.HealthPage.el;
    return el('label', { class: 'hc-field' }, [el('span', { text: label }), input, hint ? el('small', { text: hint }) : null]);
  },
  // An amount box, read by yuan() below. Not inputmode=decimal: a phone's number pad has no 万
  // or 元, which the rule accepts.
  money: function (name, value, placeholder) {
    return window.HealthPage.el('input', { name: name, value: value || '', autocomplete: 'off', placeholder: placeholder || '' });
  },
  // An amount as typed ("2万", "20,000", "２００００元") -> the engine's "20000.00"; throws with a Chinese message.
  yuan: function (text) { return window.HealthCalc.fmt(window.HealthCalc.parseAmount(text)); },
};
