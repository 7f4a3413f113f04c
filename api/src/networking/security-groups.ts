// Security groups: per VPC, unique names in it; `ingress`/`egress`, when sent, replace that direction's rules.
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import { getHandler, listHandler, patchHandler } from '../platform/resources/crud.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import type { OpContext } from '../platform/operations/context.js';
import { problems } from '../platform/problems.js';
import { checkIfMatch, withDefaults, type Row } from '../platform/resources/repo.js';
import {
  ALL_OUT,
  checkRule,
  replaceRules,
  rulesView,
  rules,
  securityGroups,
  type Direction,
  type GroupRow,
} from './rules.js';
import { vpcs } from './vpcs.js';

const DIRECTIONS: Direction[] = ['ingress', 'egress'];

/**
 * The instances and file share mount targets in the group and the rules of other groups that name it: what keeps it
 * from being deleted.
 */
export async function groupUsers(db: Knex | Knex.Transaction, id: string) {
  const members = (kind: 'instance' | 'file_share_mount_target') =>
    db(registry[kind].table)
      .whereRaw('security_group_ids @> ?::jsonb', [JSON.stringify([id])])
      .orderBy('seq')
      .limit(10)
      .select('id')
      .then((rows: Row[]) => rows.map((r) => ({ kind, id: r.id as string })));
  const inst = [...(await members('instance')), ...(await members('file_share_mount_target'))];
  const refs = await db(rules.table)
    .where({ source_security_group_id: id })
    .whereNot({ security_group_id: id })
    .orderBy('seq')
    .limit(10)
    .select('id', 'security_group_id');
  return [
    ...inst,
    ...refs.map((r: Row) => ({
      kind: 'security_group_rule',
      id: r.id as string,
      security_group_id: r.security_group_id,
    })),
  ];
}

async function uniqueName(ctx: OpContext, vpcId: string, name: string, except?: string) {
  const q = ctx.db(securityGroups.table).where({ vpc_id: vpcId, name });
  if (except) q.whereNot({ id: except });
  if (await q.first('id')) throw problems.alreadyExists('security_group', 'name', `${name} in ${vpcId}`);
}

/** Checks and writes the lists a request sent (each replaces its direction), returning the group's new lists. */
async function writeLists(ctx: OpContext, group: GroupRow, body: Row) {
  for (const d of DIRECTIONS) {
    if (!Array.isArray(body[d])) continue;
    const wanted = [];
    for (const [i, r] of (body[d] as Row[]).entries()) wanted.push(await checkRule(ctx.db, group, r, `${d}/${i}/`));
    await replaceRules(ctx.db, group, d, wanted);
  }
  return rulesView(ctx.db, group.id);
}

function groupHandlers(): KindHandlers<'security_group'> {
  return {
    listSecurityGroups: listHandler(securityGroups, ['vpc_id', 'name']),
    getSecurityGroup: getHandler(securityGroups),
    async createSecurityGroup(ctx) {
      const vpc = await vpcs.get(ctx.db, ctx.principal, ctx.body.vpc_id, true).catch(() => {
        throw problems.referenceNotFound('vpc_id', ctx.body.vpc_id);
      });
      await uniqueName(ctx, vpc.id, ctx.body.name);
      const { ingress, egress, ...fields } = withDefaults(securityGroups.meta, ctx.body);
      let row = await securityGroups.insert(ctx.db, {
        ...fields,
        vpc_id: vpc.id,
        is_default: false,
        owner: vpc.owner,
      } as never);
      const lists = await writeLists(ctx, row, { ingress: ingress ?? [], egress: egress ?? [ALL_OUT] });
      row = await securityGroups.update(ctx.db, row, lists);
      ctx.audit = { resource_type: 'security_group', resource_id: row.id };
      return { status: 201, body: securityGroups.present(row), headers: { Location: securityGroups.location(row.id) } };
    },
    updateSecurityGroup: patchHandler(securityGroups, async (ctx, row, changes) => {
      if (changes.name !== undefined) await uniqueName(ctx, row.vpc_id, changes.name, row.id);
      if (changes.ingress === undefined && changes.egress === undefined) return;
      return { ...changes, ...(await writeLists(ctx, row as GroupRow, changes)) };
    }),
    async deleteSecurityGroup(ctx) {
      const row = await securityGroups.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      if (row.is_default) throw problems.defaultResource('security_group', row.id, row.vpc_id);
      const using = await groupUsers(ctx.db, row.id);
      if (using.length) throw problems.inUse('security_group', row.id, using);
      for (const r of await ctx.db(rules.table).where({ security_group_id: row.id }).select('id'))
        await rules.remove(ctx.db, r);
      await securityGroups.remove(ctx.db, row);
      ctx.audit = { resource_type: 'security_group', resource_id: row.id };
      return { status: 204 };
    },
  };
}

export const securityGroupKind = defineKind('security_group', { handlers: groupHandlers });

/**
 * The groups of an instance in `subnetId`: `wanted` checked to be groups of the subnet's VPC (pointers name the
 * entry), or the VPC's default group when none are named. An instance without a subnet is in no VPC, so in no group.
 */
export async function groupsForInstance(
  db: Knex | Knex.Transaction,
  owner: string,
  subnetId: string | null,
  wanted: string[] | null | undefined,
): Promise<string[]> {
  if (!subnetId) {
    if (wanted?.length)
      throw problems.invalidField('security_group_ids', 'needs a subnet_id: groups belong to a VPC', 'NoSubnet');
    return [];
  }
  const subnet = await db('subnets').where({ id: subnetId }).first('vpc_id');
  if (!subnet) throw problems.referenceNotFound('subnet_id', subnetId);
  if (wanted === null || wanted === undefined) {
    const def = await db(securityGroups.table).where({ vpc_id: subnet.vpc_id, is_default: true }).first('id');
    return def ? [def.id] : [];
  }
  if (!wanted.length) throw problems.invalidField('security_group_ids', 'must name at least one group', 'NoGroups');
  const found = new Map<string, string>(
    (await db(securityGroups.table).whereIn('id', wanted).where({ owner }).select('id', 'vpc_id')).map((g: Row) => [
      g.id,
      g.vpc_id,
    ]),
  );
  wanted.forEach((id, i) => {
    if (wanted.indexOf(id) !== i)
      throw problems.invalidField(`security_group_ids/${i}`, `repeats ${id}`, 'DuplicateGroup');
    if (!found.has(id)) throw problems.referenceNotFound(`security_group_ids/${i}`, id);
    if (found.get(id) !== subnet.vpc_id)
      throw problems.invalidField(
        `security_group_ids/${i}`,
        `must be a group of the subnet's VPC (${subnet.vpc_id})`,
        'GroupOutsideVpc',
      );
  });
  return wanted;
}
