// VPCs: an owner's address space. Created `pending`; a durable job makes them `available`.
import { registry } from '../generated/registry.js';
import { deleteHandler, getHandler, listHandler, patchHandler } from '../platform/crud.js';
import type { Deps, Workers } from '../platform/deps.js';
import type { Handlers } from '../platform/http/context.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, withDefaults } from '../platform/resources.js';
import { parseCidr } from './cidr.js';

export const vpcs = new ResourceRepo(registry.vpc!, 'vpcs');
const QUEUE = 'provision-vpc';

export function vpcHandlers({ jobs, config }: Deps): Handlers {
  return {
    listVpcs: listHandler(vpcs, ['state', 'name']),
    getVpc: getHandler(vpcs),
    updateVpc: patchHandler(vpcs),
    deleteVpc: deleteHandler(vpcs, [{ table: 'subnets', column: 'vpc_id', kind: 'subnet' }]),
    async createVpc(ctx) {
      const cidr = parseCidr(ctx.body.cidr_block, 16, 28);
      if (typeof cidr === 'string') throw problems.invalidField('cidr_block', cidr, 'InvalidCidr');
      const row = await vpcs.insert(ctx.db, {
        ...withDefaults(vpcs.meta, ctx.body), cidr_block: cidr.text, region: config.region, state: 'pending', owner: ctx.principal.userId,
      });
      await jobs.send(ctx.db, QUEUE, { id: row.id }, config.provisionDelayMs);
      if (config.provisionDelayMs === 0) ctx.afterCommit(() => jobs.nudge(QUEUE));
      ctx.audit = { resource_type: 'vpc', resource_id: row.id };
      return { status: 202, body: vpcs.present(row), headers: { Location: `/api/networking/vpcs/${row.id}` } };
    },
  };
}

export function vpcWorkers({ db }: Deps): Workers {
  return {
    // Idempotent: only a pending VPC moves, under a row lock, so a replayed job changes nothing.
    async [QUEUE]({ id }: { id: string }) {
      await db.transaction(async (trx) => {
        const row = await trx('vpcs').where({ id }).forUpdate().first();
        if (row?.state === 'pending') await vpcs.update(trx, row, { state: 'available' });
      });
    },
  };
}

/** Re-sends the job of every VPC still pending (after a crash the original job may be lost mid-flight). */
export async function pendingVpcs(db: Deps['db']): Promise<{ queue: string; id: string }[]> {
  return (await db('vpcs').where({ state: 'pending' }).select('id')).map((r) => ({ queue: QUEUE, id: r.id }));
}
