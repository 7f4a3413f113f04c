// The load balancers' data plane, where workers run: each active load balancer is served by exactly one process,
// the one holding its PostgreSQL advisory lock (on a connection kept for it, so a process that dies frees its load
// balancers at once and another process takes them at its next look). Health checks run on platform time.
import type pg from 'pg';
import type { Deps } from '../../platform/deps.js';
import { rowCache } from '../../platform/resources/row-cache.js';
import { probe, record } from './health.js';
import { lbMetrics } from './metrics.js';
import { accessLog } from './access-log.js';
import type { ServedLb } from './model.js';
import { refresh, stopServing, type PlaneContext } from './served.js';
import { routable } from './pick.js';

const LOCK_CLASS = 7311;
/** How often a process looks for load balancers nobody serves (an owner that died); real time: it is about liveness. */
const TAKEOVER_MS = 1000;
const KINDS = new Set(['load_balancer', 'lb_target_group', 'lb_target', 'lb_listener', 'lb_listener_rule', 'instance']);

interface RawConnections {
  acquireRawConnection(): Promise<pg.Client>;
  destroyRawConnection(c: pg.Client): Promise<void>;
}

export async function startDataPlane(deps: Deps): Promise<{ stop(): Promise<void> }> {
  const plane = new DataPlane(deps);
  await plane.start();
  return plane;
}

class DataPlane {
  private ctx: PlaneContext;
  private conn?: pg.Client;
  private served = new Map<string, ServedLb>();
  private running?: Promise<void>;
  private again = false;
  private dirty = true;
  private stopped = false;
  private undo: (() => void)[] = [];

  constructor(private deps: Deps) {
    this.ctx = {
      db: deps.db,
      config: deps.config,
      log: deps.log.child({ part: 'lb' }),
      metrics: lbMetrics(deps.metrics),
      access: accessLog(deps),
    };
  }

  /**
   * The connection holding this process's locks: its own, outside the pool (a pool slot held for good would starve
   * a small pool). Lost, it has lost the locks with it: everything it served stops, to be taken again.
   */
  private async connection(): Promise<pg.Client> {
    if (this.conn) return this.conn;
    // knex's raw connection: made with the pool's settings, but never part of the pool.
    const c: pg.Client = await (this.deps.db.client as RawConnections).acquireRawConnection();
    const lost = () => {
      if (this.conn !== c) return;
      this.conn = undefined;
      this.ctx.log.warn('load balancer data plane: its lock connection was lost; serving nothing until it is back');
      for (const lb of this.served.values()) stopServing(lb);
      this.served.clear();
    };
    c.on('error', lost);
    c.on('end', lost);
    this.conn = c;
    return c;
  }

  async start() {
    await this.connection();
    this.undo.push(
      this.deps.events.subscribe((ev) => {
        if (!KINDS.has(ev.kind)) return;
        this.dirty = true;
        void this.kick();
      }),
    );
    // Manual clock: probes run when the clock is moved, and the move answers once they have.
    this.undo.push(this.deps.clock.onTick((now) => this.probeDue(now)));
    const takeover = setInterval(() => void this.kick(), TAKEOVER_MS);
    takeover.unref();
    this.undo.push(() => clearInterval(takeover));
    if (!this.deps.clock.manual) {
      const probes = setInterval(() => void this.probeDue(this.deps.clock.now()), 1000);
      probes.unref();
      this.undo.push(() => clearInterval(probes));
    }
    await this.kick();
  }

  /** One reconcile at a time; a kick during one runs another after it (so no change is missed). */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.reconcile();
        } catch (err) {
          this.ctx.log.warn({ err }, 'load balancer data plane: reconcile failed');
        }
      } while (this.again && !this.stopped);
      this.running = undefined;
    })();
    return this.running;
  }

  private async reconcile() {
    const now = this.deps.clock.now();
    const active: string[] = await this.ctx.db('load_balancers').where({ state: 'active' }).orderBy('seq').pluck('id');
    for (const [id, lb] of this.served) if (!active.includes(id)) await this.release(lb);
    const fresh: ServedLb[] = [];
    for (const id of active) {
      if (this.served.has(id) || this.stopped) continue;
      const conn = await this.connection();
      const { rows } = await conn.query('select pg_try_advisory_lock($1, hashtext($2)) as ok', [LOCK_CLASS, id]);
      if (!rows[0].ok) continue;
      const lb: ServedLb = { id, row: {}, groups: new Map(), listeners: new Map() };
      this.served.set(id, lb);
      fresh.push(lb);
      this.ctx.log.info({ load_balancer: id }, 'serving load balancer');
    }
    const all = this.dirty ? [...this.served.values()] : fresh;
    this.dirty = false;
    for (const lb of all) if (!(await refresh(this.ctx, lb, now))) await this.release(lb);
    if (all.length) {
      await this.probeNew(now);
      await this.writeHealth();
    }
  }

  private async release(lb: ServedLb) {
    stopServing(lb);
    this.served.delete(lb.id);
    this.ctx.metrics.healthy.remove({ load_balancer: lb.id });
    await this.conn?.query('select pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, lb.id]).catch(() => {});
  }

  /** Probes targets that have never been seen healthy yet at once, so a new registration starts serving soon. */
  private probeNew(now: number) {
    return this.probe(now, (t) => t.health === 'initial' && t.passes + t.fails === 0);
  }

  /** The probes due at platform time `now`, then their health written. */
  async probeDue(now: number) {
    await this.running;
    await this.probe(now, (t) => t.nextProbe <= now);
    await this.writeHealth();
  }

  private async probe(now: number, due: (t: import('./model.js').TargetState) => boolean) {
    const work: Promise<void>[] = [];
    for (const lb of this.served.values())
      for (const g of lb.groups.values()) {
        if (!g.used || g.row.target_type !== 'ip') continue;
        for (const t of g.targets.values()) {
          if (t.health === 'draining' || t.health === 'unused' || !due(t)) continue;
          t.nextProbe = now + g.row.health_check_interval_seconds * 1000;
          work.push(probe(g.row, t).then((o) => record(g.row, t, o)));
        }
      }
    await Promise.all(work);
  }

  /** Health that changed since the rows were read, written (so GET shows what the checks see), and the gauges. */
  private async writeHealth() {
    const changed: { id: string; health: string; reason: string | null }[] = [];
    for (const lb of this.served.values())
      for (const g of lb.groups.values()) {
        this.ctx.metrics.healthy.set({ load_balancer: lb.id, target_group: g.row.id }, routable(g).length);
        for (const t of g.targets.values()) {
          if (t.health === 'draining') continue;
          if (t.written.health === t.health && t.written.reason === t.reason) continue;
          t.written = { health: t.health, reason: t.reason };
          changed.push({ id: t.id, health: t.health, reason: t.reason });
        }
      }
    for (const c of changed) {
      await this.ctx
        .db('lb_targets')
        .where({ id: c.id })
        .whereNull('deregistered_at')
        .update({
          health: c.health,
          health_reason: c.reason,
          rev: this.ctx.db.raw('rev + 1'),
          updated_at: this.ctx.db.fn.now(),
        });
      rowCache.invalidate(c.id);
    }
  }

  async stop() {
    this.stopped = true;
    for (const u of this.undo) u();
    await this.running;
    for (const lb of [...this.served.values()]) await this.release(lb);
    const conn = this.conn;
    this.conn = undefined;
    if (conn) await (this.deps.db.client as RawConnections).destroyRawConnection(conn).catch(() => {}); // its locks go with it
  }
}
