// IAM policy documents in AWS's grammar, checked and evaluated with AWS's logic: an explicit Deny in any statement
// of any policy wins; otherwise a matching Allow allows; otherwise the request is implicitly denied. Actions are the
// operations' x-permission names (`compute:CreateInstance`); resources are `atx:<service>:<region>:<owner>:<kind>/<id>`.
import type { FieldError } from '../problems.js';
import { holds, parseOperator, wildcard, type Context } from './policy-conditions.js';

export type { Context } from './policy-conditions.js';

export type Strings = string | string[];
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: Strings;
  NotAction?: Strings;
  Resource?: Strings;
  NotResource?: Strings;
  Condition?: Record<string, Record<string, Strings | boolean | number>>;
}
export interface PolicyDocument {
  Version?: string;
  Statement: Statement | Statement[];
}

/** A policy as it applies to a principal: its id (for the answer that names a deciding statement) and document. */
export interface AppliedPolicy {
  id: string;
  document: PolicyDocument;
}

export interface PolicyRequest {
  action: string;
  resource: string;
  context: Context;
}

export interface DecidingStatement {
  policyId: string;
  sid?: string;
  index: number;
}

export type Decision =
  | { decision: 'allowed'; by: DecidingStatement }
  | { decision: 'explicit_deny'; by: DecidingStatement }
  | { decision: 'implicit_deny' };

/** The longest document accepted, in characters of its JSON (AWS's limit for a managed policy). */
export const MAX_DOCUMENT_CHARS = 6144;
export const VERSIONS = ['2012-10-17', '2008-10-17'];

const list = (v: Strings | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const statements = (d: PolicyDocument): Statement[] => (Array.isArray(d.Statement) ? d.Statement : [d.Statement]);

/**
 * Policy variables (`${atx:PrincipalId}`) in Resource and Condition values take the request's context value, in
 * documents of Version 2012-10-17 (in 2008-10-17 they are literal text, as in AWS). A variable the request does not
 * carry leaves the element unmatched.
 */
function substitute(pattern: string, context: Context, variables: boolean): string | undefined {
  if (!variables || !pattern.includes('${')) return pattern;
  let missing = false;
  const out = pattern.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
    const v = context[key];
    if (v === undefined || Array.isArray(v)) {
      missing = true;
      return '';
    }
    return String(v);
  });
  return missing ? undefined : out;
}

function matchesAny(patterns: string[], value: string, context: Context, variables: boolean): boolean {
  return patterns.some((p) => {
    const q = substitute(p, context, variables);
    return q !== undefined && wildcard(q, value, false);
  });
}

function namesAction(s: Statement, action: string): boolean {
  if (s.Action === undefined && s.NotAction === undefined) return false; // refused at validation; never matches
  return s.Action
    ? list(s.Action).some((p) => wildcard(p, action, true))
    : !list(s.NotAction).some((p) => wildcard(p, action, true));
}

/**
 * Whether some Allow statement names the action and holds under the request's context, whatever its resources (and
 * whatever it says of the resource's tags): a list the collection's name does not allow may then be filtered.
 */
export function mayAllow(policies: readonly AppliedPolicy[], action: string, context: Context): boolean {
  return policies.some((p) =>
    statements(p.document).some(
      (s) =>
        s.Effect === 'Allow' &&
        namesAction(s, action) &&
        conditionsHold(s, context, p.document.Version === '2012-10-17', (key) => key.startsWith('atx:ResourceTag/')),
    ),
  );
}

function applies(s: Statement, r: PolicyRequest, variables: boolean): boolean {
  if (!namesAction(s, r.action)) return false;
  const resource = s.NotResource
    ? !matchesAny(list(s.NotResource), r.resource, r.context, variables)
    : matchesAny(list(s.Resource ?? '*'), r.resource, r.context, variables);
  return resource && conditionsHold(s, r.context, variables);
}

/** Every operator holds, and within one, every key: conditions are ANDed; a key's values are ORed. */
function conditionsHold(s: Statement, context: Context, variables: boolean, skip?: (key: string) => boolean): boolean {
  for (const [name, keys] of Object.entries(s.Condition ?? {})) {
    const op = parseOperator(name);
    if (!op) return false; // refused at validation; never an allow
    for (const [key, values] of Object.entries(keys)) {
      if (skip?.(key)) continue;
      const vs: string[] = [];
      for (const v of Array.isArray(values) ? values : [values]) {
        const x = substitute(String(v), context, variables);
        if (x !== undefined) vs.push(x);
      }
      if (!holds(op, key, vs, context)) return false;
    }
  }
  return true;
}

/** The decision for one request under the policies that apply to the principal. */
export function evaluate(policies: readonly AppliedPolicy[], request: PolicyRequest): Decision {
  let allow: DecidingStatement | undefined;
  for (const p of policies) {
    const all = statements(p.document);
    const variables = p.document.Version === '2012-10-17';
    for (let i = 0; i < all.length; i++) {
      const s = all[i]!;
      if (!applies(s, request, variables)) continue;
      const by = { policyId: p.id, sid: s.Sid, index: i };
      if (s.Effect === 'Deny') return { decision: 'explicit_deny', by };
      allow ??= by;
    }
  }
  return allow ? { decision: 'allowed', by: allow } : { decision: 'implicit_deny' };
}

/** What a document may name: the actions that exist, and whether a condition key is one a request can carry. */
export interface PolicyVocabulary {
  actions: readonly string[];
  isConditionKey(key: string): boolean;
}

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

/** Every fault of a document, each with its JSON pointer (from `/document`); empty when it is valid. */
export function validateDocument(doc: unknown, vocabulary: PolicyVocabulary, base = '/document'): FieldError[] {
  const errors: FieldError[] = [];
  const err = (pointer: string, detail: string, code: string) => errors.push({ pointer: base + pointer, detail, code });
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    err('', 'must be an object with Version and Statement', 'Type');
    return errors;
  }
  if (JSON.stringify(doc).length > MAX_DOCUMENT_CHARS)
    err('', `may be at most ${MAX_DOCUMENT_CHARS} characters of JSON`, 'TooLong');
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d))
    if (k !== 'Version' && k !== 'Statement' && k !== 'Id') err(`/${k}`, 'is not a policy element', 'Unknown');
  if (d.Version !== undefined && !VERSIONS.includes(String(d.Version)))
    err('/Version', `must be one of: ${VERSIONS.join(', ')}`, 'NotInEnum');
  const raw = d.Statement;
  const all = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (!all.length) err('/Statement', 'must hold at least one statement', 'Required');
  all.forEach((s, i) => {
    const at = Array.isArray(raw) ? `/Statement/${i}` : '/Statement';
    if (!s || typeof s !== 'object' || Array.isArray(s)) return err(at, 'must be an object', 'Type');
    const st = s as Record<string, unknown>;
    for (const k of Object.keys(st))
      if (!STATEMENT_KEYS.has(k)) err(`${at}/${k}`, 'is not a statement element', 'Unknown');
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') err(`${at}/Effect`, 'must be Allow or Deny', 'NotInEnum');
    pair(st, 'Action', 'NotAction', at, err, (p, where) => {
      if (!vocabulary.actions.some((a) => wildcard(p, a, true)))
        err(where, `matches no action of this platform (such as compute:CreateInstance)`, 'UnknownAction');
    });
    pair(
      st,
      'Resource',
      'NotResource',
      at,
      err,
      (p, where) => {
        if (p !== '*' && !p.startsWith('atx:'))
          err(where, 'must be * or a resource name atx:<service>:<region>:<owner>:<kind>/<id>', 'InvalidResource');
      },
      true,
    );
    if (st.Condition !== undefined) conditions(st.Condition, `${at}/Condition`, vocabulary, err);
  });
  return errors;
}

type Err = (pointer: string, detail: string, code: string) => void;

/** Exactly one of `a` and `b` (or neither, when `optional`), each a string or a non-empty list of strings. */
function pair(
  st: Record<string, unknown>,
  a: string,
  b: string,
  at: string,
  err: Err,
  each: (p: string, where: string) => void,
  optional = false,
) {
  if (st[a] !== undefined && st[b] !== undefined) return err(`${at}/${b}`, `send ${a} or ${b}, not both`, 'Conflict');
  const key = st[a] !== undefined ? a : st[b] !== undefined ? b : undefined;
  if (!key) return optional ? undefined : err(`${at}/${a}`, `a statement needs ${a} or ${b}`, 'Required');
  const v = st[key];
  const items = Array.isArray(v) ? v : [v];
  if (!items.length) err(`${at}/${key}`, 'may not be empty', 'Required');
  items.forEach((p, j) => {
    const where = Array.isArray(v) ? `${at}/${key}/${j}` : `${at}/${key}`;
    if (typeof p !== 'string' || !p) err(where, 'must be a non-empty string', 'Type');
    else each(p, where);
  });
}

function conditions(c: unknown, at: string, vocabulary: PolicyVocabulary, err: Err) {
  if (!c || typeof c !== 'object' || Array.isArray(c)) return err(at, 'must be an object of operators', 'Type');
  for (const [name, keys] of Object.entries(c)) {
    const where = `${at}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!parseOperator(name)) {
      err(
        where,
        'is not a condition operator (such as StringEquals, IpAddress, DateLessThanIfExists)',
        'UnknownOperator',
      );
      continue;
    }
    if (!keys || typeof keys !== 'object' || Array.isArray(keys)) {
      err(where, 'must be an object of condition keys', 'Type');
      continue;
    }
    for (const [key, value] of Object.entries(keys as Record<string, unknown>)) {
      const kat = `${where}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!vocabulary.isConditionKey(key)) err(kat, 'is not a condition key this platform sets', 'UnknownConditionKey');
      const values = Array.isArray(value) ? value : [value];
      if (!values.length || values.some((x) => !['string', 'number', 'boolean'].includes(typeof x)))
        err(kat, 'must be a value or a non-empty list of values', 'Type');
    }
  }
}
