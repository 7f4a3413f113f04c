// Load balancers: created `provisioning` in a VPC's subnets; a durable job makes them `active` (or `failed`), and an
// active one's listeners are served by the data plane (networking/lb/). Deleting one deletes what hangs off it.
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import { creationOf, deleteHandler, getHandler, listHandler, patchHandler } from '../platform/resources/crud.js';
import type { Deps, Workers } from '../platform/deps.js';
import { defineKind, type KindHandlers, type Unfinished } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, type Schemas, withDefaults, type Row } from '../platform/resources/repo.js';
import { rowCache } from '../platform/resources/row-cache.js';
import type { Principal } from '../platform/operations/principals.js';
import { startDataPlane } from './lb/plane.js';
import { vpcs } from './vpcs.js';

export const loadBalancers = new ResourceRepo<Schemas['LoadBalancer']>(registry.load_balancer);
const QUEUE = 'provision-lb';

/**
 * The subnets of a new load balancer: each the caller's and in its VPC, one per zone, and two zones or more for an
 * application load balancer (AWS's rule: it spreads over zones). Field errors point at `subnets/<i>`.
 */
async function checkSubnets(db: Knex, principal: Principal, vpcId: string, type: string, ids: string[]) {
  const q = db('subnets').whereIn('id', ids).select('id', 'vpc_id', 'availability_zone');
  if (!principal.isAdmin) q.where({ owner: principal.userId });
  const found = new Map<string, Row>((await q).map((s: Row) => [s.id, s]));
  const zones = new Map<string, string>();
  ids.forEach((id, i) => {
    const s = found.get(id);
    if (!s) throw problems.referenceNotFound(`subnets/${i}`, id);
    if (s.vpc_id !== vpcId)
      throw problems.invalidField(`subnets/${i}`, `is in ${s.vpc_id}, not in ${vpcId}`, 'WrongVpc');
    const other = zones.get(s.availability_zone);
    if (other)
      throw problems.invalidField(
        `subnets/${i}`,
        `is in ${s.availability_zone}, as ${other} is: one subnet per zone`,
        'DuplicateZone',
      );
    zones.set(s.availability_zone, id);
  });
  if (type === 'application' && zones.size < 2)
    throw problems.invalidField(
      'subnets',
      'an application load balancer needs subnets in at least two zones',
      'TooFewZones',
    );
}

/**
 * The load balancer's place in its VPC's network: every `security_group_ids` entry is a group of its VPC (none
 * given: the VPC's default group, as for instances), and an `internet-facing` one sits in public subnets only (their
 * route table sends 0.0.0.0/0 to an internet gateway). Returns the groups to store.
 */
export async function checkLoadBalancerNetworkRefs(
  db: Knex,
  principal: Principal,
  lb: { vpc_id: string; scheme: string; subnets: string[]; security_group_ids?: string[] | null },
): Promise<string[]> {
  let groups = lb.security_group_ids ?? [];
  if (!groups.length) {
    const d = await db('security_groups').where({ vpc_id: lb.vpc_id, is_default: true }).first('id');
    groups = d ? [d.id] : [];
  }
  const found = await db('security_groups')
    .whereIn('id', groups)
    .andWhere({ vpc_id: lb.vpc_id })
    .modify((q) => (principal.isAdmin ? q : q.andWhere({ owner: principal.userId })))
    .select('id');
  const known = new Set(found.map((r: { id: string }) => r.id));
  groups.forEach((id, i) => {
    if (!known.has(id))
      throw problems.invalidField(
        `security_group_ids/${i}`,
        `${id} is not a security group of VPC ${lb.vpc_id}`,
        'NotInVpc',
      );
  });
  if (lb.scheme === 'internet-facing') {
    const rows = await db('subnets').whereIn('id', lb.subnets).select('id', 'is_public');
    const byId = new Map(rows.map((r: { id: string; is_public: boolean }) => [r.id, r.is_public]));
    lb.subnets.forEach((id, i) => {
      if (!byId.get(id))
        throw problems.invalidField(
          `subnets/${i}`,
          `${id} is not public (its route table sends no 0.0.0.0/0 to an internet gateway); an internet-facing load balancer needs public subnets`,
          'SubnetNotPublic',
        );
    });
  }
  return groups;
}

function lbHandlers({ config }: Deps): KindHandlers<'load_balancer'> {
  return {
    listLoadBalancers: listHandler(loadBalancers, ['state', 'vpc_id', 'name']),
    getLoadBalancer: getHandler(loadBalancers),
    updateLoadBalancer: patchHandler(loadBalancers, async (ctx, row, changes) => {
      if (changes.security_group_ids)
        changes.security_group_ids = await checkLoadBalancerNetworkRefs(ctx.db, ctx.principal, {
          ...(row as any),
          ...changes,
        });
    }),
    // Listeners, rules, target groups and registrations go with it (ON DELETE CASCADE, migration 013).
    deleteLoadBalancer: deleteHandler(loadBalancers),
    createLoadBalancer: {
      async create(ctx) {
        const b = withDefaults(loadBalancers.meta, ctx.body);
        await vpcs.get(ctx.db, ctx.principal, b.vpc_id).catch(() => {
          throw problems.referenceNotFound('vpc_id', b.vpc_id);
        });
        await checkSubnets(ctx.db, ctx.principal, b.vpc_id, b.type, b.subnets);
        b.security_group_ids = await checkLoadBalancerNetworkRefs(ctx.db, ctx.principal, b as any);
        const row = loadBalancers.draft({
          ...b,
          state: 'provisioning',
          status_reason: null,
          dns_name: config.lb.bind,
          endpoints: {},
          owner: ctx.principal.userId,
        });
        return creationOf(loadBalancers, row, {
          status: 202,
          jobs: [{ queue: QUEUE, data: { id: row.id }, delayMs: config.provisionDelayMs }],
        });
      },
    },
  };
}

function lbWorkers({ db }: Deps): Workers {
  return {
    // Idempotent: only provisioning rows move, under row locks. A load balancer whose subnets went meanwhile fails.
    [QUEUE]: async ({ id }: { id: string }) => {
      await db.transaction(async (trx) => {
        const lb = await trx(loadBalancers.table).where({ id, state: 'provisioning' }).forUpdate().first();
        if (!lb) return;
        const have = await trx('subnets').whereIn('id', lb.subnets).pluck('id');
        const gone = (lb.subnets as string[]).filter((s) => !have.includes(s));
        await loadBalancers.update(
          trx,
          lb,
          gone.length
            ? { state: 'failed', status_reason: `subnets deleted while it was provisioning: ${gone.join(', ')}` }
            : { state: 'active' },
        );
      });
      rowCache.invalidate(id);
    },
  };
}

async function provisioning(db: Knex): Promise<Unfinished[]> {
  return (await db(loadBalancers.table).where({ state: 'provisioning' }).select('id')).map((r) => ({
    queue: QUEUE,
    id: r.id,
  }));
}

export const loadBalancerKind = defineKind('load_balancer', {
  handlers: lbHandlers,
  workers: lbWorkers,
  recover: provisioning,
  serve: startDataPlane,
});
