// The platform's IAM policy grammar as the provider writes and reads it: AWS's elements (Version, Id, Statement;
// Sid, Effect, Action, NotAction, Resource, NotResource, Condition), with no Principal (the policies are
// identity-based), in the key order and value shapes the AWS provider writes. The API checks documents with the
// same rules (api/src/platform/operations/policy-documents.ts), which provider/ cannot import.

/** The versions the platform accepts. */
export const POLICY_VERSIONS: readonly string[] = ['2012-10-17', '2008-10-17'];
export const DEFAULT_VERSION = '2012-10-17';
export const EFFECTS: readonly string[] = ['Allow', 'Deny'];
export const DEFAULT_EFFECT = 'Allow';

export const DOCUMENT_KEYS = ['Version', 'Id', 'Statement'];
export const LISTS = ['Action', 'NotAction', 'Resource', 'NotResource'] as const;
export const STATEMENT_KEYS = ['Sid', 'Effect', ...LISTS, 'Condition'];

export type Strings = string | string[];

/** The document, with its keys in the order they are written out. */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement?: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action?: Strings;
  NotAction?: Strings;
  Resource?: Strings;
  NotResource?: Strings;
  /** operator -> condition key -> value(s) */
  Condition?: Record<string, Record<string, Strings>>;
}

/** One fault, at the path of the argument that holds it (['statement', 0, 'effect']). */
export interface PolicyProblem {
  path: (string | number)[];
  summary: string;
  detail: string;
}

/** Go's string order (UTF-8 bytes), which the AWS provider's sort and JSON map keys follow. */
export const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** operator -> key -> values, keys sorted, a single value as a string; undefined when there is none. */
export function conditionObject(grouped: Record<string, Record<string, string[]>>) {
  const tests = Object.keys(grouped).sort(byBytes);
  if (!tests.length) return undefined;
  const out: Record<string, Record<string, Strings>> = {};
  for (const test of tests) {
    const keys: Record<string, Strings> = {};
    for (const key of Object.keys(grouped[test]!).sort(byBytes)) {
      const values = grouped[test]![key]!;
      keys[key] = values.length === 1 ? values[0]! : values;
    }
    out[test] = keys;
  }
  return out;
}

/** The statement's keys in the document's order (JSON.stringify writes them in insertion order). */
export function ordered(s: PolicyStatement): PolicyStatement {
  const given = s as unknown as Record<string, unknown>;
  return Object.fromEntries(
    STATEMENT_KEYS.filter((k) => given[k] !== undefined).map((k) => [k, given[k]]),
  ) as unknown as PolicyStatement;
}

/**
 * A source or override document, checked against the platform's grammar. Its statements are kept as written, except
 * that conditions are regrouped as the AWS provider does: one value becomes a string, booleans and numbers strings.
 */
export function parsePolicyDocument(
  text: string,
  path: (string | number)[],
  problems: PolicyProblem[],
): PolicyDocument | undefined {
  const where = `${path[0]}[${path[1]}]`;
  const fault = (detail: string) => {
    problems.push({ path, summary: `Invalid policy document in ${path[0]}`, detail: `${where}: ${detail}` });
    return undefined;
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fault(`not JSON (${(e as Error).message}).`);
  }
  if (!isObject(raw)) return fault('must be a JSON object with Version and Statement.');
  const unknown = Object.keys(raw).filter((k) => !DOCUMENT_KEYS.includes(k));
  if (unknown.length) return fault(`${unknown.join(', ')} is not a policy element (${DOCUMENT_KEYS.join(', ')}).`);
  if (raw.Version !== undefined && (typeof raw.Version !== 'string' || !POLICY_VERSIONS.includes(raw.Version)))
    return fault(`Version must be one of ${POLICY_VERSIONS.join(', ')}.`);
  if (raw.Id !== undefined && typeof raw.Id !== 'string') return fault('Id must be a string.');
  const list = raw.Statement === undefined ? [] : Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  const statements: PolicyStatement[] = [];
  for (const [i, s] of list.entries()) {
    const at = `Statement[${i}]`;
    if (!isObject(s)) return fault(`${at} must be an object.`);
    const extra = Object.keys(s).filter((k) => !STATEMENT_KEYS.includes(k));
    if (extra.length)
      return fault(
        `${at}: ${extra.join(', ')} is not a statement element of the platform's identity-based policies ` +
          `(${STATEMENT_KEYS.join(', ')}).`,
      );
    if (s.Sid !== undefined && typeof s.Sid !== 'string') return fault(`${at}.Sid must be a string.`);
    if (typeof s.Effect !== 'string' || !EFFECTS.includes(s.Effect))
      return fault(`${at}.Effect must be Allow or Deny.`);
    const statement: PolicyStatement = { Effect: s.Effect };
    if (s.Sid) statement.Sid = s.Sid;
    for (const key of LISTS) {
      const v = s[key];
      if (v === undefined) continue;
      if (!isStrings(v)) return fault(`${at}.${key} must be a string or a non-empty list of strings.`);
      statement[key] = Array.isArray(v) ? [...v] : v;
    }
    if (s.Condition !== undefined) {
      const grouped: Record<string, Record<string, string[]>> = {};
      if (!isObject(s.Condition)) return fault(`${at}.Condition must be an object of operators.`);
      for (const [test, keys] of Object.entries(s.Condition)) {
        if (!isObject(keys)) return fault(`${at}.Condition.${test} must be an object of condition keys.`);
        for (const [key, value] of Object.entries(keys)) {
          const values = (Array.isArray(value) ? value : [value]) as unknown[];
          if (!values.length || values.some((x) => !['string', 'boolean', 'number'].includes(typeof x)))
            return fault(`${at}.Condition.${test}.${key} must be a value or a non-empty list of values.`);
          (grouped[test] ??= {})[key] = values.map(String);
        }
      }
      const condition = conditionObject(grouped);
      if (condition) statement.Condition = condition;
    }
    statements.push(ordered(statement));
  }
  return {
    Version: raw.Version as string | undefined,
    Id: (raw.Id as string | undefined) || undefined,
    Statement: statements,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is Strings =>
  (typeof v === 'string' && v !== '') ||
  (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== ''));
