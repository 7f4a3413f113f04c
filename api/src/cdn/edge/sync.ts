// Keeps this process's edge in step with the control plane: loads every deployed distribution at start, re-reads one
// when a change event says it was deployed or deleted, applies invalidations it hears of (or finds pending at start)
// and acknowledges them, and heartbeats on the platform clock so invalidations wait for it while it lives.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Deps } from '../../platform/deps.js';
import type { Manifest } from '../../platform/manifest.js';
import { changesEdgeConfig, edgeDistribution, edgeDistributions } from '../edge-config.js';
import {
  acknowledge,
  announcesInvalidation,
  EDGE_LIVE_SECONDS,
  heartbeat,
  invalidationOf,
  leave,
  pendingInvalidations,
  type EdgeInvalidation,
} from '../invalidation-bus.js';
import { edgeOf } from './serve.js';

export function startEdgeSync(deps: Deps): { stop(): Promise<void> } {
  const runtime = edgeOf(deps);
  const log = deps.log.child({ part: 'cdn-edge' });
  const edgeId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  let lastBeat = -Infinity;
  let stopped = false;
  // events that arrive while the first load runs wait for it, so a stale full load never overwrites a newer read
  let ready: Promise<unknown> = Promise.resolve();
  const after = (work: () => Promise<void>) => {
    ready = ready.then(work).catch((err) => stopped || log.warn({ err }, 'CDN edge: applying a change failed'));
  };

  const apply = async (inv: EdgeInvalidation) => {
    const dropped = runtime.invalidate(inv.distribution_id, inv.paths);
    log.debug({ invalidation: inv.id, dropped }, 'CDN edge: invalidation applied');
    await acknowledge(deps.db, deps.clock, inv.id, edgeId);
  };
  const beat = async (now: number) => {
    if (stopped || now - lastBeat < (EDGE_LIVE_SECONDS * 1000) / 3) return;
    lastBeat = now;
    await heartbeat(deps.db, deps.clock, edgeId);
  };

  after(async () => {
    await beat(deps.clock.now());
    for (const d of await edgeDistributions(deps.db)) runtime.directory.put(d);
    for (const inv of await pendingInvalidations(deps.db, edgeId)) await apply(inv);
  });
  const unsubscribe = deps.events.subscribe((ev) => {
    if (changesEdgeConfig(ev))
      after(async () => {
        const d = ev.type === 'deleted' ? undefined : await edgeDistribution(deps.db, ev.id);
        if (d) runtime.directory.put(d);
        else if (ev.type === 'deleted') runtime.directory.remove(ev.id);
      });
    else if (announcesInvalidation(ev))
      after(async () => {
        const inv = await invalidationOf(deps.db, ev.id);
        if (inv) await apply(inv);
      });
  });
  const untick = deps.clock.onTick((now) => beat(now));
  return {
    async stop() {
      stopped = true;
      unsubscribe();
      untick();
      await ready;
      await leave(deps.db, edgeId).catch(() => {});
      await edgeOf(deps).edge.store.disk.close();
    },
  };
}

/** The edge as a part of the cdn service: it runs wherever the API is served (the edge answers on the API port). */
export const edgeManifest: Manifest = {
  name: 'cdn edge',
  kind: null,
  handlers: () => ({}),
  observe: (deps) => (deps.config.role === 'worker' ? { stop: async () => {} } : startEdgeSync(deps)),
};
