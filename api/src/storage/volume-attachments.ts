// Attaching volumes to instances: one rule set behind both doors, the volume's attach/detach actions and the
// attachment resource (`atonix_volume_attachment`: create attaches, delete detaches), and what an instance's
// deletion does to its volumes. Locks are taken instance first, then volume, everywhere (attach, detach, instance
// delete), so concurrent calls queue instead of deadlocking; the volume's row lock makes two attaches of one volume
// serial, so exactly one finds it `available`.
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import { listHandler } from '../platform/resources/crud.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, checkIfMatch, type Schemas, type StoredRow } from '../platform/resources/repo.js';
import type { Principal } from '../platform/operations/principals.js';
import { instances } from '../compute/instances.js';
import { release } from './volume-capacity.js';
import { volumes, type VolumeRow } from './volume-repo.js';

export const attachments = new ResourceRepo<Schemas['VolumeAttachment']>(registry.volume_attachment);
type InstanceRow = Awaited<ReturnType<typeof instances.get>>;

/** An instance's zone: its subnet's, or the region's first for an instance in no subnet. */
async function zoneOf(trx: Knex.Transaction, instance: InstanceRow): Promise<string> {
  if (!instance.subnet_id) return `${instance.region}a`;
  return (await trx('subnets').where({ id: instance.subnet_id }).first('availability_zone')).availability_zone;
}

async function lockInstance(trx: Knex.Transaction, principal: Principal, id: string): Promise<InstanceRow> {
  return instances.get(trx, principal, id, true).catch(() => {
    throw problems.referenceNotFound('instance_id', id);
  });
}

/** Attaches volume `volumeId` to `instanceId` as `device`: the attachment row, the volume in-use, the instance told. */
export async function attach(
  trx: Knex.Transaction,
  principal: Principal,
  volumeId: string,
  want: { instance_id: string; device: string },
  ifMatch?: string,
) {
  await volumes.get(trx, principal, volumeId); // another owner's volume is a 404 before anything about the instance
  const instance = await lockInstance(trx, principal, want.instance_id);
  const volume = await volumes.get(trx, principal, volumeId, true);
  checkIfMatch(ifMatch, volume);
  // Even an admin attaches a volume only to an instance of the volume's owner (its detach is the owner's to make).
  if (instance.owner !== volume.owner) throw problems.referenceNotFound('instance_id', want.instance_id);
  if (volume.attached_to)
    throw problems.conflict(
      `VolumeInUse: volume ${volume.id} is attached to instance ${volume.attached_to}; detach it first.`,
      [{ pointer: '/instance_id', detail: `volume is attached to ${volume.attached_to}`, code: 'VolumeInUse' }],
      { attached_to: volume.attached_to },
    );
  if (volume.status !== 'available')
    throw problems.invalidTransition('volume', volume.id, 'attach', volume.status, ['available']);
  if (!['running', 'stopped'].includes(instance.status))
    throw problems.conflict(
      `instance ${instance.id} is ${instance.status}; a volume attaches to a running or stopped instance.`,
      [{ pointer: '/instance_id', detail: `is ${instance.status}`, code: 'IncorrectInstanceState' }],
      { current_status: instance.status, allowed_statuses: ['running', 'stopped'] },
    );
  const zone = await zoneOf(trx, instance);
  if (zone !== volume.availability_zone)
    throw problems.invalidField(
      'instance_id',
      `instance ${instance.id} is in ${zone}; volume ${volume.id} is in ${volume.availability_zone}`,
      'ZoneMismatch',
    );
  const taken = await trx(attachments.table)
    .where({ instance_id: instance.id, device: want.device })
    .first('volume_id');
  if (taken)
    throw problems.conflict(
      `instance ${instance.id} uses ${want.device} for volume ${taken.volume_id} already.`,
      [{ pointer: '/device', detail: `is used by ${taken.volume_id}`, code: 'DeviceInUse' }],
      { conflicts_with: taken.volume_id },
    );
  const attachment = await attachments.insert(trx, {
    volume_id: volume.id,
    instance_id: instance.id,
    device: want.device,
    owner: volume.owner,
  });
  const updated = await volumes.update(trx, volume, {
    status: 'in-use',
    attached_to: instance.id,
    device: want.device,
  });
  await instances.update(trx, instance, { volume_ids: [...(instance.volume_ids ?? []), volume.id] });
  return { volume: updated, attachment };
}

/** Detaches a volume: its attachment row goes, the volume is available again (or still modifying). */
export async function detach(trx: Knex.Transaction, principal: Principal, volumeId: string, ifMatch?: string) {
  const seen = await volumes.scoped(trx, principal, true).where('id', volumeId).first('attached_to');
  if (!seen) throw problems.notFound('volume', volumeId);
  const instance = seen.attached_to ? await instances.get(trx, principal, seen.attached_to, true) : undefined;
  const volume = await volumes.get(trx, principal, volumeId, true);
  checkIfMatch(ifMatch, volume);
  if (!volume.attached_to || volume.attached_to !== instance?.id)
    throw problems.invalidTransition('volume', volume.id, 'detach', volume.status, ['in-use']);
  return unplug(trx, volume, instance);
}

async function unplug(trx: Knex.Transaction, volume: VolumeRow, instance?: InstanceRow) {
  const row = await trx(attachments.table).where({ volume_id: volume.id }).first('id');
  if (row) await attachments.remove(trx, row);
  if (instance)
    await instances.update(trx, instance, {
      volume_ids: (instance.volume_ids ?? []).filter((id: string) => id !== volume.id),
    });
  return volumes.update(trx, volume, {
    status: volume.status === 'modifying' ? 'modifying' : 'available',
    attached_to: null,
    device: null,
  });
}

/**
 * An instance's deletion (its row locked by the caller): each attached volume is detached (the seed's SET_NULL) or,
 * when marked delete_on_termination, deleted with its capacity released. Answers what happened, for the audit.
 */
export async function releaseInstanceVolumes(trx: Knex.Transaction, instanceId: string) {
  const rows: VolumeRow[] = await trx(volumes.table).where({ attached_to: instanceId }).orderBy('seq').forUpdate();
  const out = { detached: [] as string[], deleted: [] as string[] };
  for (const v of rows) {
    if (v.delete_on_termination) {
      if (v.allocated) await release(trx, v.region, v.type, v.size_gb);
      await volumes.remove(trx, v); // its attachment row goes with it (ON DELETE CASCADE)
      out.deleted.push(v.id);
    } else {
      await unplug(trx, v);
      out.detached.push(v.id);
    }
  }
  return out;
}

function attachmentHandlers(): KindHandlers<'volume_attachment'> {
  return {
    listVolumeAttachments: listHandler(attachments, ['volume_id', 'instance_id']),
    async listVolumeAttachmentsOfVolume(ctx) {
      await volumes.get(ctx.db, ctx.principal, ctx.params.id);
      return listHandler(attachments, [], () => ({ volume_id: ctx.params.id }))(ctx);
    },
    getVolumeAttachment: async (ctx) => ({
      status: 200,
      body: attachments.present(await attachments.get(ctx.db, ctx.principal, ctx.params.id)),
    }),
    async createVolumeAttachment(ctx) {
      const volumeId = ctx.params.id as string;
      if (ctx.body.volume_id !== undefined && ctx.body.volume_id !== volumeId)
        throw problems.invalidField('volume_id', `must be the volume of the path (${volumeId}) or left out`);
      const { attachment } = await attach(ctx.db as Knex.Transaction, ctx.principal, volumeId, ctx.body);
      ctx.audit = { resource_type: 'volume_attachment', resource_id: attachment.id, details: { volume_id: volumeId } };
      return {
        status: 201,
        body: attachments.present(attachment),
        headers: { Location: attachments.location(attachment.id) },
      };
    },
    async deleteVolumeAttachment(ctx) {
      const trx = ctx.db as Knex.Transaction;
      const row: StoredRow<Schemas['VolumeAttachment']> = await attachments.get(trx, ctx.principal, ctx.params.id);
      checkIfMatch(ctx.ifMatch, row);
      await detach(trx, ctx.principal, row.volume_id);
      ctx.audit = { resource_type: 'volume_attachment', resource_id: row.id, details: { volume_id: row.volume_id } };
      return { status: 204 };
    },
  };
}

export const volumeAttachmentKind = defineKind('volume_attachment', { handlers: attachmentHandlers });
