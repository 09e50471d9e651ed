// JSON read the way `build.py calc` reads it (Python's json.loads with parse_float=Decimal):
// numbers keep their exact text (money must never pass through a float), objects are Maps so
// that key order — which decides the order of error messages — is the order written.
import { Num } from './values.mjs';

export class JsonError extends Error {}

const WS = ' \t\n\r';

export function parseJson(doc, maxDepth = 900) {
  let i = 0;
  const fail = (msg, pos) => {
    const before = doc.slice(0, pos);
    const line = before.split('\n').length;
    const col = pos - before.lastIndexOf('\n');
    throw new JsonError(`${msg}: line ${line} column ${col} (char ${pos})`);
  };
  const skip = () => { while (i < doc.length && WS.includes(doc[i])) i++; };
  const numRe = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
  function value(depth) {
    if (depth > maxDepth) throw new RangeError('too deep');
    const c = doc[i];
    if (c === '"') return string();
    if (c === '{') return object(depth + 1);
    if (c === '[') return array(depth + 1);
    if (c === 'n' && doc.startsWith('null', i)) { i += 4; return null; }
    if (c === 't' && doc.startsWith('true', i)) { i += 4; return true; }
    if (c === 'f' && doc.startsWith('false', i)) { i += 5; return false; }
    if (c === 'N' && doc.startsWith('NaN', i)) throw new JsonError('不支持 NaN');
    if (c === 'I' && doc.startsWith('Infinity', i)) throw new JsonError('不支持 Infinity');
    if (c === '-' && doc.startsWith('-Infinity', i)) throw new JsonError('不支持 -Infinity');
    numRe.lastIndex = i;
    const m = numRe.exec(doc);
    if (m) {
      i += m[0].length;
      return new Num(m[0], m[1] === undefined && m[2] === undefined);
    }
    fail('Expecting value', i);
  }
  function string() {
    const begin = i;
    i++;
    let out = '';
    for (;;) {
      let j = i;
      while (j < doc.length) {
        const code = doc.charCodeAt(j);
        if (code === 34 || code === 92 || code < 32) break;
        j++;
      }
      out += doc.slice(i, j);
      i = j;
      if (i >= doc.length) fail('Unterminated string starting at', begin);
      const c = doc[i];
      if (c === '"') { i++; return out; }
      if (c !== '\\') fail('Invalid control character at', i);
      const e = doc[i + 1];
      const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[e];
      if (simple !== undefined) { out += simple; i += 2; continue; }
      if (e !== 'u') {
        if (e === undefined) fail('Unterminated string starting at', begin);
        fail('Invalid \\escape', i);
      }
      const hex = doc.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Invalid \\uXXXX escape', i + 1);
      let code = parseInt(hex, 16);
      i += 6;
      if (code >= 0xd800 && code <= 0xdbff && doc[i] === '\\' && doc[i + 1] === 'u') {
        const hex2 = doc.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex2)) fail('Invalid \\uXXXX escape', i + 1);
        const low = parseInt(hex2, 16);
        if (low >= 0xdc00 && low <= 0xdfff) {
          out += String.fromCharCode(code, low);
          i += 6;
          continue;
        }
      }
      out += String.fromCharCode(code);
    }
  }
  function object(depth) {
    const out = new Map();
    i++;
    skip();
    if (doc[i] === '}') { i++; return out; }
    for (;;) {
      if (doc[i] !== '"') fail('Expecting property name enclosed in double quotes', i);
      const key = string();
      skip();
      if (doc[i] !== ':') fail("Expecting ':' delimiter", i);
      i++;
      skip();
      out.set(key, value(depth));
      skip();
      if (doc[i] === '}') { i++; return out; }
      if (doc[i] !== ',') fail("Expecting ',' delimiter", i);
      i++;
      skip();
      if (doc[i] === '}') fail('Illegal trailing comma before end of object', i - 1);
    }
  }
  function array(depth) {
    const out = [];
    i++;
    skip();
    if (doc[i] === ']') { i++; return out; }
    for (;;) {
      out.push(value(depth));
      skip();
      if (doc[i] === ']') { i++; return out; }
      if (doc[i] !== ',') fail("Expecting ',' delimiter", i);
      i++;
      skip();
      if (doc[i] === ']') fail('Illegal trailing comma before end of array', i - 1);
    }
  }
  if (doc.charCodeAt(0) === 0xfeff) fail('Unexpected UTF-8 BOM (decode using utf-8-sig)', 0);
  skip();
  const v = value(0);
  skip();
  if (i !== doc.length) fail('Extra data', i);
  return v;
}

// ------------------------------------------------------------------ writing

// The same JSON value Python writes (orjson): one case indented by 2, a batch compact.
export function dumps(value, indent) {
  return JSON.stringify(value, null, indent ? 2 : undefined);
}
