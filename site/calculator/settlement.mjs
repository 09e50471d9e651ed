// A settlement slip (结算单) checked against the policy: policy/settlement.py, rule for rule.
// One person's slips (claim fields + `paid` {layer id: yuan} + `self_pay`) -> each slip's
// differences (recorded − expected, at least one fen) and the totals 少报 / 多收.
// tests/test_settlement_parity.py holds both to the same answer on generated slips.
import { shown } from './values.mjs';
import { MoneyError, fmt, parseYuan } from './money.mjs';
import { PolicyError } from './engine.mjs';
import { InputError, MAX_CLAIMS, at, isDict, jurisdiction, parseClaim, parsePerson, unknownKeys } from './cases.mjs';

export const SELF_PAY = 'self_pay';
export const SELF_PAY_NAME = '个人自付';

const fen = (text) => { const [w, c] = text.split('.'); return Number(w) * 100 + Number(c); };

// slips: [{claim, recorded: Map(layer id -> fen), self_pay: fen}] -> [[{item, name, expected, recorded}]]
export function comparePerson(engine, category, slips, { explain = false } = {}) {
  const claims = slips.map((s) => s.claim);
  const answer = engine.compute(category, claims, { compact: true });
  const out = slips.map((slip, i) => {
    const expected = answer.claims[i].layers;
    const diffs = [];
    for (const layer of engine.layers) {
      const want = expected[layer.id] !== undefined ? fen(expected[layer.id]) : 0;
      const got = slip.recorded.get(layer.id) || 0;
      if (want !== got) diffs.push({ item: layer.id, name: layer.name, expected: want, recorded: got });
    }
    const selfPay = fen(answer.claims[i].self_pay);
    if (selfPay !== slip.self_pay) diffs.push({ item: SELF_PAY, name: SELF_PAY_NAME, expected: selfPay, recorded: slip.self_pay });
    return diffs;
  });
  if (explain && out.some((d) => d.length)) {
    // the arithmetic and the parameters of each differing layer, for the page
    const full = engine.compute(category, claims, { explain: true });
    out.forEach((diffs, i) => {
      const byId = new Map(full.claims[i].layers.map((e) => [e.id, e]));
      for (const d of diffs) {
        d.layer = byId.get(d.item) || null;
        if (d.item === SELF_PAY) d.layer = full.claims[i].layers.find((e) => e.explanation && e.explanation.method === 'ceiling') || null;
        d.total = { total: fmt(claims[i].total), reimbursed: full.claims[i].reimbursed };
      }
    });
  }
  return out;
}

export function totals(diffs) {
  let underpaid = 0, overcharged = 0;
  for (const d of diffs) {
    const diff = d.recorded - d.expected;
    if (d.item !== SELF_PAY && diff < 0) underpaid -= diff;
    if (d.item === SELF_PAY && diff > 0) overcharged += diff;
  }
  return { underpaid, overcharged };
}

// The check contract (policy.settlement.run_check with explain=False): the same refusals, the same answer.
export function runCheck(service, c, options = {}) {
  const problems = [];
  if (!isDict(c)) throw new InputError([`${at('')}: 应是一个对象 {...}，包含 jurisdiction、person 和 slips，这里是${shown(c)}`]);
  unknownKeys(c, ['jurisdiction', 'person', 'slips'], '', problems);
  const j = jurisdiction(service, c, '', problems);
  if (!j) throw new InputError(problems);
  const engine = j.engine;
  const person = parsePerson(j, c.has('person') ? c.get('person') : null, 'person', problems);
  const raw = c.has('slips') ? c.get('slips') : null;
  const slips = [];
  if (!Array.isArray(raw) || !raw.length) problems.push('slips: 应是至少包含一张结算单的列表');
  else if (raw.length > MAX_CLAIMS) problems.push(`slips: 一个人最多 ${MAX_CLAIMS} 张结算单`);
  else {
    const layerIds = engine.layers.map((l) => l.id);
    raw.forEach((r, i) => {
      const path = `slips[${i}]`;
      if (!isDict(r)) { problems.push(`${path}: 每张结算单应是一个对象`); return; }
      const fields = new Map([...r].filter(([k]) => k !== 'paid' && k !== 'self_pay'));
      const claim = parseClaim(j, fields, i, path, problems);
      let paid = r.has('paid') && r.get('paid') !== null ? r.get('paid') : new Map();
      const recorded = new Map();
      if (!isDict(paid)) { problems.push(`${path}.paid: 应是“保障线编号: 金额”的对象`); paid = new Map(); }
      for (const [lid, amount] of paid) {
        if (!layerIds.includes(lid)) { problems.push(`${path}.paid.${lid}: 不认识的保障线（可用：${layerIds.join('、')}）`); continue; }
        try { recorded.set(lid, parseYuan(amount)); } catch (e) { if (!(e instanceof MoneyError)) throw e; problems.push(`${path}.paid.${lid}: ${e.message}`); }
      }
      let selfPay = null;
      if (!r.has('self_pay')) problems.push(`${path}.self_pay: 缺少结算单上的个人自付金额`);
      else {
        try { selfPay = parseYuan(r.get('self_pay')); } catch (e) { if (!(e instanceof MoneyError)) throw e; problems.push(`${path}.self_pay: ${e.message}`); }
      }
      if (claim && selfPay !== null) slips.push({ claim, recorded, self_pay: selfPay });
    });
  }
  if (problems.length) throw new InputError(problems);
  let results;
  try {
    results = comparePerson(engine, person.category, slips, options);
  } catch (e) {
    if (e instanceof PolicyError) throw new InputError([e.message.replace('claims[', 'slips[')]);
    throw e;
  }
  let under = 0, over = 0;
  const out = slips.map((slip, i) => {
    const t = totals(results[i]);
    under += t.underpaid;
    over += t.overcharged;
    const entry = { index: slip.claim.index, differences: results[i].map((d) => ({ item: d.item, name: d.name,
      expected: fmt(d.expected), recorded: fmt(d.recorded), difference: fmt(d.recorded - d.expected) })),
    underpaid: fmt(t.underpaid), overcharged: fmt(t.overcharged) };
    if (slip.claim.id != null) entry.id = slip.claim.id;
    if (options.explain) entry.details = results[i];
    return entry;
  });
  return { jurisdiction: j.policy.jurisdiction.id, category: person.category, slips: out, underpaid: fmt(under), overcharged: fmt(over) };
}
