// Route table associations: a subnet uses a table of its own VPC instead of the main one (one association each).
import type { Knex } from 'knex';
import { getHandler, listHandler } from '../platform/resources/crud.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { checkIfMatch, mergePatch } from '../platform/resources/repo.js';
import { associations, refreshPublic, routeTables } from './routing.js';
import { subnets } from './subnets.js';

/** The table must exist and be of the subnet's VPC. */
async function checkTable(db: Knex | Knex.Transaction, owner: string, vpcId: string, tableId: string) {
  const t = await db(routeTables.table).where({ id: tableId, owner }).first('vpc_id');
  if (!t) throw problems.referenceNotFound('route_table_id', tableId);
  if (t.vpc_id !== vpcId)
    throw problems.invalidField('route_table_id', `must be a table of the subnet's VPC (${vpcId})`, 'TableOutsideVpc');
}

function associationHandlers(): KindHandlers<'route_table_association'> {
  return {
    listRouteTableAssociations: listHandler(associations, ['subnet_id', 'route_table_id']),
    getRouteTableAssociation: getHandler(associations),
    async createRouteTableAssociation(ctx) {
      const subnet = await subnets.get(ctx.db, ctx.principal, ctx.body.subnet_id, true).catch(() => {
        throw problems.referenceNotFound('subnet_id', ctx.body.subnet_id);
      });
      await checkTable(ctx.db, subnet.owner, subnet.vpc_id, ctx.body.route_table_id);
      const other = await ctx.db(associations.table).where({ subnet_id: subnet.id }).first('id');
      if (other)
        throw problems.duplicate(
          'route_table_association',
          other.id,
          `subnet ${subnet.id} is associated already`,
          '/subnet_id',
        );
      const row = await associations.insert(ctx.db, {
        subnet_id: subnet.id,
        route_table_id: ctx.body.route_table_id,
        owner: subnet.owner,
      });
      await refreshPublic(ctx.db, subnet.vpc_id);
      ctx.audit = { resource_type: 'route_table_association', resource_id: row.id };
      return { status: 201, body: associations.present(row), headers: { Location: associations.location(row.id) } };
    },
    async updateRouteTableAssociation(ctx) {
      const row = await associations.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const changes = mergePatch(associations.meta, ctx.body, associations.present(row));
      const subnet = await ctx.db(subnets.table).where({ id: row.subnet_id }).first();
      if (changes.route_table_id !== undefined)
        await checkTable(ctx.db, row.owner, subnet.vpc_id, changes.route_table_id);
      const updated = await associations.update(ctx.db, row, changes);
      await refreshPublic(ctx.db, subnet.vpc_id);
      ctx.audit = {
        resource_type: 'route_table_association',
        resource_id: row.id,
        details: { changed: Object.keys(changes) },
      };
      return { status: 200, body: associations.present(updated) };
    },
    async deleteRouteTableAssociation(ctx) {
      const row = await associations.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      await associations.remove(ctx.db, row);
      const subnet = await ctx.db(subnets.table).where({ id: row.subnet_id }).first('vpc_id');
      await refreshPublic(ctx.db, subnet.vpc_id);
      ctx.audit = { resource_type: 'route_table_association', resource_id: row.id };
      return { status: 204 };
    },
  };
}

export const routeTableAssociationKind = defineKind('route_table_association', { handlers: associationHandlers });
