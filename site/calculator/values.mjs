// Input values as Python sees them. A JSON number is a `Num` holding its exact text (money must
// never pass through a float); `shown` is how a refusal quotes a value (policy/limits.py).

export class Num {
  // text: the number as written; int: written without fraction or exponent (Python int)
  constructor(text, int) { this.text = text; this.int = int; }
}

// Python's str() of a value where a message still quotes it raw (a missing level is "None").
export function pyStr(v) {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'None';
  if (v === true || v === false) return v ? 'True' : 'False';
  if (v instanceof Num) return v.int ? BigInt(v.text).toString() : decimalStr(v.text);
  return String(v);
}

// Decimal(text).__str__ (the General Decimal Arithmetic to-scientific-string rule).
export function decimalStr(text) {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text);
  const sign = m[1];
  const frac = m[3] || '';
  let digits = ((m[2] || '') + frac).replace(/^0+(?=\d)/, '');
  const exp = BigInt(m[4] || '0') - BigInt(frac.length);
  const adjusted = exp + BigInt(digits.length - 1);
  if (exp <= 0n && adjusted >= -6n) {
    const e = Number(exp);
    if (e === 0) return sign + digits;
    const point = digits.length + e;
    if (point > 0) return sign + digits.slice(0, point) + '.' + digits.slice(point);
    return sign + '0.' + '0'.repeat(-point) + digits;
  }
  const rest = digits.length > 1 ? '.' + digits.slice(1) : '';
  return `${sign}${digits[0]}${rest}E${adjusted >= 0n ? '+' : ''}${adjusted}`;
}

// ------------------------------------------------------------------ showing input back (policy/limits.py)

const SHOW_MAX = 40;
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;

// Control and format characters as visible escapes: echoed input cannot forge a message line.
export function escapeControls(text) {
  if (!UNPRINTABLE.test(text)) return text;
  let out = '';
  for (const ch of text) {
    if (!UNPRINTABLE.test(ch)) { out += ch; continue; }
    const code = ch.codePointAt(0);
    out += code < 0x100 ? '\\x' + code.toString(16).padStart(2, '0')
      : code < 0x10000 ? '\\u' + code.toString(16).padStart(4, '0') : '\\U' + code.toString(16).padStart(8, '0');
  }
  return out;
}

export function clip(text, limit = SHOW_MAX) {
  const chars = [...text];
  if (chars.length > limit) text = chars.slice(0, limit).join('') + `…（共 ${chars.length} 字）`;
  return escapeControls(text);
}

// A JSON value as a message shows it: text in quotes, escaped and shortened; other kinds by name.
export function shown(v) {
  if (typeof v === 'string') return `“${clip(v)}”`;
  if (v === null || v === undefined) return '空值（null）';
  if (v === true || v === false) return String(v);
  if (v instanceof Num) {
    const text = pyStr(v);
    return `数字 ${text.length <= SHOW_MAX ? text : text.slice(0, SHOW_MAX) + '…'}`;
  }
  if (v instanceof Map) return '一个对象 {…}';
  if (Array.isArray(v)) return '一个列表 […]';
  return clip(String(v));
}
