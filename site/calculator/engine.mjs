// The reimbursement engine in the browser: the rules of policy/engine.py, read from policy.json.
// Ordered layers; per-claim and per-year deductibles and caps (shared through pools); a year's
// claims in date order (ties in input order); each layer's payment rounded half-up to the fen
// once; the value in force on each claim's date; the same refusals with the same messages.
import { addFractions, fraction, fmt, fmtExact, fmtRatio, halfUp, mulHalfUp, ratio4 } from './money.mjs';
import { pyStr } from './values.mjs';

export class PolicyError extends Error {}

const OTHER = 'other';
const STATUSES = ['official', 'derived', 'interpreted', 'illustrative'];

// What a claim or person offers to breakdown lookups (policy/params.py Keys).
class Keys {
  constructor(values, groups, names) {
    this.v = values; // by -> value: category, hospital_level, chronic_class, disease_group (list), ...
    this.groups = groups;
    this.names = names;
  }
  matches(by, key) {
    if (key === OTHER) return true;
    const v = this.v[by];
    if (by === 'category') return key === v || this.groups.includes(key);
    if (Array.isArray(v)) return v.includes(key);
    return key === v;
  }
  label(by) {
    const v = this.v[by];
    if (Array.isArray(v)) return v.join('、') || '无';
    if (by === 'hospital' && v == null) return '未写明医院';
    if (typeof v === 'string') return this.names.get(v) ?? v;
    return pyStr(v);
  }
}

// The value of a parameter in force on `date` for `keys`: {value, start, status, taken}.
export function lookup(param, keys, date, byLabel) {
  let node = param.tree;
  const taken = [];
  while (!Array.isArray(node)) {
    const hit = node.branches.find(([key]) => keys.matches(node.by, key));
    if (!hit) {
      throw new PolicyError(`参数“${param.description}”（${param.name}）没有适用于${byLabel[node.by] ?? node.by}` +
        `“${keys.label(node.by)}”的数值（${param.file}）`);
    }
    taken.push(hit[0]);
    node = hit[1];
  }
  let lo = 0, hi = node.length; // bisect_right on the start dates
  while (lo < hi) { const mid = (lo + hi) >> 1; if (date < node[mid][0]) hi = mid; else lo = mid + 1; }
  const entry = lo > 0 ? node[lo - 1] : null;
  if (!entry || entry[1] === null) {
    throw new PolicyError(`参数“${param.description}”（${param.name}）在 ${date} 没有生效的数值（${param.file}）`);
  }
  return { value: entry[1], start: entry[0], status: entry[2] || 'official', taken };
}

function paramStarts(param, out) {
  const walk = (node) => {
    if (Array.isArray(node)) for (const [start] of node) out.add(start);
    else for (const [, child] of node.branches) walk(child);
  };
  walk(param.tree);
}

export function layerParams(layer) {
  const found = [];
  for (const part of layer.parts || []) found.push(part.ratio);
  for (const key of ['ratio_bonus', 'deductible', 'cap', 'ceiling_ratio']) if (layer[key]) found.push(layer[key]);
  if (layer.personal_share) found.push(layer.personal_share.rate);
  for (const item of layer.items || []) found.push(item.rate);
  return found;
}

export class Engine {
  constructor(policy) {
    this.policy = policy;
    this.byLabel = policy.labels.by;
    this.categories = new Map(policy.categories.map((c) => [c.id, c]));
    this.groups = new Map(policy.groups.map((g) => [g.id, g]));
    this.groupsOf = new Map(policy.categories.map((c) => [c.id, policy.groups.filter((g) => g.members.includes(c.id)).map((g) => g.id)]));
    this.levels = new Map(policy.levels.map((l) => [l.id, l]));
    this.chronicClasses = new Map(policy.chronic_classes.map((c) => [c.id, c]));
    this.diseases = new Map(policy.diseases.map((d) => [d.id, d]));
    this.names = new Map([...policy.categories, ...policy.levels, ...policy.chronic_classes].map((x) => [x.id, x.name]));
    this.layers = policy.layers.map((raw) => this._compileLayer(raw));
    this.readingLabels = policy.labels.readings;
    // fee items some layer waives, by claim kind: any other item on a claim is refused
    this.waiverItems = new Map(Object.keys(policy.labels.claim_kinds).map((kind) => [kind,
      new Set(this.layers.flatMap((l) => (l.items || []).filter((i) => i.kinds.includes(kind)).map((i) => i.id)))]));
    this.hospitals = new Map(policy.hospitals.map((h) => [h.id, h]));
    const byHospital = (node) => !Array.isArray(node) && (node.by === 'hospital' || node.branches.some(([, c]) => byHospital(c)));
    this.hospitalMatters = this.layers.some((l) => l.hospitalSet) || policy.layers.some((l) => layerParams(l).some((p) => byHospital(p.tree)));
    const starts = new Set();
    for (const layer of policy.layers) for (const p of layerParams(layer)) paramStarts(p, starts);
    this.breaks = [...starts].sort();
    this.plans = new Map();
    this.thresholds = new Map();
  }

  _compileLayer(raw) {
    const cond = raw.applies_to || {};
    const cats = cond.categories;
    const layer = { ...raw, kinds: new Set(raw.kinds) };
    layer.categorySet = cats ? new Set(this.policy.categories.map((c) => c.id)
      .filter((c) => cats.includes(c) || this.groupsOf.get(c).some((g) => cats.includes(g)))) : null;
    layer.categoryLabel = cats ? cats.map((c) => (this.categories.get(c) || this.groups.get(c) || { name: c }).name).join('、') : '';
    layer.levelSet = cond.levels ? new Set(cond.levels) : null;
    layer.hospitalSet = cond.hospitals ? new Set(cond.hospitals) : null; // with levels: the level OR the hospital
    layer.inCounty = cond.in_county ?? null;
    layer.classSet = cond.chronic_classes ? new Set(cond.chronic_classes) : null;
    return layer;
  }

  // One person's claims -> {claims, year}; money as strings, as `calc --no-explain` writes them.
  // explain: each applied layer also gets `explanation` (the arithmetic, for the page).
  // compact: each claim gives only {index, layers: {id: paid}, reimbursed, self_pay} (the comparison).
  compute(category, claims, { explain = false, compact = false } = {}) {
    const order = claims.map((_, i) => i);
    if (claims.length > 1) order.sort((a, b) => (claims[a].date < claims[b].date ? -1 : claims[a].date > claims[b].date ? 1 : 0));
    const results = new Array(claims.length);
    const years = new Map();
    const groups = this.groupsOf.get(category) || [];
    for (const i of order) {
      const claim = claims[i];
      const y = Number(claim.date.slice(0, 4));
      let year = years.get(y);
      if (!year) years.set(y, year = { used: new Map(), total: 0, reimbursed: 0, self_pay: 0, claims: 0, last_date: null, kinds: new Set() });
      let plan;
      try {
        plan = this._plan(category, groups, claim);
      } catch (e) {
        if (e instanceof PolicyError) throw new PolicyError(`claims[${claim.index}]: ${e.message}`);
        throw e;
      }
      results[i] = this._claim(plan, claim, year, explain, compact);
    }
    return { claims: results, year: this._years(years, category, groups) };
  }

  _plan(category, groups, claim) {
    const diseaseGroups = [];
    for (const d of claim.diseases || []) for (const g of this.diseases.get(d).groups) if (!diseaseGroups.includes(g)) diseaseGroups.push(g);
    let b = 0, hi = this.breaks.length; // bisect_right(breaks, date)
    while (b < hi) { const mid = (b + hi) >> 1; if (claim.date < this.breaks[mid]) hi = mid; else b = mid + 1; }
    const hospital = this.hospitalMatters ? claim.hospital ?? null : null;
    const key = [category, claim.kind, claim.hospital_level, claim.in_county, claim.chronic_class, hospital, diseaseGroups.join(','), b].join('|');
    let plan = this.plans.get(key);
    if (!plan) {
      const keys = new Keys({ category, hospital_level: claim.hospital_level, chronic_class: claim.chronic_class ?? null,
        disease_group: diseaseGroups, hospital }, groups, this.names);
      plan = this.layers.filter((l) => l.kinds.has(claim.kind)).map((l) => this._step(l, keys, category, claim));
      this.plans.set(key, plan);
    }
    return plan;
  }

  _value(param, keys, date, used) {
    const found = lookup(param, keys, date, this.byLabel);
    used.push({ param, ...found });
    return found.value;
  }

  _step(layer, keys, category, claim) {
    const step = { layer, reason: this.notApplicable(layer, category, claim), used: [] };
    if (step.reason) return step;
    const date = claim.date, used = step.used;
    for (const which of ['deductible', 'cap']) {
      const param = layer[which];
      if (param) step[which] = { amount: this._value(param, keys, date, used), perYear: param.per === 'year',
        key: `${which}:${param.pool || `${layer.id}.${which}`}` };
    }
    if (layer.method === 'share') {
      const bonus = layer.ratio_bonus ? fraction(this._value(layer.ratio_bonus, keys, date, used)) : null;
      if (layer.personal_share) {
        const [n, d] = fraction(this._value(layer.personal_share.rate, keys, date, used));
        step.share = { of: layer.personal_share.of, n, d };
      }
      step.parts = layer.parts.map((part) => {
        let ratio = fraction(this._value(part.ratio, keys, date, used));
        if (bonus) {
          ratio = addFractions(ratio, bonus);
          if (ratio[0] > ratio[1]) {
            throw new PolicyError(`“${layer.name}”的报销比例加上提高的比例后超过 100%（${fmtRatio(ratio)}），请检查数据`);
          }
        }
        return { base: part.base, n: ratio[0], d: ratio[1], name: part.name || this.policy.labels.bases[part.base] };
      });
    } else if (layer.method === 'ceiling') {
      const [n, d] = fraction(this._value(layer.ceiling_ratio, keys, date, used));
      step.ceiling = { n, d };
    } else {
      step.items = layer.items.filter((item) => item.kinds.includes(claim.kind)).map((item) => {
        const [n, d] = fraction(this._value(item.rate, keys, date, used));
        return { id: item.id, name: item.name, n, d };
      });
    }
    return step;
  }

  notApplicable(layer, category, claim) {
    if (layer.categorySet && !layer.categorySet.has(category)) return `只适用于${layer.categoryLabel}`;
    if ((layer.levelSet || layer.hospitalSet) && !((layer.levelSet && layer.levelSet.has(claim.hospital_level)) ||
        (layer.hospitalSet && layer.hospitalSet.has(claim.hospital)))) {
      const names = this.policy.levels.filter((l) => layer.levelSet && layer.levelSet.has(l.id)).map((l) => l.name)
        .concat(this.policy.hospitals.filter((h) => layer.hospitalSet && layer.hospitalSet.has(h.id)).map((h) => h.name));
      return `只适用于在这些医院就医：${names.join('、')}`;
    }
    if (layer.inCounty !== null && claim.in_county !== layer.inCounty) return layer.inCounty ? '只适用于县域内就医' : '只适用于县域外就医';
    if (layer.classSet && !layer.classSet.has(claim.chronic_class)) {
      const names = [...layer.classSet].sort().map((c) => this.chronicClasses.get(c).name).join('、');
      return `只适用于${names}`;
    }
    return null;
  }

  _claim(plan, claim, year, explain, compact) {
    const remaining = { in_catalog: claim.total - claim.out_of_catalog_necessary - claim.self_funded,
      out_of_catalog_necessary: claim.out_of_catalog_necessary };
    const claimUsed = new Map();
    let paid = 0;
    const layersOut = compact ? {} : [];
    for (const step of plan) {
      const layer = step.layer;
      if (step.reason) {
        if (compact) layersOut[layer.id] = '0.00';
        else layersOut.push(explain ? { id: layer.id, name: layer.name, applied: false, paid: '0.00', reason: step.reason }
          : { id: layer.id, name: layer.name, applied: false, paid: '0.00' });
        continue;
      }
      let amount, explanation;
      if (step.parts) [amount, explanation] = this._share(step, claim, year, remaining, claimUsed, explain);
      else if (step.ceiling) { [amount, explanation] = this._ceiling(step, claim, year, paid, claimUsed, explain); reduce(remaining, amount); }
      else { [amount, explanation] = waiver(step, claim, explain); reduce(remaining, amount); }
      paid += amount;
      if (compact) layersOut[layer.id] = fmt(amount);
      else {
        const entry = { id: layer.id, name: layer.name, applied: true, paid: fmt(amount) };
        if (explain) {
          const marks = step.used.map((u) => this.readingLabels[u.status]);
          if (layer.scope_status) marks.unshift(this.readingLabels[layer.scope_status]);
          entry.explanation = { ...explanation, parameters: step.used.map(paramInfo), marks: [...new Set(marks.filter(Boolean))] };
        }
        layersOut.push(entry);
      }
    }
    const selfPay = claim.total - paid;
    year.total += claim.total;
    year.reimbursed += paid;
    year.self_pay += selfPay;
    year.claims += 1;
    year.last_date = claim.date;
    year.kinds.add(claim.kind);
    const out = { index: claim.index, layers: layersOut, reimbursed: fmt(paid), self_pay: fmt(selfPay) };
    if (!compact) {
      out.self_pay_ratio = ratio4(selfPay, claim.total);
      if (claim.id != null) out.id = claim.id;
    }
    return out;
  }

  _share(step, claim, year, remaining, claimUsed, explain) {
    const ded = step.deductible, cap = step.cap;
    const dedBefore = ded ? left(ded, year, claimUsed) : null;
    let capLeft = cap ? left(cap, year, claimUsed) : null;
    const capBefore = capLeft;
    // A personal share makes the base exact to less than a fen: work in units of 1/den fen.
    let shareNum = 0, den = 1;
    if (step.share) { shareNum = claim[step.share.of] * step.share.n; den = step.share.d; }
    let dedLeftD = ded ? dedBefore * den : 0;
    let total = 0;
    const parts = [];
    for (const part of step.parts) {
      const baseFen = remaining[part.base];
      let baseD = baseFen * den, shareD = 0;
      if (shareNum && part.base === 'in_catalog') {
        shareD = Math.min(shareNum, baseD);
        baseD -= shareD;
        shareNum = 0;
      }
      const usedD = Math.min(baseD, dedLeftD);
      dedLeftD -= usedD;
      const afterD = baseD - usedD;
      let amount = mulHalfUp(afterD, part.n, den * part.d);
      const capped = capLeft !== null && amount > capLeft;
      if (capped) amount = capLeft;
      if (capLeft !== null) capLeft -= amount;
      remaining[part.base] = baseFen - amount;
      total += amount;
      if (explain) {
        parts.push({ name: part.name, base: fmt(baseFen), personal_share: shareD ? fmtExact(shareD, den) : null,
          deductible_used: fmtExact(usedD, den), ratio: fmtRatio([part.n, part.d]),
          exact: exactProduct(afterD, part.n, den * part.d), paid: fmt(amount), capped });
      }
    }
    if (ded && den === 1) use(ded, year, claimUsed, dedBefore - dedLeftD);
    if (cap) use(cap, year, claimUsed, total);
    if (!explain) return [total, null];
    const out = { method: 'share', parts };
    if (ded) out.deductible = { amount: fmt(ded.amount), per: ded.perYear ? 'year' : 'claim', left_before: fmt(dedBefore),
      used: fmtExact(dedBefore * den - dedLeftD, den), left_after: fmtExact(dedLeftD, den) };
    if (cap) out.cap = { amount: fmt(cap.amount), per: cap.perYear ? 'year' : 'claim', left_before: fmt(capBefore), left_after: fmt(capLeft) };
    return [total, out];
  }

  _ceiling(step, claim, year, paidSoFar, claimUsed, explain) {
    const { n, d } = step.ceiling;
    const ceiling = mulHalfUp(claim.total, n, d);
    const selfPay = claim.total - paidSoFar;
    let amount = Math.max(0, selfPay - ceiling);
    let capBefore = null;
    if (step.cap) {
      capBefore = left(step.cap, year, claimUsed);
      amount = Math.min(amount, capBefore);
      use(step.cap, year, claimUsed, amount);
    }
    if (!explain) return [amount, null];
    const out = { method: 'ceiling', self_pay_before: fmt(selfPay), ceiling_ratio: fmtRatio([n, d]), ceiling: fmt(ceiling) };
    if (capBefore !== null) out.cap = { left_before: fmt(capBefore), left_after: fmt(capBefore - amount) };
    return [amount, out];
  }

  // The monitoring line for a person on a date: {value (fen), mark (示例数字 …)} — for the page's alert.
  monitoring(category, date) {
    const found = lookup(this.policy.monitoring.self_pay_threshold, this._personKeys(category, this.groupsOf.get(category) || []), date, this.byLabel);
    return { value: found.value, mark: this.readingLabels[found.status] };
  }

  _personKeys(category, groups) {
    return new Keys({ category, hospital_level: null, chronic_class: null, disease_group: [] }, groups, new Map());
  }

  _years(years, category, groups) {
    const out = {};
    const keys = this._personKeys(category, groups);
    for (const y of [...years.keys()].sort((a, b) => a - b)) {
      const state = years.get(y);
      const cacheKey = `${category}|${state.last_date}`;
      let threshold = this.thresholds.get(cacheKey);
      if (!threshold) {
        const found = lookup(this.policy.monitoring.self_pay_threshold, keys, state.last_date, this.byLabel);
        this.thresholds.set(cacheKey, threshold = [found.value, fmt(found.value)]);
      }
      out[String(y)] = { claims: state.claims, total: fmt(state.total), reimbursed: fmt(state.reimbursed),
        self_pay: fmt(state.self_pay), monitoring_threshold: threshold[1], monitoring_alert: state.self_pay > threshold[0],
        discretionary: this._discretionary(keys, state) };
    }
    return out;
  }

  // Compensation paid at the year's end at the fund's discretion: shown as a range, never added.
  _discretionary(keys, state) {
    const out = [];
    for (const d of this.policy.discretionary || []) {
      if (d.categories && !d.categories.includes(keys.v.category) && !keys.groups.some((g) => d.categories.includes(g))) continue;
      if (!d.kinds.some((k) => state.kinds.has(k))) continue;
      const low = lookup(d.ratio_min, keys, state.last_date, this.byLabel);
      const high = lookup(d.ratio_max, keys, state.last_date, this.byLabel);
      const status = STATUSES[Math.max(STATUSES.indexOf(low.status), STATUSES.indexOf(high.status))]; // the less sure one
      out.push({ id: d.id, name: d.name, ratio_min: low.value, ratio_max: high.value,
        text: d.text.replace('{min}', fmtRatio(fraction(low.value))).replace('{max}', fmtRatio(fraction(high.value))),
        status, label: this.readingLabels[status] });
    }
    return out;
  }
}

function left(limit, year, claimUsed) {
  return Math.max(0, limit.amount - ((limit.perYear ? year.used : claimUsed).get(limit.key) || 0));
}

function use(limit, year, claimUsed, fen) {
  const table = limit.perYear ? year.used : claimUsed;
  table.set(limit.key, (table.get(limit.key) || 0) + fen);
}

// A waiver or backstop payment lowers the in-catalog cost first, then the rest.
function reduce(remaining, amount) {
  const take = Math.min(amount, remaining.in_catalog);
  remaining.in_catalog -= take;
  remaining.out_of_catalog_necessary -= Math.min(amount - take, remaining.out_of_catalog_necessary);
}

function waiver(step, claim, explain) {
  // Σ amount × rate exactly (BigInt fractions), rounded half-up once.
  let num = 0n, den = 1n;
  const lines = [];
  for (const item of step.items) {
    const amount = (claim.fee_items && claim.fee_items[item.id]) || 0;
    if (!amount) continue;
    const d = BigInt(item.d);
    num = num * d + BigInt(amount) * BigInt(item.n) * den;
    den *= d;
    lines.push({ id: item.id, name: item.name, amount: fmt(amount), rate: fmtRatio([item.n, item.d]) });
  }
  const paid = halfUp(num, den);
  return [paid, explain ? { method: 'waiver', items: lines } : null];
}

function exactProduct(a, n, d) {
  const num = BigInt(a) * BigInt(n), den = BigInt(d);
  const q = num / den;
  let r = num % den, digits = '';
  while (r && digits.length < 8) { r *= 10n; digits += (r / den).toString(); r %= den; }
  return fmt(Number(q)) + digits;
}

function paramInfo(u) {
  const p = u.param;
  const value = p.unit === 'yuan' ? fmt(u.value) : p.unit === 'ratio' ? fmtRatio(fraction(u.value)) : String(u.value);
  return { name: p.name, description: p.description, value, from: u.start, keys: u.taken, status: u.status,
    source: p.source, clause: p.clause || null };
}
