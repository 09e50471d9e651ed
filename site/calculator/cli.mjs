#!/usr/bin/env node
// The browser engine's Node entry, for tests and for anyone checking parity:
//   node site/calculator/cli.mjs [calc|eligible] --policy dist/<jid>/data/policy.json [--policy ...] < cases.json
// `calc` (the default) writes the JSON value `build.py calc --no-explain --no-compare` writes;
// `eligible` the value `build.py eligible` writes. Bad input: exit 2, one message per line on
// stderr, nothing on stdout — the same refusals as the Python commands.
import { readFileSync } from 'node:fs';
import { dumps, readInput } from './json.mjs';
import { InputError, MAX_MESSAGES, Service, localToday, runCalc } from './cases.mjs';
import { runEligible } from './eligibility.mjs';

const args = process.argv.slice(2);
let command = 'calc';
const policies = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--policy') policies.push(args[++i]);
  else if (args[i] === 'calc' || args[i] === 'eligible') command = args[i];
  else { process.stderr.write(`不认识的参数：${args[i]}\n`); process.exit(64); }
}
if (!policies.length) { process.stderr.write('请用 --policy 指定 policy.json\n'); process.exit(64); }
const service = new Service(policies.map((p) => JSON.parse(readFileSync(p, 'utf8'))));

function report(err) {
  const lines = err.problems.slice(0, MAX_MESSAGES);
  if (err.total > lines.length) {
    const n = (x) => x.toLocaleString('en-US');
    lines.push(`……另有 ${n(err.total - lines.length)} 个问题没有列出（共 ${n(err.total)} 个；改正上面的问题后再运行可以看到其余的）`);
  }
  process.stderr.write(lines.join('\n') + '\n');
}

try {
  const data = readInput(readFileSync(0));
  const result = command === 'calc' ? runCalc(service, data) : runEligible(service, data, localToday());
  process.stdout.write(dumps(result, !Array.isArray(result)) + '\n');
} catch (e) {
  if (!(e instanceof InputError)) throw e;
  report(e);
  process.exitCode = 2;
}
