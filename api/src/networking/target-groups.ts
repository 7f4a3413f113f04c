// Target groups: a load balancer's pools of targets with their health check (created under the load balancer, at
// the seed's path). Deleting one is refused while a listener or rule forwards to it; its registrations go with it.
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import { getHandler, listHandler, patchHandler } from '../platform/resources/crud.js';
import type { Deps } from '../platform/deps.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, type Schemas, checkIfMatch, withDefaults, type Row } from '../platform/resources/repo.js';
import { forwardersOf } from './lb-config.js';
import { loadBalancers } from './load-balancers.js';

export const targetGroups = new ResourceRepo<Schemas['TargetGroup']>(registry.lb_target_group);

/** The rules a target group's settings obey together, against its load balancer's type. */
function checkGroup(lb: Row, tg: Row) {
  if (lb.type === 'application' && tg.protocol !== 'HTTP')
    throw problems.invalidField('protocol', 'an application load balancer forwards HTTP', 'ProtocolMismatch');
  if (lb.type === 'network' && tg.protocol !== 'TCP')
    throw problems.invalidField('protocol', 'a network load balancer forwards TCP', 'ProtocolMismatch');
  if (tg.health_check_timeout_seconds >= tg.health_check_interval_seconds)
    throw problems.invalidField(
      'health_check_timeout_seconds',
      `must be less than health_check_interval_seconds (${tg.health_check_interval_seconds})`,
      'InvalidValue',
    );
  if (tg.stickiness_enabled && lb.type !== 'application')
    throw problems.invalidField('stickiness_enabled', 'stickiness is for application load balancers', 'NotSupported');
  if (tg.stickiness_enabled && tg.protocol !== 'HTTP')
    throw problems.invalidField('stickiness_enabled', 'stickiness needs HTTP', 'NotSupported');
}

function targetGroupHandlers(_deps: Deps): KindHandlers<'lb_target_group'> {
  return {
    listTargetGroups: listHandler(targetGroups, ['load_balancer_id', 'name']),
    getTargetGroup: getHandler(targetGroups),
    updateTargetGroup: patchHandler(targetGroups, async (ctx, row, changes) => {
      const lb = await loadBalancers.get(ctx.db, ctx.principal, row.load_balancer_id);
      checkGroup(lb, { ...row, ...changes });
    }),
    async deleteTargetGroup(ctx) {
      const trx = ctx.db as Knex.Transaction;
      const row = await targetGroups.get(trx, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const using = await forwardersOf(trx, row.id);
      if (using.length) throw problems.inUse('lb_target_group', row.id, using);
      await targetGroups.remove(trx, row);
      ctx.audit = { resource_type: 'lb_target_group', resource_id: row.id };
      return { status: 204 };
    },
    async createTargetGroup(ctx) {
      const lbId = ctx.params.id as string;
      if (ctx.body.load_balancer_id !== undefined && ctx.body.load_balancer_id !== lbId)
        throw problems.invalidField('load_balancer_id', `must be the load balancer of the path (${lbId}) or left out`);
      const lb = await loadBalancers.get(ctx.db, ctx.principal, lbId, true);
      const values: Row = { ...withDefaults(targetGroups.meta, ctx.body), load_balancer_id: lbId };
      values.protocol ??= lb.type === 'network' ? 'TCP' : 'HTTP';
      values.health_check_protocol ??= values.protocol;
      checkGroup(lb, values);
      const row = await targetGroups.insert(ctx.db, { ...values, owner: ctx.principal.userId });
      ctx.audit = { resource_type: 'lb_target_group', resource_id: row.id };
      return { status: 201, body: targetGroups.present(row), headers: { Location: targetGroups.location(row.id) } };
    },
  };
}

export const targetGroupKind = defineKind('lb_target_group', { handlers: targetGroupHandlers });
