// The slip check page (核对我的结算单): a classic script, like calculator.js.
// The resident copies his settlement slip(s); settlement.mjs (window.HealthCalc.runCheck) computes
// what the policy gives with the same engine, and the page says, line by line, where the slip
// differs, with the rule, its date, its source quote and its reading mark; then offers the
// complaint form with the figures filled in.
(function () {
  'use strict';
  var HC = window.HealthCalc, P = window.POLICY_DATA, RULES = window.SLIP_RULES || {};
  var root = window.HealthPage && window.HealthPage.boot('slip-app', 'slip-nojs');
  if (!root || !HC.runCheck) return;
  var el = window.HealthPage.el;
  var service = new HC.Service([P]);
  var engine = service.j.get(P.jurisdiction.id).engine;
  var KINDS = P.labels.claim_kinds;
  var FIELD = { date: '结算日期', kind: '就医类型', hospital_level: '医院级别', hospital: '哪家医院', total: '医疗总费用',
    out_of_catalog_necessary: '目录外必需费用', self_funded: '自费费用', chronic_class: '慢性病类别', self_pay: '个人自付', paid: '' };

  function layersFor(kind) { return P.layers.filter(function (l) { return l.kinds.indexOf(kind) >= 0; }); }
  function feeItems(kind) {
    var out = [];
    layersFor(kind).forEach(function (l) {
      (l.items || []).forEach(function (i) { if (i.kinds.indexOf(kind) >= 0) out.push(i); });
    });
    return out;
  }
  function blank() {
    return { date: HC.localToday(), kind: 'inpatient', hospital: '', level: P.levels[Math.min(1, P.levels.length - 1)].id,
      total: '', ooc: '', sf: '', chronic: '', paid: {}, fees: {}, self_pay: '' };
  }
  var state = { category: P.categories[0].id, village: '', slips: [blank()] };

  var form = el('form', { class: 'hc-form', novalidate: true });
  var result = el('div', { class: 'hc-result', 'aria-live': 'polite' });
  root.appendChild(form);
  root.appendChild(result);

  var select = window.HealthPage.select, field = window.HealthPage.field;
  function money(name, value) { return window.HealthPage.money(name, value, name === 'total' ? '例如 20000 或 2万' : '0.00'); }

  function render() {
    form.textContent = '';
    form.appendChild(field('人员类别', select('category', P.categories.map(function (c) { return [c.id, c.name]; }), state.category),
      '贫困户家庭成员请选对类别：特困、孤儿、低保或其他建档立卡贫困人口'));
    state.slips.forEach(function (s, i) {
      var box = el('fieldset', { class: 'hc-claim-input hc-slip-input', 'data-index': i },
        [el('legend', { text: '第 ' + (i + 1) + ' 张结算单' })]);
      box.appendChild(field('结算日期', el('input', { type: 'date', name: 'date', value: s.date })));
      box.appendChild(field('就医类型', select('kind', Object.keys(KINDS).map(function (k) { return [k, KINDS[k]]; }), s.kind)));
      box.appendChild(field('哪家医院', select('hospital', [['', '不在列表里 / 不知道']].concat(P.hospitals.map(function (h) { return [h.id, h.name]; })), s.hospital)));
      if (!s.hospital) box.appendChild(field('医院级别', select('level', P.levels.map(function (l) { return [l.id, l.name]; }), s.level)));
      if (s.kind === 'outpatient_chronic') {
        box.appendChild(field('慢性病类别', select('chronic', [['', '请选择']].concat(P.chronic_classes.map(function (c) { return [c.id, c.name]; })), s.chronic)));
      }
      box.appendChild(field('医疗总费用（元）', money('total', s.total), '结算单上的“医疗费用总额”'));
      box.appendChild(field('目录外必需费用（元）', money('ooc', s.ooc), '医院认定治疗必需的目录外药品和器材，没有就不填'));
      box.appendChild(field('自费费用（元）', money('sf', s.sf), '结算单上“自费”的部分，没有就不填'));
      var items = feeItems(s.kind);
      items.forEach(function (it) { box.appendChild(field(it.name + '（元）', money('fee:' + it.id, s.fees[it.id]), '可以减免的费用项目，结算单上有才填')); });
      var funds = el('fieldset', { class: 'hc-funds' }, [el('legend', { text: '结算单上各项基金支付了多少' })]);
      layersFor(s.kind).forEach(function (l) { funds.appendChild(field(l.name + '（元）', money('paid:' + l.id, s.paid[l.id]), '没有这一行就填 0 或不填')); });
      box.appendChild(funds);
      box.appendChild(field('个人自付（元）', money('self_pay', s.self_pay), '结算单上您自己付的钱（现金支付）'));
      if (state.slips.length > 1) box.appendChild(el('button', { type: 'button', class: 'hc-remove', 'data-index': i, text: '删掉这张' }));
      form.appendChild(box);
    });
    form.appendChild(el('div', { class: 'hc-buttons' }, [
      el('button', { type: 'button', class: 'hc-add', text: '再加一张（同一年的其他结算单）' }),
      el('button', { type: 'submit', class: 'hc-go', text: '核对' })]));
  }

  function readForm() {
    state.category = form.querySelector('[name=category]').value;
    form.querySelectorAll('fieldset.hc-slip-input').forEach(function (box) {
      var s = state.slips[Number(box.getAttribute('data-index'))];
      var v = function (n) { var x = box.querySelector('[name="' + n + '"]'); return x ? x.value.trim() : null; };
      s.date = v('date'); s.kind = v('kind'); s.hospital = v('hospital') || '';
      if (v('level') !== null) s.level = v('level');
      s.total = v('total'); s.ooc = v('ooc'); s.sf = v('sf'); s.self_pay = v('self_pay');
      if (v('chronic') !== null) s.chronic = v('chronic');
      s.paid = {}; s.fees = {};
      box.querySelectorAll('input[name^="paid:"]').forEach(function (x) { if (x.value.trim()) s.paid[x.name.slice(5)] = x.value.trim(); });
      box.querySelectorAll('input[name^="fee:"]').forEach(function (x) { if (x.value.trim()) s.fees[x.name.slice(4)] = x.value.trim(); });
    });
  }

  form.addEventListener('click', function (e) {
    if (e.target.classList.contains('hc-add')) { readForm(); state.slips.push(blank()); render(); }
    if (e.target.classList.contains('hc-remove')) { readForm(); state.slips.splice(Number(e.target.getAttribute('data-index')), 1); render(); }
  });
  form.addEventListener('change', function (e) {
    if (e.target.name === 'kind' || e.target.name === 'hospital') { readForm(); render(); }
  });
  form.addEventListener('submit', function (e) { e.preventDefault(); readForm(); check(); });

  // Every amount as typed ("2万", "20,000", "２００００元") -> the engine's "20000.00" by the one
  // shared rule (amounts.mjs = policy/amounts.py), as the calculator reads them; what cannot be
  // read is listed by slip and line, in runCheck's words (plainMessage).
  function amountsOf(problems) {
    return state.slips.map(function (s, i) {
      function read(text, path) {
        if (text === '') return '';
        try { return window.HealthPage.yuan(text); } catch (err) { problems.push('slips[' + i + '].' + path + ': ' + err.message); return ''; }
      }
      var paid = {}, fees = {};
      Object.keys(s.paid).forEach(function (k) { paid[k] = read(s.paid[k], 'paid.' + k); });
      Object.keys(s.fees).forEach(function (k) { fees[k] = read(s.fees[k], 'fee_items.' + k); });
      return Object.assign({}, s, { total: read(s.total, 'total'), ooc: read(s.ooc, 'out_of_catalog_necessary'),
        sf: read(s.sf, 'self_funded'), self_pay: read(s.self_pay, 'self_pay'), paid: paid, fees: fees });
    });
  }

  // The check contract's case (policy/settlement.py run_check) from the slips as read by amountsOf.
  function caseOf(read) {
    var slips = read.map(function (s, i) {
      var m = new Map([['id', String(i + 1)], ['date', s.date], ['kind', s.kind]]);
      if (s.hospital) m.set('hospital', s.hospital); else m.set('hospital_level', s.level);
      m.set('total', s.total === '' ? null : s.total);
      if (s.ooc) m.set('out_of_catalog_necessary', s.ooc);
      if (s.sf) m.set('self_funded', s.sf);
      if (s.kind === 'outpatient_chronic' && s.chronic) m.set('chronic_class', s.chronic);
      var fees = Object.keys(s.fees).filter(function (k) { return feeItems(s.kind).some(function (i) { return i.id === k; }); });
      if (fees.length) m.set('fee_items', new Map(fees.map(function (k) { return [k, s.fees[k]]; })));
      var paid = Object.keys(s.paid).filter(function (k) { return layersFor(s.kind).some(function (l) { return l.id === k; }); });
      m.set('paid', new Map(paid.map(function (k) { return [k, s.paid[k]]; })));
      m.set('self_pay', s.self_pay === '' ? '0' : s.self_pay);
      return m;
    });
    return new Map([['jurisdiction', P.jurisdiction.id], ['person', new Map([['category', state.category]])], ['slips', slips]]);
  }

  function plainMessage(message) {
    return message.replace(/^slips\[(\d+)\]\.?([a-z_]*)(?:\.([a-z_]+))?: /, function (_, i, f, sub) {
      var name = FIELD[f] || '';
      if (f === 'paid' && sub) name = (P.layers.filter(function (l) { return l.id === sub; })[0] || { name: sub }).name;
      if (f === 'fee_items' && sub) name = (feeItems(state.slips[i].kind).filter(function (x) { return x.id === sub; })[0] || { name: sub }).name;
      return '第 ' + (Number(i) + 1) + ' 张结算单' + (name ? ' · ' + name : '') + '：';
    }).replace(/^person\.category: /, '人员类别：');
  }

  function day(iso) { return Number(iso.slice(0, 4)) + '年' + Number(iso.slice(5, 7)) + '月' + Number(iso.slice(8, 10)) + '日'; }
  function mark(text) { return text ? el('span', { class: 'hc-mark', text: text }) : null; }
  function ruleLines(layerEntry) {
    if (!layerEntry || !layerEntry.explanation) return [];
    return layerEntry.explanation.parameters.map(function (p) {
      var key = p.name + '@' + p.from + (p.keys || []).map(function (k) { return '/' + k; }).join('');
      var r = RULES[key] || {};
      if (!r.quote) { // a value reached through the "other" branch: any value of that parameter and date
        Object.keys(RULES).some(function (k) { if (k.indexOf(p.name + '@' + p.from) === 0 && RULES[k].quote) { r = RULES[k]; return true; } return false; });
      }
      var src = (r.title || (P.sources[p.source] || {}).title || '') + (r.clause || p.clause || '');
      return el('li', {}, [p.description + '：' + p.value + '（自' + day(p.from) + '起' + (src ? '，' + src : '') + '）',
        r.quote ? el('q', { text: r.quote }) : null, mark(P.labels.readings[p.status])]);
    });
  }

  function showProblems(problems) {
    result.appendChild(el('div', { class: 'hc-errors', role: 'alert' }, [el('p', { text: '请先改正下面的问题：' }),
      el('ul', {}, problems.map(function (m) { return el('li', { text: plainMessage(m) }); }))]));
  }

  function check() {
    result.textContent = '';
    var typed = [], read = amountsOf(typed), answer;
    if (typed.length) return showProblems(typed);  // amounts that cannot be read: runCheck never sees them
    try {
      answer = HC.runCheck(service, caseOf(read), { explain: true });
    } catch (err) {
      if (!err.problems) throw err;
      return showProblems(err.problems);
    }
    var under = HC.parseYuan(answer.underpaid), over = HC.parseYuan(answer.overcharged);
    var head = el('div', { class: 'hc-summary' + (under || over ? ' hc-alert' : '') }, [el('h2', { text: '核对结果' })]);
    if (!under && !over && answer.slips.every(function (s) { return !s.differences.length; })) {
      head.appendChild(el('p', { class: 'hc-ok', text: '结算单上的每一项都和政策算出来的一样。' }));
    } else {
      head.appendChild(el('p', {}, ['按政策算，各项基金一共', el('b', { class: 'hc-underpaid', text: '少报了 ' + answer.underpaid + ' 元' }),
        '；您自己一共', el('b', { class: 'hc-overcharged', text: '多收了 ' + answer.overcharged + ' 元' }), '。']));
    }
    result.appendChild(head);
    answer.slips.forEach(function (s, i) {
      var sec = el('section', { class: 'hc-claim hc-slip', 'data-index': i }, [el('h3', { text: '第 ' + (i + 1) + ' 张结算单：' + state.slips[i].date })]);
      if (!s.differences.length) sec.appendChild(el('p', { class: 'hc-ok', text: '这张结算单和政策一致。' }));
      var list = el('ul', { class: 'hc-diffs' });
      s.details.forEach(function (d) {
        var exp = HC.fmt(d.expected), rec = HC.fmt(d.recorded), diff = d.recorded - d.expected;
        var line = '按政策，' + d.name + (d.item === 'self_pay' ? '应是 ' : '应付 ') + exp + ' 元，结算单上是 ' + rec + ' 元';
        var verdict = d.item === 'self_pay' ? (diff > 0 ? '：多收了 ' + HC.fmt(diff) + ' 元。' : '：少收了 ' + HC.fmt(-diff) + ' 元。')
          : (diff < 0 ? '：少报了 ' + HC.fmt(-diff) + ' 元。' : '：多报了 ' + HC.fmt(diff) + ' 元。');
        var item = el('li', { class: 'hc-diff', 'data-item': d.item }, [el('b', { text: line + verdict })]);
        if (d.item === 'self_pay') item.appendChild(el('div', { class: 'hc-why', text: '个人自付 = 医疗总费用 ' + d.total.total + ' 元 − 各项基金应付合计 ' + d.total.reimbursed + ' 元。' }));
        else if (d.layer && !d.layer.applied) item.appendChild(el('div', { class: 'hc-why', text: '这道线不适用：' + d.layer.reason + '。' }));
        var rules = ruleLines(d.layer);
        if (rules.length) item.appendChild(el('div', { class: 'hc-why' }, [el('span', { text: '依据：' }), el('ul', {}, rules)]));
        list.appendChild(item);
      });
      sec.appendChild(list);
      result.appendChild(sec);
    });
    if (under || over) result.appendChild(complaintBox(answer, under, over, read));
    result.appendChild(el('p', { class: 'hc-note', text: '标着“示例数字”的不是官方数字，标着“按本县理解”的是对文件的一种理解。核对只按您抄下的数字计算；有疑问请带上结算单到一站式结算窗口问清楚。' }));
  }

  // The complaint form, with the figures and the differences (forms app: settlement attributes).
  function complaintBox(answer, under, over, read) {
    var base = root.getAttribute('data-complaint');
    var category = under ? root.getAttribute('data-underpaid') : root.getAttribute('data-overcharged');
    var villages = [['', '请选择您住的村']];
    P.townships.forEach(function (t) { t.villages.forEach(function (v) { villages.push([v.id, t.name + ' ' + v.name]); }); });
    var villageSelect = select('village', villages, state.village);
    var link = el('a', { class: 'hc-complain md-button md-button--primary', href: '#', text: '投诉：' + (under ? '少报了 ' + answer.underpaid + ' 元' : '多收了 ' + answer.overcharged + ' 元') });
    function update() {
      state.village = villageSelect.value;
      // the figures as read (the check contract's slips); the forms app computes the differences again
      var slips = [];
      caseOf(read).get('slips').forEach(function (m) {
        var o = {};
        m.forEach(function (v, k) {
          if (k === 'id' || v === null) return;
          o[k] = v instanceof Map ? Object.fromEntries(v) : v;
        });
        slips.push(o);
      });
      var slip = { category: state.category, slips: slips };
      var q = new URLSearchParams();
      if (state.village) q.set('village', state.village);
      if (category) q.set('category', category);
      q.set('settlement', JSON.stringify(slip));
      link.setAttribute('href', base + '?' + q.toString());
    }
    villageSelect.addEventListener('change', update);
    update();
    return el('div', { class: 'hc-complaint hc-noprint' }, [el('h3', { text: '向县里反映' }),
      el('p', { text: '点下面的按钮打开投诉表，结算单上的数字和上面列出的差别会自动填好，您只要补上联系方式。' }),
      field('您住的村', villageSelect), link]);
  }

  render();
})();
