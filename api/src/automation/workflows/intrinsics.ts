// Workflow intrinsic functions (States.Format, States.Array, ...): parsing, checking and pure evaluation.
import { createHash } from 'node:crypto';
import { PathError, checkPath, readPath, type Context, type Json } from './paths.js';

type Expr =
  { kind: 'path'; path: string } | { kind: 'literal'; value: Json } | { kind: 'call'; name: string; args: Expr[] };

class SyntaxErr extends Error {}
const NOT_A_CALL = 'must be a path ($...) or an intrinsic function call (States.…)';

/** Parses an intrinsic call, e.g. `States.Format('{} x', $.a)`. Path arguments are checked, not read. */
function parseIntrinsic(src: string): Expr {
  if (!/^\s*[A-Za-z_][\w.]*\s*\(/.test(src)) throw new SyntaxErr(NOT_A_CALL);
  let i = 0;
  const fail = (msg: string): never => {
    throw new SyntaxErr(`${msg} at position ${i}`);
  };
  const ws = () => {
    while (/\s/.test(src[i] ?? '')) i++;
  };
  const expr = (): Expr => {
    ws();
    const c = src[i];
    if (c === "'") {
      let s = '';
      for (i++; src[i] !== "'"; i++) {
        if (i >= src.length) fail('unterminated string');
        if (src[i] === '\\') {
          i++;
          if (src[i] !== "'" && src[i] !== '\\') fail("only \\' and \\\\ may be escaped");
        }
        s += src[i];
      }
      i++;
      return { kind: 'literal', value: s };
    }
    if (c === '$') {
      const start = i;
      // A path ends at a top-level comma, parenthesis or space; inside brackets a quoted name may hold any of those.
      while (i < src.length && !/[\s,)]/.test(src[i])) {
        if (src[i] === '[' && (src[i + 1] === "'" || src[i + 1] === '"')) {
          const end = src.indexOf(src[i + 1], i + 2);
          i = end < 0 ? src.length : end + 1;
        } else i++;
      }
      const path = src.slice(start, i);
      const bad = checkPath(path, { allowContext: true });
      if (bad !== null) throw new SyntaxErr(`${path}: ${bad}`);
      return { kind: 'path', path };
    }
    const word = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_.]*)/.exec(src.slice(i))?.[0];
    if (word === undefined) return fail(c === undefined ? 'unexpected end' : `unexpected '${c}'`);
    i += word.length;
    if (/^[-\d]/.test(word)) return { kind: 'literal', value: Number(word) };
    if (word === 'true' || word === 'false') return { kind: 'literal', value: word === 'true' };
    if (word === 'null') return { kind: 'literal', value: null };
    ws();
    if (src[i] !== '(') fail(`expected ( after ${word}`);
    i++;
    const args: Expr[] = [];
    ws();
    if (src[i] === ')') i++;
    else
      for (;;) {
        args.push(expr());
        ws();
        if (src[i] === ')') break;
        if (src[i] !== ',') fail('expected , or )');
        i++;
      }
    if (args.length > 0) i++;
    return { kind: 'call', name: word, args };
  };
  const e = expr();
  ws();
  if (e.kind !== 'call') throw new SyntaxErr(NOT_A_CALL);
  if (i < src.length) fail('unexpected text after the call');
  return e;
}

const failure = (msg: string) => new PathError(msg, 'IntrinsicFailure');
const kindOf = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const isKind = (v: Json, kind: string) => (kind === 'integer' ? Number.isInteger(v) : kindOf(v) === kind);
const article = (kind: string) => (kind === 'array' || kind === 'integer' ? 'an' : 'a');
function want(fn: string, n: number, v: Json, kind: string): void {
  if (!isKind(v, kind)) throw failure(`${fn}: argument ${n + 1} must be ${article(kind)} ${kind}, not ${kindOf(v)}`);
}

function equal(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (kindOf(a) !== 'object' || kindOf(b) !== 'object') return false;
  const [x, y] = [a as { [k: string]: Json }, b as { [k: string]: Json }];
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && equal(x[k], y[k]));
}

const PLACEHOLDER = /\{\}/g;
const placeholders = (tpl: string) => tpl.match(PLACEHOLDER)?.length ?? 0;
const ARRAY_RANGE_MAX = 1000;
const HASHES: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

type Fn = { min: number; max: number; types: string[]; run: (a: Json[], fn: string) => Json };
const f = (min: number, max: number, types: string[], run: Fn['run']): Fn => ({ min, max, types, run });
const FNS: Record<string, Fn> = {
  'States.Format': f(1, Infinity, ['string'], ([tpl, ...rest], fn) => {
    const n = placeholders(tpl as string);
    if (n !== rest.length) throw failure(`${fn}: ${n} placeholders but ${rest.length} arguments to fill them`);
    let k = 0;
    return (tpl as string).replace(PLACEHOLDER, () => {
      const v = rest[k++];
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
  }),
  'States.StringToJson': f(1, 1, ['string'], ([s], fn) => {
    try {
      return JSON.parse(s as string) as Json;
    } catch {
      throw failure(`${fn}: argument 1 is not valid JSON`);
    }
  }),
  'States.JsonToString': f(1, 1, [], ([v]) => JSON.stringify(v)),
  'States.Array': f(0, Infinity, [], (a) => a),
  'States.ArrayLength': f(1, 1, ['array'], ([a]) => (a as Json[]).length),
  'States.ArrayContains': f(2, 2, ['array'], ([a, v]) => (a as Json[]).some((x) => equal(x, v))),
  'States.ArrayRange': f(3, 3, ['integer', 'integer', 'integer'], ([s, e, st], fn) => {
    const [start, end, step] = [s, e, st] as number[];
    if (step === 0) throw failure(`${fn}: the step must not be 0`);
    const count = Math.max(0, Math.floor((end - start) / step) + 1);
    if (count > ARRAY_RANGE_MAX) throw failure(`${fn}: more than ${ARRAY_RANGE_MAX} items`);
    return Array.from({ length: count }, (_, k) => start + k * step);
  }),
  'States.ArrayGetItem': f(2, 2, ['array', 'integer'], ([a, n], fn) => {
    const [arr, idx] = [a as Json[], n as number];
    if (idx < 0 || idx >= arr.length) throw failure(`${fn}: index ${idx} is out of range (length ${arr.length})`);
    return arr[idx];
  }),
  'States.ArrayPartition': f(2, 2, ['array', 'integer'], ([a, n], fn) => {
    const [arr, size] = [a as Json[], n as number];
    if (size < 1) throw failure(`${fn}: the chunk size must be at least 1`);
    return Array.from({ length: Math.ceil(arr.length / size) }, (_, k) => arr.slice(k * size, (k + 1) * size));
  }),
  'States.ArrayUnique': f(1, 1, ['array'], ([a]) =>
    (a as Json[]).filter((x, i, arr) => arr.findIndex((y) => equal(x, y)) === i),
  ),
  'States.MathAdd': f(2, 2, ['number', 'number'], ([a, b], fn) => {
    const sum = (a as number) + (b as number);
    if (!Number.isFinite(sum)) throw failure(`${fn}: the sum is out of range`);
    return sum;
  }),
  'States.StringSplit': f(2, 2, ['string', 'string'], ([s, d], fn) => {
    if (d === '') throw failure(`${fn}: the delimiter must not be empty`);
    // Every character of the second argument is a delimiter, and empty pieces are dropped, as in ASL.
    const delims = new Set(d as string);
    const out = [''];
    for (const ch of s as string) {
      if (delims.has(ch)) out.push('');
      else out[out.length - 1] += ch;
    }
    return out.filter((p) => p !== '');
  }),
  'States.Base64Encode': f(1, 1, ['string'], ([s]) => Buffer.from(s as string, 'utf8').toString('base64')),
  'States.Base64Decode': f(1, 1, ['string'], ([s], fn) => {
    // Buffer.from skips bad characters silently; a malformed input must fail instead.
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s as string))
      throw failure(`${fn}: argument 1 is not base64`);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(s as string, 'base64'));
    } catch {
      throw failure(`${fn}: argument 1 does not decode to UTF-8 text`);
    }
  }),
  'States.Hash': f(2, 2, ['string', 'string'], ([s, alg], fn) => {
    const algo = Object.hasOwn(HASHES, alg as string) ? HASHES[alg as string] : undefined;
    if (algo === undefined)
      throw failure(`${fn}: unknown algorithm ${String(alg)} (${Object.keys(HASHES).join(', ')})`);
    return createHash(algo)
      .update(s as string, 'utf8')
      .digest('hex');
  }),
};

// Own keys only: a call to States.constructor must not find Object.prototype's.
const lookup = (name: string) => (Object.hasOwn(FNS, name) ? FNS[name] : undefined);
const IMPURE = new Set(['States.UUID', 'States.MathRandom']);

/** Null if `src` is a valid intrinsic call: known, pure functions with the right number of arguments. */
export function checkIntrinsic(src: string): string | null {
  const visit = (e: Expr): string | null => {
    if (e.kind !== 'call') return null;
    if (IMPURE.has(e.name))
      return `${e.name} is not supported: it is not deterministic, and the engine replays steps, so rendering must be pure`;
    const fn = lookup(e.name);
    if (fn === undefined) return `unknown intrinsic function ${e.name}`;
    const [tpl, ...rest] = e.args;
    if (e.name === 'States.Format' && tpl?.kind === 'literal' && typeof tpl.value === 'string') {
      const n = placeholders(tpl.value);
      if (n !== rest.length) return `States.Format has ${n} placeholders but ${rest.length} arguments to fill them`;
    }
    if (e.args.length < fn.min || e.args.length > fn.max) {
      const n = fn.min === fn.max ? `${fn.min}` : fn.max === Infinity ? `at least ${fn.min}` : `${fn.min} to ${fn.max}`;
      return `${e.name} takes ${n} argument${/\b1$/.test(n) ? '' : 's'}, not ${e.args.length}`;
    }
    for (const [k, a] of e.args.entries()) {
      const t = fn.types[k];
      if (t !== undefined && a.kind === 'literal' && !isKind(a.value, t))
        return `${e.name}: argument ${k + 1} must be ${article(t)} ${t}`;
      const bad = visit(a);
      if (bad !== null) return bad;
    }
    return null;
  };
  try {
    return visit(parseIntrinsic(src));
  } catch (e) {
    if (e instanceof SyntaxErr) return e.message;
    throw e;
  }
}

/** The value of an intrinsic call against `input` and `ctx`. */
export function evaluateIntrinsic(src: string, input: Json, ctx: Context): Json {
  let e: Expr;
  try {
    e = parseIntrinsic(src);
  } catch (err) {
    if (err instanceof SyntaxErr) throw failure(`${src}: ${err.message}`);
    throw err;
  }
  const run = (x: Expr): Json => {
    if (x.kind === 'literal') return x.value;
    if (x.kind === 'path') return readPath(input, x.path, ctx);
    const fn = lookup(x.name);
    if (fn === undefined) throw failure(`${x.name} is not supported`);
    const args = x.args.map(run);
    if (args.length < fn.min || args.length > fn.max) throw failure(`${x.name}: wrong number of arguments`);
    args.forEach((a, k) => fn.types[k] !== undefined && want(x.name, k, a, fn.types[k]));
    return fn.run(args, x.name);
  };
  return run(e);
}
