// Snapshots of volumes (the seed's POST /api/storage/volumes/{id}/snapshots): taken `pending`, completed after a
// time proportional to the volume's size on the platform clock (ATONIX_SNAPSHOT_MS_PER_GIB), by a timer in the
// process that took it and, durably, by the sweep every clock tick runs (a crash loses nothing: the due time is
// in the row). Emulated: no bytes are copied. A snapshot outlives its volume, and is refused deletion while a volume
// is being created from it.
import type { Knex } from 'knex';
import { blockers, getHandler, listHandler } from '../platform/resources/crud.js';
import type { Deps, Workers } from '../platform/deps.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { checkIfMatch } from '../platform/resources/repo.js';
import { rowCache } from '../platform/resources/row-cache.js';
import { snapshots, useSnapshotClock } from './snapshot-repo.js';
import { volumes } from './volume-repo.js';

/** Completes every pending snapshot that is due at `nowMs` (one statement: concurrent sweeps never double up). */
async function completeDue(db: Knex, nowMs: number): Promise<void> {
  const { rows } = await db.raw(
    `update snapshots set status = 'completed', progress = 100, rev = rev + 1, updated_at = now()
     where status = 'pending' and completed_at <= ? returning id`,
    [new Date(nowMs)],
  );
  for (const r of rows) rowCache.invalidate(r.id);
}

function snapshotHandlers({ db, clock, config, log }: Deps): KindHandlers<'snapshot'> {
  useSnapshotClock(clock);
  return {
    listSnapshots: listHandler(snapshots, ['volume_id', 'status', 'name']),
    async listVolumeSnapshots(ctx) {
      await volumes.get(ctx.db, ctx.principal, ctx.params.id);
      return listHandler(snapshots, [], () => ({ volume_id: ctx.params.id }))(ctx);
    },
    getSnapshot: getHandler(snapshots),
    async createSnapshot(ctx) {
      const volumeId = ctx.params.id as string;
      if (ctx.body.volume_id !== undefined && ctx.body.volume_id !== volumeId)
        throw problems.invalidField('volume_id', `must be the volume of the path (${volumeId}) or left out`);
      const volume = await volumes.get(ctx.db, ctx.principal, volumeId, true);
      if (!['available', 'in-use'].includes(volume.status))
        throw problems.invalidTransition('volume', volume.id, 'snapshot', volume.status, ['available', 'in-use']);
      const due = clock.now() + volume.size_gb * config.snapshotMsPerGib;
      const row = await snapshots.insert(ctx.db, {
        volume_id: volume.id,
        name: ctx.body.name,
        description: ctx.body.description ?? '',
        status: 'pending',
        progress: 0,
        size_gb: volume.size_gb,
        encrypted: volume.encrypted,
        kms_key_id: volume.kms_key_id,
        created_at: clock.date(),
        completed_at: new Date(due),
        owner: volume.owner,
      });
      // The timer is a shortcut for this process; the tick's sweep is what makes completion durable.
      ctx.afterCommit(() => {
        clock.at(due, () => void completeDue(db, clock.now()).catch((e) => log.warn({ err: e }, 'snapshot sweep')));
      });
      ctx.audit = { resource_type: 'snapshot', resource_id: row.id, details: { volume_id: volume.id } };
      return { status: 202, body: snapshots.present(row), headers: { Location: snapshots.location(row.id) } };
    },
    async deleteSnapshot(ctx) {
      const trx = ctx.db as Knex.Transaction;
      const row = await snapshots.get(trx, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const using = await blockers(trx, 'volume', { snapshot_id: row.id, status: 'creating' });
      if (using.length) throw problems.inUse('snapshot', row.id, using);
      await snapshots.remove(trx, row);
      ctx.audit = { resource_type: 'snapshot', resource_id: row.id };
      return { status: 204 };
    },
  };
}

function snapshotWorkers({ db, clock }: Deps): Workers {
  useSnapshotClock(clock);
  clock.onTick((now) => completeDue(db, now));
  return {};
}

export const snapshotKind = defineKind('snapshot', {
  handlers: snapshotHandlers,
  workers: snapshotWorkers,
  // Nothing to send again: a pending snapshot's due time is in its row, and the next tick's sweep completes it.
  recover: async () => [],
});
