#!/usr/bin/env node
// The slip check's Node entry, for the parity test and anyone checking by hand:
//   node site/calculator/settlement-cli.mjs --policy dist/<jid>/data/policy.json [--policy ...] < cases.jsonl
// One check case per line (policy/settlement.py run_check); one answer per line, or
// {"line": N, "errors": [...]} for a refused line — what policy.settlement.run_check(explain=False) gives.
import { readFileSync } from 'node:fs';
import { dumps, readInput } from './json.mjs';
import { InputError, Service } from './cases.mjs';
import { runCheck } from './settlement.mjs';

const args = process.argv.slice(2);
const policies = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--policy') policies.push(args[++i]);
  else { process.stderr.write(`不认识的参数：${args[i]}\n`); process.exit(64); }
}
const service = new Service(policies.map((p) => JSON.parse(readFileSync(p, 'utf8'))));
const out = [];
readFileSync(0, 'utf8').split('\n').forEach((line, i) => {
  if (!line.trim()) return;
  try {
    out.push(dumps(runCheck(service, readInput(Buffer.from(line, 'utf8'))), false));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    out.push(dumps({ line: i + 1, errors: e.problems }, false));
  }
});
process.stdout.write(out.join('\n') + '\n');
