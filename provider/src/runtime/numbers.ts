// Lossless handling of Terraform numbers, which arrive as msgpack ints, float64s, uint64s or decimal strings.
import type { NumberValue } from './values.js';

const DECIMAL = /^-?(\d+)(\.\d+)?([eE][+-]?\d+)?$/;
const INTEGER = /^-?\d+$/;

/** Brings any wire form of a number to the canonical NumberValue (see values.ts). */
export function normalizeNumber(raw: number | bigint | string): NumberValue {
  if (typeof raw === 'number') return Number.isInteger(raw) || !Number.isFinite(raw) ? raw : exactFloat(raw);
  if (typeof raw === 'bigint')
    return Number.MIN_SAFE_INTEGER <= raw && raw <= Number.MAX_SAFE_INTEGER ? Number(raw) : raw;
  const text = raw.trim();
  if (!DECIMAL.test(text)) throw new TypeError(`"${raw}" is not a decimal number`);
  if (INTEGER.test(text)) return normalizeNumber(BigInt(text));
  const n = Number(text);
  if (Number.isFinite(n) && decimalKey(String(n)) === decimalKey(text)) return n;
  const integral = integerFromDecimal(text);
  return integral ?? text;
}

/** The wire form to send: safe integers and int64-range bigints as msgpack ints, everything else as exact decimal text. */
export function numberToWire(value: NumberValue): number | bigint | string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value >= -(1n << 63n) && value < 1n << 64n ? value : value.toString();
  if (Number.isNaN(value)) throw new TypeError('NaN is not a valid Terraform number');
  // Infinity has no decimal text; float64 carries it. Other non-integers go as their shortest decimal text, which
  // Terraform parses exactly, so a configured 0.1 comes back as 0.1 and not as float64's 0.1000000000000000055...
  if (Number.isSafeInteger(value) || !Number.isFinite(value)) return value;
  return String(value);
}

/**
 * A float64 from the wire stands for its exact binary value. That equals its shortest decimal text for every value
 * a config can produce as a float (0.5, 2.25); should it not, keep the exact expansion so nothing changes on echo.
 */
function exactFloat(n: number): NumberValue {
  const abs = Math.abs(n);
  if (abs < 1e-6 || abs >= 1e21) return n; // toFixed cannot expand these; cty never sends such floats for config text
  const exact = n.toFixed(100).replace(/0+$/, '');
  return decimalKey(exact) === decimalKey(String(n)) ? n : exact;
}

/** A canonical key for the decimal value of a numeric text: "1.50", "15e-1" and "1.5" share one key. */
export function decimalKey(text: string): string {
  const m = DECIMAL.exec(text.trim().replace('e+', 'e').replace('E+', 'E'));
  if (!m) return text;
  const negative = text.trim().startsWith('-');
  const fraction = (m[2] ?? '').slice(1);
  let digits = m[1]! + fraction;
  let exponent = Number((m[3] ?? 'e0').slice(1)) - fraction.length;
  digits = digits.replace(/^0+/, '');
  if (digits === '') return '0';
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  return `${negative ? '-' : ''}${digits}e${exponent}`;
}

/** "1.5e30" and similar: an exact integer written in decimal notation, as a bigint (undefined when not integral). */
function integerFromDecimal(text: string): bigint | undefined {
  const key = decimalKey(text);
  if (key === '0') return undefined;
  const [digits, exp] = key.split('e') as [string, string];
  const exponent = Number(exp);
  if (exponent < 0 || exponent > 4096) return undefined;
  return BigInt(digits) * 10n ** BigInt(exponent);
}
