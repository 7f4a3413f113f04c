// Reads one load balancer's rows and folds them into what the data plane serves: listeners opened and closed,
// targets added and cut, health kept across re-reads (the checks, not the rows, know it while it is served).
import type { Knex } from 'knex';
import type { Config } from '../../platform/config.js';
import type { Logger } from '../../platform/logger.js';
import type { Row } from '../../platform/resources/repo.js';
import { instanceHealth, useChanged } from './health.js';
import { httpListener } from './http-listener.js';
import type { AccessLog } from './access-log.js';
import type { LbMetrics } from './metrics.js';
import { cutTarget, forwardsTo, newTarget, type GroupState, type ListenerState, type ServedLb } from './model.js';
import { tcpListener } from './tcp-listener.js';

export interface PlaneContext {
  db: Knex;
  config: Config;
  log: Logger;
  metrics: LbMetrics;
  /** where HTTP listeners' access lines go */
  access?: AccessLog;
}

/** Rereads `lb`'s rows and applies them; false when the load balancer is gone or no longer active. */
export async function refresh(ctx: PlaneContext, lb: ServedLb, now: number): Promise<boolean> {
  const { db } = ctx;
  const row = await db('load_balancers').where({ id: lb.id }).first();
  if (!row || row.state !== 'active') return false;
  lb.row = row;
  const [groups, targets, listeners, rules] = await Promise.all([
    db('lb_target_groups').where({ load_balancer_id: lb.id }),
    db('lb_targets as t')
      .join('lb_target_groups as g', 'g.id', 't.target_group_id')
      .where('g.load_balancer_id', lb.id)
      .select('t.*', 'g.target_type'),
    db('lb_listeners').where({ load_balancer_id: lb.id }),
    db('lb_listener_rules as r')
      .join('lb_listeners as l', 'l.id', 'r.listener_id')
      .where('l.load_balancer_id', lb.id)
      .orderBy('r.priority')
      .select('r.*'),
  ]);
  const instanceIds = targets.filter((t: Row) => t.target_type === 'instance').map((t: Row) => t.target_id);
  const instances = new Map<string, string>(
    instanceIds.length
      ? (await db('instances').whereIn('id', instanceIds).select('id', 'status')).map((i: Row) => [i.id, i.status])
      : [],
  );
  const used = new Set<string>([
    ...listeners.flatMap((l: Row) => forwardsTo(l.default_action)),
    ...rules.flatMap((r: Row) => forwardsTo(r.action)),
  ]);
  foldGroups(lb, groups, targets, used, instances, now);
  await foldListeners(ctx, lb, listeners, rules);
  return true;
}

function foldGroups(
  lb: ServedLb,
  groups: Row[],
  targets: Row[],
  used: Set<string>,
  instances: Map<string, string>,
  now: number,
) {
  for (const [id, g] of lb.groups)
    if (!groups.some((r) => r.id === id)) {
      for (const t of g.targets.values()) cutTarget(t);
      lb.groups.delete(id);
    }
  for (const row of groups) {
    let g: GroupState | undefined = lb.groups.get(row.id);
    if (!g) lb.groups.set(row.id, (g = { row, targets: new Map(), rr: 0, used: false }));
    g.row = row;
    g.used = used.has(row.id);
    const mine = targets.filter((t) => t.target_group_id === row.id);
    for (const [id, t] of g.targets)
      if (!mine.some((r) => r.id === id)) {
        cutTarget(t); // drained (its delay passed) or deregistered without traffic
        g.targets.delete(id);
      }
    for (const tr of mine) {
      let t = g.targets.get(tr.id);
      if (!t) g.targets.set(tr.id, (t = newTarget(tr, row.target_type === 'instance', now)));
      t.written = { health: tr.health, reason: tr.health_reason };
      if (tr.deregistered_at) {
        // Draining: no new traffic; what is in flight finishes, and the row's removal cuts the rest.
        t.health = 'draining';
        t.reason = tr.health_reason;
        continue;
      }
      useChanged(t, g.used, now);
      if (g.used && t.instance) instanceHealth(t, instances.get(t.address));
    }
  }
}

async function foldListeners(ctx: PlaneContext, lb: ServedLb, listeners: Row[], rules: Row[]) {
  for (const [id, l] of lb.listeners)
    if (!listeners.some((r) => r.id === id)) {
      closeListener(l);
      lb.listeners.delete(id);
    }
  for (const row of listeners) {
    let l = lb.listeners.get(row.id);
    if (!l) lb.listeners.set(row.id, (l = { row, rules: [], clients: new Set(), weights: new Map() }));
    l.row = row;
    l.rules = rules.filter((r) => r.listener_id === row.id);
    if (!l.server) await open(ctx, lb, l);
  }
}

async function open(ctx: PlaneContext, lb: ServedLb, l: ListenerState) {
  const server =
    l.row.protocol === 'TCP' ? tcpListener(lb, l, ctx.metrics) : httpListener(lb, l, ctx.metrics, ctx.access);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(l.row.host_port, ctx.config.lb.bind, () => resolve());
    });
    server.on('error', (err) => ctx.log.warn({ err, listener: l.row.id }, 'listener error'));
    l.server = server;
    ctx.log.info({ load_balancer: lb.id, listener: l.row.id, endpoint: l.row.endpoint }, 'listener serving');
  } catch (err) {
    // Tried again at the next refresh (a port still held by a process that is going away).
    ctx.log.warn({ err, listener: l.row.id, port: l.row.host_port }, 'listener could not bind');
  }
}

export function closeListener(l: ListenerState): void {
  const s = l.server;
  l.server = undefined;
  if (!s) return;
  s.close();
  if ('closeAllConnections' in s) s.closeAllConnections();
  for (const c of l.clients) c.destroy();
}

/** Stops serving a load balancer: its listeners closed, its targets' connections cut. */
export function stopServing(lb: ServedLb): void {
  for (const l of lb.listeners.values()) closeListener(l);
  for (const g of lb.groups.values()) for (const t of g.targets.values()) cutTarget(t);
  lb.listeners.clear();
  lb.groups.clear();
}
