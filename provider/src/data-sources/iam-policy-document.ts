// The builder behind atonix_iam_policy_document: an IAM policy document in the platform's grammar, made from the data
// source's arguments, merged and formatted the way aws_iam_policy_document does it. Pure: no I/O, no Terraform values.
//
// Merging, in order: source_policy_documents (their sids must be unique), then the statement blocks (their sids must
// be unique; one replaces a source statement with the same sid, in place), then override_policy_documents (each
// statement with a sid replaces the earlier one with that sid, in place). Every other statement is appended. The
// version is the newest one met; the id the last one given.
import { crc32 } from 'node:zlib';

/** The versions the platform's policy grammar accepts (the API's policy-evaluation.ts, which provider/ cannot import). */
export const POLICY_VERSIONS: readonly string[] = ['2012-10-17', '2008-10-17'];
export const DEFAULT_VERSION = '2012-10-17';
export const EFFECTS: readonly string[] = ['Allow', 'Deny'];
export const DEFAULT_EFFECT = 'Allow';

const DOCUMENT_KEYS = ['Version', 'Id', 'Statement'];
const LISTS = ['Action', 'NotAction', 'Resource', 'NotResource'] as const;
const STATEMENT_KEYS = ['Sid', 'Effect', ...LISTS, 'Condition'];

/**
 * The arguments as the configuration holds them; a missing or null one is unset. Every check looks at given values
 * only, so validation before Terraform knows every value passes the unknown ones as null.
 */
export interface PolicyDocumentInput {
  version?: string | null;
  policy_id?: string | null;
  /** A null element is skipped, as the AWS provider skips one. */
  source_policy_documents?: readonly (string | null)[] | null;
  override_policy_documents?: readonly (string | null)[] | null;
  statement?: readonly (StatementInput | null)[] | null;
}

export interface StatementInput {
  sid?: string | null;
  effect?: string | null;
  actions?: readonly string[] | null;
  not_actions?: readonly string[] | null;
  resources?: readonly string[] | null;
  not_resources?: readonly string[] | null;
  condition?: readonly (ConditionInput | null)[] | null;
}

export interface ConditionInput {
  test?: string | null;
  variable?: string | null;
  values?: readonly string[] | null;
}

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

export interface BuiltPolicyDocument {
  document: PolicyDocument;
  /** Indented by two spaces, as the AWS provider prints it. */
  json: string;
  minifiedJson: string;
  /** The CRC-32 of `json` as a decimal string, as the AWS provider computes its id. */
  id: string;
}

/** One fault, at the path of the argument that holds it (['statement', 0, 'effect']). */
export interface PolicyProblem {
  path: (string | number)[];
  summary: string;
  detail: string;
}

export class PolicyDocumentError extends Error {
  constructor(readonly problems: PolicyProblem[]) {
    super(problems.map((p) => `${p.summary}: ${p.detail}`).join('; '));
  }
}

/** The document for fully known arguments; throws a PolicyDocumentError with every fault found. */
export function buildPolicyDocument(input: PolicyDocumentInput): BuiltPolicyDocument {
  const problems: PolicyProblem[] = [];
  const document = assemble(input, problems);
  if (problems.length) throw new PolicyDocumentError(problems);
  const json = JSON.stringify(document, null, 2);
  return { document, json, minifiedJson: JSON.stringify(document), id: String(crc32(json)) };
}

/** Every fault in the arguments, as buildPolicyDocument() would report them; empty when they are sound. */
export function policyDocumentProblems(input: PolicyDocumentInput): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  assemble(input, problems);
  return problems;
}

function assemble(input: PolicyDocumentInput, problems: PolicyProblem[]): PolicyDocument {
  const merged: Merged = { statements: [] };
  const sourceSids = new Map<string, number>();
  (input.source_policy_documents ?? []).forEach((text, i) => {
    if (text === null) return;
    const doc = parseDocument(text, ['source_policy_documents', i], problems);
    if (!doc) return;
    for (const s of doc.Statement ?? []) {
      if (!s.Sid) continue;
      const first = sourceSids.get(s.Sid);
      if (first !== undefined)
        problems.push({
          path: ['source_policy_documents', i],
          summary: 'Duplicate sid in source_policy_documents',
          detail:
            `Sid "${s.Sid}" is already used ` +
            (first === i ? 'earlier in this document' : `by source_policy_documents[${first}]`) +
            '; statements of source documents need unique sids (use override_policy_documents to replace one).',
        });
      else sourceSids.set(s.Sid, i);
    }
    merge(merged, doc);
  });

  const version = input.version ?? DEFAULT_VERSION;
  if (!POLICY_VERSIONS.includes(version))
    problems.push({
      path: ['version'],
      summary: 'Invalid policy version',
      detail: `version must be one of ${POLICY_VERSIONS.map((v) => `"${v}"`).join(', ')}, not "${version}".`,
    });
  merge(merged, {
    Version: version,
    Id: input.policy_id ?? undefined,
    Statement: configStatements(input.statement ?? [], problems),
  });

  (input.override_policy_documents ?? []).forEach((text, i) => {
    if (text === null) return;
    const doc = parseDocument(text, ['override_policy_documents', i], problems);
    if (doc) merge(merged, doc);
  });

  const out: PolicyDocument = {};
  if (merged.version) out.Version = merged.version;
  if (merged.id) out.Id = merged.id;
  if (merged.statements.length) out.Statement = merged.statements;
  return out;
}

interface Merged {
  version?: string;
  id?: string;
  statements: PolicyStatement[];
}

/** AWS's merge: the newer version and a given id win; a statement with a sid replaces its namesake in place. */
function merge(into: Merged, doc: PolicyDocument) {
  if (doc.Version && (!into.version || doc.Version > into.version)) into.version = doc.Version;
  if (doc.Id) into.id = doc.Id;
  for (const s of doc.Statement ?? []) {
    const at = s.Sid ? into.statements.findIndex((t) => t.Sid === s.Sid) : -1;
    if (at >= 0) into.statements[at] = s;
    else into.statements.push(s);
  }
}

function configStatements(list: readonly (StatementInput | null)[], problems: PolicyProblem[]) {
  const sids = new Map<string, number>();
  const out: PolicyStatement[] = [];
  list.forEach((s, i) => {
    if (!s) return;
    const at = (...rest: (string | number)[]) => ['statement', i, ...rest];
    if (s.sid) {
      const first = sids.get(s.sid);
      if (first !== undefined)
        problems.push({
          path: at('sid'),
          summary: 'Duplicate sid',
          detail: `statement ${first} already has sid "${s.sid}"; sids must be unique (or left out).`,
        });
      else sids.set(s.sid, i);
    }
    const effect = s.effect ?? DEFAULT_EFFECT;
    if (!EFFECTS.includes(effect))
      problems.push({
        path: at('effect'),
        summary: 'Invalid effect',
        detail: `effect must be "Allow" or "Deny", not "${effect}".`,
      });
    for (const [a, b] of [
      ['actions', 'not_actions'],
      ['resources', 'not_resources'],
    ] as const) {
      if (s[a]?.length && s[b]?.length)
        problems.push({
          path: at(b),
          summary: `Conflicting ${a} and ${b}`,
          detail: `A statement takes ${a} or ${b}, not both.`,
        });
    }
    const statement: PolicyStatement = { Effect: effect };
    if (s.sid) statement.Sid = s.sid;
    setList(statement, 'Action', s.actions);
    setList(statement, 'NotAction', s.not_actions);
    setList(statement, 'Resource', s.resources);
    setList(statement, 'NotResource', s.not_resources);
    const grouped: Record<string, Record<string, string[]>> = {};
    (s.condition ?? []).forEach((c, j) => {
      if (!c?.test || !c.variable) return;
      if (c.values?.length === 0)
        problems.push({
          path: at('condition', j, 'values'),
          summary: 'No condition values',
          detail: `The condition ${c.test} on ${c.variable} needs at least one value.`,
        });
      ((grouped[c.test] ??= {})[c.variable] ??= []).push(...(c.values ?? []));
    });
    const condition = conditionObject(grouped);
    if (condition) statement.Condition = condition;
    out.push(ordered(statement));
  });
  return out;
}

/** A set from the configuration: one element as a string, several sorted in reverse (as the AWS provider does). */
function setList(
  statement: PolicyStatement,
  key: (typeof LISTS)[number],
  values: readonly string[] | null | undefined,
) {
  if (!values?.length) return;
  const unique = [...new Set(values)];
  statement[key] = unique.length === 1 ? unique[0]! : unique.sort(byBytes).reverse();
}

/** Go's string order (UTF-8 bytes), which the AWS provider's sort and JSON map keys follow. */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** operator -> key -> values, keys sorted, a single value as a string; undefined when there is none. */
function conditionObject(grouped: Record<string, Record<string, string[]>>) {
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
function ordered(s: PolicyStatement): PolicyStatement {
  const given = s as unknown as Record<string, unknown>;
  return Object.fromEntries(
    STATEMENT_KEYS.filter((k) => given[k] !== undefined).map((k) => [k, given[k]]),
  ) as unknown as PolicyStatement;
}

/**
 * A source or override document, checked against the platform's grammar. Its statements are kept as written, except
 * that conditions are regrouped as the AWS provider does: one value becomes a string, booleans and numbers strings.
 */
function parseDocument(text: string, path: (string | number)[], problems: PolicyProblem[]): PolicyDocument | undefined {
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
