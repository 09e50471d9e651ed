// Exact money, the same rules as policy/money.py: integer fen, one explicit half-up rule.
// Amounts are JavaScript numbers holding whole fen (at most 1e10 per amount, far below 2^53);
// a product that could pass 2^52 is done in BigInt. Never Math.round, never yuan as floats.
import { Num } from './values.mjs';

const SAFE = 2 ** 52;

// round(num / den) half up; num, den non-negative integers (numbers or BigInts), den > 0.
export function halfUp(num, den) {
  if (typeof num === 'bigint' || typeof den === 'bigint') {
    const n = BigInt(num), d = BigInt(den);
    return Number((2n * n + d) / (2n * d));
  }
  const p = 2 * num + den, q = 2 * den;
  if (p > SAFE) return Number((2n * BigInt(num) + BigInt(den)) / (2n * BigInt(den)));
  return floorDiv(p, q);
}

// round(a * n / d) half up, exact for any size.
export function mulHalfUp(a, n, d) {
  if (a * n * 2 + d > SAFE) return Number((2n * BigInt(a) * BigInt(n) + BigInt(d)) / (2n * BigInt(d)));
  return floorDiv(2 * a * n + d, 2 * d);
}

// floor(p / q) for safe non-negative integers, without trusting a rounded float quotient.
function floorDiv(p, q) {
  let k = Math.floor(p / q);
  const r = p - k * q;
  if (r < 0) k -= 1; else if (r >= q) k += 1;
  return k;
}

function gcd(a, b) { while (b) [a, b] = [b, a % b]; return a; }

// "0.85" -> [17, 20]: a decimal ratio as an exact reduced fraction.
export function fraction(text) {
  const [whole, dec = ''] = text.split('.');
  let n = Number(whole + dec), d = 10 ** dec.length;
  const g = gcd(n, d) || 1;
  return [n / g, d / g];
}

export function addFractions([n1, d1], [n2, d2]) {
  const n = n1 * d2 + n2 * d1, d = d1 * d2;
  const g = gcd(n, d) || 1;
  return [n / g, d / g];
}

// [n, d] -> "85%", "5.5%" (policy/money.py fmt_ratio: the percentage without trailing zeros).
export function fmtRatio([n, d]) {
  let q = BigInt(n) * 100n, den = BigInt(d);
  const whole = q / den;
  let r = q % den, digits = '';
  while (r && digits.length < 20) { r *= 10n; digits += (r / den).toString(); r %= den; }
  return digits ? `${whole}.${digits}%` : `${whole}%`;
}

export function fmt(fen) {
  if (fen < 0) return '-' + fmt(-fen);
  const cents = fen % 100;
  return `${(fen - cents) / 100}.${cents < 10 ? '0' : ''}${cents}`;
}

// A fen fraction as yuan with as many decimals as it needs (at least two); for explanations.
export function fmtExact(num, den) {
  const q = Math.floor(num / den);
  let r = num - q * den;
  if (!r) return fmt(q);
  let digits = '';
  while (r && digits.length < 8) { r *= 10; digits += Math.floor(r / den); r %= den; }
  return fmt(q) + digits;
}

// part/whole with 4 decimals, half up ("0.0000" when whole is 0) — engine._ratio4.
export function ratio4(part, whole) {
  if (whole === 0) return '0.0000';
  const q = mulHalfUp(part, 10000, whole);
  return `${Math.floor(q / 10000)}.${String(q % 10000).padStart(4, '0')}`;
}

export class MoneyError extends Error {}

const PY_SPACE = /^[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
const ASK = '应是金额（元），例如 "1234.50"';

// policy/money.py parse_yuan: a JSON number (Num) or a decimal string in yuan -> fen.
const PLAIN = /^(\d{1,8})(?:\.(\d{1,2}))?$/; // "1234.5", "1234.50": the common forms, without BigInt

export function parseYuan(raw) {
  const plain = typeof raw === 'string' ? PLAIN.exec(raw) : raw instanceof Num && raw.text.length <= 11 ? PLAIN.exec(raw.text) : null;
  if (plain) return Number(plain[1]) * 100 + (plain[2] ? Number(plain[2].padEnd(2, '0')) : 0);
  let sign, digits, exp;
  if (typeof raw === 'string') {
    const text = raw.replace(PY_SPACE, '');
    if ([...text].length > 30) throw new MoneyError('不是金额：太长了（最多 30 个字符）');
    const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)$/.exec(text);
    if (!m) throw new MoneyError(`“${raw}”不是金额，请只写数字，例如 "1234.50"`);
    sign = m[1];
    const [w, f = ''] = m[2].split('.');
    digits = BigInt((w + f) || '0');
    exp = -f.length;
  } else if (raw instanceof Num) {
    const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(raw.text);
    sign = m[1];
    digits = BigInt(m[2] + (m[3] || ''));
    exp = Number(m[4] || 0) - (m[3] || '').length;
  } else {
    throw new MoneyError(ASK);
  }
  if (digits === 0n) return 0;
  if (sign === '-') throw new MoneyError('金额不能为负数');
  // Size first (as Python: rounding a 1e26 to cents needs more digits than its context has).
  const ndigits = digits.toString().length;
  if (exp + ndigits - 1 > 8) throw new MoneyError('金额过大（超过一亿元），请检查');
  let fen;
  if (exp >= -2) fen = digits * 10n ** BigInt(exp + 2);
  else {
    const unit = -2 - exp > ndigits ? 0n : 10n ** BigInt(-2 - exp);
    if (unit === 0n || digits % unit !== 0n) {
      // more than 2 decimals; but first, is it over the limit?
      if (digits > 10000000000n * 10n ** BigInt(-2 - exp)) throw new MoneyError('金额过大（超过一亿元），请检查');
      throw new MoneyError('金额最多两位小数（到分）');
    }
    fen = digits / unit;
  }
  if (fen > 10000000000n) throw new MoneyError('金额过大（超过一亿元），请检查');
  return Number(fen);
}
