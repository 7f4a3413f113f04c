// Cache policies: the owner's custom ones and the platform's managed ones (seeded, readable by every owner,
// read-only). A policy is checked whole on create and patch (TTL order, key parts); one in use is not deleted.
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import { getHandler, listHandler, patchHandler } from '../platform/resources/crud.js';
import { defineKind } from '../platform/manifest.js';
import type { Principal } from '../platform/operations/principals.js';
import { problems } from '../platform/problems.js';
import { checkIfMatch, ResourceRepo, withDefaults, type Row, type Schemas } from '../platform/resources/repo.js';
import { MANAGED_NAMES, seedManagedCachePolicies } from './managed-cache-policies.js';

type Db = Knex | Knex.Transaction;

/** Rows of one owner plus the managed ones (owner null): what every owner sees, and may name in a distribution. */
class CachePolicyRepo extends ResourceRepo<Schemas['CdnCachePolicy']> {
  override scoped(db: Db, principal: Principal): Knex.QueryBuilder {
    const q = db(this.table);
    if (!principal.isAdmin)
      q.where((w) => w.where(`${this.table}.owner`, principal.userId).orWhereNull(`${this.table}.owner`));
    return q;
  }
  protected override visible(row: Row, principal: Principal): boolean {
    return principal.isAdmin || row.owner === null || row.owner === principal.userId;
  }
}

export const cachePolicies = new CachePolicyRepo(registry.cdn_cache_policy);

const KEY_PARTS = ['query_strings', 'headers', 'cookies'] as const;

/** The rules the schema cannot say; each refusal points at its field. Returns the policy with key parts normalised. */
export function checkCachePolicy(p: Row): Row {
  if (p.min_ttl > p.default_ttl)
    throw problems.invalidField('min_ttl', `must be at most default_ttl (${p.default_ttl})`, 'TtlOrder');
  if (p.default_ttl > p.max_ttl)
    throw problems.invalidField('max_ttl', `must be at least default_ttl (${p.default_ttl})`, 'TtlOrder');
  const out = { ...p };
  for (const part of KEY_PARTS) {
    const kp = { behavior: p[part].behavior, names: p[part].names ?? [] };
    if (part === 'headers' && (kp.behavior === 'all' || kp.behavior === 'deny'))
      throw problems.invalidField('headers/behavior', 'must be none or allow (all headers never make a key)');
    const listed = kp.behavior === 'allow' || kp.behavior === 'deny';
    if (listed && !kp.names.length)
      throw problems.invalidField(`${part}/names`, `must name at least one for ${kp.behavior}`, 'NamesRequired');
    if (!listed && kp.names.length)
      throw problems.invalidField(`${part}/names`, `must be empty for ${kp.behavior}`, 'NamesNotAllowed');
    // Header names compare case-insensitively; the edge keys on them lowercased.
    if (part === 'headers') kp.names = kp.names.map((n: string) => n.toLowerCase());
    out[part] = kp;
  }
  return out;
}

async function checkName(db: Db, owner: string | null, name: string, except?: string) {
  if (MANAGED_NAMES.has(name)) throw problems.alreadyExists('cdn_cache_policy', 'name', `${name} (a managed policy)`);
  const q = db(cachePolicies.table).where({ name, owner });
  if (except) q.whereNot({ id: except });
  if (await q.first('id')) throw problems.alreadyExists('cdn_cache_policy', 'name', name);
}

const refuseManaged = (row: Row) => {
  if (row.type === 'managed')
    throw problems.conflict(`cdn_cache_policy ${row.id} (${row.name}) is a managed policy; it is read-only.`, [
      { pointer: '', detail: 'is a managed policy', code: 'ManagedPolicy' },
    ]);
};

/** Distributions (any owner's) whose behaviours name the policy: up to ten, for the 409. */
export async function distributionsUsing(db: Db, policyId: string): Promise<string[]> {
  const rows = await db('cdn_distributions')
    .whereRaw(`default_cache_behavior->>'cache_policy_id' = ?`, [policyId])
    .orWhereRaw('ordered_cache_behaviors @> ?::jsonb', [JSON.stringify([{ cache_policy_id: policyId }])])
    .orderBy('seq')
    .limit(10)
    .pluck('id');
  return rows;
}

export const cachePolicyKind = defineKind('cdn_cache_policy', {
  handlers: () => ({
    listCdnCachePolicies: listHandler(cachePolicies, ['name', 'type']),
    getCdnCachePolicy: getHandler(cachePolicies),
    createCdnCachePolicy: async (ctx) => {
      const values = checkCachePolicy(withDefaults(cachePolicies.meta, ctx.body));
      await checkName(ctx.db, ctx.principal.userId, values.name);
      const row = await cachePolicies.insert(ctx.db, { ...values, type: 'custom', owner: ctx.principal.userId });
      ctx.audit = { resource_type: 'cdn_cache_policy', resource_id: row.id };
      return { status: 201, body: cachePolicies.present(row), headers: { Location: cachePolicies.location(row.id) } };
    },
    updateCdnCachePolicy: patchHandler(cachePolicies, async (ctx, row, changes) => {
      refuseManaged(row);
      const next = checkCachePolicy({ ...cachePolicies.present(row as any), ...changes });
      if (changes.name) await checkName(ctx.db, row.owner, changes.name, row.id);
      for (const part of KEY_PARTS) if (changes[part]) changes[part] = next[part];
    }),
    deleteCdnCachePolicy: async (ctx) => {
      const row = await cachePolicies.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      refuseManaged(row);
      const using = await distributionsUsing(ctx.db, row.id);
      if (using.length)
        throw problems.inUse(
          'cdn_cache_policy',
          row.id,
          using.map((id) => ({ kind: 'cdn_distribution', id })),
        );
      await cachePolicies.remove(ctx.db, row);
      ctx.audit = { resource_type: 'cdn_cache_policy', resource_id: row.id };
      return { status: 204 };
    },
  }),
  seed: ({ db }) => seedManagedCachePolicies(db, cachePolicies.table),
});
