// Subnets: ranges of a VPC's CIDR that never overlap a sibling; instances take their private IPs from them. A new
// subnet uses its VPC's main route table, so it starts public when that table is.
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import { deleteHandler, getHandler, listHandler, patchHandler } from '../platform/resources/crud.js';
import type { Deps } from '../platform/deps.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, type Schemas, withDefaults, type Row } from '../platform/resources/repo.js';
import { RESERVED_PER_SUBNET, contains, firstFree, intToIp, ipToInt, overlaps, parseCidr, type Cidr } from './cidr.js';
import { associations, attachedGateway, isPublicTable, tableOfSubnet } from './routing.js';
import { vpcs } from './vpcs.js';

export const subnets = new ResourceRepo<Schemas['Subnet']>(registry.subnet);
const ZONES = ['a', 'b', 'c'];

/** The region's zones (subnets and volumes live in one): the region's name and a letter. */
export const zonesOf = (region: string) => ZONES.map((z) => `${region}${z}`);

function subnetHandlers({ config }: Deps): KindHandlers<'subnet'> {
  return {
    listSubnets: listHandler(subnets, ['vpc_id', 'name']),
    async listVpcSubnets(ctx) {
      await vpcs.get(ctx.db, ctx.principal, ctx.params.id);
      return listHandler(subnets, [], () => ({ vpc_id: ctx.params.id }))(ctx);
    },
    getSubnet: getHandler(subnets),
    updateSubnet: patchHandler(subnets),
    // Load balancers name their subnets in a list (jsonb), which the column checks cannot look into; the subnet's
    // route table association goes with it (the subnet's choice of table, nothing else uses it).
    deleteSubnet: deleteHandler(
      subnets,
      [
        { kind: 'instance', column: 'subnet_id' },
        { kind: 'file_share_mount_target', column: 'subnet_id' },
      ],
      async (ctx, row) => {
        const using = await ctx
          .db('load_balancers')
          .whereRaw('subnets @> ?::jsonb', [JSON.stringify([row.id])])
          .limit(10)
          .pluck('id');
        if (using.length)
          throw problems.inUse(
            'subnet',
            row.id,
            using.map((id: string) => ({ kind: 'load_balancer', id })),
          );
        for (const a of await ctx.db(associations.table).where({ subnet_id: row.id }).select('id'))
          await associations.remove(ctx.db, a);
      },
    ),
    async createSubnet(ctx) {
      const vpcId = ctx.params.id as string;
      if (ctx.body.vpc_id !== undefined && ctx.body.vpc_id !== vpcId) {
        throw problems.invalidField('vpc_id', `must be the VPC of the path (${vpcId}) or left out`);
      }
      // Locking the VPC serialises sibling creation, so two overlapping subnets cannot both pass the check.
      const vpc = await vpcs.get(ctx.db, ctx.principal, vpcId, true);
      const outer = parseCidr(vpc.cidr_block) as Cidr;
      const cidr = parseCidr(ctx.body.cidr_block, outer.prefix, 28);
      if (typeof cidr === 'string') throw problems.invalidField('cidr_block', cidr, 'InvalidCidr');
      if (!contains(outer, cidr))
        throw problems.invalidField('cidr_block', `must lie inside the VPC's ${outer.text}`, 'CidrOutsideVpc');
      const siblings = await ctx.db(subnets.table).where({ vpc_id: vpcId }).select('id', 'cidr_block');
      const clash = siblings.find((s: Row) => overlaps(parseCidr(s.cidr_block) as Cidr, cidr));
      if (clash) {
        throw problems.conflict(
          `cidr_block ${cidr.text} overlaps subnet ${clash.id} (${clash.cidr_block}).`,
          [
            {
              pointer: '/cidr_block',
              detail: `overlaps subnet ${clash.id} (${clash.cidr_block})`,
              code: 'CidrOverlap',
            },
          ],
          { conflicts_with: clash.id },
        );
      }
      const zone = ctx.body.availability_zone ?? `${config.region}a`;
      if (!ZONES.some((z) => zone === `${config.region}${z}`)) {
        throw problems.invalidField(
          'availability_zone',
          `must be one of: ${ZONES.map((z) => config.region + z).join(', ')}`,
          'NotInEnum',
        );
      }
      const row = await subnets.insert(ctx.db, {
        ...withDefaults(subnets.meta, ctx.body),
        vpc_id: vpcId,
        cidr_block: cidr.text,
        availability_zone: zone,
        available_ip_count: cidr.size - RESERVED_PER_SUBNET,
        is_public: isPublicTable(
          (await tableOfSubnet(ctx.db, { id: '', vpc_id: vpcId })).routes,
          await attachedGateway(ctx.db, vpcId),
        ),
        owner: ctx.principal.userId,
      });
      ctx.audit = { resource_type: 'subnet', resource_id: row.id };
      return { status: 201, body: subnets.present(row), headers: { Location: subnets.location(row.id) } };
    },
  };
}

/** Where a subnet's addresses are held: every kind that takes a private IP from a subnet is listed here. */
const ADDRESS_HOLDERS = [
  { table: registry.instance.table, column: 'private_ip' },
  { table: registry.file_share_mount_target.table, column: 'ip_address' },
];

/**
 * Takes an address of a subnet the caller owns (locked, so concurrent takers never share one) and keeps
 * available_ip_count true: `requested.ip` when given (inside the subnet, not reserved, not taken; errors point at
 * `requested.field`), else the lowest free one. Other field errors point at `subnet_id`.
 */
export async function allocateIp(
  trx: Knex.Transaction,
  owner: string | null,
  subnetId: string,
  requested?: { ip: string; field: string },
): Promise<string> {
  const q = trx('subnets').where({ id: subnetId }).forUpdate().first();
  if (owner) q.where({ owner });
  const subnet = await q;
  if (!subnet) throw problems.referenceNotFound('subnet_id', subnetId);
  const cidr = parseCidr(subnet.cidr_block) as Cidr;
  const used = new Set<number>();
  for (const h of ADDRESS_HOLDERS)
    for (const r of await trx(h.table)
      .where({ subnet_id: subnetId })
      .whereNotNull(h.column)
      .select(trx.raw('host(??) as ip', [h.column])))
      used.add(ipToInt(r.ip)!);
  const ip = requested ? requestedIp(subnet, cidr, used, requested) : firstFree(cidr, used);
  if (ip === undefined)
    throw problems.conflict(`subnet ${subnetId} has no free addresses.`, [
      { pointer: '/subnet_id', detail: 'has no free addresses', code: 'SubnetFull' },
    ]);
  await subnets.update(trx, subnet, { available_ip_count: subnet.available_ip_count - 1 });
  return intToIp(ip);
}

/** An address asked for, checked as a real subnet would: its own, not one of the five reserved, not taken. */
function requestedIp(subnet: Row, cidr: Cidr, used: Set<number>, { ip, field }: { ip: string; field: string }) {
  const n = ipToInt(ip);
  if (n === undefined) throw problems.invalidField(field, 'must be an IPv4 address such as 10.0.1.23', 'InvalidIp');
  if (n < cidr.network || n >= cidr.network + cidr.size)
    throw problems.invalidField(field, `must lie inside subnet ${subnet.id} (${cidr.text})`, 'IpOutsideSubnet');
  if (n < cidr.network + 4 || n === cidr.network + cidr.size - 1)
    throw problems.invalidField(
      field,
      `is reserved: the subnet's first four addresses and its last are not assignable`,
      'IpReserved',
    );
  if (used.has(n))
    throw problems.conflict(`${ip} is already in use in subnet ${subnet.id}.`, [
      { pointer: `/${field}`, detail: 'is already in use in the subnet', code: 'IpInUse' },
    ]);
  return n;
}

export async function releaseIp(trx: Knex.Transaction, subnetId: string): Promise<void> {
  const subnet = await trx('subnets').where({ id: subnetId }).forUpdate().first();
  if (subnet) await subnets.update(trx, subnet, { available_ip_count: subnet.available_ip_count + 1 });
}

export const subnetKind = defineKind('subnet', { handlers: subnetHandlers });
