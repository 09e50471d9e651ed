// The `calc` contract of policy/cases.py and the input checks `eligible` shares: the same input,
// the same answer, the same refusals (one Chinese message per bad field, in order, nothing computed).
import { Num, escapeControls, shown } from './values.mjs';
import { MoneyError, fmt, parseYuan } from './money.mjs';
import { Engine, PolicyError } from './engine.mjs';

// policy/limits.py
export const MAX_CASES = 100000;
export const MAX_BATCH_CLAIMS = 200000;
export const MAX_CLAIMS = 1000;
export const MAX_ELIGIBLE_PEOPLE = 10000;
export const MAX_HOUSEHOLD = 30;
export const MAX_MESSAGES = 200;
const MIN_YEAR = 1900, MAX_YEAR = 2199;
const n0 = (x) => x.toLocaleString('en-US'); // 100,000 as Python's {:,}
const PERSON_KEYS = ['category', 'age', 'sex', 'diseases', 'chronic_class', 'disabilities', 'pregnant', 'township', 'village', 'name'];
const CLAIM_KEYS = ['id', 'date', 'kind', 'hospital', 'hospital_level', 'in_county', 'total', 'out_of_catalog_necessary',
  'self_funded', 'class_b', 'chronic_class', 'diseases', 'fee_items'];
const CLAIM_KEY_SET = new Set(CLAIM_KEYS);

// Bad input: the problems found (control characters escaped); `total` counts those not kept.
export class InputError extends Error {
  constructor(problems, total) {
    const shownProblems = problems.map(escapeControls);
    super(shownProblems.join('\n'));
    this.problems = shownProblems;
    this.total = Math.max(total || 0, shownProblems.length);
  }
}

// Keeps the first `keep` problems and only counts the rest (policy/problems.py ProblemList).
export class ProblemList extends Array {
  static get [Symbol.species]() { return Array; }
  constructor(keep) { super(); this.keep = keep; this.hidden = 0; }
  add(problem) { if (this.length < this.keep) this.push(problem); else this.hidden += 1; }
  addAll(err) { for (const p of err.problems) this.add(p); this.hidden += err.total - err.problems.length; }
  get total() { return this.length + this.hidden; }
}

// Loaded policies by jurisdiction id, each with its engine and lookup tables.
export class Service {
  constructor(policies) {
    this.j = new Map();
    for (const p of policies) {
      const engine = new Engine(p);
      const villages = new Map();
      for (const t of p.townships) for (const v of t.villages) villages.set(v.id, [t, v]);
      this.j.set(p.jurisdiction.id, { policy: p, engine, name: p.jurisdiction.name,
        townships: new Map(p.townships.map((t) => [t.id, t])), villages,
        hospitals: new Map(p.hospitals.map((h) => [h.id, h])), levels: engine.levels,
        disabilities: p.labels.disabilities, claimKinds: p.labels.claim_kinds });
    }
  }
}

export const isDict = (v) => v instanceof Map;
const isInt = (v) => v instanceof Num && v.int;
const known = (value, table) => typeof value === 'string' && table.has(value);
const get = (m, k) => (m.has(k) ? m.get(k) : null);
const pyLen = (s) => [...s].length;

export function unknownKeys(obj, allowed, prefix, problems) {
  for (const key of obj.keys()) {
    if (!allowed.includes(key)) problems.push(`${prefix}${keyText(key)}: 不认识的字段${shown(key)}（可用：${allowed.join('、')}）`);
  }
}

// "[3]." -> "[3]" (where a whole case is meant), "" -> "输入".
export const at = (prefix) => prefix.replace(/\.+$/, '') || '输入';
// A key of the input as part of a field path: escaped, shortened, never empty.
// A plain name as it is; anything else (empty, ":", "a.b", "[0]") quoted, as policy/cases.py does.
const PLAIN_KEY = /^[A-Za-z0-9_]{1,40}$/;
const keyText = (key) => (PLAIN_KEY.test(key) ? key : shown(key));

// ------------------------------------------------------------------ calc

export function runCalc(service, data) {
  if (Array.isArray(data)) {
    if (!data.length) throw new InputError(['输入的列表是空的：至少要有一个案例']);
    if (data.length > MAX_CASES) throw new InputError([`一次最多计算 ${n0(MAX_CASES)} 个案例（这里有 ${n0(data.length)} 个）：更多请用 --jsonl，每行一个案例`]);
    const claimsIn = data.reduce((n, c) => n + (c instanceof Map && Array.isArray(c.get('claims')) ? c.get('claims').length : 0), 0);
    if (claimsIn > MAX_BATCH_CLAIMS) throw new InputError([`一次最多计算 ${n0(MAX_BATCH_CLAIMS)} 条就医记录（这里有 ${n0(claimsIn)} 条）：更多请用 --jsonl，每行一个案例`]);
    const parsed = [];
    let problems = new ProblemList(MAX_MESSAGES);
    data.forEach((c, i) => {
      try { parsed.push(parseCalcCase(service, c, `[${i}].`)); } catch (e) { if (!(e instanceof InputError)) throw e; problems.addAll(e); }
    });
    if (problems.total) throw new InputError(problems, problems.total);
    const out = [];
    problems = new ProblemList(MAX_MESSAGES);
    parsed.forEach(([jid, person, claims], i) => {
      try { out.push(answer(service, jid, person, claims)); } catch (e) { if (!(e instanceof PolicyError)) throw e; problems.add(`[${i}].${e.message}`); }
    });
    if (problems.total) throw new InputError(problems, problems.total);
    return out;
  }
  const [jid, person, claims] = parseCalcCase(service, data, '');
  try {
    return answer(service, jid, person, claims);
  } catch (e) {
    if (e instanceof PolicyError) throw new InputError([e.message]);
    throw e;
  }
}

function answer(service, jid, person, claims) {
  const j = service.j.get(jid);
  const result = j.engine.compute(person.category, claims);
  return { jurisdiction: jid, category: person.category, category_name: j.engine.categories.get(person.category).name, ...result };
}

export function parseCalcCase(service, c, prefix) {
  const problems = [];
  if (!isDict(c)) throw new InputError([`${at(prefix)}: 应是一个对象 {...}，包含 jurisdiction、person 和 claims，这里是${shown(c)}`]);
  unknownKeys(c, ['jurisdiction', 'person', 'claims'], prefix, problems);
  const j = jurisdiction(service, c, prefix, problems);
  if (!j) throw new InputError(problems);
  const person = parsePerson(j, get(c, 'person'), `${prefix}person`, problems);
  const claims = [];
  const raw = get(c, 'claims');
  if (raw === null) problems.push(`${prefix}claims: 缺少就医记录（claims）`);
  else if (!Array.isArray(raw) || !raw.length) problems.push(`${prefix}claims: 应是至少包含一次就医记录的列表`);
  else if (raw.length > MAX_CLAIMS) problems.push(`${prefix}claims: 一个人最多 ${MAX_CLAIMS} 条就医记录`);
  else {
    raw.forEach((r, i) => {
      const claim = parseClaim(j, r, i, `${prefix}claims[${i}]`, problems);
      if (claim) claims.push(claim);
    });
  }
  if (problems.length) throw new InputError(problems);
  return [j.policy.jurisdiction.id, person, claims];
}

export function jurisdiction(service, c, prefix, problems) {
  const jid = get(c, 'jurisdiction');
  if (jid === null) { problems.push(`${prefix}jurisdiction: 缺少地区编号（jurisdiction）`); return null; }
  if (!known(jid, service.j)) {
    problems.push(`${prefix}jurisdiction: 没有地区${shown(jid)}的政策数据（现有：${[...service.j.keys()].sort().join('、')}）`);
    return null;
  }
  return service.j.get(jid);
}

export function parsePerson(j, raw, path, problems) {
  if (raw === null) { problems.push(`${path}: 缺少人员信息（person），至少要写 category`); return null; }
  if (!isDict(raw)) { problems.push(`${path}: 应是对象，例如 {"category": "poverty"}`); return null; }
  unknownKeys(raw, PERSON_KEYS, `${path}.`, problems);
  const n = problems.length;
  const e = j.engine;
  const category = get(raw, 'category');
  if (category === null) problems.push(`${path}.category: 缺少人员类别`);
  else if (!known(category, e.categories)) problems.push(`${path}.category: 不认识的人员类别${shown(category)}（可用：${[...e.categories.keys()].join('、')}）`);
  const age = get(raw, 'age');
  if (age !== null && (!isInt(age) || BigInt(age.text) < 0n || BigInt(age.text) > 150n)) problems.push(`${path}.age: 年龄应是 0 到 150 之间的整数（周岁）`);
  const sex = get(raw, 'sex');
  if (sex !== null && sex !== 'female' && sex !== 'male') problems.push(`${path}.sex: 性别只能是 female（女）或 male（男）`);
  const diseases = idList(get(raw, 'diseases'), e.diseases, '疾病', `${path}.diseases`, problems);
  const chronic = get(raw, 'chronic_class');
  if (chronic !== null && !known(chronic, e.chronicClasses)) problems.push(`${path}.chronic_class: 不认识的慢性病类别${shown(chronic)}（可用：${[...e.chronicClasses.keys()].join('、')}）`);
  const disabilities = idList(get(raw, 'disabilities'), new Set(Object.keys(j.disabilities)), '残疾类别', `${path}.disabilities`, problems);
  const pregnant = get(raw, 'pregnant');
  if (pregnant !== null && typeof pregnant !== 'boolean') problems.push(`${path}.pregnant: 是否怀孕只能填 true 或 false`);
  let township = get(raw, 'township');
  const village = get(raw, 'village');
  if (township !== null && !known(township, j.townships)) problems.push(`${path}.township: 不认识的乡镇${shown(township)}`);
  if (village !== null) {
    if (!known(village, j.villages)) problems.push(`${path}.village: 不认识的村${shown(village)}`);
    else {
      const vt = j.villages.get(village)[0].id;
      if (township === null) township = vt;
      else if (township !== vt) problems.push(`${path}.village: 村${shown(village)}不属于乡镇${shown(township)}`);
    }
  }
  const name = get(raw, 'name');
  if (name !== null && (typeof name !== 'string' || pyLen(name) > 50)) problems.push(`${path}.name: 称呼应是 50 字以内的文字`);
  if (problems.length > n) return null;
  return { category, age: age === null ? null : Number(age.text), sex, diseases, chronic_class: chronic, disabilities,
    pregnant, township, village, name };
}

function idList(raw, table, what, path, problems) {
  if (raw === null) return [];
  if (!Array.isArray(raw) || !raw.every((x) => typeof x === 'string')) {
    problems.push(`${path}: 应是编号列表，例如 ["..."]`);
    return [];
  }
  for (const x of raw) if (!table.has(x)) problems.push(`${path}: 不认识的${what}${shown(x)}`);
  return raw;
}

const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

// policy/limits.py parse_date: exactly YYYY-MM-DD, a real day, years 1900..2199.
export function parseDate(raw, path, problems) {
  let why = '应写成 YYYY-MM-DD';
  if (typeof raw === 'string' && [...raw].length === 10 && DATE.test(raw)) {
    const [y, m, d] = raw.split('-').map(Number);
    if (!(y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m))) why = '不是日历上的日期';
    else if (y < MIN_YEAR || y > MAX_YEAR) why = `超出范围（${MIN_YEAR}-01-01 到 ${MAX_YEAR}-12-31）`;
    else return raw;
  }
  problems.push(`${path}: ${shown(raw)}不是有效日期：${why}，例如 "2020-06-01"`);
  return null;
}

function leap(y) { return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0; }
function daysIn(y, m) { return [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]; }

function money(raw, path, name, problems, required = false) {
  if (raw === null) {
    if (required) problems.push(`${path}.${name}: 缺少金额`);
    return 0;
  }
  try { return parseYuan(raw); } catch (e) {
    if (!(e instanceof MoneyError)) throw e;
    problems.push(`${path}.${name}: ${e.message}`);
    return 0;
  }
}

export function parseClaim(j, raw, index, path, problems) {
  if (!isDict(raw)) { problems.push(`${path}: 每次就医记录应是一个对象`); return null; }
  const n = problems.length;
  const e = j.engine;
  for (const k of raw.keys()) if (!CLAIM_KEY_SET.has(k)) { unknownKeys(raw, CLAIM_KEYS, `${path}.`, problems); break; }
  let date = null;
  if (!raw.has('date')) problems.push(`${path}.date: 缺少就医日期`);
  else date = parseDate(raw.get('date'), `${path}.date`, problems);
  const kind = get(raw, 'kind');
  const kinds = Object.keys(j.claimKinds);
  if (!(typeof kind === 'string' && kinds.includes(kind))) problems.push(`${path}.kind: 就医类型只能是 ${kinds.join('、')}，这里是${shown(kind)}`);
  let level = get(raw, 'hospital_level'), hospital = get(raw, 'hospital');
  if (hospital !== null) {
    if (!known(hospital, j.hospitals)) {
      problems.push(`${path}.hospital: 不认识的医院${shown(hospital)}（hospitals.yaml 中的编号，如 ${[...j.hospitals.keys()].slice(0, 4).join('、')}）`);
      hospital = null;
    } else if (level === null) level = j.hospitals.get(hospital).level; // the hospital says its level
    else if (known(level, e.levels) && level !== j.hospitals.get(hospital).level) {
      const h = j.hospitals.get(hospital);
      problems.push(`${path}.hospital_level: ${h.name}是“${e.levels.get(h.level).name}”，与填写的医院级别“${e.levels.get(level).name}”不一致`);
    }
  }
  if (!known(level, e.levels)) problems.push(`${path}.hospital_level: 不认识的医院级别${shown(level)}（可用：${[...e.levels.keys()].join('、')}）`);
  let inCounty = get(raw, 'in_county');
  if (inCounty !== null && typeof inCounty !== 'boolean') problems.push(`${path}.in_county: 是否县域内就医只能填 true 或 false`);
  const total = money(get(raw, 'total'), path, 'total', problems, true);
  const ooc = money(get(raw, 'out_of_catalog_necessary'), path, 'out_of_catalog_necessary', problems);
  const sf = money(get(raw, 'self_funded'), path, 'self_funded', problems);
  const classB = money(get(raw, 'class_b'), path, 'class_b', problems);
  const chronic = get(raw, 'chronic_class');
  if (chronic !== null && !known(chronic, e.chronicClasses)) problems.push(`${path}.chronic_class: 不认识的慢性病类别${shown(chronic)}`);
  if (kind === 'outpatient_chronic' && chronic === null) problems.push(`${path}.chronic_class: 门诊特殊慢性病要写明慢性病类别（${[...e.chronicClasses.keys()].join('、')}）`);
  const diseases = raw.has('diseases') ? idList(get(raw, 'diseases'), e.diseases, '疾病', `${path}.diseases`, problems) : [];
  const feeItems = {};
  let feeSum = 0, anyFee = false;
  const rawItems = get(raw, 'fee_items');
  if (rawItems !== null) {
    if (!isDict(rawItems)) problems.push(`${path}.fee_items: 应是“项目编号: 金额”的对象`);
    else {
      // An item no layer waives for this kind of visit would be silently ignored: refuse it.
      const usable = (typeof kind === 'string' && e.waiverItems.get(kind)) || new Set();
      const what = (typeof kind === 'string' && j.claimKinds[kind]) || '这类就医';
      for (const [item, amount] of rawItems) {
        if (!usable.has(item)) {
          const can = usable.size ? `（${what}可填：${[...usable].sort().join('、')}）` : `（${j.name}${what}没有费用减免项目）`;
          problems.push(`${path}.fee_items.${keyText(item)}: 没有哪道保障线减免这一项${can}`);
          continue;
        }
        feeItems[item] = money(amount, `${path}.fee_items`, keyText(item), problems);
        anyFee = true;
      }
      feeSum = Object.values(feeItems).reduce((a, b) => a + b, 0);
    }
  }
  const ref = get(raw, 'id');
  if (ref !== null && !(typeof ref === 'string' ? pyLen(ref) <= 100 : isInt(ref) && BigInt(ref.text).toString().length <= 100)) {
    problems.push(`${path}.id: 编号应是 100 字以内的文字或整数`);
  }
  if (problems.length > n) return null;
  const inCatalog = total - ooc - sf;
  if (inCatalog < 0) problems.push(`${path}.total: 目录外必需费用与自费费用之和（${fmt(ooc + sf)} 元）超过了总费用（${fmt(total)} 元）`);
  else if (classB > inCatalog) problems.push(`${path}.class_b: 乙类药品和特殊检查费用（${fmt(classB)} 元）不能超过目录内费用（${fmt(inCatalog)} 元）`);
  else if (anyFee && feeSum > inCatalog) problems.push(`${path}.fee_items: 减免项目金额合计超过了目录内费用（${fmt(inCatalog)} 元）`);
  if (problems.length > n) return null;
  // a named hospital stands in the county when it has a township
  if (inCounty === null) inCounty = hospital ? j.hospitals.get(hospital).in_county : e.levels.get(level).in_county;
  return { index, date, kind, hospital_level: level, hospital, in_county: inCounty, total, out_of_catalog_necessary: ooc,
    self_funded: sf, class_b: classB, chronic_class: chronic, diseases, fee_items: feeItems,
    id: ref === null ? null : typeof ref === 'string' ? ref : BigInt(ref.text).toString() };
}

export function localToday() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
