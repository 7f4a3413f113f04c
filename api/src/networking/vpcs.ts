// VPCs: an owner's address space. Created `pending`; a durable job makes them `available`.
import { registry } from '../generated/registry.js';
import { creationOf, deleteHandler, getHandler, listHandler, patchHandler } from '../platform/crud.js';
import type { Deps, Workers } from '../platform/deps.js';
import type { Handlers } from '../platform/http/context.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, withDefaults } from '../platform/resources.js';
import { parseCidr } from './cidr.js';

export const vpcs = new ResourceRepo(registry.vpc!, 'vpcs');
const QUEUE = 'provision-vpc';

export function vpcHandlers({ config }: Deps): Handlers {
  return {
    listVpcs: listHandler(vpcs, ['state', 'name']),
    getVpc: getHandler(vpcs),
    updateVpc: patchHandler(vpcs),
    deleteVpc: deleteHandler(vpcs, [{ table: 'subnets', column: 'vpc_id', kind: 'subnet' }]),
    createVpc: {
      async create(ctx) {
        const cidr = parseCidr(ctx.body.cidr_block, 16, 28);
        if (typeof cidr === 'string') throw problems.invalidField('cidr_block', cidr, 'InvalidCidr');
        const row = vpcs.draft({
          ...withDefaults(vpcs.meta, ctx.body), cidr_block: cidr.text, region: config.region, state: 'pending', owner: ctx.principal.userId,
        });
        return creationOf(vpcs, row, { status: 202, basePath: '/api/networking/vpcs', jobs: [{ queue: QUEUE, data: { id: row.id }, delayMs: config.provisionDelayMs }] });
      },
    },
  };
}

export function vpcWorkers({ db }: Deps): Workers {
  return {
    // A fetched batch in one statement. Idempotent: only pending VPCs move, so a replayed job changes nothing.
    [QUEUE]: { batch: async (items: { id: string }[]) => { await vpcs.moveStatus(db, items.map((i) => i.id), 'state', 'pending', 'available'); } },
  };
}

/** Re-sends the job of every VPC still pending (after a crash the original job may be lost mid-flight). */
export async function pendingVpcs(db: Deps['db']): Promise<{ queue: string; id: string }[]> {
  return (await db('vpcs').where({ state: 'pending' }).select('id')).map((r) => ({ queue: QUEUE, id: r.id }));
}
