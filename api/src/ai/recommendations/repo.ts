// The recommendations' data access: the generic repo of the kind, and the reconciliation of one owner's
// proposals with the rows they already have (one row per identity; dismissed stays dismissed).
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { registry } from '../../generated/registry.js';
import { ResourceRepo, type Schemas } from '../../platform/resources/repo.js';
import { inTransaction, touch } from '../../platform/resources/row-cache.js';
import type { Proposal } from './proposal.js';

export const recommendations = new ResourceRepo<Schemas['Recommendation'], { identity: string }>(
  registry.recommendation,
);

/** The stable identity: the same owner, type, resource and action is the same recommendation. */
export const identityOf = (owner: string, p: Proposal) =>
  createHash('sha256')
    .update(JSON.stringify([owner, p.type, p.resource_kind, p.resource_id, p.action.steps]))
    .digest('hex');

export interface RefreshOutcome {
  refreshed_at: string;
  created: string[];
  updated: string[];
  superseded: string[];
  unchanged_dismissed: string[];
}

const columnsOf = (p: Proposal, now: Date) => ({
  name: `${p.type} ${p.resource_id}`,
  type: p.type,
  resource_kind: p.resource_kind,
  resource_id: p.resource_id,
  summary: p.summary,
  evidence: JSON.stringify(p.evidence),
  method: p.method,
  action: JSON.stringify(p.action),
  monthly_savings: p.monthly_savings,
  currency: p.currency,
  savings: JSON.stringify(p.savings),
  confidence: p.confidence,
  confidence_method: p.confidence_method,
  last_seen_at: now,
});

/** Writes one owner's proposals under a per-owner lock (a refresh and the daily run never interleave). */
export async function reconcile(db: Knex, owner: string, proposals: Proposal[], now: number): Promise<RefreshOutcome> {
  const at = new Date(now);
  const out: RefreshOutcome = {
    refreshed_at: at.toISOString(),
    created: [],
    updated: [],
    superseded: [],
    unchanged_dismissed: [],
  };
  await inTransaction(db, async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`recommendations:${owner}`]);
    const rows: { id: string; identity: string; state: string; type: string; resource_id: string }[] = await trx(
      recommendations.table,
    )
      .where({ owner })
      .select('id', 'identity', 'state', 'type', 'resource_id');
    const byIdentity = new Map(rows.map((r) => [r.identity, r]));
    const seen = new Map<string, string>(); // identity -> id
    for (const p of proposals) {
      const identity = identityOf(owner, p);
      if (seen.has(identity)) continue;
      const row = byIdentity.get(identity);
      const values = columnsOf(p, at);
      if (!row) {
        const id = recommendations.draft({}).id;
        await trx(recommendations.table).insert({ id, owner, identity, state: 'open', ...values });
        out.created.push(id);
        seen.set(identity, id);
        continue;
      }
      seen.set(identity, row.id);
      if (row.state === 'applied') continue; // what was done stays as it was recorded
      const reopen = row.state === 'superseded' ? { state: 'open', state_reason: null } : {};
      await trx(recommendations.table)
        .where({ id: row.id })
        .update({ ...values, ...reopen, rev: trx.raw('rev + 1'), updated_at: trx.fn.now() });
      touch(trx, row.id);
      (row.state === 'dismissed' ? out.unchanged_dismissed : out.updated).push(row.id);
    }
    const kept = new Set(seen.keys());
    for (const row of rows.filter((r) => r.state === 'open' && !kept.has(r.identity))) {
      const replacement = proposals.find((p) => p.type === row.type && p.resource_id === row.resource_id);
      const reason = replacement
        ? `replaced by ${seen.get(identityOf(owner, replacement))} (another action for the same resource)`
        : `the evidence no longer holds (refresh at ${at.toISOString()})`;
      await trx(recommendations.table)
        .where({ id: row.id })
        .update({ state: 'superseded', state_reason: reason, rev: trx.raw('rev + 1'), updated_at: trx.fn.now() });
      touch(trx, row.id);
      out.superseded.push(row.id);
    }
  });
  return out;
}
