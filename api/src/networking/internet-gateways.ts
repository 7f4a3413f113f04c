// Internet gateways: attached to at most one VPC (and a VPC to at most one), by `vpc_id` on create or PATCH.
import type { Knex } from 'knex';
import { blockers, getHandler, listHandler, patchHandler } from '../platform/resources/crud.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import type { OpContext } from '../platform/operations/context.js';
import { problems } from '../platform/problems.js';
import { checkIfMatch, withDefaults, type Row } from '../platform/resources/repo.js';
import { gateways } from './routing.js';
import { vpcs } from './vpcs.js';

/** Checks an attachment to `vpcId` (the caller's VPC, with no other gateway); locks the VPC to keep it so. */
async function checkAttach(ctx: OpContext, vpcId: string, self?: string) {
  await vpcs.get(ctx.db, ctx.principal, vpcId, true).catch(() => {
    throw problems.referenceNotFound('vpc_id', vpcId);
  });
  const other = await ctx
    .db(gateways.table)
    .where({ vpc_id: vpcId })
    .whereNot({ id: self ?? '' })
    .first('id');
  if (other)
    throw problems.conflict(
      `vpc ${vpcId} already has internet gateway ${other.id}; a VPC has at most one.`,
      [{ pointer: '/vpc_id', detail: `already has internet gateway ${other.id}`, code: 'GatewayAlreadyAttached' }],
      { conflicts_with: other.id },
    );
}

/** Routes of the gateway's VPC that send traffic to it: a detach or delete would strand them, so they block it. */
const routesUsing = (db: Knex | Knex.Transaction, id: string) => blockers(db, 'route', { gateway_id: id });

function gatewayHandlers(): KindHandlers<'internet_gateway'> {
  return {
    listInternetGateways: listHandler(gateways, ['name']),
    getInternetGateway: getHandler(gateways),
    async createInternetGateway(ctx) {
      if (ctx.body.vpc_id) await checkAttach(ctx, ctx.body.vpc_id);
      const row = await gateways.insert(ctx.db, {
        ...withDefaults(gateways.meta, ctx.body),
        vpc_id: ctx.body.vpc_id ?? null,
        owner: ctx.principal.userId,
      });
      ctx.audit = { resource_type: 'internet_gateway', resource_id: row.id };
      return { status: 201, body: gateways.present(row), headers: { Location: gateways.location(row.id) } };
    },
    updateInternetGateway: patchHandler(gateways, async (ctx, row: Row, changes) => {
      if (changes.vpc_id === undefined) return;
      const using = await routesUsing(ctx.db, row.id);
      if (using.length) throw problems.inUse('internet_gateway', row.id, using);
      if (changes.vpc_id !== null) await checkAttach(ctx, changes.vpc_id, row.id);
      // No subnet's is_public changes: only routes make a subnet public, and they block a detach.
    }),
    async deleteInternetGateway(ctx) {
      const row = await gateways.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const using = await routesUsing(ctx.db, row.id);
      if (using.length) throw problems.inUse('internet_gateway', row.id, using);
      await gateways.remove(ctx.db, row); // an attached one is detached by its deletion, as Terraform destroys it
      ctx.audit = { resource_type: 'internet_gateway', resource_id: row.id };
      return { status: 204 };
    },
  };
}

export const internetGatewayKind = defineKind('internet_gateway', { handlers: gatewayHandlers });
