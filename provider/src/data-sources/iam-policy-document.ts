// The builder behind atonix_iam_policy_document: an IAM policy document in the platform's grammar, made from the data
// source's arguments, merged and formatted the way aws_iam_policy_document does it. Pure: no I/O, no Terraform values.
//
// Merging, in order: source_policy_documents (their sids must be unique), then the statement blocks (their sids must
// be unique; one replaces a source statement with the same sid, in place), then override_policy_documents (each
// statement with a sid replaces the earlier one with that sid, in place). Every other statement is appended. The
// version is the newest one met; the id the last one given. `&{...}` in resources and condition values of the
// statement blocks is a policy variable `${...}` (which HCL would interpolate itself).
import { crc32 } from 'node:zlib';
import {
  byBytes,
  conditionObject,
  DEFAULT_EFFECT,
  DEFAULT_VERSION,
  EFFECTS,
  ordered,
  parsePolicyDocument,
  POLICY_VERSIONS,
  type LISTS,
  type PolicyDocument,
  type PolicyProblem,
  type PolicyStatement,
} from './iam-policy-grammar.js';

export {
  DEFAULT_EFFECT,
  DEFAULT_VERSION,
  EFFECTS,
  POLICY_VERSIONS,
  type PolicyDocument,
  type PolicyProblem,
  type PolicyStatement,
  type Strings,
} from './iam-policy-grammar.js';

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

export interface BuiltPolicyDocument {
  document: PolicyDocument;
  /** Indented by two spaces, as the AWS provider prints it. */
  json: string;
  minifiedJson: string;
  /** The CRC-32 of `json` as a decimal string, as the AWS provider computes its id. */
  id: string;
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
    const doc = parsePolicyDocument(text, ['source_policy_documents', i], problems);
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
    Statement: configStatements(input.statement ?? [], version, problems),
  });

  (input.override_policy_documents ?? []).forEach((text, i) => {
    if (text === null) return;
    const doc = parsePolicyDocument(text, ['override_policy_documents', i], problems);
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

function configStatements(list: readonly (StatementInput | null)[], version: string, problems: PolicyProblem[]) {
  const sids = new Map<string, number>();
  const out: PolicyStatement[] = [];
  list.forEach((s, i) => {
    if (!s) return;
    const at = (...rest: (string | number)[]) => ['statement', i, ...rest];
    const vars = (path: (string | number)[]) => (values: string[]) => policyVariables(values, version, path, problems);
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
    setList(statement, 'Resource', s.resources, vars(at('resources')));
    setList(statement, 'NotResource', s.not_resources, vars(at('not_resources')));
    const grouped: Record<string, Record<string, string[]>> = {};
    (s.condition ?? []).forEach((c, j) => {
      if (!c?.test || !c.variable) return;
      if (c.values?.length === 0)
        problems.push({
          path: at('condition', j, 'values'),
          summary: 'No condition values',
          detail: `The condition ${c.test} on ${c.variable} needs at least one value.`,
        });
      ((grouped[c.test] ??= {})[c.variable] ??= []).push(...vars(at('condition', j, 'values'))([...(c.values ?? [])]));
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
  then: (sorted: string[]) => string[] = (v) => v,
) {
  if (!values?.length) return;
  const sorted = then([...new Set(values)].sort(byBytes).reverse());
  statement[key] = sorted.length === 1 ? sorted[0]! : sorted;
}

/**
 * `&{atx:PrincipalId}` becomes the policy variable `${atx:PrincipalId}` (HCL would interpolate `${` itself), in
 * resources and condition values, as the AWS provider does; variables exist only in version 2012-10-17 documents.
 */
function policyVariables(
  values: string[],
  version: string,
  path: (string | number)[],
  problems: PolicyProblem[],
): string[] {
  if (!values.some((v) => v.includes('&{'))) return values;
  if (version === '2008-10-17') {
    problems.push({
      path,
      summary: 'Policy variables need version 2012-10-17',
      detail: `${values.find((v) => v.includes('&{'))} uses &{...}, which version 2008-10-17 documents do not have.`,
    });
    return values;
  }
  return values.map((v) => v.replaceAll('&{', '${'));
}
