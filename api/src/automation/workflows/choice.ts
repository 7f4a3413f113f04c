// Workflow Choice rules: checking a definition's rules, and picking the next state for an input as ASL does.
import type { FieldError } from '../../platform/problems.js';
import { PathError, checkPath, pointerToken, readPath, type Context, type Json } from './paths.js';

/** A comparison (Variable and one operator) or And/Or/Not of nested rules; only top-level rules have Next. */
export interface ChoiceRule {
  Next?: string;
  Comment?: string;
  Variable?: string;
  And?: ChoiceRule[];
  Or?: ChoiceRule[];
  Not?: ChoiceRule;
  [operator: string]: Json | ChoiceRule | ChoiceRule[] | undefined;
}

type Family = 'String' | 'Numeric' | 'Boolean' | 'Timestamp' | 'Is';
type Op = { family: Family; rel: string; path: boolean };

const RELATIONS = ['Equals', 'LessThan', 'GreaterThan', 'LessThanEquals', 'GreaterThanEquals'];
const OPS = new Map<string, Op>();
for (const family of ['String', 'Numeric', 'Timestamp'] as const)
  for (const rel of RELATIONS) {
    OPS.set(family + rel, { family, rel, path: false });
    OPS.set(`${family}${rel}Path`, { family, rel, path: true });
  }
OPS.set('BooleanEquals', { family: 'Boolean', rel: 'Equals', path: false });
OPS.set('BooleanEqualsPath', { family: 'Boolean', rel: 'Equals', path: true });
// As in ASL, StringMatches has no Path form: a pattern is part of the definition.
OPS.set('StringMatches', { family: 'String', rel: 'Matches', path: false });
for (const t of ['Null', 'Present', 'Numeric', 'String', 'Boolean', 'Timestamp'])
  OPS.set(`Is${t}`, { family: 'Is', rel: t, path: false });

const COMBINATORS = ['And', 'Or', 'Not'] as const;
const OPERAND: Record<Family, string> = {
  String: 'a string',
  Numeric: 'a number',
  Boolean: 'a boolean',
  Timestamp: 'an RFC 3339 timestamp',
  Is: 'a boolean',
};

const TS = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** An RFC 3339 timestamp as [epoch seconds, nanoseconds], or null; Date.parse would accept 30 February. */
function instant(v: unknown): [number, number] | null {
  const m = typeof v === 'string' ? TS.exec(v) : null;
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const [oh, om] = [Number(m[9] ?? 0), Number(m[10] ?? 0)];
  if (h > 23 || mi > 59 || s > 59 || oh > 23 || om > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  const offset = (m[8] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  const seconds = date.getTime() / 1000 + h * 3600 + mi * 60 + s - offset;
  return [seconds, Number((m[7] ?? '').slice(0, 9).padEnd(9, '0'))];
}

/** Null if `pattern` only escapes `*` and `\`, else why not. */
function checkPattern(pattern: string): string | null {
  for (let i = 0; i < pattern.length; i++)
    if (pattern[i] === '\\' && !['*', '\\'].includes(pattern[++i])) return 'only \\* and \\\\ may be escaped';
  return null;
}

function matches(s: string, pattern: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] === '\\' ? pattern[++i] : pattern[i] === '*' ? null : pattern[i];
    re += c === null ? '.*' : (c ?? '').replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'su').test(s);
}

function checkOperand(op: Op, v: unknown): { detail: string; code: string } | null {
  if (op.path) {
    if (typeof v !== 'string') return { detail: 'must be a path (a string)', code: 'Type' };
    const bad = checkPath(v, { allowContext: true });
    return bad === null ? null : { detail: bad, code: 'InvalidPath' };
  }
  const want = OPERAND[op.family];
  if (op.family === 'Timestamp')
    return typeof v !== 'string'
      ? { detail: `must be ${want}`, code: 'Type' }
      : instant(v) === null
        ? { detail: `must be ${want}, like 2026-01-31T23:59:59Z`, code: 'Invalid' }
        : null;
  const kind = { String: 'string', Numeric: 'number', Boolean: 'boolean', Is: 'boolean' }[op.family];
  if (typeof v !== kind) return { detail: `must be ${want}`, code: 'Type' };
  const bad = op.rel === 'Matches' ? checkPattern(v as string) : null;
  return bad === null ? null : { detail: bad, code: 'Invalid' };
}

/** Every problem with a Choice rule at `pointer`; `top` is true for the rules listed in a Choice state's Choices. */
export function checkChoiceRule(rule: unknown, pointer: string, top: boolean): FieldError[] {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule))
    return [{ pointer, detail: 'must be an object', code: 'Type' }];
  const r = rule as Record<string, unknown>;
  const at = (k: string) => `${pointer}/${pointerToken(k)}`;
  const errors: FieldError[] = [];
  const err = (k: string | null, detail: string, code: string) =>
    errors.push({ pointer: k === null ? pointer : at(k), detail, code });

  const keys = Object.keys(r);
  const ops = keys.filter((k) => OPS.has(k));
  const combinators = keys.filter((k) => (COMBINATORS as readonly string[]).includes(k));
  const known = new Set(['Next', 'Comment', 'Variable', ...ops, ...combinators]);
  for (const k of keys.filter((k) => !known.has(k)))
    err(
      k,
      `unknown field ${k}: a Choice rule has Variable and one comparison operator, or And, Or or Not`,
      'UnknownField',
    );

  if (top && !Object.hasOwn(r, 'Next')) err('Next', 'is required', 'Required');
  else if (top && (typeof r.Next !== 'string' || r.Next === '')) err('Next', 'must be a state name', 'Type');
  else if (!top && Object.hasOwn(r, 'Next')) err('Next', 'is only allowed on a top-level rule of Choices', 'Invalid');
  if (Object.hasOwn(r, 'Comment') && typeof r.Comment !== 'string') err('Comment', 'must be a string', 'Type');

  const isComparison = ops.length > 0 || Object.hasOwn(r, 'Variable');
  const forms = [...combinators, ...(isComparison ? ['a comparison'] : [])];
  if (forms.length === 0) err(null, 'must have a comparison (Variable and an operator), or And, Or or Not', 'Required');
  for (const k of combinators.slice(isComparison ? 0 : 1))
    err(k, `cannot be combined with ${forms[0] === k ? forms[forms.length - 1] : forms[0]} in one rule`, 'Invalid');

  if (isComparison) {
    if (!Object.hasOwn(r, 'Variable')) err('Variable', 'is required', 'Required');
    else if (typeof r.Variable !== 'string') err('Variable', 'must be a path (a string)', 'Type');
    else {
      const bad = checkPath(r.Variable, { allowContext: true });
      if (bad !== null) err('Variable', bad, 'InvalidPath');
    }
    if (ops.length === 0) err(null, `must have a comparison operator, like StringEquals or IsPresent`, 'Required');
    for (const k of ops.slice(1))
      err(k, `only one comparison operator is allowed, and there is already ${ops[0]}`, 'Invalid');
    for (const k of ops) {
      const bad = checkOperand(OPS.get(k)!, r[k]);
      if (bad !== null) err(k, bad.detail, bad.code);
    }
  }

  for (const k of ['And', 'Or'] as const) {
    if (!Object.hasOwn(r, k)) continue;
    const list = r[k];
    if (!Array.isArray(list)) err(k, 'must be an array of Choice rules', 'Type');
    else if (list.length === 0) err(k, 'must have at least one rule', 'Invalid');
    else list.forEach((sub, i) => errors.push(...checkChoiceRule(sub, `${at(k)}/${i}`, false)));
  }
  if (Object.hasOwn(r, 'Not')) errors.push(...checkChoiceRule(r.Not, at('Not'), false));
  return errors;
}

const MISSING = Symbol('missing');
function read(doc: Json, path: string, ctx: Context): Json | typeof MISSING {
  try {
    return readPath(doc, path, ctx);
  } catch (e) {
    if (e instanceof PathError && e.code === 'PathNotFound') return MISSING;
    throw e;
  }
}

function compare(rel: string, a: number): boolean {
  if (rel === 'Equals') return a === 0;
  if (rel === 'LessThan') return a < 0;
  if (rel === 'GreaterThan') return a > 0;
  if (rel === 'LessThanEquals') return a <= 0;
  return a >= 0;
}

function typeTest(test: string, v: Json): boolean {
  if (test === 'Null') return v === null;
  if (test === 'Numeric') return typeof v === 'number';
  if (test === 'String') return typeof v === 'string';
  if (test === 'Boolean') return typeof v === 'boolean';
  return instant(v) !== null;
}

/** Whether `input` satisfies `rule`; a missing Variable or operand, or one of the wrong type, is a non-match. */
export function evaluateChoice(rule: ChoiceRule, input: Json, ctx: Context): boolean {
  if (rule.And !== undefined) return rule.And.every((r) => evaluateChoice(r, input, ctx));
  if (rule.Or !== undefined) return rule.Or.some((r) => evaluateChoice(r, input, ctx));
  if (rule.Not !== undefined) return !evaluateChoice(rule.Not, input, ctx);
  const name = Object.keys(rule).find((k) => OPS.has(k));
  if (name === undefined || rule.Variable === undefined) throw new PathError('not a Choice comparison', 'InvalidPath');
  const op = OPS.get(name)!;
  const v = read(input, rule.Variable, ctx);
  if (op.rel === 'Present') return (v !== MISSING) === rule[name];
  if (v === MISSING) return false;
  if (op.family === 'Is') return typeTest(op.rel, v) === rule[name];
  const operand = op.path ? read(input, rule[name] as string, ctx) : (rule[name] as Json);
  if (operand === MISSING) return false;
  if (op.family === 'Timestamp') {
    const [a, b] = [instant(v), instant(operand)];
    return a !== null && b !== null && compare(op.rel, a[0] - b[0] || a[1] - b[1]);
  }
  const kind = { String: 'string', Numeric: 'number', Boolean: 'boolean' }[op.family];
  if (typeof v !== kind || typeof operand !== kind) return false;
  if (op.rel === 'Matches') return matches(v as string, operand as string);
  if (op.family === 'Boolean') return v === operand;
  const [x, y] = [v as string | number, operand as string | number];
  return compare(op.rel, x < y ? -1 : x > y ? 1 : 0);
}

/** The Next of the first rule `input` satisfies, else `dflt`; neither is States.NoChoiceMatched. */
export function chooseNext(choices: ChoiceRule[], dflt: string | undefined, input: Json, ctx: Context): string {
  for (const rule of choices)
    if (evaluateChoice(rule, input, ctx)) {
      if (rule.Next === undefined) throw new PathError('a top-level Choice rule has no Next', 'InvalidPath');
      return rule.Next;
    }
  if (dflt !== undefined) return dflt;
  throw new PathError('No Choice matched and no Default', 'NoChoiceMatched');
}
