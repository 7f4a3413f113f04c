// VPCs: an owner's address space. Created `pending`; a durable job makes them `available`. Each comes with a default
// security group and a main route table (vpc-parts.ts).
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import { creationOf, deleteHandler, getHandler, listHandler, patchHandler } from '../platform/resources/crud.js';
import type { Deps, Workers } from '../platform/deps.js';
import { defineKind, type KindHandlers, type Unfinished } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, type Schemas, withDefaults } from '../platform/resources/repo.js';
import { parseCidr } from './cidr.js';
import { removeVpcParts, vpcParts } from './vpc-parts.js';

export const vpcs = new ResourceRepo<Schemas['Vpc']>(registry.vpc);
const QUEUE = 'provision-vpc';

function vpcHandlers({ config }: Deps): KindHandlers<'vpc'> {
  return {
    listVpcs: listHandler(vpcs, ['state', 'name']),
    getVpc: getHandler(vpcs),
    updateVpc: patchHandler(vpcs),
    deleteVpc: deleteHandler(
      vpcs,
      [
        { kind: 'load_balancer', column: 'vpc_id' },
        { kind: 'subnet', column: 'vpc_id' },
        { kind: 'file_share', column: 'vpc_id' },
      ],
      (ctx, row) => removeVpcParts(ctx.db as Knex.Transaction, row),
    ),
    createVpc: {
      async create(ctx) {
        const cidr = parseCidr(ctx.body.cidr_block, 16, 28);
        if (typeof cidr === 'string') throw problems.invalidField('cidr_block', cidr, 'InvalidCidr');
        const row = vpcs.draft({
          ...withDefaults(vpcs.meta, ctx.body),
          cidr_block: cidr.text,
          region: config.region,
          state: 'pending',
          owner: ctx.principal.userId,
        });
        return {
          ...creationOf(vpcs, row, {
            status: 202,
            jobs: [{ queue: QUEUE, data: { id: row.id }, delayMs: config.provisionDelayMs }],
          }),
          also: vpcParts({ id: row.id, owner: ctx.principal.userId, cidr_block: cidr.text }),
        };
      },
    },
  };
}

function vpcWorkers({ db }: Deps): Workers {
  return {
    // A fetched batch in one statement. Idempotent: only pending VPCs move, so a replayed job changes nothing.
    [QUEUE]: {
      batch: async (items: { id: string }[]) => {
        await vpcs.moveStatus(
          db,
          items.map((i) => i.id),
          'state',
          'pending',
          'available',
        );
      },
    },
  };
}

/** Re-sends the job of every VPC still pending (after a crash the original job may be lost mid-flight). */
async function pendingVpcs(db: Deps['db']): Promise<Unfinished[]> {
  return (await db(vpcs.table).where({ state: 'pending' }).select('id')).map((r) => ({ queue: QUEUE, id: r.id }));
}

export const vpcKind = defineKind('vpc', { handlers: vpcHandlers, workers: vpcWorkers, recover: pendingVpcs });
