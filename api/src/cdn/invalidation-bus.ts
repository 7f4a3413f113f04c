// How invalidations reach the edges and how the control plane knows they have: an edge heartbeats (cdn_edges),
// hears each new invalidation as a `cdn_invalidation` `created` change event (EventBus.subscribe, every process) or
// finds it with pendingInvalidations when it starts, drops the paths, then acknowledges. An invalidation completes
// when every live edge (heartbeat within EDGE_LIVE_SECONDS on the platform clock) has acknowledged it.
import type { Knex } from 'knex';
import type { Clock } from '../platform/clock.js';
import type { ChangeEvent } from '../platform/events/bus.js';

type Db = Knex | Knex.Transaction;

/** An edge not heard from for this long is dead: invalidations do not wait for it (it starts empty when it returns). */
export const EDGE_LIVE_SECONDS = 30;

/** What an edge applies: drop the cached objects of `distribution_id` whose paths match `paths` (`*` last only). */
export interface EdgeInvalidation {
  id: string;
  distribution_id: string;
  paths: string[];
}

/** Whether a change event announces an invalidation the edges must apply (then read it with invalidationOf). */
export const announcesInvalidation = (ev: ChangeEvent) => ev.kind === 'cdn_invalidation' && ev.type === 'created';

/** An edge says it is alive; call it at start and at least every EDGE_LIVE_SECONDS / 3. */
export async function heartbeat(db: Db, clock: Clock, edgeId: string): Promise<void> {
  await db('cdn_edges').insert({ id: edgeId, heartbeat_at: clock.date() }).onConflict('id').merge();
}

/** An edge stopping cleanly: nothing waits for it any more. */
export async function leave(db: Db, edgeId: string): Promise<void> {
  await db('cdn_edges').where({ id: edgeId }).delete();
}

export async function invalidationOf(db: Db, id: string): Promise<EdgeInvalidation | undefined> {
  return db('cdn_invalidations').where({ id }).first('id', 'distribution_id', 'paths');
}

/** Invalidations still in progress that `edgeId` has not acknowledged (for an edge catching up). */
export async function pendingInvalidations(db: Db, edgeId: string): Promise<EdgeInvalidation[]> {
  return db('cdn_invalidations as i')
    .where('i.status', 'in_progress')
    .whereNotExists((q) =>
      q.from('cdn_invalidation_acks as a').whereRaw('a.invalidation_id = i.id').where('a.edge_id', edgeId),
    )
    .orderBy('i.seq')
    .select('i.id', 'i.distribution_id', 'i.paths');
}

/** The edge has dropped the paths of invalidation `id`; completes it when it was the last live edge to do so. */
export async function acknowledge(db: Knex, clock: Clock, id: string, edgeId: string): Promise<void> {
  await db('cdn_invalidation_acks').insert({ invalidation_id: id, edge_id: edgeId }).onConflict().ignore();
  await completeIfAcknowledged(db, clock, id);
}

/** Live edges that have not acknowledged invalidation `id` yet. */
export async function waitingOn(db: Db, clock: Clock, id: string): Promise<string[]> {
  const since = new Date(clock.now() - EDGE_LIVE_SECONDS * 1000);
  return db('cdn_edges as e')
    .where('e.heartbeat_at', '>=', since)
    .whereNotExists((q) =>
      q.from('cdn_invalidation_acks as a').where('a.invalidation_id', id).whereRaw('a.edge_id = e.id'),
    )
    .pluck('e.id');
}

/** Moves the invalidation to `completed` once no live edge is missing; true when it is (or was) completed. */
export async function completeIfAcknowledged(db: Knex, clock: Clock, id: string): Promise<boolean> {
  return db.transaction(async (trx) => {
    const inv = await trx('cdn_invalidations').where({ id }).forUpdate().first('id', 'status', 'rev');
    if (!inv) return true;
    if (inv.status === 'completed') return true;
    if ((await waitingOn(trx, clock, id)).length) return false;
    await trx('cdn_invalidations')
      .where({ id })
      .update({ status: 'completed', rev: inv.rev + 1, updated_at: trx.fn.now() });
    return true;
  });
}
