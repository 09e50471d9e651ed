// What a resident types for an amount of money -> integer fen: the rule of policy/amounts.py,
// character for character (same accepted forms, same Chinese messages). Both are tested over
// tests/amount_vectors.json; change them together or not at all.

export const MAX_YUAN = 100000000;

// Full-width digits and punctuation -> ASCII; the spaces a phone keyboard slips in -> nothing.
function fold(text) {
  return text.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 48))
    .replace(/\uFF0E/g, '.').replace(/\uFF0C/g, ',').replace(/[\uFFE5\u00A5 \t\u3000\u00A0]/g, '');
}
const SHAPE = /^([0-9][0-9,]*)(?:\.([0-9]+))?(万)?元?$/;
const GROUPED = /^[0-9]{1,3}(?:,[0-9]{3})+$/;

export const AMOUNT_MESSAGES = {
  EMPTY: '请填写金额，例如 20000 或 2万',
  BAD_COMMA: '逗号只能用来分千位，例如 20,000',
  TOO_PRECISE: '金额最多到分（元后面最多两位小数）',
  TOO_LONG: '金额太长了（最多 30 个字符）',
  TOO_BIG: '金额过大（超过一亿元），请检查',
};
function notAmount(text) { return '“' + text + '”不是金额：请只写数字，可以带“万”或“元”，例如 20000、2万、2.5万'; }

// An amount as typed -> integer fen (a Number, at most 1e10); throws an Error with a Chinese message.
export function parseAmount(text) {
  const M = AMOUNT_MESSAGES;
  if (typeof text !== 'string') throw new Error(M.EMPTY);
  const value = fold(text);
  if (!value) throw new Error(M.EMPTY);
  if (Array.from(value).length > 30) throw new Error(M.TOO_LONG);
  const m = SHAPE.exec(value);
  if (!m) throw new Error(notAmount(text.trim()));
  const whole = m[1], decimals = (m[2] || '').replace(/0+$/, ''), wan = m[3];
  if (whole.indexOf(',') >= 0 && !GROUPED.test(whole)) throw new Error(M.BAD_COMMA);
  const places = wan ? 6 : 2; // digits after the point that still name a whole fen
  if (decimals.length > places) throw new Error(M.TOO_PRECISE);
  const fen = BigInt(whole.replace(/,/g, '') + decimals.padEnd(places, '0'));
  if (fen > BigInt(MAX_YUAN) * 100n) throw new Error(M.TOO_BIG);
  return Number(fen);
}
