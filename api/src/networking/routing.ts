// Routing's shared rules: each table's routes view (local first), longest-prefix matching, and whether a subnet is
// public, recomputed for a VPC after any change to its tables, routes, associations or gateway.
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import { ResourceRepo, type Row, type Schemas, type StoredRow } from '../platform/resources/repo.js';
import { parseCidr, type Cidr } from './cidr.js';
import { subnets } from './subnets.js';

export const gateways = new ResourceRepo<Schemas['InternetGateway']>(registry.internet_gateway);
export const routeTables = new ResourceRepo<Schemas['RouteTable']>(registry.route_table);
export const routes = new ResourceRepo<Schemas['Route']>(registry.route);
export const associations = new ResourceRepo<Schemas['RouteTableAssociation']>(registry.route_table_association);
export type TableRow = StoredRow<Schemas['RouteTable']>;
export type RouteEntry = Schemas['RouteEntry'];
type Db = Knex | Knex.Transaction;

export const localRoute = (vpcCidr: string): RouteEntry => ({
  destination_cidr_block: vpcCidr,
  target: 'local',
  gateway_id: null,
  instance_id: null,
  route_id: null,
});

/** A table's routes as the API shows them: the local route, then the table's routes in the order they were added. */
export async function routesView(db: Db, table: { id: string; vpc_id: string }): Promise<RouteEntry[]> {
  const vpc = await db('vpcs').where({ id: table.vpc_id }).first('cidr_block');
  const rows = await db(routes.table).where({ route_table_id: table.id }).orderBy('seq');
  return [
    localRoute(vpc.cidr_block),
    ...rows.map((r: Row) => ({
      destination_cidr_block: r.destination_cidr_block,
      target: r.gateway_id ? ('gateway' as const) : ('instance' as const),
      gateway_id: r.gateway_id ?? null,
      instance_id: r.instance_id ?? null,
      route_id: r.id,
    })),
  ];
}

/** Rewrites a table's routes view after its routes changed (same transaction), then the VPC's public subnets. */
export async function syncTable(db: Db, table: TableRow): Promise<void> {
  await routeTables.update(db, table, { routes: await routesView(db, table) });
  await refreshPublic(db, table.vpc_id);
}

/** The route of `routes` that carries traffic to `ip`: the longest prefix that contains it. */
export function longestMatch(entries: RouteEntry[], ip: number): RouteEntry | undefined {
  let best: { entry: RouteEntry; cidr: Cidr } | undefined;
  for (const entry of entries) {
    const c = parseCidr(entry.destination_cidr_block) as Cidr;
    if (ip >= c.network && ip < c.network + c.size && (!best || c.prefix > best.cidr.prefix)) best = { entry, cidr: c };
  }
  return best?.entry;
}

/** Whether a table sends the default route to the internet gateway attached to its VPC. */
export const isPublicTable = (entries: RouteEntry[], attachedGateway: string | undefined) =>
  attachedGateway !== undefined &&
  entries.some((r) => r.destination_cidr_block === '0.0.0.0/0' && r.gateway_id === attachedGateway);

/** The table a subnet uses: its association's, else its VPC's main table. */
export async function tableOfSubnet(db: Db, subnet: { id: string; vpc_id: string }): Promise<TableRow> {
  const assoc = await db(associations.table).where({ subnet_id: subnet.id }).first('route_table_id');
  const q = db(routeTables.table);
  return assoc
    ? q.where({ id: assoc.route_table_id }).first()
    : q.where({ vpc_id: subnet.vpc_id, is_main: true }).first();
}

export async function attachedGateway(db: Db, vpcId: string): Promise<string | undefined> {
  return (await db(gateways.table).where({ vpc_id: vpcId }).first('id'))?.id;
}

/** Sets `is_public` on each subnet of the VPC whose answer changed (bumping its ETag, as its representation changed). */
export async function refreshPublic(db: Db, vpcId: string): Promise<void> {
  // One refresh per VPC at a time, reading only what others committed: routing changes in parallel (Terraform
  // creates associations side by side) each see the others' rows. No subnet row is locked FOR UPDATE here: a
  // concurrent association holds a KEY SHARE lock on its subnet, which the plain UPDATE below does not wait for.
  await db.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`routing/${vpcId}`]);
  const gw = await attachedGateway(db, vpcId);
  const tables = new Map<string, Row>(
    (await db(routeTables.table).where({ vpc_id: vpcId })).map((t: Row) => [t.id as string, t]),
  );
  const main = [...tables.values()].find((t) => t.is_main);
  const assoc = new Map<string, string>(
    (
      await db(associations.table)
        .join('subnets', 'subnets.id', `${associations.table}.subnet_id`)
        .where('subnets.vpc_id', vpcId)
        .select(`${associations.table}.subnet_id`, `${associations.table}.route_table_id`)
    ).map((a: Row) => [a.subnet_id, a.route_table_id]),
  );
  for (const s of await db(subnets.table).where({ vpc_id: vpcId })) {
    const table = tables.get(assoc.get(s.id) ?? '') ?? main;
    const isPublic = table ? isPublicTable(table.routes as RouteEntry[], gw) : false;
    if (isPublic !== s.is_public) await subnets.update(db, s, { is_public: isPublic });
  }
}
