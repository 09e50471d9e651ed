// JSON read the way `build.py calc` reads it (policy/jsoninput.py: Python 3.11's json with exact
// Decimal numbers and hooks): numbers keep their exact text (money never passes through a float),
// objects are Maps (key order decides the order of messages), and every refusal — syntax error
// with line, column and byte; NaN; a number too long or too large; a key twice in one object; a
// lone surrogate — is worded and placed as Python places it.
import { Num, clip } from './values.mjs';
import { InputError } from './cases.mjs';

export class JsonError extends Error {}

export const MAX_NUMBER_CHARS = 30;
const WORDS = {
  'Expecting value': '这里应是一个值（对象、列表、文字、数字、true、false 或 null）',
  'Expecting property name enclosed in double quotes': '这里应是用双引号括起来的键名（或多了一个逗号）',
  "Expecting ':' delimiter": '键名后面缺少冒号“:”',
  "Expecting ',' delimiter": '缺少逗号“,”，或括号没有关上',
  'Unterminated string starting at': '引号没有关上',
  'Invalid control character at': '文字里有控制字符（如换行或 Tab），请写成 \\n 或 \\t',
  'Invalid \\escape': '无效的转义写法（反斜杠 \\ 后面只能是 " \\ / b f n r t u）',
  'Invalid \\uXXXX escape': '无效的 \\uXXXX 转义',
  'Extra data': '一个完整的 JSON 之后还有多余的内容（多个案例请放在一个列表 [...] 里，或用 --jsonl 每行一个）',
};
const WS = ' \t\n\r';
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

// Where Python reports a position: line, column and byte, counted in code points as Python does.
function where(doc, pos) {
  const before = doc.slice(0, pos);
  const line = before.split('\n').length;
  const lastLine = before.slice(before.lastIndexOf('\n') + 1);
  let column = 1, bytes = 1;
  for (const ch of lastLine) column++;
  for (const ch of before) { const c = ch.codePointAt(0); bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; }
  return `第 ${line} 行第 ${column} 列（第 ${bytes} 个字节）`;
}

function numberCheck(text) {
  if (text.length > MAX_NUMBER_CHARS) throw new JsonError(`数字 ${clip(text, 20)} 太长（最多 ${MAX_NUMBER_CHARS} 个字符）`);
}

// Decimal(text).adjusted(): the exponent of the number's first significant digit.
function adjusted(text) {
  const m = /^-?(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(text);
  const frac = m[2] || '';
  const digits = (m[1] + frac).replace(/^0+(?=\d)/, '');
  return Number(m[3] || 0) - frac.length + digits.length - 1;
}

// -> the value, or throws JsonError (message after "输入不是有效的 JSON：" or "…可以接受的 JSON：")
// or RangeError (nested too deeply).
export function parseJson(doc, maxDepth = 990) {
  let i = 0;
  const syntax = (msg, pos) => { const e = new JsonError(`${where(doc, pos)}：${WORDS[msg]}`); e.syntax = true; throw e; };
  const skip = () => { while (i < doc.length && WS.includes(doc[i])) i++; };
  function value(depth) {
    if (depth > maxDepth) throw new RangeError('too deep');
    const c = doc[i];
    if (c === '"') return string();
    if (c === '{') return object(depth + 1);
    if (c === '[') return array(depth + 1);
    if (c === 'n' && doc.startsWith('null', i)) { i += 4; return null; }
    if (c === 't' && doc.startsWith('true', i)) { i += 4; return true; }
    if (c === 'f' && doc.startsWith('false', i)) { i += 5; return false; }
    for (const name of ['NaN', 'Infinity', '-Infinity']) {
      if (doc.startsWith(name, i)) throw new JsonError(`不支持 ${name}：金额和数字必须是有限的十进制数`);
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(doc);
    if (!m) syntax('Expecting value', i);
    i += m[0].length;
    numberCheck(m[0]);
    const int = m[1] === undefined && m[2] === undefined;
    if (!int && Math.abs(adjusted(m[0])) > 20) throw new JsonError(`数字 ${m[0]} 超出范围`);
    return new Num(m[0], int);
  }
  function string() {
    const begin = i;
    i++;
    let out = '';
    for (;;) {
      let j = i;
      while (j < doc.length) {
        const code = doc.charCodeAt(j);
        if (code === 34 || code === 92) break;
        if (code < 32) syntax('Invalid control character at', j);
        j++;
      }
      out += doc.slice(i, j);
      i = j;
      if (i >= doc.length) syntax('Unterminated string starting at', begin);
      if (doc[i] === '"') { i++; return out; }
      const e = doc[i + 1]; // after a backslash
      if (e === undefined) syntax('Unterminated string starting at', begin);
      const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[e];
      if (simple !== undefined) { out += simple; i += 2; continue; }
      if (e !== 'u') syntax('Invalid \\escape', i);
      if (i + 6 >= doc.length || !HEX4.test(doc.slice(i + 2, i + 6))) syntax('Invalid \\uXXXX escape', i + 1);
      const code = parseInt(doc.slice(i + 2, i + 6), 16);
      i += 6;
      if (code >= 0xd800 && code <= 0xdbff && i + 6 < doc.length && doc[i] === '\\' && doc[i + 1] === 'u') {
        if (!HEX4.test(doc.slice(i + 2, i + 6))) syntax('Invalid \\uXXXX escape', i + 1);
        const low = parseInt(doc.slice(i + 2, i + 6), 16);
        if (low >= 0xdc00 && low <= 0xdfff) { out += String.fromCharCode(code, low); i += 6; continue; }
      }
      out += String.fromCharCode(code);
    }
  }
  function object(depth) {
    const out = new Map();
    let duplicate = null;
    i++;
    skip();
    if (doc[i] !== '}') {
      for (;;) {
        if (doc[i] !== '"') syntax('Expecting property name enclosed in double quotes', i);
        const key = string();
        skip();
        if (doc[i] !== ':') syntax("Expecting ':' delimiter", i);
        i++;
        skip();
        if (out.has(key) && duplicate === null) duplicate = key;
        out.set(key, value(depth));
        skip();
        if (doc[i] === '}') break;
        if (doc[i] !== ',') syntax("Expecting ',' delimiter", i);
        i++;
        skip();
      }
    }
    i++;
    // Python's object_pairs_hook sees the object when it closes: a repeated key is refused then.
    if (duplicate !== null) throw new JsonError(`同一个对象里键“${clip(duplicate)}”出现了不止一次，请只写一次`);
    return out;
  }
  function array(depth) {
    const out = [];
    i++;
    skip();
    if (doc[i] !== ']') {
      for (;;) {
        out.push(value(depth));
        skip();
        if (doc[i] === ']') break;
        if (doc[i] !== ',') syntax("Expecting ',' delimiter", i);
        i++;
        skip();
      }
    }
    i++;
    return out;
  }
  skip();
  const v = value(0);
  skip();
  if (i !== doc.length) syntax('Extra data', i);
  return v;
}

const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// Does any text (or key) of a parsed value hold a lone surrogate (from a \ud800 escape)?
export function hasLoneSurrogate(value) {
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') { if (LONE.test(v)) return true; }
    else if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
    else if (Array.isArray(v)) stack.push(...v);
  }
  return false;
}

// ------------------------------------------------------------------ reading input (policy/jsoninput.py)

export const MAX_INPUT_BYTES = 32 * 1024 * 1024;
const MAX_CONTAINERS = 2000000;
const PY_BLANK = /^[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

// UTF-8 bytes (or text) -> the parsed value, refused as `build.py` refuses it.
export function readInput(data, what = '输入') {
  let text = data;
  if (typeof data !== 'string') {
    if (data.length > MAX_INPUT_BYTES) throw new InputError([`输入太大（超过 ${MAX_INPUT_BYTES / 1024 / 1024} MB）：大批量计算请用 --jsonl，每行一个案例`]);
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data);
    } catch {
      const bad = firstBadByte(data);
      let line = 1;
      for (let k = 0; k < bad; k++) if (data[k] === 10) line++;
      throw new InputError([`输入不是 UTF-8 编码的文字（第 ${line} 行，第 ${bad + 1} 个字节有误）`]);
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // Windows Notepad writes one
  if (PY_BLANK.test(text)) throw new InputError([`${what}是空的：请提供 JSON`]);
  let containers = 0;
  for (const bracket of '[{') for (let k = text.indexOf(bracket); k >= 0; k = text.indexOf(bracket, k + 1)) containers++;
  if (containers > MAX_CONTAINERS) throw new InputError([`${what}里的对象和列表太多（最多 ${MAX_CONTAINERS.toLocaleString('en-US')} 个）：大批量计算请用 --jsonl`]);
  let value;
  try {
    value = parseJson(text);
  } catch (e) {
    if (e instanceof JsonError) throw new InputError([`${what}${e.syntax ? '不是有效的' : '不是可以接受的'} JSON：${e.message}`]);
    if (e instanceof RangeError) throw new InputError([`${what}的 JSON 嵌套层数太多`]);
    throw e;
  }
  if (/\\u[dD][89abAB]|\\u[dD][c-fC-F]/.test(text) && hasLoneSurrogate(value)) {
    throw new InputError([`${what}里有无效的 \\u 转义（单独的代理码 \\ud800–\\udfff 不是文字）`]);
  }
  return value;
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

// ------------------------------------------------------------------ writing

// The same JSON value Python writes (orjson): one case indented by 2, a batch compact.
export function dumps(value, indent) {
  return JSON.stringify(value, null, indent ? 2 : undefined);
}
