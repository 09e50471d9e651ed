// The browser engine's side of benchmarks/calculator.py (run by it; prints one JSON object).
//   node benchmarks/calculator_node.mjs --policy a.json [--policy b.json] --batch cases.json --year year.json --runs N
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { dumps, parseJson } from '../site/calculator/json.mjs';
import { Engine } from '../site/calculator/engine.mjs';
import { Service, parseCalcCase, runCalc } from '../site/calculator/cases.mjs';

const args = process.argv.slice(2);
const opt = (name) => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));
const policies = opt('--policy').map((p) => JSON.parse(readFileSync(p, 'utf8')));
const runs = Number(opt('--runs')[0] || 3);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

// One batch as `cli.mjs` runs it: parse the JSON text, validate, compute, write the answer.
const text = readFileSync(opt('--batch')[0], 'utf8');
const batch = [];
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  const service = new Service(policies);
  const out = dumps(runCalc(service, parseJson(text)), false);
  batch.push(performance.now() - t0);
  if (!out) throw new Error('no output');
}

// One recompute of a 10-claim year as the page does it after an edit: validate the form's
// case and compute with explanations; "warm" reuses the page's engine, "cold" builds a new one.
const yearCase = parseJson(readFileSync(opt('--year')[0], 'utf8'));
const service = new Service(policies);
const recompute = (engine) => {
  const [, person, claims] = parseCalcCase(service, yearCase, '');
  return engine.compute(person.category, claims, { explain: true });
};
const jid = yearCase.get('jurisdiction');
const engine = service.j.get(jid).engine;
const policy = policies.find((p) => p.jurisdiction.id === jid);
const warm = [], cold = [];
for (let i = 0; i < 300; i++) recompute(engine); // let the JIT settle, as on a page in use
for (let i = 0; i < 2000; i++) {
  let t0 = performance.now(); recompute(engine); warm.push(performance.now() - t0);
  t0 = performance.now(); recompute(new Engine(policy)); cold.push(performance.now() - t0);
}
console.log(JSON.stringify({ batch_ms: batch, warm_ms: median(warm), cold_ms: median(cold) }));
