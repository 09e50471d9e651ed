// The screener page (a classic script, for file:// and offline use): a few plain questions one
// at a time, then the programs that apply — computed by the same rules as `build.py eligible`.
// The answers so far live in the address (#...), so a result can be shared and reopened.
(function () {
  'use strict';
  var HC = window.HealthCalc, P = window.POLICY_DATA;
  var root = window.HealthPage && window.HealthPage.boot('screen-app', 'screen-nojs');
  if (!root) return;
  var el = window.HealthPage.el;
  var service = new HC.Service([P]);

  // ------------------------------------------------------------ answers <-> address
  var KEYS = ['c', 'a', 's', 't', 'v', 'd', 'k', 'x', 'p', 'q'];
  function read() {
    var q = new URLSearchParams(location.hash.replace(/^#/, '')), st = {};
    KEYS.forEach(function (k) { st[k] = q.get(k) || ''; });
    st.q = Number(st.q || 0);
    return st;
  }
  function write() {
    var q = new URLSearchParams();
    KEYS.forEach(function (k) { if (st[k] !== '' && st[k] !== 0) q.set(k, st[k]); });
    history.replaceState(null, '', '#' + q.toString());
  }
  var st = read();

  var radios = window.HealthPage.radios;
  var UNKNOWN = 'unknown';
  function checks(name, options, values) {
    var chosen = values ? values.split(',') : [];
    return el('div', { class: 'hc-choices' }, options.map(function (o) {
      return el('label', { class: 'hc-choice' }, [el('input', { type: 'checkbox', name: name, value: o[0], checked: chosen.indexOf(o[0]) >= 0 ? 'checked' : null }),
        el('span', { text: o[1] })]);
    }));
  }
  var disabilities = P.labels.disabilities;

  // Each question: its title, its inputs, and how to read them back into the answers.
  var QUESTIONS = [
    { title: '您（或要问的这个人）属于哪一类？', body: function () {
      // Nothing assumed, and "不清楚" is an answer: the result then says what each category would add
      // (the forms app's query page answers it the same way).
      return radios('c', P.categories.map(function (c) { return [c.id, c.name, c.description]; })
        .concat([[UNKNOWN, '不清楚', '不知道自己算哪一类：会把每一类能多享受的都告诉您']]), st.c); },
    read: function (f) { st.c = (f.querySelector('input[name=c]:checked') || {}).value || ''; } },
    { title: '多大年纪？', body: function () {
      return el('label', { class: 'hc-field' }, [el('span', { text: '周岁（不想说可以不填）' }),
        el('input', { name: 'a', inputmode: 'numeric', value: st.a, autocomplete: 'off' })]); },
    read: function (f) { st.a = f.elements.a.value.trim(); } },
    { title: '性别？', body: function () { return radios('s', [['female', '女'], ['male', '男'], ['', '不说']], st.s); },
      read: function (f) { st.s = (f.querySelector('input[name=s]:checked') || {}).value || ''; } },
    { title: '住在哪个乡镇、哪个村？', body: function () {
      var t = el('select', { name: 't' }, [el('option', { value: '', text: '不说' })].concat(P.townships.map(function (x) {
        return el('option', { value: x.id, selected: x.id === st.t ? 'selected' : null, text: x.name }); })));
      var v = el('select', { name: 'v' });
      function villages() {
        v.textContent = '';
        v.appendChild(el('option', { value: '', text: '不说' }));
        var town = P.townships.filter(function (x) { return x.id === t.value; })[0];
        (town ? town.villages : []).forEach(function (x) { v.appendChild(el('option', { value: x.id, selected: x.id === st.v ? 'selected' : null, text: x.name })); });
      }
      t.addEventListener('change', villages);
      villages();
      return el('div', {}, [el('label', { class: 'hc-field' }, [el('span', { text: '乡镇' }), t]), el('label', { class: 'hc-field' }, [el('span', { text: '村' }), v])]); },
    read: function (f) { st.t = f.elements.t.value; st.v = f.elements.v.value; } },
    { title: '有没有下面这些病？（没有就直接点“下一步”）', body: function () {
      var box = el('div', {}, [checks('d', P.diseases.map(function (d) { return [d.id, d.name]; }), st.d)]);
      if (P.chronic_classes.length) {
        box.appendChild(el('p', { text: '办过门诊特殊慢性病证吗？' }));
        box.appendChild(radios('k', [['', '没有或不清楚']].concat(P.chronic_classes.map(function (c) { return [c.id, c.name]; })), st.k));
      }
      return box; },
    read: function (f) {
      st.d = [].map.call(f.querySelectorAll('input[name=d]:checked'), function (i) { return i.value; }).join(',');
      var k = f.querySelector('input[name=k]:checked');
      st.k = k ? k.value : ''; } },
    { title: '有没有残疾？', body: function () {
      return checks('x', Object.keys(disabilities).map(function (d) { return [d, disabilities[d]]; }), st.x); },
    read: function (f) { st.x = [].map.call(f.querySelectorAll('input[name=x]:checked'), function (i) { return i.value; }).join(','); } },
    { title: '现在是否怀孕？', skip: function () { return st.s === 'male'; },
      body: function () { return radios('p', [['1', '是'], ['0', '否'], ['', '不说']], st.p); },
      read: function (f) { st.p = (f.querySelector('input[name=p]:checked') || {}).value || ''; } },
  ];

  var form = el('form', { class: 'hc-form hc-steps', novalidate: true });
  var result = el('div', { class: 'hc-result', 'aria-live': 'polite' });
  root.appendChild(form);
  root.appendChild(result);

  function visible() { return QUESTIONS.filter(function (q) { return !q.skip || !q.skip(); }); }

  function show() {
    form.textContent = '';
    result.textContent = '';
    var qs = visible();
    if (st.q >= qs.length) { st.q = qs.length; return answer(); }
    var q = qs[st.q];
    form.appendChild(el('p', { class: 'hc-progress', text: '第 ' + (st.q + 1) + ' 题，共 ' + qs.length + ' 题' }));
    form.appendChild(el('h2', { class: 'hc-question', text: q.title }));
    form.appendChild(q.body());
    form.appendChild(el('div', { class: 'hc-buttons' }, [
      st.q > 0 ? el('button', { type: 'button', class: 'hc-back', text: '上一步' }) : null,
      el('button', { type: 'submit', class: 'hc-next', text: st.q === qs.length - 1 ? '看结果' : '下一步' }),
    ]));
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    visible()[st.q].read(form);
    if (st.q === 0 && !st.c) { // the one required answer
      if (!form.querySelector('.hc-errors')) form.insertBefore(el('p', { class: 'hc-errors', role: 'alert', text: '请选一项；不知道的，选“不清楚”。' }), form.querySelector('.hc-buttons'));
      return;
    }
    st.q += 1;
    write();
    show();
  });
  form.addEventListener('click', function (e) {
    if (e.target.classList.contains('hc-back')) { visible()[st.q].read(form); st.q -= 1; write(); show(); }
  });

  function person() {
    var m = new Map([['category', st.c && st.c !== UNKNOWN ? st.c : P.jurisdiction.baseline_category]]);
    if (st.a !== '') m.set('age', /^\d+$/.test(st.a) ? new HC.Num(BigInt(st.a).toString(), true) : st.a);
    if (st.s) m.set('sex', st.s);
    if (st.d) m.set('diseases', st.d.split(','));
    if (st.k) m.set('chronic_class', st.k);
    if (st.x) m.set('disabilities', st.x.split(','));
    if (st.p && st.s !== 'male') m.set('pregnant', st.p === '1');
    if (st.t) m.set('township', st.t);
    if (st.v) m.set('village', st.v);
    return m;
  }

  function answer() {
    var out, day = window.HealthPage.startDate(root, HC.localToday());  // one day for every answer below
    try {
      out = HC.runEligible(service, new Map([['jurisdiction', P.jurisdiction.id], ['person', person()]]), day);
    } catch (err) {
      if (!err.problems) throw err;
      result.appendChild(el('div', { class: 'hc-errors', role: 'alert' }, [el('p', { text: '请改正：' }),
        el('ul', {}, err.problems.map(function (m) { return el('li', { text: m.replace(/^person\.age: /, '年龄：') }); }))]));
      result.appendChild(restart());
      return;
    }
    result.appendChild(el('h2', { text: '可以享受的政策（' + out.eligible.length + ' 项）' }));
    out.eligible.forEach(function (p) {
      var sec = el('section', { class: 'hc-program', 'data-program': p.id }, [el('h3', {}, [p.name, p.label ? el('span', { class: p.label === '示例数字' ? 'mark-illustrative' : 'mark-interpreted', text: p.label }) : null]),
        el('p', { text: p.summary }), el('p', { class: 'hc-why', text: '为什么：' + p.why.join('；') })]);
      if (p.benefits.length) sec.appendChild(el('ul', {}, p.benefits.map(function (b) { return el('li', { text: b }); })));
      var todo = p.what_to_do;
      if (todo.where.length) {
        sec.appendChild(el('p', { text: '去哪里办：' }));
        sec.appendChild(el('ul', {}, todo.where.map(function (w) {
          var bits = [w.name];
          if (w.phone) bits.push('电话 ' + w.phone);
          if (w.hours) bits.push(w.hours);
          if (w.doctors && w.doctors.length) bits.push('医生 ' + w.doctors.join('、'));
          return el('li', { text: bits.join('，') });
        })));
      }
      if (todo.steps.length) sec.appendChild(el('ol', {}, todo.steps.map(function (s) { return el('li', { text: s }); })));
      if (todo.bring.length) sec.appendChild(el('p', { text: '要带：' + todo.bring.join('、') }));
      var ref = p.reference;
      sec.appendChild(el('p', { class: 'hc-ref', text: '依据：' + (ref.title || ref.source) + (ref.clause ? ' ' + ref.clause : '') }));
      result.appendChild(sec);
    });
    if (st.c === UNKNOWN) result.appendChild(ifCategory(out, day));
    if (out.need_more_info.length) {
      result.appendChild(el('h2', { text: '还要知道一些情况才能判断（' + out.need_more_info.length + ' 项）' }));
      result.appendChild(el('ul', { class: 'hc-more' }, out.need_more_info.map(function (p) {
        return el('li', { 'data-program': p.id }, [el('b', { text: p.name }), '：' + p.missing.join('；')]);
      })));
    }
    if (out.not_eligible.length) {
      result.appendChild(el('details', { class: 'hc-not' }, [el('summary', { text: '不符合条件的政策（' + out.not_eligible.length + ' 项）' }),
        el('ul', {}, out.not_eligible.map(function (p) { return el('li', { 'data-program': p.id }, [el('b', { text: p.name }), '：' + p.why.join('；')]); }))]));
    }
    result.appendChild(el('p', { class: 'hc-note', text: '按 ' + out.date + ' 的政策判断（数据版本 ' + P.version + '）。标“示例数字”的项目不是官方内容，标“按本县理解”的是对文件的一种理解。最后以办事地点的审核为准。' }));
    result.appendChild(restart());
  }

  // "不清楚": what each other category would add to the baseline resident's programs.
  function ifCategory(out, day) {
    var have = out.eligible.map(function (p) { return p.id; }), items = [];
    P.categories.forEach(function (c) {
      if (c.id === P.jurisdiction.baseline_category) return;
      var m = person(); m.set('category', c.id);
      var other = HC.runEligible(service, new Map([['jurisdiction', P.jurisdiction.id], ['person', m]]), day);
      var extra = other.eligible.filter(function (p) { return have.indexOf(p.id) < 0; }).map(function (p) { return p.name; });
      if (extra.length) items.push(el('li', { 'data-category': c.id }, [el('b', { text: c.name }), '（' + c.description + '）：' + extra.join('、')]));
    });
    return el('section', { class: 'hc-if-category' }, [el('h2', { text: '您说不清楚自己属于哪一类' }),
      el('p', { text: '上面是普通城乡居民都能享受的。如果您属于下面哪一类，还能多享受这些：' }), el('ul', {}, items),
      el('p', { text: '自己属于哪一类，可以问村委会、村医，或者乡镇民政办、扶贫办；建档立卡贫困户家里有扶贫手册。' })]);
  }

  function restart() {
    var box = el('div', { class: 'hc-buttons hc-noprint' }, [
      el('button', { type: 'button', class: 'hc-back', text: '改一改回答' }),
      el('button', { type: 'button', class: 'hc-print', text: '打印结果' }),
    ]);
    box.querySelector('.hc-back').addEventListener('click', function () { st.q = 0; write(); show(); });
    box.querySelector('.hc-print').addEventListener('click', function () { window.print(); });
    return box;
  }

  show();
})();
