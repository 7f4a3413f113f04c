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
    deleteSubnet: deleteHandler(subnets, [{ kind: 'instance', column: 'subnet_id' }], async (ctx, row) => {
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
    }),
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

/**
 * Takes the lowest free address of a subnet the caller owns (locked, so concurrent instances never share one)
 * and keeps available_ip_count true. Field errors point at `subnet_id`.
 */
export async function allocateIp(trx: Knex.Transaction, owner: string | null, subnetId: string): Promise<string> {
  const q = trx('subnets').where({ id: subnetId }).forUpdate().first();
  if (owner) q.where({ owner });
  const subnet = await q;
  if (!subnet) throw problems.referenceNotFound('subnet_id', subnetId);
  const cidr = parseCidr(subnet.cidr_block) as Cidr;
  const used = new Set<number>(
    (
      await trx('instances')
        .where({ subnet_id: subnetId })
        .whereNotNull('private_ip')
        .select(trx.raw('host(private_ip) as ip'))
    ).map((r: Row) => ipToInt(r.ip)!),
  );
  const ip = firstFree(cidr, used);
  if (ip === undefined)
    throw problems.conflict(`subnet ${subnetId} has no free addresses.`, [
      { pointer: '/subnet_id', detail: 'has no free addresses', code: 'SubnetFull' },
    ]);
  await subnets.update(trx, subnet, { available_ip_count: subnet.available_ip_count - 1 });
  return intToIp(ip);
}

export async function releaseIp(trx: Knex.Transaction, subnetId: string): Promise<void> {
  const subnet = await trx('subnets').where({ id: subnetId }).forUpdate().first();
  if (subnet) await subnets.update(trx, subnet, { available_ip_count: subnet.available_ip_count + 1 });
}

export const subnetKind = defineKind('subnet', { handlers: subnetHandlers });
