// Deployments of distributions: the queue their deployment jobs go to, and the redeployment of every distribution
// using a cache policy that changed (the edge resolves policies when it reads a deployed configuration, so a new
// config_version is what tells it to read again).
import type { Knex } from 'knex';
import type { Jobs } from '../platform/jobs/queue.js';
import { touch } from '../platform/resources/row-cache.js';

export const DEPLOY_QUEUE = 'cdn-deploy';

/** Moves every distribution whose behaviours name `policyId` back to in_progress, with a new config_version. */
export async function redeployUsing(db: Knex | Knex.Transaction, jobs: Jobs, deployMs: number, policyId: string) {
  const rows: { id: string; config_version: number }[] = await db('cdn_distributions')
    .whereRaw(`default_cache_behavior->>'cache_policy_id' = ?`, [policyId])
    .orWhereRaw('ordered_cache_behaviors @> ?::jsonb', [JSON.stringify([{ cache_policy_id: policyId }])])
    .update({
      status: 'in_progress',
      config_version: db.raw('config_version + 1'),
      rev: db.raw('rev + 1'),
      updated_at: db.fn.now(),
    })
    .returning(['id', 'config_version']);
  for (const r of rows) touch(db, r.id);
  if (rows.length)
    await jobs.sendMany(
      db,
      rows.map((r) => ({ queue: DEPLOY_QUEUE, data: { id: r.id, version: r.config_version }, delayMs: deployMs })),
    );
  return rows.map((r) => r.id);
}
