// PromQL's literals as Go reads them: numbers (strconv), quoted strings (strconv.Unquote), durations (model.Duration).
import { badData } from './errors.js';

/** Go's strconv.ParseFloat (with ParseInt's base prefixes first, as the PromQL lexer tries), or null. */
export function parseGoNumber(text: string): number | null {
  const s = text.trim();
  const lower = s.toLowerCase();
  const sign = lower.startsWith('-') ? -1 : 1;
  const body = lower.replace(/^[+-]/, '');
  if (body === 'inf' || body === 'infinity') return sign * Infinity;
  if (body === 'nan') return NaN;
  if (/^0x[0-9a-f]+$/.test(body)) return sign * parseInt(body.slice(2), 16);
  if (/^0o?[0-7]+$/.test(body) && body !== '0') return sign * parseInt(body.replace(/^0o?/, ''), 8);
  if (!/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(body)) return null;
  return sign * Number(body);
}

const unit: Record<string, number> = {
  y: 365 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

/** Prometheus's duration (`1h30m`, units y w d h m s ms, each at most once, largest first) in milliseconds, or null. */
export function parseDuration(text: string): number | null {
  const m = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text);
  if (!m || text === '') return null;
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  return units.reduce((ms, u, i) => ms + (m[i + 1] ? Number(m[i + 1]) * unit[u]! : 0), 0);
}

const simpleEscapes: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** A PromQL string literal: "..." and '...' with Go escapes, `...` raw. */
export function unquote(text: string): string {
  const q = text[0];
  const inner = text.slice(1, -1);
  if (q === '`') return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = inner[++i];
    if (e === undefined) throw badData(`invalid string literal ${text}`);
    if (e in simpleEscapes) out += simpleEscapes[e];
    else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = inner.slice(i + 1, i + 1 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw badData(`invalid escape in string literal ${text}`);
      out += e === 'x' ? String.fromCharCode(parseInt(hex, 16)) : String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else if (/[0-7]/.test(e)) {
      const oct = inner.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) throw badData(`invalid escape in string literal ${text}`);
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else throw badData(`unknown escape sequence \\${e} in string literal ${text}`);
  }
  return out;
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest decimal that reads back as v, never in exponent form. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  if (!s.includes('e')) return s === '0' && Object.is(v, -0) ? '-0' : s;
  const [mant, expText] = s.split('e') as [string, string];
  const neg = mant.startsWith('-');
  const digits = mant.replace(/^-/, '').replace('.', '');
  const pointAt = mant.replace(/^-/, '').indexOf('.');
  const exp = Number(expText) + (pointAt === -1 ? mant.replace(/^-/, '').length : pointAt);
  let out: string;
  if (exp <= 0) out = '0.' + '0'.repeat(-exp) + digits;
  else if (exp >= digits.length) out = digits + '0'.repeat(exp - digits.length);
  else out = digits.slice(0, exp) + '.' + digits.slice(exp);
  return (neg ? '-' : '') + out;
}
