// The managed policies: written by the platform, readable by everyone, never edited by users. Their ids follow from
// their names (as AWS's managed policy ARNs do); they are brought up to date at every start, so a service added
// later is covered by AdministratorAccess's wildcards and gets its own <Service>FullAccess / ReadOnlyAccess.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { PolicyDocument } from '../../platform/operations/policy-evaluation.js';

export const OWNER_FULL_ACCESS = 'OwnerFullAccess';

/** A managed policy's id: `pol-` and 16 base-32 characters of a hash of its name (migration 007 uses the same). */
export const managedPolicyId = (name: string) =>
  `pol-${[...createHash('sha256').update(`managed:${name}`).digest()]
    .slice(0, 16)
    .map((b) => 'abcdefghijklmnopqrstuvwxyz234567'[b & 31])
    .join('')}`;

export interface ManagedPolicy {
  name: string;
  description: string;
  document: PolicyDocument;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const READ = ['Get*', 'List*'];

/** Every managed policy, for the services whose actions the contract names (the platform's own excepted). */
export function managedPolicyDocuments(actions: readonly string[]): ManagedPolicy[] {
  const services = [...new Set(actions.map((a) => a.split(':')[0]!))].filter((s) => s !== 'platform').sort();
  const allow = (Sid: string, Action: string | string[], Resource = '*') => ({
    Version: '2012-10-17',
    Statement: [{ Sid, Effect: 'Allow' as const, Action, Resource }],
  });
  return [
    {
      name: 'AdministratorAccess',
      description: 'Every action on every resource the holder can reach (tenancy and admin-only operations aside).',
      document: allow('Everything', '*'),
    },
    {
      name: 'ReadOnlyAccess',
      description: 'Every Get and List action of every service.',
      document: allow(
        'ReadEverything',
        READ.map((r) => `*:${r}`),
      ),
    },
    {
      name: OWNER_FULL_ACCESS,
      description: "Everything on one's own resources, and reading the shared catalogue (flavors, images, policies).",
      document: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'OwnResources', Effect: 'Allow', Action: '*', Resource: 'atx:*:*:${atx:PrincipalId}:*' },
          { Sid: 'SharedCatalogue', Effect: 'Allow', Action: ['*:Get*', '*:List*'], Resource: 'atx:*:*::*' },
          // "Why was this denied?" is always answerable about oneself.
          { Sid: 'ExplainOwnDecisions', Effect: 'Allow', Action: 'security:SimulatePrincipalPolicy', Resource: '*' },
        ],
      },
    },
    ...services.flatMap((s) => [
      {
        name: `${cap(s)}FullAccess`,
        description: `Every ${s} action.`,
        document: allow(`${cap(s)}Everything`, `${s}:*`),
      },
      {
        name: `${cap(s)}ReadOnlyAccess`,
        description: `Every ${s} Get and List action.`,
        document: allow(
          `${cap(s)}Read`,
          READ.map((r) => `${s}:${r}`),
        ),
      },
    ]),
  ];
}

/** Writes the managed policies, changing a row only when its text changed (no ETag churn at every start). */
export async function seedManagedPolicies(db: Knex, actions: readonly string[]): Promise<void> {
  for (const p of managedPolicyDocuments(actions)) {
    await db.raw(
      `insert into policies (id, name, description, type, document) values (?, ?, ?, 'managed', ?::jsonb)
       on conflict (id) do update set description = excluded.description, document = excluded.document,
         rev = policies.rev + 1, updated_at = now()
       where policies.document is distinct from excluded.document or policies.description is distinct from excluded.description`,
      [managedPolicyId(p.name), p.name, p.description, JSON.stringify(p.document)],
    );
  }
}
