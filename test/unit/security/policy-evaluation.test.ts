// The IAM evaluator against cases from AWS's documented evaluation logic: explicit deny wins, allow, implicit deny;
// wildcards in actions and resources; NotAction and NotResource; every condition operator family, IfExists,
// Null, the set prefixes; and the document checks with their pointers.
import { expect } from 'chai';
import { validateDocument } from '../../../api/src/platform/operations/policy-documents.js';
import {
  evaluate,
  type AppliedPolicy,
  type Context,
  type Statement,
} from '../../../api/src/platform/operations/policy-evaluation.js';

const VPC = 'atx:networking:us-east-1:usr-alice:vpc/vpc-abcd1234';
const INST = 'atx:compute:us-east-1:usr-alice:instance/inst-abcd1234';
const policy = (id: string, ...Statement: Statement[]): AppliedPolicy => ({
  id,
  document: { Version: '2012-10-17', Statement },
});
const allow = (s: Partial<Statement> = {}): Statement => ({ Effect: 'Allow', Action: '*', Resource: '*', ...s });
const deny = (s: Partial<Statement> = {}): Statement => ({ Effect: 'Deny', Action: '*', Resource: '*', ...s });
const decide = (policies: AppliedPolicy[], action: string, resource = VPC, context: Context = {}) =>
  evaluate(policies, { action, resource, context }).decision;

type Case = [
  name: string,
  statements: Statement[],
  action: string,
  resource: string,
  context: Context,
  expected: string,
];

const cases: Case[] = [
  // Allow, deny, implicit deny
  ['no policy is an implicit deny', [], 'networking:GetVpc', VPC, {}, 'implicit_deny'],
  ['a matching allow allows', [allow({ Action: 'networking:GetVpc' })], 'networking:GetVpc', VPC, {}, 'allowed'],
  [
    'an allow of another action is an implicit deny',
    [allow({ Action: 'networking:GetVpc' })],
    'networking:DeleteVpc',
    VPC,
    {},
    'implicit_deny',
  ],
  [
    'an explicit deny beats an allow',
    [allow(), deny({ Action: 'networking:DeleteVpc' })],
    'networking:DeleteVpc',
    VPC,
    {},
    'explicit_deny',
  ],
  [
    'a deny listed first still wins',
    [deny({ Action: 'networking:DeleteVpc' }), allow()],
    'networking:DeleteVpc',
    VPC,
    {},
    'explicit_deny',
  ],
  [
    'a deny of another action leaves the allow',
    [allow(), deny({ Action: 'networking:DeleteVpc' })],
    'networking:GetVpc',
    VPC,
    {},
    'allowed',
  ],
  ['a deny alone is a deny, not an implicit deny', [deny()], 'compute:GetInstance', INST, {}, 'explicit_deny'],
  // Action wildcards
  ['service:* matches the service', [allow({ Action: 'compute:*' })], 'compute:CreateInstance', INST, {}, 'allowed'],
  [
    'service:* does not match another service',
    [allow({ Action: 'compute:*' })],
    'networking:CreateVpc',
    VPC,
    {},
    'implicit_deny',
  ],
  ['*:Get* matches reads everywhere', [allow({ Action: '*:Get*' })], 'networking:GetVpc', VPC, {}, 'allowed'],
  ['*:Get* does not match a list', [allow({ Action: '*:Get*' })], 'networking:ListVpcs', VPC, {}, 'implicit_deny'],
  ['? matches one character', [allow({ Action: 'networking:?etVpc' })], 'networking:GetVpc', VPC, {}, 'allowed'],
  ['? does not match two', [allow({ Action: 'networking:?Vpc' })], 'networking:GetVpc', VPC, {}, 'implicit_deny'],
  [
    'actions compare case-insensitively',
    [allow({ Action: 'NETWORKING:getvpc' })],
    'networking:GetVpc',
    VPC,
    {},
    'allowed',
  ],
  [
    'a list of actions matches any of them',
    [allow({ Action: ['compute:StartInstance', 'compute:StopInstance'] })],
    'compute:StopInstance',
    INST,
    {},
    'allowed',
  ],
  // NotAction
  [
    'NotAction allows everything but the listed',
    [allow({ Action: undefined, NotAction: 'security:*' })],
    'compute:CreateInstance',
    INST,
    {},
    'allowed',
  ],
  [
    'NotAction does not allow the listed',
    [allow({ Action: undefined, NotAction: 'security:*' })],
    'security:CreateUser',
    '*',
    {},
    'implicit_deny',
  ],
  [
    'a Deny with NotAction denies all but the listed',
    [allow(), deny({ Action: undefined, NotAction: '*:Get*' })],
    'compute:DeleteInstance',
    INST,
    {},
    'explicit_deny',
  ],
  [
    'a Deny with NotAction leaves the listed to the allow',
    [allow(), deny({ Action: undefined, NotAction: '*:Get*' })],
    'compute:GetInstance',
    INST,
    {},
    'allowed',
  ],
  // Resources
  ['an exact resource matches', [allow({ Resource: VPC })], 'networking:GetVpc', VPC, {}, 'allowed'],
  [
    'a resource wildcard over an owner matches',
    [allow({ Resource: 'atx:*:*:usr-alice:*' })],
    'compute:GetInstance',
    INST,
    {},
    'allowed',
  ],
  [
    'a resource wildcard over another owner does not',
    [allow({ Resource: 'atx:*:*:usr-bob:*' })],
    'compute:GetInstance',
    INST,
    {},
    'implicit_deny',
  ],
  [
    'a kind wildcard matches its kind only',
    [allow({ Resource: 'atx:networking:*:*:vpc/*' })],
    'compute:GetInstance',
    INST,
    {},
    'implicit_deny',
  ],
  [
    'resources compare case-sensitively',
    [allow({ Resource: VPC.toUpperCase() })],
    'networking:GetVpc',
    VPC,
    {},
    'implicit_deny',
  ],
  [
    'NotResource allows all but the listed',
    [allow({ Resource: undefined, NotResource: VPC })],
    'compute:GetInstance',
    INST,
    {},
    'allowed',
  ],
  [
    'NotResource does not allow the listed',
    [allow({ Resource: undefined, NotResource: VPC })],
    'networking:GetVpc',
    VPC,
    {},
    'implicit_deny',
  ],
  [
    'a Deny with NotResource protects all but one',
    [allow(), deny({ Resource: undefined, NotResource: INST })],
    'networking:GetVpc',
    VPC,
    {},
    'explicit_deny',
  ],
  [
    'a statement without Action or NotAction matches nothing',
    [{ Effect: 'Allow', Resource: '*' }],
    'networking:GetVpc',
    VPC,
    {},
    'implicit_deny',
  ],
  // String operators
  [
    'StringEquals matches',
    [allow({ Condition: { StringEquals: { 'atx:PrincipalName': 'alice' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:PrincipalName': 'alice' },
    'allowed',
  ],
  [
    'StringEquals is case-sensitive',
    [allow({ Condition: { StringEquals: { 'atx:PrincipalName': 'Alice' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:PrincipalName': 'alice' },
    'implicit_deny',
  ],
  [
    'StringEquals with values ORs them',
    [allow({ Condition: { StringEquals: { 'atx:RequestedRegion': ['eu-west-1', 'us-east-1'] } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:RequestedRegion': 'us-east-1' },
    'allowed',
  ],
  [
    'StringEquals with a missing key is false',
    [allow({ Condition: { StringEquals: { 'atx:ResourceTag/env': 'prod' } } })],
    'networking:GetVpc',
    VPC,
    {},
    'implicit_deny',
  ],
  [
    'StringNotEquals with a missing key is true',
    [allow({ Condition: { StringNotEquals: { 'atx:ResourceTag/env': 'prod' } } })],
    'networking:GetVpc',
    VPC,
    {},
    'allowed',
  ],
  [
    'StringNotEquals refuses any listed value',
    [allow({ Condition: { StringNotEquals: { 'atx:ResourceTag/env': ['prod', 'stage'] } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:ResourceTag/env': 'stage' },
    'implicit_deny',
  ],
  [
    'StringEqualsIgnoreCase ignores case',
    [allow({ Condition: { StringEqualsIgnoreCase: { 'atx:PrincipalName': 'ALICE' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:PrincipalName': 'alice' },
    'allowed',
  ],
  [
    'StringNotEqualsIgnoreCase refuses the same in other case',
    [allow({ Condition: { StringNotEqualsIgnoreCase: { 'atx:PrincipalName': 'ALICE' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:PrincipalName': 'alice' },
    'implicit_deny',
  ],
  [
    'StringLike matches a wildcard',
    [allow({ Condition: { StringLike: { 'atx:ResourceTag/team': 'web-*' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:ResourceTag/team': 'web-front' },
    'allowed',
  ],
  [
    'StringLike ? matches one character',
    [allow({ Condition: { StringLike: { 'atx:ResourceTag/team': 'web-?' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:ResourceTag/team': 'web-ab' },
    'implicit_deny',
  ],
  [
    'StringNotLike refuses a match',
    [allow({ Condition: { StringNotLike: { 'atx:ResourceTag/team': 'web-*' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:ResourceTag/team': 'web-front' },
    'implicit_deny',
  ],
  [
    'StringLike takes regex characters literally',
    [allow({ Condition: { StringLike: { 'atx:ResourceTag/team': 'a.b' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:ResourceTag/team': 'axb' },
    'implicit_deny',
  ],
  // Numeric
  [
    'NumericLessThan holds',
    [allow({ Condition: { NumericLessThan: { 'compute:Vcpus': '8' } } })],
    'compute:CreateInstance',
    INST,
    { 'compute:Vcpus': 4 },
    'allowed',
  ],
  [
    'NumericLessThan fails at the bound',
    [allow({ Condition: { NumericLessThan: { 'compute:Vcpus': '8' } } })],
    'compute:CreateInstance',
    INST,
    { 'compute:Vcpus': 8 },
    'implicit_deny',
  ],
  [
    'NumericLessThanEquals holds at the bound',
    [allow({ Condition: { NumericLessThanEquals: { 'compute:Vcpus': 8 } } })],
    'compute:CreateInstance',
    INST,
    { 'compute:Vcpus': 8 },
    'allowed',
  ],
  [
    'NumericGreaterThan holds',
    [allow({ Condition: { NumericGreaterThan: { 'compute:Vcpus': 1 } } })],
    'compute:CreateInstance',
    INST,
    { 'compute:Vcpus': 2 },
    'allowed',
  ],
  [
    'NumericGreaterThanEquals fails below',
    [allow({ Condition: { NumericGreaterThanEquals: { 'compute:Vcpus': 2 } } })],
    'compute:CreateInstance',
    INST,
    { 'compute:Vcpus': 1 },
    'implicit_deny',
  ],
  [
    'NumericEquals compares numbers, not text',
    [allow({ Condition: { NumericEquals: { 'compute:Vcpus': '4.0' } } })],
    'compute:CreateInstance',
    INST,
    { 'compute:Vcpus': '4' },
    'allowed',
  ],
  [
    'NumericNotEquals refuses the value',
    [allow({ Condition: { NumericNotEquals: { 'compute:Vcpus': 4 } } })],
    'compute:CreateInstance',
    INST,
    { 'compute:Vcpus': 4 },
    'implicit_deny',
  ],
  [
    'a numeric operator on text is false',
    [allow({ Condition: { NumericLessThan: { 'compute:Vcpus': 8 } } })],
    'compute:CreateInstance',
    INST,
    { 'compute:Vcpus': 'many' },
    'implicit_deny',
  ],
  // Date
  [
    'DateLessThan holds before',
    [allow({ Condition: { DateLessThan: { 'atx:CurrentTime': '2027-01-01T00:00:00Z' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:CurrentTime': '2026-12-01T12:00:00Z' },
    'allowed',
  ],
  [
    'DateLessThan fails after',
    [allow({ Condition: { DateLessThan: { 'atx:CurrentTime': '2026-01-01T00:00:00Z' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:CurrentTime': '2026-12-01T12:00:00Z' },
    'implicit_deny',
  ],
  [
    'DateGreaterThanEquals takes epoch seconds',
    [allow({ Condition: { DateGreaterThanEquals: { 'atx:CurrentTime': '1798000000' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:CurrentTime': '2027-01-01T00:00:00Z' },
    'allowed',
  ],
  [
    'DateEquals compares instants, not text',
    [allow({ Condition: { DateEquals: { 'atx:CurrentTime': '2026-12-01T12:00:00+00:00' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:CurrentTime': '2026-12-01T12:00:00Z' },
    'allowed',
  ],
  [
    'DateNotEquals refuses the instant',
    [allow({ Condition: { DateNotEquals: { 'atx:CurrentTime': '2026-12-01T12:00:00Z' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:CurrentTime': '2026-12-01T12:00:00.000Z' },
    'implicit_deny',
  ],
  [
    'DateGreaterThan fails before',
    [allow({ Condition: { DateGreaterThan: { 'atx:CurrentTime': '2027-01-01T00:00:00Z' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:CurrentTime': '2026-12-01T12:00:00Z' },
    'implicit_deny',
  ],
  [
    'DateLessThanEquals holds at the instant',
    [allow({ Condition: { DateLessThanEquals: { 'atx:CurrentTime': '2026-12-01T12:00:00Z' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:CurrentTime': '2026-12-01T12:00:00Z' },
    'allowed',
  ],
  // Bool, Null
  [
    'Bool matches true',
    [allow({ Condition: { Bool: { 'atx:SecureTransport': 'true' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:SecureTransport': true },
    'allowed',
  ],
  [
    'Bool refuses false',
    [allow({ Condition: { Bool: { 'atx:SecureTransport': true } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:SecureTransport': false },
    'implicit_deny',
  ],
  [
    'Null true holds for a missing key',
    [allow({ Condition: { Null: { 'atx:ResourceTag/env': 'true' } } })],
    'networking:GetVpc',
    VPC,
    {},
    'allowed',
  ],
  [
    'Null true fails for a present key',
    [allow({ Condition: { Null: { 'atx:ResourceTag/env': 'true' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:ResourceTag/env': 'dev' },
    'implicit_deny',
  ],
  [
    'Null false holds for a present key',
    [allow({ Condition: { Null: { 'atx:ResourceTag/env': 'false' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:ResourceTag/env': 'dev' },
    'allowed',
  ],
  // IP addresses
  [
    'IpAddress matches a CIDR',
    [allow({ Condition: { IpAddress: { 'atx:SourceIp': '203.0.113.0/24' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:SourceIp': '203.0.113.9' },
    'allowed',
  ],
  [
    'IpAddress refuses an address outside',
    [allow({ Condition: { IpAddress: { 'atx:SourceIp': '203.0.113.0/24' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:SourceIp': '198.51.100.1' },
    'implicit_deny',
  ],
  [
    'IpAddress takes a bare address as /32',
    [allow({ Condition: { IpAddress: { 'atx:SourceIp': '203.0.113.9' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:SourceIp': '203.0.113.9' },
    'allowed',
  ],
  [
    'IpAddress matches IPv6',
    [allow({ Condition: { IpAddress: { 'atx:SourceIp': '2001:db8::/32' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:SourceIp': '2001:db8::1' },
    'allowed',
  ],
  [
    'IpAddress does not match across families',
    [allow({ Condition: { IpAddress: { 'atx:SourceIp': '0.0.0.0/0' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:SourceIp': '::1' },
    'implicit_deny',
  ],
  [
    'NotIpAddress denies from outside a range',
    [allow(), deny({ Condition: { NotIpAddress: { 'atx:SourceIp': '10.0.0.0/8' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:SourceIp': '203.0.113.1' },
    'explicit_deny',
  ],
  [
    'NotIpAddress leaves the range to the allow',
    [allow(), deny({ Condition: { NotIpAddress: { 'atx:SourceIp': '10.0.0.0/8' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:SourceIp': '10.1.2.3' },
    'allowed',
  ],
  // IfExists
  [
    '...IfExists holds for a missing key',
    [allow({ Condition: { StringEqualsIfExists: { 'atx:ResourceTag/env': 'dev' } } })],
    'networking:GetVpc',
    VPC,
    {},
    'allowed',
  ],
  [
    '...IfExists tests a present key',
    [allow({ Condition: { StringEqualsIfExists: { 'atx:ResourceTag/env': 'dev' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:ResourceTag/env': 'prod' },
    'implicit_deny',
  ],
  [
    'NumericLessThanIfExists holds without the key',
    [allow({ Condition: { NumericLessThanIfExists: { 'compute:Vcpus': 8 } } })],
    'compute:CreateInstance',
    INST,
    {},
    'allowed',
  ],
  // Several keys and operators are ANDed
  [
    'two keys of one operator both must hold',
    [allow({ Condition: { StringEquals: { 'atx:PrincipalName': 'alice', 'atx:RequestedRegion': 'eu-west-1' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:PrincipalName': 'alice', 'atx:RequestedRegion': 'us-east-1' },
    'implicit_deny',
  ],
  [
    'two operators both must hold',
    [
      allow({
        Condition: { StringEquals: { 'atx:PrincipalName': 'alice' }, IpAddress: { 'atx:SourceIp': '10.0.0.0/8' } },
      }),
    ],
    'networking:GetVpc',
    VPC,
    { 'atx:PrincipalName': 'alice', 'atx:SourceIp': '10.0.0.1' },
    'allowed',
  ],
  // Set prefixes
  [
    'ForAnyValue matches when one value does',
    [allow({ Condition: { 'ForAnyValue:StringEquals': { 'atx:TagKeys': ['env', 'team'] } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:TagKeys': ['cost', 'team'] },
    'allowed',
  ],
  [
    'ForAnyValue fails when none does',
    [allow({ Condition: { 'ForAnyValue:StringEquals': { 'atx:TagKeys': ['env'] } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:TagKeys': ['cost', 'team'] },
    'implicit_deny',
  ],
  [
    'ForAnyValue fails for a missing key',
    [allow({ Condition: { 'ForAnyValue:StringEquals': { 'atx:TagKeys': ['env'] } } })],
    'networking:GetVpc',
    VPC,
    {},
    'implicit_deny',
  ],
  [
    'ForAllValues holds when every value is allowed',
    [allow({ Condition: { 'ForAllValues:StringEquals': { 'atx:TagKeys': ['env', 'team', 'cost'] } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:TagKeys': ['cost', 'team'] },
    'allowed',
  ],
  [
    'ForAllValues fails when one value is not',
    [allow({ Condition: { 'ForAllValues:StringEquals': { 'atx:TagKeys': ['env', 'team'] } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:TagKeys': ['cost', 'team'] },
    'implicit_deny',
  ],
  [
    'ForAllValues holds for a missing key (every one of none)',
    [allow({ Condition: { 'ForAllValues:StringEquals': { 'atx:TagKeys': ['env'] } } })],
    'networking:GetVpc',
    VPC,
    {},
    'allowed',
  ],
  [
    'ForAllValues with a like operator',
    [allow({ Condition: { 'ForAllValues:StringLike': { 'atx:TagKeys': ['app-*'] } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:TagKeys': ['app-a', 'app-b'] },
    'allowed',
  ],
  [
    'an unknown operator never allows',
    [allow({ Condition: { StringSortOf: { 'atx:PrincipalName': 'alice' } } })],
    'networking:GetVpc',
    VPC,
    { 'atx:PrincipalName': 'alice' },
    'implicit_deny',
  ],
];

describe('security: IAM policy evaluation', () => {
  it(`has at least 60 cases from AWS's evaluation logic (${cases.length})`, () => {
    expect(cases.length).to.be.at.least(60);
  });

  for (const [name, statements, action, resource, context, expected] of cases) {
    it(`${name}: ${expected}`, () => {
      expect(decide([policy('pol-test', ...statements)], action, resource, context)).to.equal(expected);
    });
  }

  it('names the deciding statement: the deny when one applies, else the first allow', () => {
    const a = policy('pol-allow', allow({ Sid: 'Everything' }));
    const d = policy('pol-deny', { Sid: 'NoDelete', Effect: 'Deny', Action: 'compute:Delete*', Resource: '*' });
    expect(evaluate([a, d], { action: 'compute:DeleteInstance', resource: INST, context: {} })).to.deep.equal({
      decision: 'explicit_deny',
      by: { policyId: 'pol-deny', sid: 'NoDelete', index: 0 },
    });
    expect(evaluate([a, d], { action: 'compute:GetInstance', resource: INST, context: {} })).to.deep.equal({
      decision: 'allowed',
      by: { policyId: 'pol-allow', sid: 'Everything', index: 0 },
    });
  });
});

describe('security: IAM policy documents', () => {
  const vocabulary = {
    actions: ['compute:CreateInstance', 'compute:GetInstance', 'networking:GetVpc'],
    isConditionKey: (k: string) => /^atx:(SourceIp|CurrentTime|PrincipalName|ResourceTag\/.+)$/.test(k),
  };
  const pointers = (doc: unknown) => validateDocument(doc, vocabulary).map((e) => `${e.pointer} ${e.code}`);

  it('accepts a well-formed document', () => {
    expect(
      pointers({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Read', Effect: 'Allow', Action: ['compute:Get*', 'networking:*'], Resource: '*' },
          {
            Effect: 'Deny',
            NotAction: 'compute:GetInstance',
            Resource: 'atx:compute:*',
            Condition: { NotIpAddress: { 'atx:SourceIp': '10.0.0.0/8' } },
          },
        ],
      }),
    ).to.deep.equal([]);
  });

  it('names each fault with its pointer', () => {
    expect(
      pointers({
        Version: '2019-01-01',
        Extra: 1,
        Statement: [
          { Effect: 'Permit', Action: 'compute:Create*' },
          { Effect: 'Allow', Action: 'storage:*', Resource: 'arn:aws:s3:::x' },
          { Effect: 'Allow', Action: 'compute:*', NotAction: 'compute:GetInstance' },
          {
            Effect: 'Allow',
            Action: 'compute:*',
            Condition: { StringSortOf: { 'atx:PrincipalName': 'a' }, StringEquals: { 'aws:username': 'a' } },
          },
          { Effect: 'Deny', Resource: '*' },
        ],
      }),
    ).to.deep.equal([
      '/document/Extra Unknown',
      '/document/Version NotInEnum',
      '/document/Statement/0/Effect NotInEnum',
      '/document/Statement/1/Action UnknownAction',
      '/document/Statement/1/Resource InvalidResource',
      '/document/Statement/2/NotAction Conflict',
      '/document/Statement/3/Condition/StringSortOf UnknownOperator',
      '/document/Statement/3/Condition/StringEquals/aws:username UnknownConditionKey',
      '/document/Statement/4/Action Required',
    ]);
  });

  it('refuses a document over 6,144 characters, and one with no statement', () => {
    const long = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'x'.repeat(7000), Effect: 'Allow', Action: '*', Resource: '*' }],
    };
    expect(pointers(long)).to.include('/document TooLong');
    expect(pointers({ Version: '2012-10-17', Statement: [] })).to.deep.equal(['/document/Statement Required']);
    expect(pointers('not a document')).to.deep.equal(['/document Type']);
  });
});
