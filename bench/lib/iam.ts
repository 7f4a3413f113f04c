// The IAM case: a user whose calls are decided by 10 policies of 10 statements each, reaching them through a group
// (none of them an OwnerFullAccess shortcut: the one statement that allows the GET is the last one evaluated), and
// the evaluator's own cost per decision, timed in-process over the same documents.
import { performance } from 'node:perf_hooks';
import {
  evaluate,
  type AppliedPolicy,
  type PolicyDocument,
} from '../../api/src/platform/operations/policy-evaluation.js';
import type { Api } from './fixtures.js';

const ACTIONS = [
  'networking:GetVpc',
  'networking:ListSubnets',
  'automation:GetStack',
  'automation:ListTemplates',
  'security:ListTokens',
  'compute:StartInstance',
  'compute:StopInstance',
  'networking:UpdateVpc',
  'automation:ListStacks',
  'compute:ListFlavors',
];

/** Ten documents of ten statements; only the very last allows compute:GetInstance (and the create of the instance). */
export function benchDocuments(): PolicyDocument[] {
  return Array.from({ length: 10 }, (_, i) => ({
    Version: '2012-10-17',
    Statement: Array.from({ length: 10 }, (_, j) =>
      i === 9 && j === 9
        ? {
            Sid: 'OwnInstances',
            Effect: 'Allow' as const,
            Action: ['compute:GetInstance', 'compute:CreateInstance'],
            Resource: 'atx:compute:*:${atx:PrincipalId}:instance/*',
          }
        : {
            Sid: `P${i}S${j}`,
            Effect: 'Allow' as const,
            Action: [ACTIONS[j]!, `${ACTIONS[(j + i) % 10]!.split(':')[0]}:Get*`],
            Resource: `atx:*:*:\${atx:PrincipalId}:vpc/vpc-${i}${j}*`,
            Condition: { StringEquals: { 'atx:RequestedRegion': 'us-east-1' } },
          },
    ),
  }));
}

/** A user in a group that holds the ten policies (and no other policy: attach_default_policy false). */
export async function iamUser(admin: Api, name: string): Promise<{ id: string; token: string; api: Api }> {
  const user = await admin.call<{ id: string }>('POST', '/api/security/users', { name, attach_default_policy: false });
  const { token } = await admin.call<{ token: string }>('POST', `/api/security/users/${user.id}/tokens`, { name: 'b' });
  const group = await admin.call<{ id: string }>('POST', '/api/security/groups', { name: `${name}-group` });
  await admin.call('POST', `/api/security/groups/${group.id}/members`, { user_id: user.id });
  for (const [i, document] of benchDocuments().entries()) {
    const p = await admin.call<{ id: string }>('POST', '/api/security/policies', { name: `${name}-p${i}`, document });
    await admin.call('POST', `/api/security/groups/${group.id}/policies`, { policy_id: p.id });
  }
  return { id: user.id, token, api: admin.as(token) };
}

/** Microseconds per decision of a GET of one's own instance under the ten documents (the worst case: all scanned). */
export function evaluatorMicros(userId: string, instanceId: string): number {
  const policies: AppliedPolicy[] = benchDocuments().map((document, i) => ({ id: `pol-${i}`, document }));
  const request = {
    action: 'compute:GetInstance',
    resource: `atx:compute:us-east-1:${userId}:instance/${instanceId}`,
    context: {
      'atx:PrincipalId': userId,
      'atx:RequestedRegion': 'us-east-1',
      'atx:CurrentTime': new Date().toISOString(),
      'atx:SourceIp': '127.0.0.1',
    },
  };
  if (evaluate(policies, request).decision !== 'allowed') throw new Error('the bench policies do not allow the GET');
  for (let i = 0; i < 20_000; i++) evaluate(policies, request); // warm up
  const n = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) evaluate(policies, request);
  return ((performance.now() - t0) * 1000) / n;
}
