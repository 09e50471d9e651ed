// The calculator page (a classic script: pages opened from file:// cannot load ES modules).
// Reads window.POLICY_DATA and window.HealthCalc (engine.js, built from the .mjs modules), keeps
// every input in the address (#...) so a result can be shared and reopened, and shows each
// guarantee line's payment with its arithmetic in plain words.
(function () {
  'use strict';
  var HC = window.HealthCalc, P = window.POLICY_DATA;
  var root = window.HealthPage && window.HealthPage.boot('calc-app', 'calc-nojs');
  if (!root) return;
  var el = window.HealthPage.el;

  var service = new HC.Service([P]);
  var engine = service.j.get(P.jurisdiction.id).engine;
  var KINDS = P.labels.claim_kinds;
  var FIELD = { date: '就医日期', kind: '就医类型', hospital_level: '医院级别', in_county: '县内还是县外',
    hospital: '哪家医院', total: '总费用', out_of_catalog_necessary: '目录外必需费用', self_funded: '自费费用',
    class_b: '乙类药品和特殊检查费用', chronic_class: '慢性病类别', fee_items: '减免项目' };

  // Which claim fields matter for a kind, read from the layers (no per-county code).
  function usesShare(kind) { return P.layers.some(function (l) { return l.kinds.indexOf(kind) >= 0 && l.personal_share; }); }
  function feeItems(kind) {
    var out = [];
    P.layers.forEach(function (l) {
      if (l.kinds.indexOf(kind) >= 0 && l.items) l.items.forEach(function (i) {
        if (i.kinds.indexOf(kind) >= 0 && !out.some(function (o) { return o.id === i.id; })) out.push(i);
      });
    });
    return out;
  }

  // ------------------------------------------------------------ state <-> address
  var FIELDS = ['date', 'kind', 'level', 'in_county', 'total', 'ooc', 'sf', 'class_b', 'chronic', 'fees', 'hospital'];
  function blankClaim() {
    return { date: window.HealthPage.startDate(root, HC.localToday()), kind: 'inpatient', level: P.levels[Math.min(1, P.levels.length - 1)].id, in_county: '',
      total: '', ooc: '', sf: '', class_b: '', chronic: '', fees: '', hospital: '' };
  }
  function readState() {
    var q = new URLSearchParams(location.hash.replace(/^#/, ''));
    // No category is assumed: the most generous one would tell a farmer who skips it that he pays nothing.
    var c = q.get('c') || '';
    var state = { category: P.categories.some(function (x) { return x.id === c; }) ? c : '', claims: [] };
    q.getAll('k').forEach(function (text) {
      var parts = text.split('~'), claim = blankClaim();
      FIELDS.forEach(function (f, i) { if (parts[i] !== undefined) claim[f] = parts[i]; });
      state.claims.push(claim);
    });
    if (!state.claims.length) state.claims.push(blankClaim());
    return state;
  }
  function writeState(state) {
    var q = new URLSearchParams();
    q.set('c', state.category);
    state.claims.forEach(function (c) { q.append('k', FIELDS.map(function (f) { return c[f]; }).join('~')); });
    history.replaceState(null, '', '#' + q.toString());
  }

  // ------------------------------------------------------------ the form
  var state = readState();
  var form = el('form', { class: 'hc-form', novalidate: true });
  var result = el('div', { class: 'hc-result', 'aria-live': 'polite' });
  root.appendChild(form);
  root.appendChild(result);

  var select = window.HealthPage.select, field = window.HealthPage.field, money = window.HealthPage.money;

  function render() {
    form.textContent = '';
    form.appendChild(el('fieldset', { class: 'hc-category' }, [el('legend', { text: '看病的人属于哪一类？（必选）' }),
      window.HealthPage.radios('category', P.categories.map(function (c) { return [c.id, c.name, c.description]; }), state.category)]));
    state.claims.forEach(function (c, i) {
      var box = el('fieldset', { class: 'hc-claim-input', 'data-index': i }, [el('legend', { text: '第 ' + (i + 1) + ' 次看病' })]);
      box.appendChild(field('就医日期', el('input', { type: 'date', name: 'date', value: c.date })));
      box.appendChild(field('就医类型', select('kind', Object.keys(KINDS).map(function (k) { return [k, KINDS[k]]; }), c.kind)));
      if (engine.hospitalMatters) { // some line or rate depends on the very hospital: let it be named
        box.appendChild(field('哪家医院', select('hospital', [['', '不指定（按医院级别算）']].concat(P.hospitals.map(function (h) {
          return [h.id, h.name]; })), c.hospital)));
      }
      box.appendChild(field('医院级别', select('level', P.levels.map(function (l) { return [l.id, l.name]; }), c.level)));
      box.appendChild(field('县内还是县外', select('in_county', [['', '按医院级别'], ['1', '县域内'], ['0', '县域外']], c.in_county)));
      box.appendChild(field('总费用（元）', money('total', c.total, '例如 20000 或 2万')));
      box.appendChild(field('目录外必需费用（元）', money('ooc', c.ooc), '医保目录外、但医生认定必须用的药品和器材'));
      box.appendChild(field('自费费用（元）', money('sf', c.sf), '完全自费的部分，不能报销'));
      if (usesShare(c.kind)) box.appendChild(field('乙类药品和特殊检查费用（元）', money('class_b', c.class_b)));
      if (c.kind === 'outpatient_chronic') {
        box.appendChild(field('慢性病类别', select('chronic', [['', '请选择']].concat(P.chronic_classes.map(function (x) { return [x.id, x.name]; })), c.chronic)));
      }
      var items = feeItems(c.kind);
      if (items.length) {
        var fees = parseFees(c.fees);
        var det = el('details', { class: 'hc-fees', open: c.fees ? 'open' : null }, [el('summary', { text: '可以减免的费用（没有可不填）' })]);
        items.forEach(function (item) { det.appendChild(field(item.name + '（元）', money('fee:' + item.id, fees[item.id] || ''))); });
        box.appendChild(det);
      }
      if (state.claims.length > 1) box.appendChild(el('button', { type: 'button', class: 'hc-remove', 'data-remove': i, text: '删掉这一次' }));
      form.appendChild(box);
    });
    form.appendChild(el('div', { class: 'hc-buttons' }, [
      el('button', { type: 'button', class: 'hc-add', text: '再加一次看病' }),
      el('button', { type: 'submit', class: 'hc-go', text: '计算' }),
    ]));
  }

  function parseFees(text) {
    var out = {};
    (text || '').split(';').forEach(function (pair) { var kv = pair.split(':'); if (kv[0]) out[kv[0]] = kv[1] || ''; });
    return out;
  }

  function readForm() {
    var chosen = form.querySelector('input[name=category]:checked');
    state.category = chosen ? chosen.value : '';
    form.querySelectorAll('fieldset.hc-claim-input').forEach(function (box, i) {
      var c = state.claims[i];
      box.querySelectorAll('input, select').forEach(function (input) {
        if (input.type === 'radio') return;
        if (input.name.indexOf('fee:') === 0) return;
        c[input.name] = input.value.trim();
      });
      var fees = [];
      box.querySelectorAll('input[name^="fee:"]').forEach(function (input) {
        if (input.value.trim()) fees.push(input.name.slice(4) + ':' + input.value.trim());
      });
      c.fees = fees.join(';');
    });
  }

  form.addEventListener('click', function (e) {
    var t = e.target;
    if (t.classList.contains('hc-add')) {
      readForm();
      var last = state.claims[state.claims.length - 1];
      var next = blankClaim();
      next.date = last.date; next.kind = last.kind; next.level = last.level;
      state.claims.push(next);
      render();
    } else if (t.hasAttribute('data-remove')) {
      readForm();
      state.claims.splice(Number(t.getAttribute('data-remove')), 1);
      render();
    }
  });
  form.addEventListener('change', function (e) {
    if (e.target.name === 'kind') { readForm(); render(); }
    if (e.target.name === 'hospital' && e.target.value) { // the hospital says its level
      readForm();
      var box = e.target.closest('fieldset'), c = state.claims[Number(box.getAttribute('data-index'))];
      c.level = engine.hospitals.get(c.hospital).level;
      render();
    }
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    readForm();
    writeState(state);
    compute();
  });

  // ------------------------------------------------------------ computing
  // Every amount as typed ("2万", "20,000", "２００００元") -> the engine's "20000.00" by the one
  // shared rule (amounts.mjs = policy/amounts.py); what cannot be read is listed by field.
  var MONEY = { total: 'total', ooc: 'out_of_catalog_necessary', sf: 'self_funded', class_b: 'class_b' };
  function amountsOf(s, problems) {
    return s.claims.map(function (c, i) {
      var out = {}, fees = parseFees(c.fees);
      function read(text, path) {
        if (text === '') return '';
        try { return window.HealthPage.yuan(text); } catch (err) { problems.push('claims[' + i + '].' + path + ': ' + err.message); return ''; }
      }
      Object.keys(MONEY).forEach(function (f) { out[f] = read(c[f], MONEY[f]); });
      out.fees = Object.keys(fees).map(function (k) { return k + ':' + read(fees[k], 'fee_items.' + k); }).join(';');
      return Object.assign({}, c, out);
    });
  }

  function caseOf(s) {
    var claims = s.claims.map(function (c) {
      var m = new Map([['date', c.date], ['kind', c.kind], ['hospital_level', c.level]]);
      if (c.hospital && engine.hospitalMatters) m.set('hospital', c.hospital);
      if (c.in_county) m.set('in_county', c.in_county === '1');
      m.set('total', c.total === '' ? null : c.total);
      if (c.ooc) m.set('out_of_catalog_necessary', c.ooc);
      if (c.sf) m.set('self_funded', c.sf);
      if (c.class_b && usesShare(c.kind)) m.set('class_b', c.class_b);
      if (c.kind === 'outpatient_chronic' && c.chronic) m.set('chronic_class', c.chronic);
      var fees = parseFees(c.fees), items = feeItems(c.kind);
      if (c.fees && items.length) {
        m.set('fee_items', new Map(Object.keys(fees).filter(function (k) { return items.some(function (i) { return i.id === k; }); })
          .map(function (k) { return [k, fees[k]]; })));
      }
      return m;
    });
    return new Map([['jurisdiction', P.jurisdiction.id], ['person', new Map([['category', s.category]])], ['claims', claims]]);
  }

  function plainMessage(message) {
    return message.replace(/^claims\[(\d+)\]\.?([a-z_]*)(?:\.([a-z_]+))?: /, function (_, i, f, sub) {
      var name = FIELD[f] || '';
      if (f === 'fee_items' && sub) name = (feeItems(state.claims[i].kind).filter(function (x) { return x.id === sub; })[0] || { name: sub }).name;
      return '第 ' + (Number(i) + 1) + ' 次看病' + (name ? ' · ' + name : '') + '：';
    }).replace(/^person\.category: /, '人员类别：');
  }

  function compute() {
    result.textContent = '';
    var parsed, answer, base = null, typed = [];
    if (!state.category) typed.push('请先选“看病的人属于哪一类”：不同类别报销差别很大，选错了算出来的钱就不对。');
    var amounts = amountsOf(state, typed);
    try {
      if (typed.length) { var stop = new Error('typed'); stop.problems = typed; throw stop; }
      parsed = HC.parseCalcCase(service, caseOf({ category: state.category, claims: amounts }), '');
      answer = engine.compute(parsed[1].category, parsed[2], { explain: true });
      if (parsed[1].category !== P.jurisdiction.baseline_category) {
        base = engine.compute(P.jurisdiction.baseline_category, parsed[2], { compact: true });
      }
    } catch (err) {
      var problems = err.problems || (err instanceof HC.PolicyError ? [err.message] : null);
      if (!problems) throw err;
      result.appendChild(el('div', { class: 'hc-errors', role: 'alert' }, [el('p', { text: '请先改正下面的问题：' }),
        el('ul', {}, problems.map(function (m) { return el('li', { text: plainMessage(m) }); }))]));
      return;
    }
    showAnswer(parsed[2], answer, base);
  }

  function catName(id) { return engine.categories.get(id).name; }
  function levelName(id) { return engine.levels.get(id).name; }
  function pct(ratio4) { return (Number(ratio4) * 100).toFixed(2).replace(/\.?0+$/, '') + '%'; }
  // The site's one badge style: 示例数字 in one colour, 按本县理解 (any reading of the text) in another.
  function mark(text) { return text ? el('span', { class: text === '示例数字' ? 'mark-illustrative' : 'mark-interpreted', text: text }) : null; }

  function showAnswer(claims, answer, base) {
    var head = el('div', { class: 'hc-summary' }, [el('h2', { text: '计算结果' }),
      el('p', { text: '人员类别：' + catName(state.category) + '。数据版本 ' + P.version + '。' })]);
    result.appendChild(head);
    Object.keys(answer.year).forEach(function (y) {
      var t = answer.year[y];
      var lastDate = claims.map(function (c) { return c.date; }).filter(function (d) { return d.slice(0, 4) === y; }).sort().pop();
      var thresholdMark = engine.monitoring(state.category, lastDate).mark;
      var box = el('div', { class: 'hc-year' + (t.monitoring_alert ? ' hc-alert' : '') }, [
        el('h3', { text: y + ' 年合计' }),
        el('p', {}, ['看病 ' + t.claims + ' 次，总费用 ', el('b', { text: t.total }), ' 元；各道保障线一共报销 ',
          el('b', { class: 'hc-reimbursed', text: t.reimbursed }), ' 元；自己付 ', el('b', { class: 'hc-selfpay', text: t.self_pay }), ' 元。']),
      ]);
      (t.discretionary || []).forEach(function (d) { // paid at the fund's discretion: a range, never added
        box.appendChild(el('p', { class: 'hc-discretionary' }, [d.name + '：' + d.text + '（不计入上面的报销金额）', mark(d.label)]));
      });
      if (t.monitoring_alert) {
        box.appendChild(el('p', { class: 'hc-alert-text', role: 'alert' }, [
          '这一年自己付的钱超过了 ' + t.monitoring_threshold + ' 元', mark(thresholdMark), '（防止因病返贫监测线）。',
          '可以请村卫生室的签约医生或村干部向乡镇报告，申请纳入防止因病返贫监测，看能不能得到医疗救助或其他帮扶；也可以打下面“哪里可以问”里的电话。']));
      }
      result.appendChild(box);
    });
    answer.claims.forEach(function (c, i) {
      var claim = claims[i];
      var sec = el('section', { class: 'hc-claim' }, [el('h3', { text: '第 ' + (i + 1) + ' 次看病：' + claim.date + ' · ' +
        KINDS[claim.kind] + ' · ' + levelName(claim.hospital_level) + ' · ' + (claim.in_county ? '县域内' : '县域外') })]);
      var table = el('table', { class: 'hc-layers' }, [el('tr', {}, [el('th', { text: '保障线' }), el('th', { text: '报销（元）' })])]);
      c.layers.forEach(function (layer, k) {
        var marks = layer.explanation ? layer.explanation.marks : [];
        table.appendChild(el('tr', { class: layer.applied ? '' : 'hc-skip', 'data-layer': layer.id }, [
          el('td', {}, [layer.name].concat(marks.map(mark)).concat([el('div', { class: 'hc-why', text: explain(layer, c.layers.slice(0, k)) })])),
          el('td', { class: 'hc-num', text: layer.paid }),
        ]));
      });
      table.appendChild(el('tr', { class: 'hc-total' }, [el('td', { text: '合计报销' }), el('td', { class: 'hc-num', text: c.reimbursed })]));
      table.appendChild(el('tr', { class: 'hc-total' }, [el('td', { text: '自己付（占总费用 ' + pct(c.self_pay_ratio) + '）' }),
        el('td', { class: 'hc-num', text: c.self_pay })]));
      sec.appendChild(table);
      if (base) {
        var b = base.claims[i];
        var more = HC.parseYuan(c.reimbursed) - HC.parseYuan(b.reimbursed);
        sec.appendChild(el('p', { class: 'hc-compare' }, ['如果是' + catName(P.jurisdiction.baseline_category) + '，同样看病能报 ' + b.reimbursed +
          ' 元，自己付 ' + b.self_pay + ' 元。' + (more > 0 ? '作为' + catName(state.category) + '，这次多报 ' + HC.fmt(more) + ' 元。' : '')]));
      }
      result.appendChild(sec);
    });
    result.appendChild(el('p', { class: 'hc-note', text: '标着“示例数字”的不是官方数字，标着“按本县理解”的是对文件的一种理解；实际报销以医院结算单为准。' }));
    result.appendChild(el('div', { class: 'hc-buttons hc-noprint' }, [
      el('button', { type: 'button', class: 'hc-print', text: '打印结果' }),
      el('button', { type: 'button', class: 'hc-share', text: '复制这个结果的链接' }),
    ]));
    result.querySelector('.hc-print').addEventListener('click', function () { window.print(); });
    result.querySelector('.hc-share').addEventListener('click', function (e) {
      var done = function () { e.target.textContent = '链接已复制'; };
      if (navigator.clipboard) navigator.clipboard.writeText(location.href).then(done, function () { prompt('复制这个链接：', location.href); });
      else prompt('复制这个链接：', location.href);
    });
  }

  // Name each base for what it is: after a line has paid, what is left of the catalogue costs is
  // not "目录内费用" any more but what remains of it after those lines (as the engine computes it).
  var BASE_ID = {};
  Object.keys(P.labels.bases).forEach(function (id) { BASE_ID[P.labels.bases[id]] = id; });
  function baseName(name, earlier) {
    var id = BASE_ID[name];
    if (!id) return name; // a part the data names itself
    var paid = earlier.filter(function (l) {
      if (!l.applied || l.paid === '0.00') return false;
      if (l.explanation.method !== 'share') return id === 'in_catalog'; // waivers and ceilings take from it first
      return l.explanation.parts.some(function (p) { return BASE_ID[p.name] === id && p.paid !== '0.00'; });
    }).map(function (l) { return l.name; });
    return paid.length ? paid.join('、') + '报销后还剩的' + name : name;
  }

  function explain(layer, earlier) {
    if (!layer.applied) return '这道线不适用：' + layer.reason + '。';
    var x = layer.explanation;
    if (x.method === 'share') {
      var pieces = x.parts.map(function (p) {
        var base = baseName(p.name, earlier) + ' ' + p.base + ' 元';
        if (p.personal_share) base += ' − 先自付的 ' + p.personal_share;
        if (p.deductible_used !== '0.00') base += ' − 起付线 ' + p.deductible_used;
        var text = '（' + base + '）× ' + p.ratio + ' = ' + p.exact;
        if (p.capped) text += '，到了封顶线，只能报 ' + p.paid;
        else if (p.exact !== p.paid) text += '，四舍五入到分是 ' + p.paid;
        return text + ' 元';
      });
      var more = [];
      if (x.deductible) more.push('起付线 ' + x.deductible.amount + ' 元（' + (x.deductible.per === 'year' ? '一年累计' : '每次') +
        '），这次扣了 ' + x.deductible.used + ' 元' + (x.deductible.per === 'year' ? '，今年还剩 ' + x.deductible.left_after + ' 元' : ''));
      if (x.cap) more.push('封顶线 ' + x.cap.amount + ' 元（' + (x.cap.per === 'year' ? '一年' : '每次') + '），还可以报 ' + x.cap.left_after + ' 元');
      return pieces.join('；') + (more.length ? '。' + more.join('；') : '') + '。';
    }
    if (x.method === 'ceiling') {
      var over = x.self_pay_before !== '0.00' && layer.paid !== '0.00';
      return '前面报完后自己还要付 ' + x.self_pay_before + ' 元；自己付的最多是总费用的 ' + x.ceiling_ratio + '（' + x.ceiling + ' 元）' +
        (over ? '，超出的 ' + layer.paid + ' 元由这道线付。' : '，没有超过，这道线不用付。');
    }
    if (!x.items.length) return '没有填写可以减免的费用。';
    return x.items.map(function (i) { return i.name + ' ' + i.amount + ' 元 × ' + i.rate; }).join(' + ') + '，合计减免 ' + layer.paid + ' 元。';
  }

  render();
  if (location.hash) compute();
})();
