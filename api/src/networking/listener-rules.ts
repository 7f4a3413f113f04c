// Listener rules: an application load balancer's HTTP routing (path patterns, host headers, HTTP headers, query
// strings), tried by priority; the first that matches takes its action.
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import { deleteHandler, getHandler, listHandler, patchHandler } from '../platform/resources/crud.js';
import type { Deps } from '../platform/deps.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, type Schemas, type Row } from '../platform/resources/repo.js';
import type { Principal } from '../platform/operations/principals.js';
import { checkAction } from './lb-config.js';
import { listeners } from './listeners.js';
import { loadBalancers } from './load-balancers.js';

export const listenerRules = new ResourceRepo<Schemas['ListenerRule']>(registry.lb_listener_rule);

async function checkPriorityFree(db: Knex, listenerId: string, priority: number, self?: string) {
  const other = await db(listenerRules.table)
    .where({ listener_id: listenerId, priority })
    .whereNot('id', self ?? '')
    .first('id');
  if (other)
    throw problems.conflict(
      `priority ${priority} is taken by rule ${other.id}.`,
      [{ pointer: '/priority', detail: `is taken by rule ${other.id}`, code: 'PriorityInUse' }],
      { conflicts_with: other.id },
    );
}

/** The listener (locked) and its load balancer, refusing listeners that take no rules. */
async function ruledListener(db: Knex, principal: Principal, id: string, field = 'listener_id') {
  const listener = await listeners.get(db, principal, id, true);
  const lb = await loadBalancers.get(db, principal, listener.load_balancer_id);
  if (lb.type !== 'application')
    throw problems.invalidField(
      field,
      `rules are for application load balancers; ${lb.id} is ${lb.type}`,
      'NotSupported',
    );
  return { listener, lb };
}

function ruleHandlers(_deps: Deps): KindHandlers<'lb_listener_rule'> {
  return {
    listListenerRules: listHandler(listenerRules, ['listener_id']),
    getListenerRule: getHandler(listenerRules),
    updateListenerRule: patchHandler(listenerRules, async (ctx, row: Row, changes) => {
      const { lb } = await ruledListener(ctx.db, ctx.principal, row.listener_id);
      if (changes.priority !== undefined) await checkPriorityFree(ctx.db, row.listener_id, changes.priority, row.id);
      if (changes.action) await checkAction(ctx.db, lb, 'HTTP', changes.action, 'action');
    }),
    deleteListenerRule: deleteHandler(listenerRules),
    async createListenerRule(ctx) {
      const listenerId = ctx.params.id as string;
      if (ctx.body.listener_id !== undefined && ctx.body.listener_id !== listenerId)
        throw problems.invalidField('listener_id', `must be the listener of the path (${listenerId}) or left out`);
      const { lb } = await ruledListener(ctx.db, ctx.principal, listenerId);
      await checkPriorityFree(ctx.db, listenerId, ctx.body.priority);
      await checkAction(ctx.db, lb, 'HTTP', ctx.body.action, 'action');
      const row = await listenerRules.insert(ctx.db, {
        listener_id: listenerId,
        priority: ctx.body.priority,
        conditions: ctx.body.conditions,
        action: ctx.body.action,
        owner: ctx.principal.userId,
      });
      ctx.audit = { resource_type: 'lb_listener_rule', resource_id: row.id };
      return { status: 201, body: listenerRules.present(row), headers: { Location: listenerRules.location(row.id) } };
    },
  };
}

export const listenerRuleKind = defineKind('lb_listener_rule', { handlers: ruleHandlers });
