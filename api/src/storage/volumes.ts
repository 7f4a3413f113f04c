// Block volumes (storage/block_storage.py): created `creating` and placed by a durable job against the region's
// capacity for their type (or `error`, InsufficientCapacity); attached and detached (volume-attachments.ts);
// grown or retyped through `modifying` by a second job; deleted only when available (or failed). The data path is
// emulated: no block device exists, every rule is enforced as if one did.
import type { Knex } from 'knex';
import type { Deps, Workers } from '../platform/deps.js';
import { creationOf, getHandler, listHandler } from '../platform/resources/crud.js';
import { defineKind, type KindHandlers, type Unfinished } from '../platform/manifest.js';
import type { OpContext } from '../platform/operations/context.js';
import { problems } from '../platform/problems.js';
import { checkIfMatch, mergePatch, withDefaults } from '../platform/resources/repo.js';
import { rowCache } from '../platform/resources/row-cache.js';
import { keyFor } from '../security/kms/key-store.js';
import { zonesOf } from '../networking/subnets.js';
import { attach, detach } from './volume-attachments.js';
import { claim, claimOrRefuse, release, seedVolumeCapacity } from './volume-capacity.js';
import { settlePerformance, type VolumeType } from './volume-limits.js';
import { volumes } from './volume-repo.js';
import { snapshots } from './snapshot-repo.js';

const PROVISION = 'provision-volume';
const MODIFY = 'modify-volume';
const PERFORMANCE = ['size_gb', 'type', 'iops', 'throughput'];

/** A volume's key: a symmetric encryption key of the caller's, enabled; answered as its id (an alias resolved). */
async function kmsKeyId(ctx: OpContext, id: string): Promise<string> {
  const key = await keyFor(ctx.db, ctx.principal, id).catch(() => {
    throw problems.referenceNotFound('kms_key_id', id);
  });
  if (key.key_spec !== 'SYMMETRIC_DEFAULT' || key.key_usage !== 'ENCRYPT_DECRYPT')
    throw problems.invalidField(
      'kms_key_id',
      `key ${key.id} is ${key.key_spec}; a volume needs a SYMMETRIC_DEFAULT key`,
    );
  if (key.key_state !== 'enabled')
    throw problems.kmsInvalidState(key.id, 'encrypt a volume', key.key_state, ['enabled']);
  return key.id;
}

/** What a volume made from a snapshot inherits: its size (at least) and its encryption (never dropped). */
async function fromSnapshot(ctx: OpContext<'createVolume'>) {
  const b = ctx.body;
  // FOR SHARE: a concurrent delete of the snapshot waits for this create, then sees the volume being created.
  const snap = await snapshots.scoped(ctx.db, ctx.principal, true).where('id', b.snapshot_id!).forShare().first();
  if (!snap) throw problems.referenceNotFound('snapshot_id', b.snapshot_id);
  if (snap.status !== 'completed')
    throw problems.invalidField(
      'snapshot_id',
      `snapshot ${snap.id} is ${snap.status}; it must be completed`,
      'SnapshotNotCompleted',
    );
  if (b.size_gb !== undefined && b.size_gb < snap.size_gb)
    throw problems.invalidField(
      'size_gb',
      `must be at least the snapshot's ${snap.size_gb} GiB`,
      'SmallerThanSnapshot',
    );
  if (snap.encrypted && b.encrypted === false)
    throw problems.invalidField(
      'encrypted',
      `snapshot ${snap.id} is encrypted; a volume made from it is too`,
      'EncryptionRequired',
    );
  return {
    size_gb: b.size_gb ?? snap.size_gb,
    encrypted: snap.encrypted || b.encrypted === true,
    kms_key_id: snap.kms_key_id,
  };
}

function volumeHandlers({ config, jobs }: Deps): KindHandlers<'volume'> {
  return {
    listVolumes: listHandler(volumes, ['status', 'type', 'availability_zone', 'name']),
    getVolume: getHandler(volumes),

    // Reads only (the snapshot under FOR SHARE when there is one, so that create runs in its own transaction);
    // the capacity is claimed by the job, so concurrent creates share one commit.
    createVolume: {
      needsTransaction: (ctx) => Boolean(ctx.body.snapshot_id),
      async create(ctx) {
        const b = ctx.body;
        const zone = b.availability_zone ?? `${config.region}a`;
        if (!zonesOf(config.region).includes(zone))
          throw problems.invalidField(
            'availability_zone',
            `must be one of: ${zonesOf(config.region).join(', ')}`,
            'NotInEnum',
          );
        const inherited = b.snapshot_id ? await fromSnapshot(ctx) : undefined;
        const size = inherited?.size_gb ?? b.size_gb;
        if (size === undefined)
          throw problems.invalidField('size_gb', 'is required unless snapshot_id is given', 'Required');
        const type = (b.type ?? 'ssd') as VolumeType;
        const perf = settlePerformance(type, size, b);
        if (b.kms_key_id && b.encrypted === false)
          throw problems.invalidField('kms_key_id', 'needs encrypted: true (or encrypted left out)', 'NotAllowed');
        const kms_key_id = b.kms_key_id ? await kmsKeyId(ctx, b.kms_key_id) : (inherited?.kms_key_id ?? null);
        const row = volumes.draft({
          ...withDefaults(volumes.meta, b),
          ...perf,
          size_gb: size,
          type,
          availability_zone: zone,
          encrypted: inherited?.encrypted || b.encrypted === true || Boolean(b.kms_key_id),
          kms_key_id,
          snapshot_id: b.snapshot_id ?? null,
          status: 'creating',
          region: config.region,
          owner: ctx.principal.userId,
        });
        return creationOf(volumes, row, {
          status: 202,
          jobs: [{ queue: PROVISION, data: { id: row.id }, delayMs: config.provisionDelayMs }],
        });
      },
    },

    // Name and delete_on_termination change at once; size, type, iops and throughput are a modification: from
    // available or in-use, through `modifying`, with the capacity it needs claimed now (a 409 when it does not fit).
    async updateVolume(ctx) {
      const trx = ctx.db as Knex.Transaction;
      const row = await volumes.get(trx, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const changes = mergePatch(volumes.meta, ctx.body, volumes.present(row));
      let modifying = false;
      if (PERFORMANCE.some((f) => f in changes)) {
        if (!['available', 'in-use'].includes(row.status))
          throw problems.invalidTransition('volume', row.id, 'modify', row.status, ['available', 'in-use']);
        const size = changes.size_gb ?? row.size_gb;
        if (size < row.size_gb)
          throw problems.invalidField(
            'size_gb',
            `may not shrink: the volume is ${row.size_gb} GiB`,
            'ShrinkNotAllowed',
          );
        const type = (changes.type ?? row.type) as VolumeType;
        const retyped = type !== row.type;
        // A new type re-defaults what the request leaves out; otherwise what the volume has stays.
        const perf = settlePerformance(type, size, {
          iops: 'iops' in changes ? changes.iops : retyped ? undefined : row.iops,
          throughput: 'throughput' in changes ? changes.throughput : retyped ? undefined : row.throughput,
        });
        if (retyped) {
          await claimOrRefuse(trx, row.region, type, size);
          await release(trx, row.region, row.type, row.size_gb);
        } else await claimOrRefuse(trx, row.region, type, size - row.size_gb);
        Object.assign(changes, perf, { status: 'modifying' });
        modifying = true;
      }
      const updated = await volumes.update(trx, row, changes);
      if (modifying) {
        await jobs.send(trx, MODIFY, { id: row.id }, config.provisionDelayMs);
        if (!config.provisionDelayMs) ctx.afterCommit(() => jobs.nudge(MODIFY));
      }
      ctx.audit = { resource_type: 'volume', resource_id: row.id, details: { changed: Object.keys(changes) } };
      return { status: 200, body: volumes.present(updated) };
    },

    async deleteVolume(ctx) {
      const trx = ctx.db as Knex.Transaction;
      const row = await volumes.get(trx, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      if (row.attached_to) throw problems.inUse('volume', row.id, [{ kind: 'instance', id: row.attached_to }]);
      if (!['available', 'error'].includes(row.status))
        throw problems.invalidTransition('volume', row.id, 'delete', row.status, ['available', 'error']);
      if (row.allocated) await release(trx, row.region, row.type, row.size_gb);
      await volumes.remove(trx, row);
      ctx.audit = { resource_type: 'volume', resource_id: row.id };
      return { status: 204 };
    },

    async attachVolume(ctx) {
      const { volume } = await attach(ctx.db as Knex.Transaction, ctx.principal, ctx.params.id, ctx.body, ctx.ifMatch);
      ctx.audit = { resource_type: 'volume', resource_id: volume.id, details: { ...ctx.body } };
      return { status: 200, body: volumes.present(volume) };
    },
    async detachVolume(ctx) {
      const volume = await detach(ctx.db as Knex.Transaction, ctx.principal, ctx.params.id, ctx.ifMatch);
      ctx.audit = { resource_type: 'volume', resource_id: volume.id };
      return { status: 200, body: volumes.present(volume) };
    },
  };
}

function volumeWorkers({ db }: Deps): Workers {
  /** Runs `fn` on the volume when it is still `status` (under its row lock: a replayed job is a no-op). */
  const step =
    (status: string, fn: (trx: Knex.Transaction, row: any) => Promise<object>) => async (data: { id: string }) => {
      await db.transaction(async (trx) => {
        const row = await trx(volumes.table).where({ id: data.id, status }).forUpdate().first();
        if (row) await volumes.update(trx, row, await fn(trx, row));
      });
      rowCache.invalidate(data.id); // committed: this process reads the new row at once
    };
  return {
    [PROVISION]: step('creating', async (trx, row) => {
      const reason = await claim(trx, row.region, row.type, row.size_gb);
      return reason ? { status: 'error', status_reason: reason } : { status: 'available', allocated: true };
    }),
    // Where a modification returns to follows the attachment now (it may have been detached meanwhile).
    [MODIFY]: step('modifying', async (_trx, row) => ({ status: row.attached_to ? 'in-use' : 'available' })),
  };
}

async function unfinished(db: Knex): Promise<Unfinished[]> {
  const rows = await db(volumes.table).whereIn('status', ['creating', 'modifying']).select('id', 'status');
  return rows.map((r: { id: string; status: string }) => ({
    queue: r.status === 'creating' ? PROVISION : MODIFY,
    id: r.id,
  }));
}

export const volumeKind = defineKind('volume', {
  handlers: volumeHandlers,
  workers: volumeWorkers,
  recover: unfinished,
  seed: ({ db, config }) => seedVolumeCapacity(db, config),
});
