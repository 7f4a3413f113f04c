// What every VPC comes with (its default security group and main route table) and what may block its deletion.
import type { Knex } from 'knex';
import type { Creation } from '../platform/operations/context.js';
import { problems } from '../platform/problems.js';
import { blockers } from '../platform/resources/crud.js';
import { touch } from '../platform/resources/row-cache.js';
import type { Row } from '../platform/resources/repo.js';
import { ALL_OUT, rules, securityGroups } from './rules.js';
import { localRoute, routeTables } from './routing.js';

/** The rows created with a VPC, in the VPC's own insert: all egress, ingress from the group itself, the local route. */
export function vpcParts(vpc: { id: string; owner: string; cidr_block: string }): Creation['also'] {
  const group = securityGroups.draft({
    name: 'default',
    description: 'default VPC security group',
    vpc_id: vpc.id,
    is_default: true,
    owner: vpc.owner,
  });
  const fromItself = { ...ALL_OUT, cidr_block: null, source_security_group_id: group.id };
  group.ingress = [fromItself];
  group.egress = [ALL_OUT];
  const rule = (direction: 'ingress' | 'egress', spec: typeof ALL_OUT) =>
    rules.draft({ ...spec, security_group_id: group.id, direction, owner: vpc.owner });
  const main = routeTables.draft({
    name: 'main',
    vpc_id: vpc.id,
    is_main: true,
    routes: [localRoute(vpc.cidr_block)],
    owner: vpc.owner,
  });
  return [
    { table: securityGroups.table, rows: [group] },
    { table: rules.table, rows: [rule('ingress', fromItself), rule('egress', ALL_OUT)] },
    { table: routeTables.table, rows: [main] },
  ];
}

/**
 * Before a VPC goes (its subnets already checked): 409 while groups, tables or a gateway of the user's are in it;
 * then its default group and main table go with it.
 */
export async function removeVpcParts(trx: Knex.Transaction, vpc: Row): Promise<void> {
  const using = [
    ...(await blockers(trx, 'security_group', { vpc_id: vpc.id, is_default: false })),
    ...(await blockers(trx, 'route_table', { vpc_id: vpc.id, is_main: false })),
    ...(await blockers(trx, 'internet_gateway', { vpc_id: vpc.id })),
  ];
  if (using.length) throw problems.inUse('vpc', vpc.id, using);
  for (const g of await trx(securityGroups.table).where({ vpc_id: vpc.id }).select('id')) {
    for (const r of await trx(rules.table).where({ security_group_id: g.id }).delete().returning('id'))
      touch(trx, r.id);
    await securityGroups.remove(trx, g);
  }
  for (const t of await trx(routeTables.table).where({ vpc_id: vpc.id }).select('id')) await routeTables.remove(trx, t);
}
