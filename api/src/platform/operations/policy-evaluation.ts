// IAM policy documents in AWS's grammar, evaluated with AWS's logic (policy-documents.ts checks them): an explicit Deny in any statement
// of any policy wins; otherwise a matching Allow allows; otherwise the request is implicitly denied. Actions are the
// operations' x-permission names (`compute:CreateInstance`); resources are `atx:<service>:<region>:<owner>:<kind>/<id>`.
import { compileWildcard, holds, parseOperator, type Context, type ParsedOperator } from './policy-conditions.js';

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

/** One statement made ready to decide many requests: patterns compiled, conditions parsed, once per document. */
interface Compiled {
  effect: 'Allow' | 'Deny';
  sid?: string;
  index: number;
  /** tests a lowercased action; `names` false for NotAction (the statement applies when none matches) */
  actions: Matcher[];
  names: boolean;
  resources: Pattern[];
  /** NotResource: the statement applies when none matches */
  notResource: boolean;
  conditions: { op: ParsedOperator | undefined; key: string; values: string[] }[];
}
type Matcher = (value: string) => boolean;
/**
 * A resource pattern: compiled, or (with policy variables) its parts, compiled for each set of variable values met
 * (a few hundred remembered: most patterns only ever see their holder's own id).
 */
type Pattern = Matcher | { parts: (string | { key: string })[]; keys: string[]; byValues: Map<string, Matcher> };

const compiledDocuments = new WeakMap<PolicyDocument, Compiled[]>();

function compile(d: PolicyDocument): Compiled[] {
  let out = compiledDocuments.get(d);
  if (out) return out;
  const variables = d.Version === '2012-10-17';
  out = statements(d).map((s, index) => ({
    effect: s.Effect,
    sid: s.Sid,
    index,
    // A statement with neither Action nor NotAction is refused at validation; compiled, it never applies.
    actions: list(s.Action ?? s.NotAction).map((p) => matcher(p.toLowerCase())),
    names: s.Action !== undefined || s.NotAction === undefined,
    resources: list(s.NotResource ?? s.Resource ?? '*').map((p) =>
      variables && p.includes('${') ? variablePattern(p) : matcher(p),
    ),
    notResource: s.NotResource !== undefined,
    conditions: Object.entries(s.Condition ?? {}).flatMap(([name, keys]) =>
      Object.entries(keys).map(([key, values]) => ({
        op: parseOperator(name),
        key,
        values: (Array.isArray(values) ? values : [values]).map(String),
      })),
    ),
  }));
  compiledDocuments.set(d, out);
  return out;
}

const matcher = (pattern: string): Matcher => compileWildcard(pattern);

/**
 * Policy variables (`${atx:PrincipalId}`) in Resource and Condition values take the request's context value, in
 * documents of Version 2012-10-17 (in 2008-10-17 they are literal text, as in AWS). A variable the request does not
 * carry leaves the element unmatched.
 */
function substitute(parts: (string | { key: string })[], context: Context): string | undefined {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else {
      const v = context[part.key];
      if (v === undefined || Array.isArray(v)) return undefined;
      out += String(v);
    }
  }
  return out;
}

function variableParts(pattern: string): (string | { key: string })[] {
  const parts: (string | { key: string })[] = [];
  let at = 0;
  for (const m of pattern.matchAll(/\$\{([^}]+)\}/g)) {
    if (m.index! > at) parts.push(pattern.slice(at, m.index));
    parts.push({ key: m[1]! });
    at = m.index! + m[0].length;
  }
  if (at < pattern.length) parts.push(pattern.slice(at));
  return parts;
}

function namesAction(s: Compiled, action: string): boolean {
  if (!s.actions.length) return false;
  let any = false;
  for (const m of s.actions) if (m(action)) any = true;
  return s.names ? any : !any;
}

function namesResource(s: Compiled, resource: string, context: Context): boolean {
  let any = false;
  for (const p of s.resources) {
    if (typeof p === 'function' ? p(resource) : matchesSubstituted(p, resource, context)) {
      any = true;
      break;
    }
  }
  return s.notResource ? !any : any;
}

function variablePattern(p: string): Pattern {
  const parts = variableParts(p);
  const keys = parts.flatMap((x) => (typeof x === 'string' ? [] : [x.key]));
  return { parts, keys, byValues: new Map() };
}

function matchesSubstituted(p: Exclude<Pattern, Matcher>, resource: string, context: Context): boolean {
  const values = p.keys.length === 1 ? context[p.keys[0]!] : p.keys.map((k) => context[k]).join('\u0000');
  const memo = typeof values === 'string' ? p.byValues.get(values) : undefined;
  if (memo) return memo(resource);
  const q = substitute(p.parts, context);
  if (q === undefined) return false;
  const m = compileWildcard(q);
  if (typeof values === 'string') {
    if (p.byValues.size >= 256) p.byValues.clear();
    p.byValues.set(values, m);
  }
  return m(resource);
}

/** Every operator holds, and within one, every key: conditions are ANDed; a key's values are ORed. */
function conditionsHold(s: Compiled, context: Context, variables: boolean, skip?: (key: string) => boolean): boolean {
  for (const c of s.conditions) {
    if (!c.op) return false; // refused at validation; never an allow
    if (skip?.(c.key)) continue;
    const values = variables ? substituteAll(c.values, context) : c.values;
    if (!holds(c.op, c.key, values, context)) return false;
  }
  return true;
}

function substituteAll(values: string[], context: Context): string[] {
  if (!values.some((v) => v.includes('${'))) return values;
  const out: string[] = [];
  for (const v of values) {
    const x = v.includes('${') ? substitute(variableParts(v), context) : v;
    if (x !== undefined) out.push(x);
  }
  return out;
}

/**
 * Whether some Allow statement names the action and holds under the request's context, whatever its resources (and
 * whatever it says of the resource's tags): a list the collection's name does not allow may then be filtered.
 */
export function mayAllow(policies: readonly AppliedPolicy[], action: string, context: Context): boolean {
  const a = action.toLowerCase();
  return policies.some((p) =>
    compile(p.document).some(
      (s) =>
        s.effect === 'Allow' &&
        namesAction(s, a) &&
        conditionsHold(s, context, p.document.Version === '2012-10-17', (key) => key.startsWith('atx:ResourceTag/')),
    ),
  );
}

/** The statements of a set of policies that name an action, in order: found once per (set, action). */
type Candidate = { policyId: string; s: Compiled; variables: boolean };
const candidatesBySet = new WeakMap<readonly AppliedPolicy[], Map<string, Candidate[]>>();

function candidates(policies: readonly AppliedPolicy[], action: string): Candidate[] {
  let byAction = candidatesBySet.get(policies);
  if (!byAction) candidatesBySet.set(policies, (byAction = new Map()));
  let found = byAction.get(action);
  if (found) return found;
  found = [];
  for (const p of policies) {
    const variables = p.document.Version === '2012-10-17';
    for (const s of compile(p.document)) if (namesAction(s, action)) found.push({ policyId: p.id, s, variables });
  }
  if (byAction.size < 1000) byAction.set(action, found);
  return found;
}

/** The decision for one request under the policies that apply to the principal. */
export function evaluate(policies: readonly AppliedPolicy[], request: PolicyRequest): Decision {
  let allow: DecidingStatement | undefined;
  for (const { policyId, s, variables } of candidates(policies, request.action.toLowerCase())) {
    if (!namesResource(s, request.resource, request.context)) continue;
    if (!conditionsHold(s, request.context, variables)) continue;
    const by = { policyId, sid: s.sid, index: s.index };
    if (s.effect === 'Deny') return { decision: 'explicit_deny', by };
    allow ??= by;
  }
  return allow ? { decision: 'allowed', by: allow } : { decision: 'implicit_deny' };
}
