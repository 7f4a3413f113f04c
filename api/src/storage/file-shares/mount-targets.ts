// Mount targets: a file share's address in one subnet of its VPC, one per zone per share. The address comes from the
// subnet through the allocation instances use (networking/subnets.ts), so the two never collide; the groups are
// checked as an instance's are. Created `creating`; a durable job makes them `available`.
import type { Knex } from 'knex';
import { registry } from '../../generated/registry.js';
import { creationOf, getHandler, listHandler, patchHandler } from '../../platform/resources/crud.js';
import type { Deps, Workers } from '../../platform/deps.js';
import { defineKind, type KindHandlers, type Unfinished } from '../../platform/manifest.js';
import { problems } from '../../platform/problems.js';
import { ResourceRepo, type Schemas, checkIfMatch, withDefaults, type Row } from '../../platform/resources/repo.js';
import type { Principal } from '../../platform/operations/principals.js';
import { allocateIp, releaseIp, subnets } from '../../networking/subnets.js';
import { groupsForInstance } from '../../networking/security-groups.js';
import { fileShares } from './shares.js';
import { mountCommand } from './rules.js';

export const mountTargets = new ResourceRepo<Schemas['FileShareMountTarget']>(registry.file_share_mount_target);
const QUEUE = 'provision-mount-target';

function mountTargetHandlers({ config }: Deps): KindHandlers<'file_share_mount_target'> {
  return {
    listMountTargets: listHandler(mountTargets, ['file_share_id', 'subnet_id', 'status']),
    async listFileShareMountTargets(ctx) {
      await fileShares.get(ctx.db, ctx.principal, ctx.params.id);
      return listHandler(mountTargets, [], () => ({ file_share_id: ctx.params.id }))(ctx);
    },
    getMountTarget: getHandler(mountTargets),
    // Only the groups may change (EFS's ModifyMountTargetSecurityGroups); null puts it back in the default group.
    updateMountTarget: patchHandler(mountTargets, async (ctx, row, changes) => {
      if (changes.security_group_ids !== undefined)
        changes.security_group_ids = await groupsForInstance(
          ctx.db,
          row.owner,
          row.subnet_id,
          changes.security_group_ids,
        );
    }),
    // Any status: the address goes back to the subnet with the row (allocation counts the rows that hold one).
    async deleteMountTarget(ctx) {
      const trx = ctx.db as Knex.Transaction;
      const row = await mountTargets.get(trx, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      await mountTargets.remove(trx, row);
      await releaseIp(trx, row.subnet_id);
      ctx.audit = { resource_type: 'file_share_mount_target', resource_id: row.id };
      return { status: 204 };
    },
    // Taking an IP is a write, so every create runs in its own transaction.
    createMountTarget: {
      needsTransaction: () => true,
      async create(ctx) {
        const trx = ctx.db as Knex.Transaction;
        const shareId = ctx.params.id;
        const b = withDefaults(mountTargets.meta, ctx.body);
        if (b.file_share_id !== undefined && b.file_share_id !== shareId)
          throw problems.invalidField('file_share_id', `must be the share of the path (${shareId}) or left out`);
        const { share, subnet, security_group_ids, ip } = await place(trx, ctx.principal, shareId, b);
        const row = mountTargets.draft({
          file_share_id: share.id,
          subnet_id: subnet.id,
          vpc_id: share.vpc_id,
          availability_zone: subnet.availability_zone,
          ip_address: ip,
          security_group_ids,
          status: 'creating',
          status_reason: null,
          mount_command: mountCommand(share.protocol, share.id, ip),
          owner: share.owner,
        });
        return creationOf(mountTargets, row, {
          status: 202,
          jobs: [{ queue: QUEUE, data: { id: row.id }, delayMs: config.provisionDelayMs }],
        });
      },
    },
  };
}

/**
 * Where a new mount target goes, checked as EFS checks CreateMountTarget: an `available` share (a 409 naming its
 * status otherwise), a subnet of its VPC in a zone where the share has none yet, groups of that VPC, and an address
 * from the subnet (the one asked for, or the lowest free one).
 */
async function place(trx: Knex.Transaction, principal: Principal, shareId: string, b: Row) {
  // The share's row lock serialises its mount targets' creation, so two in one zone cannot both pass.
  const share = await fileShares.get(trx, principal, shareId, true);
  if (share.status !== 'available')
    throw problems.invalidTransition('file_share', share.id, 'add a mount target to', share.status, ['available']);
  const subnet = await subnets.get(trx, principal, b.subnet_id).catch(() => {
    throw problems.referenceNotFound('subnet_id', b.subnet_id);
  });
  if (subnet.vpc_id !== share.vpc_id)
    throw problems.invalidField(
      'subnet_id',
      `is in ${subnet.vpc_id}, not in the share's VPC ${share.vpc_id}`,
      'WrongVpc',
    );
  const sibling = await trx(mountTargets.table)
    .where({ file_share_id: share.id, availability_zone: subnet.availability_zone })
    .first('id');
  if (sibling)
    throw problems.duplicate(
      'file_share_mount_target',
      sibling.id,
      `file share ${share.id} already has a mount target in ${subnet.availability_zone}; one per zone`,
      '/subnet_id',
    );
  const security_group_ids = await groupsForInstance(trx, share.owner, subnet.id, b.security_group_ids);
  const ip = await allocateIp(
    trx,
    principal.isAdmin ? null : principal.userId,
    subnet.id,
    b.ip_address ? { ip: b.ip_address, field: 'ip_address' } : undefined,
  );
  return { share, subnet, security_group_ids, ip };
}

function mountTargetWorkers({ db }: Deps): Workers {
  // Idempotent: only a mount target still `creating` moves, in one conditional statement.
  return {
    [QUEUE]: async ({ id }: { id: string }) => {
      await mountTargets.moveStatus(db, [id], 'status', 'creating', 'available');
    },
  };
}

async function creating(db: Knex): Promise<Unfinished[]> {
  return (await db(mountTargets.table).where({ status: 'creating' }).select('id')).map((r) => ({
    queue: QUEUE,
    id: r.id,
  }));
}

export const mountTargetKind = defineKind('file_share_mount_target', {
  handlers: mountTargetHandlers,
  workers: mountTargetWorkers,
  recover: creating,
});
