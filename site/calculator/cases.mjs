// The `calc` contract of policy/cases.py and the input checks `eligible` shares: the same input,
// the same answer, the same refusals (one Chinese message per bad field, in order, nothing computed).
import { Num, pyStr } from './values.mjs';
import { MoneyError, fmt, parseYuan } from './money.mjs';
import { Engine, PolicyError } from './engine.mjs';

export const MAX_CASES = 100000;
export const MAX_CLAIMS = 1000;
const PERSON_KEYS = ['category', 'age', 'sex', 'diseases', 'chronic_class', 'disabilities', 'pregnant', 'township', 'village', 'name'];
const CLAIM_KEYS = ['id', 'date', 'kind', 'hospital_level', 'in_county', 'total', 'out_of_catalog_necessary',
  'self_funded', 'class_b', 'chronic_class', 'diseases', 'fee_items'];
const CLAIM_KEY_SET = new Set(CLAIM_KEYS);

export class InputError extends Error {
  constructor(problems) { super(problems.join('\n')); this.problems = problems; }
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
        hospitals: new Map(p.hospitals.map((h) => [h.id, h])),
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
    if (!allowed.includes(key)) problems.push(`${prefix}${key}: 不认识的字段“${key}”（可用：${allowed.join('、')}）`);
  }
}

// ------------------------------------------------------------------ calc

export function runCalc(service, data) {
  if (Array.isArray(data)) {
    if (!data.length) throw new InputError(['输入的列表是空的：至少要有一个案例']);
    if (data.length > MAX_CASES) throw new InputError([`一次最多计算 ${MAX_CASES} 个案例`]);
    const parsed = [];
    let problems = [];
    data.forEach((c, i) => {
      try { parsed.push(parseCalcCase(service, c, `[${i}].`)); } catch (e) { if (!(e instanceof InputError)) throw e; problems.push(...e.problems); }
    });
    if (problems.length) throw new InputError(problems);
    const out = [];
    problems = [];
    parsed.forEach(([jid, person, claims], i) => {
      try { out.push(answer(service, jid, person, claims)); } catch (e) { if (!(e instanceof PolicyError)) throw e; problems.push(`[${i}].${e.message}`); }
    });
    if (problems.length) throw new InputError(problems);
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
  if (!isDict(c)) throw new InputError([`${prefix || '输入'}: 应是一个对象 {...}，包含 jurisdiction、person 和 claims`]);
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
    problems.push(`${prefix}jurisdiction: 没有地区“${pyStr(jid)}”的政策数据（现有：${[...service.j.keys()].sort().join('、')}）`);
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
  else if (!known(category, e.categories)) problems.push(`${path}.category: 不认识的人员类别“${pyStr(category)}”（可用：${[...e.categories.keys()].join('、')}）`);
  const age = get(raw, 'age');
  if (age !== null && (!isInt(age) || BigInt(age.text) < 0n || BigInt(age.text) > 150n)) problems.push(`${path}.age: 年龄应是 0 到 150 之间的整数（周岁）`);
  const sex = get(raw, 'sex');
  if (sex !== null && sex !== 'female' && sex !== 'male') problems.push(`${path}.sex: 性别只能是 female（女）或 male（男）`);
  const diseases = idList(get(raw, 'diseases'), e.diseases, '疾病', `${path}.diseases`, problems);
  const chronic = get(raw, 'chronic_class');
  if (chronic !== null && !known(chronic, e.chronicClasses)) problems.push(`${path}.chronic_class: 不认识的慢性病类别“${pyStr(chronic)}”（可用：${[...e.chronicClasses.keys()].join('、')}）`);
  const disabilities = idList(get(raw, 'disabilities'), new Set(Object.keys(j.disabilities)), '残疾类别', `${path}.disabilities`, problems);
  const pregnant = get(raw, 'pregnant');
  if (pregnant !== null && typeof pregnant !== 'boolean') problems.push(`${path}.pregnant: 是否怀孕只能填 true 或 false`);
  let township = get(raw, 'township');
  const village = get(raw, 'village');
  if (township !== null && !known(township, j.townships)) problems.push(`${path}.township: 不认识的乡镇“${pyStr(township)}”`);
  if (village !== null) {
    if (!known(village, j.villages)) problems.push(`${path}.village: 不认识的村“${pyStr(village)}”`);
    else {
      const vt = j.villages.get(village)[0].id;
      if (township === null) township = vt;
      else if (township !== vt) problems.push(`${path}.village: 村“${village}”不属于乡镇“${pyStr(township)}”`);
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
  for (const x of raw) if (!table.has(x)) problems.push(`${path}: 不认识的${what}“${x}”`);
  return raw;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_WEEK = /^(\d{4})-W(\d{2})-(\d)$/;

// Python's date.fromisoformat on a 10-character text: YYYY-MM-DD or the ISO week form YYYY-Www-D.
export function parseDate(raw, path, problems) {
  if (typeof raw === 'string' && raw.length === 10) {
    let m = ISO_DATE.exec(raw);
    if (m) {
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      if (y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(y, mo)) return raw;
    } else if ((m = ISO_WEEK.exec(raw))) {
      const [y, w, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const iso = isoWeekDate(y, w, d);
      if (iso) return iso;
    }
  }
  problems.push(`${path}: “${pyStr(raw)}”不是有效日期，应写成 "YYYY-MM-DD"`);
  return null;
}

function leap(y) { return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0; }
function daysIn(y, m) { return [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]; }

function utcDay(y, m, d) { // a Date for any year 1..9999 (Date.UTC maps 0..99 to 1900..1999)
  const t = new Date(Date.UTC(2000, m - 1, d));
  t.setUTCFullYear(y);
  return t;
}

// Python's _isoweek_to_gregorian: week 53 only in years that have it; the result must be a real date.
function isoWeekDate(y, w, d) {
  if (y < 1 || d < 1 || d > 7 || w < 1 || w > 53) return null;
  const jan1 = utcDay(y, 1, 1).getUTCDay() || 7;
  if (w === 53 && !(jan1 === 4 || (jan1 === 3 && leap(y)))) return null;
  const jan4 = utcDay(y, 1, 4);
  const day = new Date(jan4.getTime() + ((w - 1) * 7 + (d - (jan4.getUTCDay() || 7))) * 86400000);
  const yy = day.getUTCFullYear();
  if (yy < 1 || yy > 9999) return null;
  return `${String(yy).padStart(4, '0')}-${String(day.getUTCMonth() + 1).padStart(2, '0')}-${String(day.getUTCDate()).padStart(2, '0')}`;
}

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
  if (!(typeof kind === 'string' && kinds.includes(kind))) problems.push(`${path}.kind: 就医类型只能是 ${kinds.join('、')}，这里是“${pyStr(kind)}”`);
  const level = get(raw, 'hospital_level');
  if (!known(level, e.levels)) problems.push(`${path}.hospital_level: 不认识的医院级别“${pyStr(level)}”（可用：${[...e.levels.keys()].join('、')}）`);
  let inCounty = get(raw, 'in_county');
  if (inCounty !== null && typeof inCounty !== 'boolean') problems.push(`${path}.in_county: 是否县域内就医只能填 true 或 false`);
  const total = money(get(raw, 'total'), path, 'total', problems, true);
  const ooc = money(get(raw, 'out_of_catalog_necessary'), path, 'out_of_catalog_necessary', problems);
  const sf = money(get(raw, 'self_funded'), path, 'self_funded', problems);
  const classB = money(get(raw, 'class_b'), path, 'class_b', problems);
  const chronic = get(raw, 'chronic_class');
  if (chronic !== null && !known(chronic, e.chronicClasses)) problems.push(`${path}.chronic_class: 不认识的慢性病类别“${pyStr(chronic)}”`);
  if (kind === 'outpatient_chronic' && chronic === null) problems.push(`${path}.chronic_class: 门诊特殊慢性病要写明慢性病类别（${[...e.chronicClasses.keys()].join('、')}）`);
  const diseases = raw.has('diseases') ? idList(get(raw, 'diseases'), e.diseases, '疾病', `${path}.diseases`, problems) : [];
  const feeItems = {};
  let feeSum = 0, anyFee = false;
  const rawItems = get(raw, 'fee_items');
  if (rawItems !== null) {
    if (!isDict(rawItems)) problems.push(`${path}.fee_items: 应是“项目编号: 金额”的对象`);
    else if (!e.waiverItems.size && rawItems.size) problems.push(`${path}.fee_items: ${j.name}没有医院费用减免政策，不需要填写减免项目`);
    else {
      for (const [item, amount] of rawItems) {
        if (!e.waiverItems.has(item)) {
          problems.push(`${path}.fee_items.${item}: 不认识的减免项目（可用：${[...e.waiverItems].sort().join('、')}）`);
          continue;
        }
        feeItems[item] = money(amount, `${path}.fee_items`, item, problems);
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
  if (inCounty === null) inCounty = e.levels.get(level).in_county;
  return { index, date, kind, hospital_level: level, in_county: inCounty, total, out_of_catalog_necessary: ooc,
    self_funded: sf, class_b: classB, chronic_class: chronic, diseases, fee_items: feeItems,
    id: ref === null ? null : typeof ref === 'string' ? ref : BigInt(ref.text).toString() };
}

export function localToday() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
