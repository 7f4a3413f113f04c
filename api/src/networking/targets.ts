// Registered targets of a target group (`atonix_lb_target_group_attachment`): an instance or an IPv4 address and a
// port. Deregistering drains: the row stays `draining` for the group's deregistration delay, then goes.
import type { Knex } from 'knex';
import { isIPv4 } from 'node:net';
import { registry } from '../generated/registry.js';
import { listHandler } from '../platform/resources/crud.js';
import type { Deps, Workers } from '../platform/deps.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, type Schemas, checkIfMatch, type StoredRow } from '../platform/resources/repo.js';
import { rowCache } from '../platform/resources/row-cache.js';
import type { Principal } from '../platform/operations/principals.js';
import { loadBalancers } from './load-balancers.js';
import { targetGroups } from './target-groups.js';

export const targets = new ResourceRepo<Schemas['Target'], { deregistered_at: Date | null }>(registry.lb_target);
type TargetRow = StoredRow<Schemas['Target'], { deregistered_at: Date | null }>;

/** A live registration (a draining one is deregistered already: a 404, as AWS no longer describes it by id). */
async function live(db: Knex, principal: Principal, id: string, lock = false): Promise<TargetRow> {
  const row = await targets.get(db, principal, id, lock);
  if (row.deregistered_at) throw problems.notFound('lb_target', id);
  return row;
}

/** Whether any listener or rule of load balancer `lbId` forwards to group `tgId` (else its targets are `unused`). */
export async function groupInUse(db: Knex, tgId: string): Promise<boolean> {
  const needle = JSON.stringify({ target_groups: [{ target_group_id: tgId }] });
  const l = await db('lb_listeners').whereRaw('default_action @> ?::jsonb', [needle]).first('id');
  return Boolean(l ?? (await db('lb_listener_rules').whereRaw('action @> ?::jsonb', [needle]).first('id')));
}

function targetHandlers({ clock }: Deps): KindHandlers<'lb_target'> {
  return {
    listTargets: listHandler(targets, ['target_group_id'], () => ({ deregistered_at: null })),
    async listTargetGroupTargets(ctx) {
      await targetGroups.get(ctx.db, ctx.principal, ctx.params.id);
      return listHandler(targets, [], () => ({ target_group_id: ctx.params.id }))(ctx);
    },
    getTarget: async (ctx) => ({
      status: 200,
      body: targets.present(await live(ctx.db, ctx.principal, ctx.params.id)),
    }),
    async registerTarget(ctx) {
      const tgId = ctx.params.id as string;
      if (ctx.body.target_group_id !== undefined && ctx.body.target_group_id !== tgId)
        throw problems.invalidField('target_group_id', `must be the target group of the path (${tgId}) or left out`);
      const tg = await targetGroups.get(ctx.db, ctx.principal, tgId, true);
      const lb = await loadBalancers.get(ctx.db, ctx.principal, tg.load_balancer_id);
      const targetId = ctx.body.target_id;
      if (tg.target_type === 'ip' && !isIPv4(targetId))
        throw problems.invalidField(
          'target_id',
          'must be an IPv4 address (the group takes ip targets)',
          'InvalidAddress',
        );
      if (tg.target_type === 'instance') {
        const q = ctx.db('instances').where({ id: targetId }).first('id', 'subnet_id');
        if (!ctx.principal.isAdmin) q.where({ owner: ctx.principal.userId });
        const inst = await q;
        if (!inst) throw problems.referenceNotFound('target_id', targetId);
        const vpc = inst.subnet_id
          ? (await ctx.db('subnets').where({ id: inst.subnet_id }).first('vpc_id'))?.vpc_id
          : null;
        if (vpc !== lb.vpc_id)
          throw problems.invalidField(
            'target_id',
            `instance ${targetId} is not in the load balancer's VPC ${lb.vpc_id}`,
            'WrongVpc',
          );
      }
      const port = ctx.body.port ?? tg.port;
      const dup = await ctx
        .db(targets.table)
        .where({ target_group_id: tgId, target_id: targetId, port, deregistered_at: null })
        .first('id');
      if (dup)
        throw problems.conflict(
          `${targetId}:${port} is registered already (${dup.id}).`,
          [{ pointer: '/target_id', detail: `is registered already as ${dup.id}`, code: 'AlreadyRegistered' }],
          { conflicts_with: dup.id },
        );
      const used = lb.state === 'active' && (await groupInUse(ctx.db, tgId));
      const row = await targets.insert(ctx.db, {
        target_group_id: tgId,
        target_id: targetId,
        port,
        health: used ? 'initial' : 'unused',
        health_reason: used
          ? 'Elb.RegistrationInProgress: the first health check is under way'
          : 'Target.NotInUse: no listener forwards to the target group',
        owner: ctx.principal.userId,
      });
      ctx.audit = { resource_type: 'lb_target', resource_id: row.id };
      return { status: 201, body: targets.present(row), headers: { Location: targets.location(row.id) } };
    },
    // Drains when it may have traffic (a used group with a delay); otherwise it goes at once.
    async deregisterTarget(ctx) {
      const trx = ctx.db as Knex.Transaction;
      const row = await live(trx, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const tg = await targetGroups.get(trx, ctx.principal, row.target_group_id);
      if (tg.deregistration_delay > 0 && !['unused', 'initial'].includes(row.health))
        await targets.update(trx, row, {
          health: 'draining',
          health_reason: `Target.DeregistrationInProgress: drains for ${tg.deregistration_delay} s`,
          deregistered_at: clock.date(),
        });
      else await targets.remove(trx, row);
      ctx.audit = { resource_type: 'lb_target', resource_id: row.id };
      return { status: 204 };
    },
  };
}

/** Drained registrations go once their group's delay has passed (platform time; any worker may sweep: idempotent). */
function targetWorkers({ db, clock, log }: Deps): Workers {
  clock.onTick(async (now) => {
    const { rows } = await db.raw(
      `delete from lb_targets t using lb_target_groups g where g.id = t.target_group_id and t.deregistered_at is not null
       and t.deregistered_at + make_interval(secs => g.deregistration_delay) <= ? returning t.id`,
      [new Date(now)],
    );
    for (const r of rows) rowCache.invalidate(r.id);
    if (rows.length) log.debug({ drained: rows.length }, 'drained targets removed');
  });
  return {};
}

export const targetKind = defineKind('lb_target', { handlers: targetHandlers, workers: targetWorkers });
