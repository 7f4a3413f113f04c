// IAM policy documents: the checks a document must pass before it is stored, each fault with its JSON pointer, against
// what the contract names (policy-vocabulary.ts): actions that exist, condition keys a request can carry.
import type { FieldError } from '../problems.js';
import { parseOperator, wildcard } from './policy-conditions.js';
import { MAX_DOCUMENT_CHARS, VERSIONS } from './policy-evaluation.js';

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
