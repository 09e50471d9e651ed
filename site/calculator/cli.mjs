#!/usr/bin/env node
// The browser engine's Node entry, for tests and for anyone checking parity:
//   node site/calculator/cli.mjs [calc|eligible] --policy dist/<jid>/data/policy.json [--policy ...] < cases.json
// `calc` (the default) writes the JSON value `build.py calc --no-explain --no-compare` writes;
// `eligible` the value `build.py eligible` writes. Bad input: exit 2, one message per line on
// stderr, nothing on stdout — the same refusals as the Python commands.
import { readFileSync } from 'node:fs';
import { JsonError, dumps, parseJson } from './json.mjs';
import { InputError, Service, localToday, runCalc } from './cases.mjs';
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

function decode(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InputError([`输入不是 UTF-8 编码的文字（第 ${firstBadByte(bytes) + 1} 个字节有误）`]);
  }
}

// Where Python's UTF-8 decoder stops: the first byte that does not start a valid sequence.
function firstBadByte(b) {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n, lo = 0x80, hi = 0xbf;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) { n = 2; if (c === 0xe0) lo = 0xa0; if (c === 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; if (c === 0xf0) lo = 0x90; if (c === 0xf4) hi = 0x8f; }
    else return i;
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || x < (k === 1 ? lo : 0x80) || x > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return i;
}

const PY_SPACE = /^[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

try {
  const text = decode(readFileSync(0));
  if (PY_SPACE.test(text)) throw new InputError(['输入是空的：请在标准输入中提供 JSON']);
  let data;
  try {
    data = parseJson(text);
  } catch (e) {
    if (e instanceof JsonError) throw new InputError([`输入不是有效的 JSON：${e.message}`]);
    if (e instanceof RangeError) throw new InputError(['输入的 JSON 嵌套层数太多']);
    throw e;
  }
  const result = command === 'calc' ? runCalc(service, data) : runEligible(service, data, localToday());
  process.stdout.write(dumps(result, !Array.isArray(result)) + '\n');
} catch (e) {
  if (!(e instanceof InputError)) throw e;
  process.stderr.write(e.problems.join('\n') + '\n');
  process.exitCode = 2;
}
