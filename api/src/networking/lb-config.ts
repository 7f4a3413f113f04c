// Rules shared by a load balancer's listeners and listener rules: what an action may name, where a listener really
// listens (its host port) and the load balancer's `endpoints` that show it.
import type { Knex } from 'knex';
import type { Config } from '../platform/config.js';
import { problems } from '../platform/problems.js';
import type { Row, Schemas } from '../platform/resources/repo.js';
import { loadBalancers } from './load-balancers.js';

export type LbAction = Schemas['LbAction'];

/**
 * Checks an action at `field` for a listener of `protocol` on load balancer `lb`: a forward names target groups of
 * that load balancer speaking the listener's protocol (a TCP listener one group only, and only forwards); a
 * fixed response or redirect carries its object.
 */
export async function checkAction(db: Knex, lb: Row, protocol: string, action: LbAction, field: string): Promise<void> {
  if (protocol === 'TCP' && action.type !== 'forward')
    throw problems.invalidField(`${field}/type`, 'a TCP listener only forwards', 'NotSupported');
  if (action.type === 'fixed-response' && !action.fixed_response)
    throw problems.invalidField(`${field}/fixed_response`, 'is required for a fixed-response action', 'Required');
  if (action.type === 'redirect' && !action.redirect)
    throw problems.invalidField(`${field}/redirect`, 'is required for a redirect action', 'Required');
  if (action.type !== 'forward') return;
  const groups = action.target_groups;
  if (!groups?.length)
    throw problems.invalidField(`${field}/target_groups`, 'is required for a forward action', 'Required');
  if (protocol === 'TCP' && groups.length > 1)
    throw problems.invalidField(`${field}/target_groups`, 'a TCP listener forwards to one target group', 'TooMany');
  const rows = await db('lb_target_groups')
    .whereIn(
      'id',
      groups.map((g) => g.target_group_id),
    )
    .where({ load_balancer_id: lb.id })
    .select('id', 'protocol');
  const seen = new Set<string>();
  groups.forEach((g, i) => {
    const tg = rows.find((r: Row) => r.id === g.target_group_id);
    const at = `${field}/target_groups/${i}/target_group_id`;
    if (!tg)
      throw problems.invalidField(at, `${g.target_group_id} is no target group of ${lb.id}`, 'ReferenceNotFound');
    if (tg.protocol !== protocol)
      throw problems.invalidField(at, `speaks ${tg.protocol}, the listener ${protocol}`, 'ProtocolMismatch');
    if (seen.has(tg.id)) throw problems.invalidField(at, 'is named twice', 'Duplicate');
    seen.add(tg.id);
  });
  if (groups.every((g) => g.weight === 0))
    throw problems.invalidField(`${field}/target_groups`, 'at least one weight must be above 0', 'InvalidValue');
}

/**
 * The lowest free host port of the range. A transaction-scoped advisory lock serialises allocations, so two
 * listeners created together never take the same port (the unique index would refuse the second anyway).
 */
export async function allocateHostPort(trx: Knex.Transaction, config: Config): Promise<number> {
  await trx.raw('select pg_advisory_xact_lock(7310)');
  const [low, high] = config.lb.portRange;
  const used = new Set<number>(await trx('lb_listeners').whereBetween('host_port', [low, high]).pluck('host_port'));
  for (let p = low; p <= high; p++) if (!used.has(p)) return p;
  throw problems.limitExceeded(`every port of ATONIX_LB_PORT_RANGE (${low}-${high}) is taken by a listener.`);
}

/** Rewrites a load balancer's `endpoints` from its listeners (the caller holds the load balancer's row lock). */
export async function refreshEndpoints(trx: Knex.Transaction, lb: Row): Promise<void> {
  const listeners = await trx('lb_listeners')
    .where({ load_balancer_id: lb.id })
    .orderBy('port')
    .select('port', 'endpoint');
  const endpoints = Object.fromEntries(listeners.map((l: Row) => [String(l.port), l.endpoint]));
  if (JSON.stringify(endpoints) !== JSON.stringify(lb.endpoints))
    await loadBalancers.update(trx, lb as any, { endpoints });
}

/** The listeners and rules whose actions forward to target group `id` (what blocks its deletion). */
export async function forwardersOf(db: Knex | Knex.Transaction, id: string) {
  const needle = JSON.stringify({ target_groups: [{ target_group_id: id }] });
  const listeners = await db('lb_listeners').whereRaw('default_action @> ?::jsonb', [needle]).limit(10).pluck('id');
  const rules = await db('lb_listener_rules').whereRaw('action @> ?::jsonb', [needle]).limit(10).pluck('id');
  return [
    ...listeners.map((lid: string) => ({ kind: 'lb_listener', id: lid })),
    ...rules.map((rid: string) => ({ kind: 'lb_listener_rule', id: rid })),
  ];
}
