// Routes: a destination outside the VPC's range (the local route covers it) to an attached internet gateway or an
// instance of the VPC; one per destination in a table. Each change rewrites the table's view and public subnets.
import type { Knex } from 'knex';
import { getHandler, listHandler } from '../platform/resources/crud.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import type { OpContext } from '../platform/operations/context.js';
import { problems } from '../platform/problems.js';
import { checkIfMatch, mergePatch, type Row } from '../platform/resources/repo.js';
import { contains, parseCidr, type Cidr } from './cidr.js';
import { routeTables, routes, syncTable, type TableRow } from './routing.js';

/** Exactly one target, and it must be the VPC's: its attached gateway, or an instance in one of its subnets. */
async function checkTarget(db: Knex | Knex.Transaction, table: TableRow, r: Row) {
  const gw = r.gateway_id ?? null;
  const inst = r.instance_id ?? null;
  if ((gw === null) === (inst === null))
    throw problems.invalidField('gateway_id', 'exactly one of gateway_id and instance_id is required', 'InvalidTarget');
  if (gw !== null) {
    const g = await db('internet_gateways').where({ id: gw, owner: table.owner }).first('vpc_id');
    if (!g) throw problems.referenceNotFound('gateway_id', gw);
    if (g.vpc_id !== table.vpc_id)
      throw problems.invalidField(
        'gateway_id',
        `must be attached to the table's VPC (${table.vpc_id})`,
        'GatewayNotAttached',
      );
  } else {
    const i = await db('instances')
      .leftJoin('subnets', 'subnets.id', 'instances.subnet_id')
      .where({ 'instances.id': inst, 'instances.owner': table.owner })
      .first('subnets.vpc_id');
    if (!i) throw problems.referenceNotFound('instance_id', inst);
    if (i.vpc_id !== table.vpc_id)
      throw problems.invalidField(
        'instance_id',
        `must be an instance in the table's VPC (${table.vpc_id})`,
        'InstanceOutsideVpc',
      );
  }
}

/** The route and its table, locked table first (as creates lock), the route's If-Match checked. */
async function lockRoute(ctx: OpContext) {
  const seen = await routes.get(ctx.db, ctx.principal, ctx.params.id);
  const table = await routeTables.get(ctx.db, ctx.principal, seen.route_table_id, true);
  const row = await routes.get(ctx.db, ctx.principal, ctx.params.id, true);
  checkIfMatch(ctx.ifMatch, row);
  return { table, row };
}

function routeHandlers(): KindHandlers<'route'> {
  return {
    listRoutes: listHandler(routes, ['route_table_id']),
    async listRoutesOfTable(ctx) {
      await routeTables.get(ctx.db, ctx.principal, ctx.params.id);
      return listHandler(routes, [], () => ({ route_table_id: ctx.params.id }))(ctx);
    },
    getRoute: getHandler(routes),
    async createRoute(ctx) {
      const tableId = ctx.params.id as string;
      if (ctx.body.route_table_id !== undefined && ctx.body.route_table_id !== tableId)
        throw problems.invalidField('route_table_id', `must be the table of the path (${tableId}) or left out`);
      const table = await routeTables.get(ctx.db, ctx.principal, tableId, true);
      const dest = parseCidr(ctx.body.destination_cidr_block);
      if (typeof dest === 'string') throw problems.invalidField('destination_cidr_block', dest, 'InvalidCidr');
      const vpc = await ctx.db('vpcs').where({ id: table.vpc_id }).first('cidr_block');
      if (contains(parseCidr(vpc.cidr_block) as Cidr, dest))
        throw problems.invalidField(
          'destination_cidr_block',
          `must lie outside the VPC's ${vpc.cidr_block}: the local route carries it`,
          'CoveredByLocalRoute',
        );
      const same = await ctx
        .db(routes.table)
        .where({ route_table_id: tableId, destination_cidr_block: dest.text })
        .first('id');
      if (same)
        throw problems.duplicate('route', same.id, `${tableId} already routes ${dest.text}`, '/destination_cidr_block');
      await checkTarget(ctx.db, table, ctx.body);
      const row = await routes.insert(ctx.db, {
        route_table_id: tableId,
        destination_cidr_block: dest.text,
        gateway_id: ctx.body.gateway_id ?? null,
        instance_id: ctx.body.instance_id ?? null,
        owner: table.owner,
      });
      await syncTable(ctx.db, table);
      ctx.audit = { resource_type: 'route', resource_id: row.id };
      return { status: 201, body: routes.present(row), headers: { Location: routes.location(row.id) } };
    },
    async updateRoute(ctx) {
      const { table, row } = await lockRoute(ctx);
      const changes = mergePatch(routes.meta, ctx.body, routes.present(row));
      await checkTarget(ctx.db, table, { ...routes.present(row), ...changes });
      const updated = await routes.update(ctx.db, row, changes);
      await syncTable(ctx.db, table);
      ctx.audit = { resource_type: 'route', resource_id: row.id, details: { changed: Object.keys(changes) } };
      return { status: 200, body: routes.present(updated) };
    },
    async deleteRoute(ctx) {
      const { table, row } = await lockRoute(ctx);
      await routes.remove(ctx.db, row);
      await syncTable(ctx.db, table);
      ctx.audit = { resource_type: 'route', resource_id: row.id };
      return { status: 204 };
    },
  };
}

export const routeKind = defineKind('route', { handlers: routeHandlers });
