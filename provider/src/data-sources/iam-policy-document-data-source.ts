// atonix_iam_policy_document: the Terraform face of the builder in iam-policy-document.ts. Its schema is
// aws_iam_policy_document's without principals (the platform's policies are identity-based), and it never calls the
// API: Terraform reads it at plan time whenever its configuration is known.
import {
  DiagnosticsError,
  errorDiagnostic,
  type Block,
  type DataSourceType,
  type Diagnostic,
  type ObjectValue,
  type Value,
} from '../runtime/index.js';
import {
  buildPolicyDocument,
  DEFAULT_EFFECT,
  DEFAULT_VERSION,
  PolicyDocumentError,
  policyDocumentProblems,
  POLICY_VERSIONS,
  type ConditionInput,
  type PolicyDocumentInput,
  type PolicyProblem,
  type StatementInput,
} from './iam-policy-document.js';

const stringSet = ['set', 'string'] as const;
const md = 'markdown' as const;

const conditionBlock: Block = {
  description: 'A condition the request must meet for the statement to apply; all conditions of a statement must hold.',
  descriptionKind: md,
  attributes: {
    test: {
      type: 'string',
      required: true,
      description: 'The condition operator, such as `StringEquals`, `IpAddress` or `ForAnyValue:StringLike`.',
      descriptionKind: md,
    },
    variable: {
      type: 'string',
      required: true,
      description: 'The condition key, such as `atx:SourceIp` or `atx:ResourceTag/team`.',
      descriptionKind: md,
    },
    values: {
      type: ['list', 'string'],
      required: true,
      description:
        'The values to compare with; any one may match (`&{...}` as in `resources`). Conditions with the same ' +
        '`test` and `variable` add up.',
      descriptionKind: md,
    },
  },
};

const statementBlock: Block = {
  description:
    'A policy statement. One with a `sid` replaces the statement of that sid from `source_policy_documents`.',
  descriptionKind: md,
  attributes: {
    sid: {
      type: 'string',
      optional: true,
      description: 'The statement id (`Sid`); unique among the statement blocks.',
      descriptionKind: md,
    },
    effect: {
      type: 'string',
      optional: true,
      computed: true,
      description: `\`Allow\` or \`Deny\`. Defaults to \`${DEFAULT_EFFECT}\`.`,
      descriptionKind: md,
    },
    actions: {
      type: stringSet,
      optional: true,
      description: 'The actions the statement covers, such as `compute:CreateInstance` or `storage:*`.',
      descriptionKind: md,
    },
    not_actions: {
      type: stringSet,
      optional: true,
      description: 'The statement covers every action except these. Conflicts with `actions`.',
      descriptionKind: md,
    },
    resources: {
      type: stringSet,
      optional: true,
      description:
        'The resources the statement covers: `*` or names `atx:<service>:<region>:<owner>:<kind>/<id>` (wildcards ' +
        'allowed). Write a policy variable as `&{atx:PrincipalId}`: the document gets `${atx:PrincipalId}`.',
      descriptionKind: md,
    },
    not_resources: {
      type: stringSet,
      optional: true,
      description:
        'The statement covers every resource except these (`&{...}` as in `resources`). Conflicts with `resources`.',
      descriptionKind: md,
    },
  },
  blocks: { condition: { nesting: 'list', block: conditionBlock } },
};

export const iamPolicyDocumentBlock: Block = {
  description:
    'Builds an IAM policy document (JSON) from statements, as `aws_iam_policy_document` does, in the grammar of ' +
    "the platform's identity-based policies. Computed by the provider alone, with no API call.",
  descriptionKind: md,
  attributes: {
    version: {
      type: 'string',
      optional: true,
      computed: true,
      description: `The policy language version: ${POLICY_VERSIONS.map((v) => `\`${v}\``).join(' or ')}. Defaults to \`${DEFAULT_VERSION}\`.`,
      descriptionKind: md,
    },
    policy_id: { type: 'string', optional: true, description: 'The document `Id`.', descriptionKind: md },
    source_policy_documents: {
      type: ['list', 'string'],
      optional: true,
      description:
        'Policy documents (JSON) merged first, in order; their statements must have unique sids. Statement blocks ' +
        'and `override_policy_documents` replace their statements by sid.',
      descriptionKind: md,
    },
    override_policy_documents: {
      type: ['list', 'string'],
      optional: true,
      description:
        'Policy documents (JSON) merged last, in order: a statement with a sid replaces the earlier statement with ' +
        'that sid; the others are added.',
      descriptionKind: md,
    },
    json: {
      type: 'string',
      computed: true,
      description: 'The document, indented by two spaces.',
      descriptionKind: md,
    },
    minified_json: {
      type: 'string',
      computed: true,
      description: 'The document with no whitespace.',
      descriptionKind: md,
    },
    id: {
      type: 'string',
      computed: true,
      description: 'The CRC-32 checksum of `json`, in decimal.',
      descriptionKind: md,
    },
  },
  blocks: { statement: { nesting: 'list', block: statementBlock } },
};

export const iamPolicyDocument: DataSourceType = {
  schema: { version: 0, block: iamPolicyDocumentBlock },

  validate({ config }) {
    return diagnostics(policyDocumentProblems(toInput(config)));
  },

  read({ config }) {
    let built;
    try {
      built = buildPolicyDocument(toInput(config));
    } catch (e) {
      if (e instanceof PolicyDocumentError) throw new DiagnosticsError(diagnostics(e.problems));
      throw e;
    }
    // The configuration as given, with the defaults filled in (both attributes are optional and computed).
    const statement = (config.statement as ObjectValue[]).map((s): ObjectValue => ({
      ...s,
      effect: s.effect ?? DEFAULT_EFFECT,
    }));
    const state: ObjectValue = {
      ...config,
      version: config.version ?? DEFAULT_VERSION,
      statement,
      json: built.json,
      minified_json: built.minifiedJson,
      id: built.id,
    };
    return { state };
  },
};

function diagnostics(problems: PolicyProblem[]): Diagnostic[] {
  return problems.map((p) => errorDiagnostic(p.summary, p.detail, p.path));
}

/**
 * The configuration as builder input. Before plan some values may be unknown: each becomes null (as does any
 * collection holding one), which every check of the builder passes over.
 */
function toInput(config: ObjectValue): PolicyDocumentInput {
  return {
    version: text(config.version),
    policy_id: text(config.policy_id),
    source_policy_documents: list(config.source_policy_documents, text),
    override_policy_documents: list(config.override_policy_documents, text),
    statement: list(config.statement, statement),
  };
}

function statement(s: Value): StatementInput | null {
  if (!isObject(s)) return null;
  return {
    sid: text(s.sid),
    effect: text(s.effect),
    actions: strings(s.actions),
    not_actions: strings(s.not_actions),
    resources: strings(s.resources),
    not_resources: strings(s.not_resources),
    condition: list(s.condition, (c): ConditionInput | null =>
      isObject(c) ? { test: text(c.test), variable: text(c.variable), values: strings(c.values) } : null,
    ),
  };
}

const isObject = (v: Value | undefined): v is ObjectValue => typeof v === 'object' && v !== null && !Array.isArray(v);

const text = (v: Value | undefined): string | null => (typeof v === 'string' ? v : null);

function list<T>(v: Value | undefined, each: (item: Value) => T | null): (T | null)[] | null {
  return Array.isArray(v) ? v.map(each) : null;
}

/** A set or list of strings; null while any of it is unknown. */
function strings(v: Value | undefined): string[] | null {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
}
