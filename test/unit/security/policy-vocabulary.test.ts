// What policies may name, from the contract: resource names, every operation's action, the condition keys.
import { expect } from 'chai';
import { registry } from '../../../api/src/generated/registry.js';
import { loadSpec } from '../../../api/src/platform/operations/spec.js';
import { validateDocument } from '../../../api/src/platform/operations/policy-documents.js';
import { policyVocabulary, resourceName } from '../../../api/src/platform/operations/policy-vocabulary.js';

describe('security: what IAM policies name', () => {
  const vocabulary = policyVocabulary(loadSpec());

  it('names a resource atx:<service>:<region>:<owner>:<kind>/<id>, with no owner for kinds without one', () => {
    expect(resourceName(registry.vpc, 'us-east-1', 'usr-alice', 'vpc-abcd1234')).to.equal(
      'atx:networking:us-east-1:usr-alice:vpc/vpc-abcd1234',
    );
    expect(resourceName(registry.flavor, 'us-east-1', null, 'flv-abcd1234')).to.equal(
      'atx:compute:us-east-1::flavor/flv-abcd1234',
    );
  });

  it("knows every operation's action, once each", () => {
    expect(vocabulary.actions).to.include.members([
      'compute:CreateInstance',
      'networking:DeleteVpc',
      'security:RevokeToken',
    ]);
    expect(new Set(vocabulary.actions).size).to.equal(vocabulary.actions.length);
  });

  it('knows the global condition keys and tag keys, and nothing else', () => {
    for (const key of [
      'atx:SourceIp',
      'atx:CurrentTime',
      'atx:PrincipalName',
      'atx:PrincipalId',
      'atx:RequestedRegion',
      'atx:ResourceTag/env',
      'atx:RequestTag/team',
      'atx:TagKeys',
    ])
      expect(vocabulary.isConditionKey(key), key).to.equal(true);
    for (const key of ['aws:SourceIp', 'atx:ResourceTag/', 'atx:Nope'])
      expect(vocabulary.isConditionKey(key), key).to.equal(false);
  });

  it('checks documents against the contract: a misspelt action is a fault with its pointer', () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['compute:*', 'compute:CreateInstanse'], Resource: '*' }],
    };
    expect(validateDocument(doc, vocabulary)).to.deep.equal([
      {
        pointer: '/document/Statement/0/Action/1',
        detail: 'matches no action of this platform (such as compute:CreateInstance)',
        code: 'UnknownAction',
      },
    ]);
  });
});
