// IAM condition operators with AWS's semantics: String*, Numeric*, Date*, Bool, (Not)IpAddress and Null, each
// with ...IfExists, and the ForAnyValue:/ForAllValues: set prefixes. Keys absent from the request make a positive
// operator false and a negated one true (AWS: "the right key is not present, the condition is true").
import { BlockList, isIP } from 'node:net';

/** What a request tells conditions: each key's value or values (a key the request does not have is absent). */
export type ContextValue = string | number | boolean | readonly (string | number | boolean)[];
export type Context = Readonly<Record<string, ContextValue | undefined>>;

type Compare = (context: string, policy: string) => boolean;

/**
 * Glob matching with `*` (any run, empty included) and `?` (one character), no regular expression: a decision
 * tests many patterns and must not compile one per test. Greedy with one backtrack point, linear in practice.
 */
function glob(p: string, v: string): boolean {
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    const c = pi < p.length ? p.charCodeAt(pi) : -1;
    if (c === 42) {
      star = pi++;
      mark = vi;
    } else if (c !== -1 && (c === 63 || c === v.charCodeAt(vi))) {
      pi++;
      vi++;
    } else if (star !== -1) {
      pi = star + 1;
      vi = ++mark;
    } else return false;
  }
  while (pi < p.length && p.charCodeAt(pi) === 42) pi++;
  return pi === p.length;
}
/** Matching by a pattern's `*`-separated pieces (a pattern without `?`): indexOf, never backtracking. */
function piecesMatch(parts: readonly string[], v: string): boolean {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (v.length < first.length + last.length || !v.startsWith(first) || !v.endsWith(last)) return false;
  // Leftmost placement of each middle piece is optimal when only `*` separates them.
  let at = first.length;
  const end = v.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const piece = parts[i]!;
    const found = v.indexOf(piece, at);
    if (found === -1 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}
const match = (p: string, v: string) => (p.includes('?') ? glob(p, v) : piecesMatch(p.split('*'), v));

/** A pattern (`*`, `?`) compiled once into a test of values, for patterns tested many times. */
export function compileWildcard(pattern: string): (value: string) => boolean {
  if (pattern === '*') return () => true;
  if (pattern.includes('?')) return (v) => glob(pattern, v);
  if (!pattern.includes('*')) return (v) => v === pattern;
  const parts = pattern.split('*');
  return (v) => piecesMatch(parts, v);
}
const like = (pattern: string, value: string, ignoreCase = false) =>
  ignoreCase ? match(pattern.toLowerCase(), value.toLowerCase()) : match(pattern, value);
const number = (s: string) => (s.trim() === '' ? NaN : Number(s));
/** An ISO 8601 date-time, or epoch seconds as AWS also accepts. */
const date = (s: string) => (/^\d+(\.\d+)?$/.test(s) ? Number(s) * 1000 : Date.parse(s));
const numeric =
  (f: (a: number, b: number) => boolean): Compare =>
  (c, p) => {
    const [a, b] = [number(c), number(p)];
    return !Number.isNaN(a) && !Number.isNaN(b) && f(a, b);
  };
const dated =
  (f: (a: number, b: number) => boolean): Compare =>
  (c, p) => {
    const [a, b] = [date(c), date(p)];
    return !Number.isNaN(a) && !Number.isNaN(b) && f(a, b);
  };
function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.includes('/') ? cidr.split('/') : [cidr, undefined];
  const family = isIP(net!);
  if (!family || isIP(ip) !== family) return false;
  const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return false;
  const list = new BlockList();
  list.addSubnet(net!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** The base operators: how one context value matches one policy value, and whether the operator is negated. */
const OPERATORS: Record<string, { match: Compare; negated: boolean }> = {
  StringEquals: { match: (c, p) => c === p, negated: false },
  StringNotEquals: { match: (c, p) => c === p, negated: true },
  StringEqualsIgnoreCase: { match: (c, p) => c.toLowerCase() === p.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { match: (c, p) => c.toLowerCase() === p.toLowerCase(), negated: true },
  StringLike: { match: (c, p) => like(p, c), negated: false },
  StringNotLike: { match: (c, p) => like(p, c), negated: true },
  NumericEquals: { match: numeric((a, b) => a === b), negated: false },
  NumericNotEquals: { match: numeric((a, b) => a === b), negated: true },
  NumericLessThan: { match: numeric((a, b) => a < b), negated: false },
  NumericLessThanEquals: { match: numeric((a, b) => a <= b), negated: false },
  NumericGreaterThan: { match: numeric((a, b) => a > b), negated: false },
  NumericGreaterThanEquals: { match: numeric((a, b) => a >= b), negated: false },
  DateEquals: { match: dated((a, b) => a === b), negated: false },
  DateNotEquals: { match: dated((a, b) => a === b), negated: true },
  DateLessThan: { match: dated((a, b) => a < b), negated: false },
  DateLessThanEquals: { match: dated((a, b) => a <= b), negated: false },
  DateGreaterThan: { match: dated((a, b) => a > b), negated: false },
  DateGreaterThanEquals: { match: dated((a, b) => a >= b), negated: false },
  Bool: { match: (c, p) => c.toLowerCase() === p.toLowerCase(), negated: false },
  IpAddress: { match: inCidr, negated: false },
  NotIpAddress: { match: inCidr, negated: true },
};

export interface ParsedOperator {
  set?: 'ForAnyValue' | 'ForAllValues';
  base: string;
  ifExists: boolean;
}

const parsed = new Map<string, ParsedOperator | undefined>();

/** `ForAnyValue:StringLikeIfExists` -> its parts; undefined for an operator that does not exist (remembered). */
export function parseOperator(name: string): ParsedOperator | undefined {
  if (parsed.has(name)) return parsed.get(name);
  const op = parseOperatorAnew(name);
  if (parsed.size < 1000) parsed.set(name, op);
  return op;
}

function parseOperatorAnew(name: string): ParsedOperator | undefined {
  const m = /^(?:(ForAnyValue|ForAllValues):)?([A-Za-z]+?)(IfExists)?$/.exec(name);
  if (!m) return undefined;
  const base = m[2]!;
  if (base === 'Null') return m[1] || m[3] ? undefined : { base, ifExists: false };
  if (!(base in OPERATORS)) return undefined;
  return { set: m[1] as ParsedOperator['set'], base, ifExists: Boolean(m[3]) };
}

const asStrings = (v: ContextValue): string[] => (Array.isArray(v) ? v : [v]).map(String);

/** One operator's test of one key: true when the condition holds. `values` are the policy's values for the key. */
export function holds(operator: ParsedOperator, key: string, values: readonly string[], context: Context): boolean {
  const present = context[key] !== undefined && !(Array.isArray(context[key]) && (context[key] as []).length === 0);
  if (operator.base === 'Null') {
    // "Null": {"k": "true"} holds when k is absent; "false" when it is present.
    return values.some((v) => (v.toLowerCase() === 'true' ? !present : present));
  }
  const op = OPERATORS[operator.base]!;
  if (!present) {
    if (operator.ifExists) return true;
    if (operator.set === 'ForAllValues') return true; // every one of no values matches
    if (operator.set === 'ForAnyValue') return false;
    return op.negated;
  }
  const given = asStrings(context[key]!);
  const matches = (c: string) => values.some((p) => op.match(c, p));
  if (operator.set === 'ForAllValues') return given.every((c) => (op.negated ? !matches(c) : matches(c)));
  if (operator.set === 'ForAnyValue') return given.some((c) => (op.negated ? !matches(c) : matches(c)));
  // A single-valued key: positive operators match any policy value; negated ones match none.
  return op.negated ? !given.some(matches) : given.some(matches);
}

/** Whether `pattern` (with `*` and `?`) matches `value`; actions compare case-insensitively, as AWS's do. */
export function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?'))
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  return like(pattern, value, ignoreCase);
}
