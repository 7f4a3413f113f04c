// Route tables: a main one per VPC (made and deleted with it), custom ones for associated subnets.
import { blockers, getHandler, listHandler, patchHandler } from '../platform/resources/crud.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { checkIfMatch, withDefaults } from '../platform/resources/repo.js';
import { localRoute, routeTables, routes } from './routing.js';
import { vpcs } from './vpcs.js';

function tableHandlers(): KindHandlers<'route_table'> {
  return {
    listRouteTables: listHandler(routeTables, ['vpc_id', 'name']),
    getRouteTable: getHandler(routeTables),
    updateRouteTable: patchHandler(routeTables),
    async createRouteTable(ctx) {
      const vpc = await vpcs.get(ctx.db, ctx.principal, ctx.body.vpc_id).catch(() => {
        throw problems.referenceNotFound('vpc_id', ctx.body.vpc_id);
      });
      const row = await routeTables.insert(ctx.db, {
        ...withDefaults(routeTables.meta, ctx.body),
        vpc_id: vpc.id,
        is_main: false,
        routes: [localRoute(vpc.cidr_block)],
        owner: vpc.owner,
      });
      ctx.audit = { resource_type: 'route_table', resource_id: row.id };
      return { status: 201, body: routeTables.present(row), headers: { Location: routeTables.location(row.id) } };
    },
    async deleteRouteTable(ctx) {
      const row = await routeTables.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      if (row.is_main) throw problems.defaultResource('route_table', row.id, row.vpc_id);
      const using = await blockers(ctx.db, 'route_table_association', { route_table_id: row.id });
      if (using.length) throw problems.inUse('route_table', row.id, using);
      for (const r of await ctx.db(routes.table).where({ route_table_id: row.id }).select('id'))
        await routes.remove(ctx.db, r);
      await routeTables.remove(ctx.db, row);
      ctx.audit = { resource_type: 'route_table', resource_id: row.id };
      return { status: 204 };
    },
  };
}

export const routeTableKind = defineKind('route_table', { handlers: tableHandlers });
