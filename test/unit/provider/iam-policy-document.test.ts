// atonix_iam_policy_document's builder: the document aws_iam_policy_document would write for the same arguments, in
// the platform's grammar, and the faults it reports at the argument that holds them. Then the data source around it:
// validation with unknown values, and the state read() returns.
import { expect } from 'chai';
import { crc32 } from 'node:zlib';
import { iamPolicyDocument } from '../../../provider/src/data-sources/iam-policy-document-data-source.js';
import {
  buildPolicyDocument,
  PolicyDocumentError,
  policyDocumentProblems,
  POLICY_VERSIONS,
  type PolicyDocumentInput,
  type PolicyProblem,
} from '../../../provider/src/data-sources/iam-policy-document.js';
import { completeObject, DiagnosticsError, UNKNOWN, type ObjectValue } from '../../../provider/src/runtime/index.js';
import { evaluate, VERSIONS } from '../../../api/src/platform/operations/policy-evaluation.js';
import { validateDocument } from '../../../api/src/platform/operations/policy-documents.js';
import { policyVocabulary } from '../../../api/src/platform/operations/policy-vocabulary.js';
import { loadSpec } from '../../../api/src/platform/operations/spec.js';

const doc = (input: PolicyDocumentInput) => buildPolicyDocument(input).document;
const problems = (input: PolicyDocumentInput): PolicyProblem[] => {
  try {
    buildPolicyDocument(input);
  } catch (e) {
    if (e instanceof PolicyDocumentError) return e.problems;
    throw e;
  }
  throw new Error('expected the document to be refused');
};
const json = (d: object) => JSON.stringify(d);

describe('provider: atonix_iam_policy_document builder', () => {
  it('writes one value as a string and several sorted in reverse, with the default version and effect', () => {
    expect(
      doc({
        statement: [
          { actions: ['compute:CreateInstance'], resources: ['*'] },
          { actions: ['compute:GetInstance', 'compute:ListInstances', 'compute:DeleteInstance'], resources: ['*'] },
        ],
      }),
    ).to.deep.equal({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'compute:CreateInstance', Resource: '*' },
        {
          Effect: 'Allow',
          Action: ['compute:ListInstances', 'compute:GetInstance', 'compute:DeleteInstance'],
          Resource: '*',
        },
      ],
    });
  });

  it('writes the platform grammar in its fixed key order, Sid and Id only when given, pretty and minified', () => {
    const built = buildPolicyDocument({
      policy_id: 'web-team',
      statement: [
        {
          condition: [{ test: 'Bool', variable: 'atx:SecureTransport', values: ['true'] }],
          not_resources: ['atx:networking:us-east-1:usr-a:vpc/vpc-core'],
          resources: null,
          not_actions: ['networking:DeleteVpc'],
          effect: 'Deny',
          sid: 'KeepCore',
        },
      ],
    });
    expect(built.json).to.equal(
      [
        '{',
        '  "Version": "2012-10-17",',
        '  "Id": "web-team",',
        '  "Statement": [',
        '    {',
        '      "Sid": "KeepCore",',
        '      "Effect": "Deny",',
        '      "NotAction": "networking:DeleteVpc",',
        '      "NotResource": "atx:networking:us-east-1:usr-a:vpc/vpc-core",',
        '      "Condition": {',
        '        "Bool": {',
        '          "atx:SecureTransport": "true"',
        '        }',
        '      }',
        '    }',
        '  ]',
        '}',
      ].join('\n'),
    );
    expect(built.minifiedJson).to.equal(json(JSON.parse(built.json)));
    expect(built.id)
      .to.equal(String(crc32(built.json)))
      .and.match(/^\d+$/);
    expect(doc({ statement: [{ actions: ['compute:*'] }] }).Statement![0]).to.not.have.property('Sid');
  });

  it('groups conditions by operator then key, sorted, one value as a string, values of a repeated key added up', () => {
    const [s] = doc({
      statement: [
        {
          actions: ['storage:GetObject'],
          condition: [
            { test: 'StringLike', variable: 'atx:ResourceTag/team', values: ['web-*'] },
            { test: 'IpAddress', variable: 'atx:SourceIp', values: ['10.0.0.0/8', '192.168.0.0/16'] },
            { test: 'StringLike', variable: 'atx:PrincipalName', values: ['alice'] },
            { test: 'StringLike', variable: 'atx:ResourceTag/team', values: ['ops'] },
          ],
        },
      ],
    }).Statement!;
    expect(s!.Condition).to.deep.equal({
      IpAddress: { 'atx:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] },
      StringLike: { 'atx:PrincipalName': 'alice', 'atx:ResourceTag/team': ['web-*', 'ops'] },
    });
    expect(Object.keys(s!.Condition!)).to.deep.equal(['IpAddress', 'StringLike']);
    expect(Object.keys(s!.Condition!.StringLike!)).to.deep.equal(['atx:PrincipalName', 'atx:ResourceTag/team']);
  });

  it('writes not_actions and not_resources as NotAction and NotResource, and refuses them beside actions/resources', () => {
    expect(
      doc({ statement: [{ effect: 'Deny', not_actions: ['security:*', 'compute:*'], not_resources: ['*'] }] })
        .Statement,
    ).to.deep.equal([{ Effect: 'Deny', NotAction: ['security:*', 'compute:*'], NotResource: '*' }]);
    expect(
      problems({
        statement: [{ actions: ['a:B'], not_actions: ['a:C'], resources: ['*'], not_resources: ['atx:x'] }],
      }).map((p) => p.path),
    ).to.deep.equal([
      ['statement', 0, 'not_actions'],
      ['statement', 0, 'not_resources'],
    ]);
    // An empty set is no set (as the AWS provider treats it).
    expect(doc({ statement: [{ actions: ['a:B'], not_actions: [] }] }).Statement).to.deep.equal([
      { Effect: 'Allow', Action: 'a:B' },
    ]);
  });

  it('defaults effect to Allow and refuses any effect but Allow or Deny, at the attribute', () => {
    expect(doc({ statement: [{ actions: ['a:B'], effect: null }] }).Statement![0]!.Effect).to.equal('Allow');
    expect(doc({ statement: [{ actions: ['a:B'], effect: 'Deny' }] }).Statement![0]!.Effect).to.equal('Deny');
    expect(problems({ statement: [{ actions: ['a:B'] }, { actions: ['a:C'], effect: 'allow' }] })).to.deep.equal([
      {
        path: ['statement', 1, 'effect'],
        summary: 'Invalid effect',
        detail: 'effect must be "Allow" or "Deny", not "allow".',
      },
    ]);
  });

  it('takes version 2008-10-17, refuses another, and keeps the newest version of the merged documents', () => {
    expect(POLICY_VERSIONS, "the platform's versions").to.deep.equal(VERSIONS);
    expect(doc({ version: '2008-10-17' }).Version).to.equal('2008-10-17');
    expect(problems({ version: '2020-01-01' })[0]).to.include({ summary: 'Invalid policy version' });
    expect(problems({ version: '2020-01-01' })[0]!.path).to.deep.equal(['version']);
    const old = json({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: 'a:B' }] });
    expect(doc({ version: '2008-10-17', source_policy_documents: [old] }).Version).to.equal('2008-10-17');
    expect(doc({ source_policy_documents: [old] }).Version).to.equal('2012-10-17');
  });

  it('merges source documents first, in order, and a statement block replaces the source statement of its sid in place', () => {
    const one = json({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'compute:*', Resource: '*' },
        { Sid: 'Storage', Effect: 'Allow', Action: 'storage:*', Resource: '*' },
      ],
    });
    const two = json({ Statement: { Sid: 'Net', Effect: 'Allow', Action: ['networking:GetVpc'], Resource: '*' } });
    expect(
      doc({
        source_policy_documents: [one, two],
        statement: [
          { sid: 'Storage', actions: ['storage:GetObject'], resources: ['atx:storage:us-east-1:usr-a:bucket/b'] },
          { actions: ['monitoring:*'] },
        ],
      }).Statement,
    ).to.deep.equal([
      { Effect: 'Allow', Action: 'compute:*', Resource: '*' },
      {
        Sid: 'Storage',
        Effect: 'Allow',
        Action: 'storage:GetObject',
        Resource: 'atx:storage:us-east-1:usr-a:bucket/b',
      },
      // Statements of a source document are kept as written (a one-element list stays a list).
      { Sid: 'Net', Effect: 'Allow', Action: ['networking:GetVpc'], Resource: '*' },
      { Effect: 'Allow', Action: 'monitoring:*' },
    ]);
  });

  it('refuses a sid twice among source documents, naming both, and twice among statement blocks', () => {
    const a = json({ Statement: [{ Sid: 'X', Effect: 'Allow', Action: 'a:B' }] });
    const b = json({ Statement: [{ Sid: 'X', Effect: 'Deny', Action: 'a:C' }] });
    const [p] = problems({ source_policy_documents: [a, b] });
    expect(p!.path).to.deep.equal(['source_policy_documents', 1]);
    expect(p!.detail).to.contain('Sid "X" is already used by source_policy_documents[0]');
    expect(
      problems({
        statement: [
          { sid: 'X', actions: ['a:B'] },
          { sid: '', actions: ['a:C'] },
          { sid: '', actions: ['a:D'] },
          { sid: 'X', actions: ['a:E'] },
        ],
      }),
    ).to.deep.equal([
      {
        path: ['statement', 3, 'sid'],
        summary: 'Duplicate sid',
        detail: 'statement 0 already has sid "X"; sids must be unique (or left out).',
      },
    ]);
  });

  it('merges override documents last: each replaces statements of its sids in place, in turn, and adds the rest', () => {
    // aws_iam_policy_document's documented example, in the platform's actions.
    const one = json({ Statement: [{ Sid: 'One', Effect: 'Allow', Action: 'storage:*', Resource: '*' }] });
    const two = json({
      Statement: [
        { Effect: 'Allow', Action: 'compute:*', Resource: '*' },
        { Sid: 'Two', Effect: 'Allow', Action: 'security:*', Resource: '*' },
      ],
    });
    const three = json({ Statement: [{ Sid: 'One', Effect: 'Deny', Action: 'monitoring:*', Resource: '*' }] });
    expect(
      doc({
        override_policy_documents: [one, two, three],
        statement: [{ sid: 'Two', effect: 'Deny', actions: ['*'], resources: ['*'] }],
      }).Statement,
    ).to.deep.equal([
      { Sid: 'Two', Effect: 'Allow', Action: 'security:*', Resource: '*' },
      { Sid: 'One', Effect: 'Deny', Action: 'monitoring:*', Resource: '*' },
      { Effect: 'Allow', Action: 'compute:*', Resource: '*' },
    ]);
    // A source statement with a sid is replaced by an override one; one without a sid never is.
    const source = json({
      Statement: [
        { Sid: 'Placeholder', Effect: 'Allow', Action: 'compute:GetInstance', Resource: '*' },
        { Effect: 'Allow', Action: 'compute:ListInstances', Resource: '*' },
      ],
    });
    const override = json({
      Id: 'final',
      Statement: [
        { Sid: 'Placeholder', Effect: 'Allow', Action: 'storage:GetObject', Resource: '*' },
        { Effect: 'Deny', Action: 'compute:ListInstances', Resource: '*' },
      ],
    });
    expect(
      doc({ policy_id: 'first', source_policy_documents: [source], override_policy_documents: [override] }),
    ).to.deep.equal({
      Version: '2012-10-17',
      Id: 'final',
      Statement: [
        { Sid: 'Placeholder', Effect: 'Allow', Action: 'storage:GetObject', Resource: '*' },
        { Effect: 'Allow', Action: 'compute:ListInstances', Resource: '*' },
        { Effect: 'Deny', Action: 'compute:ListInstances', Resource: '*' },
      ],
    });
  });

  it('regroups the conditions of merged documents (booleans and one-element lists become strings) and skips null documents', () => {
    const source = json({
      Statement: [
        {
          Effect: 'Allow',
          Action: 'storage:*',
          Condition: { Bool: { 'atx:SecureTransport': true }, StringEquals: { 'atx:PrincipalName': ['alice'] } },
        },
      ],
    });
    expect(doc({ source_policy_documents: [null, source], override_policy_documents: [null] }).Statement).to.deep.equal(
      [
        {
          Effect: 'Allow',
          Action: 'storage:*',
          Condition: { Bool: { 'atx:SecureTransport': 'true' }, StringEquals: { 'atx:PrincipalName': 'alice' } },
        },
      ],
    );
  });

  it("refuses a merged document that is not JSON or not the platform's grammar (no Principal), at its list index", () => {
    const found = problems({
      source_policy_documents: ['{"Statement": ['],
      override_policy_documents: [
        json({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'a:B' }] }),
        json({ Statement: [{ Effect: 'Permit', Action: 'a:B' }] }),
        json({ Version: '2012-10-17', Statement: [], Extra: 1 }),
      ],
    });
    expect(found.map((p) => p.path)).to.deep.equal([
      ['source_policy_documents', 0],
      ['override_policy_documents', 0],
      ['override_policy_documents', 1],
      ['override_policy_documents', 2],
    ]);
    expect(found[0]!.detail).to.match(/^source_policy_documents\[0\]: not JSON/);
    expect(found[1]!.detail).to.contain('Statement[0]: Principal is not a statement element');
    expect(found[2]!.detail).to.contain('Statement[0].Effect must be Allow or Deny');
    expect(found[3]!.detail).to.contain('Extra is not a policy element');
  });

  it('writes &{...} in resources and condition values as the policy variable ${...}, which 2008-10-17 lacks', () => {
    const statement = {
      actions: ['compute:GetInstance'],
      resources: ['atx:compute:*:&{atx:PrincipalId}:instance/*', 'atx:compute:*::flavor/*'],
      condition: [{ test: 'StringEquals', variable: 'atx:ResourceTag/owner', values: ['&{atx:PrincipalName}'] }],
    };
    expect(doc({ statement: [statement] }).Statement![0]).to.deep.equal({
      Effect: 'Allow',
      Action: 'compute:GetInstance',
      // sorted as written (& before ${ would sort), then rewritten, as the AWS provider does
      Resource: ['atx:compute:*::flavor/*', 'atx:compute:*:${atx:PrincipalId}:instance/*'],
      Condition: { StringEquals: { 'atx:ResourceTag/owner': '${atx:PrincipalName}' } },
    });
    expect(doc({ statement: [{ actions: ['a:B'], not_resources: ['x/&{y}'] }] }).Statement![0]!.NotResource).to.equal(
      'x/${y}',
    );
    expect(problems({ version: '2008-10-17', statement: [statement] }).map((p) => p.path)).to.deep.equal([
      ['statement', 0, 'resources'],
      ['statement', 0, 'condition', 0, 'values'],
    ]);
  });

  it('refuses a condition with no values, at its values', () => {
    expect(
      problems({
        statement: [
          { actions: ['a:B'], condition: [{ test: 'StringEquals', variable: 'atx:PrincipalName', values: [] }] },
        ],
      })[0]!.path,
    ).to.deep.equal(['statement', 0, 'condition', 0, 'values']);
  });

  it('writes a document the platform accepts and evaluates as written: the deny wins where both match', () => {
    const built = doc({
      statement: [
        { sid: 'Manage', actions: ['compute:*'], resources: ['atx:compute:us-east-1:&{atx:PrincipalId}:instance/*'] },
        {
          sid: 'NotThatOne',
          effect: 'Deny',
          actions: ['compute:DeleteInstance'],
          resources: ['atx:compute:us-east-1:usr-a:instance/inst-keep'],
          condition: [{ test: 'StringNotEquals', variable: 'atx:PrincipalName', values: ['root', 'ops'] }],
        },
      ],
    });
    expect(validateDocument(built, policyVocabulary(loadSpec()))).to.deep.equal([]);
    const decide = (action: string, id: string, principal: string) =>
      evaluate([{ id: 'pol-1', document: built as never }], {
        action,
        resource: `atx:compute:us-east-1:usr-a:instance/${id}`,
        context: { 'atx:PrincipalName': principal, 'atx:PrincipalId': 'usr-a' },
      } as never).decision;
    expect(decide('compute:DeleteInstance', 'inst-other', 'alice')).to.equal('allowed');
    expect(decide('compute:DeleteInstance', 'inst-keep', 'alice')).to.equal('explicit_deny');
    expect(decide('compute:DeleteInstance', 'inst-keep', 'ops')).to.equal('allowed');
    expect(decide('storage:GetObject', 'inst-other', 'alice')).to.equal('implicit_deny');
    // ${atx:PrincipalId} is the caller: another user's instances are not theirs to manage.
    const other = evaluate([{ id: 'pol-1', document: built as never }], {
      action: 'compute:GetInstance',
      resource: 'atx:compute:us-east-1:usr-a:instance/inst-other',
      context: { 'atx:PrincipalName': 'bob', 'atx:PrincipalId': 'usr-b' },
    } as never);
    expect(other.decision).to.equal('implicit_deny');
  });
});

describe('provider: atonix_iam_policy_document data source', () => {
  const block = iamPolicyDocument.schema.block;
  const ctx = { signal: new AbortController().signal } as never;
  const statement = (values: ObjectValue) =>
    completeObject(block.blocks!.statement!.block, { condition: [], ...values });
  const config = (values: ObjectValue) => completeObject(block, values);

  it('validates what is known and passes over what is not yet (unknown sets, documents, effects)', async () => {
    const partly = config({
      version: UNKNOWN,
      source_policy_documents: [UNKNOWN, '{"Statement": [{"Effect": "Allow", "Principal": "*"}]}'],
      statement: [
        statement({ effect: UNKNOWN, actions: UNKNOWN, not_actions: ['a:B'] }),
        statement({ effect: 'Permit', actions: ['a:B', UNKNOWN] }),
        UNKNOWN,
      ],
    });
    const diags = (await iamPolicyDocument.validate!({ config: partly }, ctx)) ?? [];
    expect(diags.map((d) => [d.summary, d.path])).to.deep.equal([
      ['Invalid policy document in source_policy_documents', ['source_policy_documents', 1]],
      ['Invalid effect', ['statement', 1, 'effect']],
    ]);
    expect(await iamPolicyDocument.validate!({ config: config({ statement: UNKNOWN }) }, ctx)).to.deep.equal([]);
  });

  it('reads the configuration back with the defaults filled in and the document computed', async () => {
    const given = config({
      statement: [statement({ actions: ['compute:GetInstance'], resources: ['*'] })],
    });
    const { state } = await iamPolicyDocument.read({ config: given, providerMeta: null }, ctx);
    const built = buildPolicyDocument({ statement: [{ actions: ['compute:GetInstance'], resources: ['*'] }] });
    expect(state).to.deep.equal({
      ...given,
      version: '2012-10-17',
      statement: [{ ...(given.statement as ObjectValue[])[0], effect: 'Allow' }],
      json: built.json,
      minified_json: built.minifiedJson,
      id: built.id,
    });
    expect(policyDocumentProblems({ statement: [{ actions: ['compute:GetInstance'] }] })).to.deep.equal([]);
  });

  it('turns faults found at read into diagnostics at the attribute', async () => {
    let thrown: unknown;
    try {
      await iamPolicyDocument.read(
        { config: config({ statement: [statement({ effect: 'Permit', actions: ['a:B'] })] }), providerMeta: null },
        ctx,
      );
    } catch (e) {
      thrown = e;
    }
    expect(thrown).to.be.instanceOf(DiagnosticsError);
    expect((thrown as DiagnosticsError).diagnostics).to.deep.equal([
      {
        severity: 'error',
        summary: 'Invalid effect',
        detail: 'effect must be "Allow" or "Deny", not "Permit".',
        path: ['statement', 0, 'effect'],
      },
    ]);
  });
});
