// Which programs apply to a person, why, and what to do next: policy/eligibility.py and the
// `eligible` contract of policy/cases.py, from policy.json. Conditions are three-valued: a fact
// not given makes a condition unknown, not false.
import { InputError, MAX_ELIGIBLE_PEOPLE, MAX_HOUSEHOLD, MAX_MESSAGES, ProblemList, at, isDict, jurisdiction, parseDate, parsePerson,
  unknownKeys } from './cases.mjs';
import { shown } from './values.mjs';
import { layerParams } from './engine.mjs';
const SEX = { female: '女性', male: '男性' };

export function screen(j, person, date) {
  const eligible = [], notEligible = [], unknown = [];
  for (const program of j.policy.programs) {
    const valid = program.valid;
    if (valid && (date < valid.from || (valid.until && date > valid.until))) {
      const until = valid.until || '现在';
      notEligible.push(brief(program, [`该项目实施时间为 ${valid.from} 至 ${until}，${date} 不在实施期内`]));
      continue;
    }
    const [state, reasons] = program.when === null ? [true, ['所有居民都可以享受']] : evaluate(j, program.when, person);
    if (state === true) eligible.push(full(j, program, person, reasons));
    else if (state === false) notEligible.push(brief(program, reasons));
    else unknown.push({ ...brief(program, []), missing: reasons });
  }
  return { eligible, not_eligible: notEligible, need_more_info: unknown };
}

function brief(program, reasons) {
  return { id: program.id, name: program.name, summary: program.summary, why: reasons };
}

function full(j, program, person, reasons) {
  const ref = program.reference;
  const source = j.policy.sources[ref.source] || {};
  return {
    id: program.id, name: program.name, summary: program.summary, benefits: program.benefits, why: reasons,
    what_to_do: { where: program.how.where.map((w) => place(j, w, person)), steps: program.how.steps, bring: program.how.bring },
    reference: { source: ref.source, title: source.title ?? null, clause: ref.clause, url: ref.url || source.url || null, note: ref.note },
    illustrative: program.illustrative,
    // how sure the program's description is: "按本县理解" / "示例数字" beside it, or nothing
    status: program.status, label: j.policy.labels.readings[program.status],
  };
}

function place(j, where, person) {
  if (where === 'village_clinic') {
    if (person.village) {
      const [township, village] = j.villages.get(person.village);
      const c = village.clinic;
      return { kind: where, name: c.name, phone: c.phone, hours: c.hours, doctors: c.doctors, township: township.name };
    }
    return { kind: where, name: '您所在村的村卫生室' };
  }
  if (where === 'township_health_center') {
    if (person.township) {
      const h = j.townships.get(person.township).health_center;
      return { kind: where, name: h.name, phone: h.phone ?? null };
    }
    return { kind: where, name: '您所在乡镇的卫生院' };
  }
  const h = j.hospitals.get(where.split(':').slice(1).join(':'));
  return { kind: 'hospital', id: h.id, name: h.name, phone: h.phone ?? null };
}

// -> [true | false | null, reasons]
export function evaluate(j, [key, arg], person) {
  if (key === 'all') {
    const met = [], missing = [];
    for (const sub of arg) {
      const [state, reasons] = evaluate(j, sub, person);
      if (state === false) return [false, reasons];
      (state ? met : missing).push(...reasons);
    }
    return missing.length ? [null, missing] : [true, met];
  }
  if (key === 'any') {
    const missing = [], failed = [];
    for (const sub of arg) {
      const [state, reasons] = evaluate(j, sub, person);
      if (state === true) return [true, reasons];
      (state === null ? missing : failed).push(...reasons);
    }
    return missing.length ? [null, missing] : [false, ['以下条件都不符合：' + failed.join('；')]];
  }
  if (key === 'not') {
    const [state, reasons] = evaluate(j, arg, person);
    if (state === null) return [null, reasons];
    return [!state, [(state ? '不' : '并非') + '符合：' + reasons.join('；')]];
  }
  return leaf(j, key, arg, person);
}

function nameOf(j, kind, id) {
  const e = j.engine;
  const table = { category: e.categories, group: e.groups, chronic_class: e.chronicClasses, disease: e.diseases,
    disease_group: j.diseaseGroups || (j.diseaseGroups = new Map(j.policy.disease_groups.map((g) => [g.id, g]))),
    township: j.townships }[kind];
  const entry = table.get(id);
  return entry ? entry.name : id;
}

const names = (j, kind, ids) => ids.map((id) => nameOf(j, kind, id)).join('、');

function leaf(j, key, arg, p) {
  const e = j.engine;
  if (key === 'category') {
    const groups = e.groupsOf.get(p.category) || [];
    const hit = arg.includes(p.category) || groups.some((g) => arg.includes(g));
    const me = e.categories.get(p.category).name;
    const wanted = arg.map((c) => (e.categories.get(c) || e.groups.get(c) || { name: c }).name).join('、');
    if (hit) {
      const via = groups.find((g) => arg.includes(g));
      return [true, [`属于${me}` + (via && !arg.includes(p.category) ? `（${e.groups.get(via).name}）` : '')]];
    }
    return [false, [`只限${wanted}，您是${me}`]];
  }
  if (key === 'age') {
    const lo = arg.min, hi = arg.max;
    const want = lo !== null && hi !== null ? `${lo}至${hi}周岁` : lo !== null ? `年满${lo}周岁` : `${hi}周岁及以下`;
    if (p.age === null) return [null, [`需要知道年龄（条件：${want}）`]];
    const ok = (lo === null || p.age >= lo) && (hi === null || p.age <= hi);
    return [ok, [ok ? `${p.age}周岁，符合“${want}”` : `只限${want}，您${p.age}周岁`]];
  }
  if (key === 'sex') {
    if (p.sex === null) return [null, [`需要知道性别（只限${SEX[arg]}）`]];
    return [p.sex === arg, [p.sex === arg ? `是${SEX[arg]}` : `只限${SEX[arg]}`]];
  }
  if (key === 'disease' || key === 'disease_group') {
    const hits = key === 'disease' ? p.diseases.filter((d) => arg.includes(d))
      : p.diseases.filter((d) => e.diseases.get(d).groups.some((g) => arg.includes(g)));
    if (hits.length) return [true, [`患有${names(j, 'disease', hits)}`]];
    return [false, [`只限患有${names(j, key, arg)}的人`]];
  }
  if (key === 'chronic_class') {
    const classes = new Set(p.chronic_class ? [p.chronic_class] : []);
    for (const d of p.diseases) { const c = e.diseases.get(d).chronic_class; if (c) classes.add(c); }
    const hits = arg.filter((c) => classes.has(c));
    if (hits.length) return [true, [`患有${names(j, 'chronic_class', hits)}`]];
    return [false, [`只限患有${names(j, 'chronic_class', arg)}的人`]];
  }
  if (key === 'disability') {
    const all = j.disabilities;
    const wanted = arg === 'any' ? Object.keys(all) : arg;
    const hits = p.disabilities.filter((d) => wanted.includes(d));
    if (hits.length) return [true, ['有' + hits.map((d) => all[d]).join('、')]];
    const label = arg === 'any' ? '残疾' : arg.map((d) => all[d]).join('、');
    return [false, [`只限有${label}的人`]];
  }
  if (key === 'pregnant') {
    if (p.pregnant === null) return [null, ['需要知道是否怀孕']];
    const ok = p.pregnant === arg;
    return [ok, [ok ? (arg ? '正在怀孕' : '没有怀孕') : (arg ? '只限孕妇' : '不适用于孕妇')]];
  }
  if (key === 'township') {
    if (p.township === null) return [null, ['需要知道住在哪个乡镇']];
    const ok = arg.includes(p.township);
    return [ok, [ok ? `住在${nameOf(j, 'township', p.township)}` : `只限住在${names(j, 'township', arg)}的人`]];
  }
  throw new Error(`unknown condition ${key}`);
}

// ------------------------------------------------------------------ the contract

export function runEligible(service, data, today) {
  const one = (c, prefix) => {
    const problems = [];
    if (!isDict(c)) throw new InputError([`${at(prefix)}: 应是一个对象，包含 jurisdiction 和 person（或 household），这里是${shown(c)}`]);
    unknownKeys(c, ['jurisdiction', 'date', 'person', 'household'], prefix, problems);
    const j = jurisdiction(service, c, prefix, problems);
    if (!j) throw new InputError(problems);
    let date = today;
    if (c.has('date')) date = parseDate(c.get('date'), `${prefix}date`, problems) || date;
    const first = policyStart(j);
    if (first !== null && date < first) {
      problems.push(`${prefix}date: ${date} 早于${j.name}任何政策的生效日期（最早 ${first}），无法判断`);
    }
    if (c.has('person') === c.has('household')) {
      problems.push(`${prefix}person: 请填写 person（一个人）或 household（一家人的列表），二者选一`);
      throw new InputError(problems);
    }
    const jid = j.policy.jurisdiction.id;
    if (c.has('person')) {
      const person = parsePerson(j, c.get('person'), `${prefix}person`, problems);
      if (problems.length) throw new InputError(problems);
      return { jurisdiction: jid, date, ...screen(j, person, date) };
    }
    const members = c.get('household');
    if (!Array.isArray(members) || !members.length || members.length > MAX_HOUSEHOLD) {
      problems.push(`${prefix}household: 应是 1 到 ${MAX_HOUSEHOLD} 个家庭成员的列表`);
      throw new InputError(problems);
    }
    const people = members.map((m, i) => parsePerson(j, m, `${prefix}household[${i}]`, problems));
    if (problems.length) throw new InputError(problems);
    return { jurisdiction: jid, date, household: people.map((p) => ({ name: p.name, ...screen(j, p, date) })) };
  };
  if (Array.isArray(data)) {
    if (!data.length) throw new InputError(['输入的列表是空的']);
    const people = data.reduce((n, c) => n + (c instanceof Map && Array.isArray(c.get('household')) ? c.get('household').length : 1), 0);
    if (people > MAX_ELIGIBLE_PEOPLE) {
      throw new InputError([`一次最多判断 ${MAX_ELIGIBLE_PEOPLE.toLocaleString('en-US')} 人（这里有 ${people.toLocaleString('en-US')} 人）：更多请用 --jsonl，每行一个案例`]);
    }
    const out = [], problems = new ProblemList(MAX_MESSAGES);
    data.forEach((c, i) => {
      try { out.push(one(c, `[${i}].`)); } catch (e) { if (!(e instanceof InputError)) throw e; problems.addAll(e); }
    });
    if (problems.total) throw new InputError(problems, problems.total);
    return out;
  }
  return one(data, '');
}

// The first day any reimbursement parameter is in force: before it there is no policy to answer with.
function policyStart(j) {
  if (j.policyStart === undefined) {
    let first = null;
    const walk = (node) => {
      if (Array.isArray(node)) { if (node.length && (first === null || node[0][0] < first)) first = node[0][0]; }
      else for (const [, child] of node.branches) walk(child);
    };
    for (const layer of j.policy.layers) for (const p of layerParams(layer)) walk(p.tree);
    j.policyStart = first;
  }
  return j.policyStart;
}
