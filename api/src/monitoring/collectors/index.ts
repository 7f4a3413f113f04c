// The platform's own series, written into the monitoring store as if scraped: observed ones where the platform sees
// the work (API calls, buckets, load balancers, scheduled tasks, job queues) and modelled ones where no guest exists
// (instances' CPU, memory and network, volumes' disk operations). Cluster-wide collections run where workers run,
// once per interval across processes; each process writes what only it has seen.
import type { Deps } from '../../platform/deps.js';
import type { Manifest } from '../../platform/manifest.js';
import { tsdb, type Store } from '../tsdb/index.js';
import type { Point } from '../types.js';
import { INSTANCE_SERIES, MINUTE, VOLUME_SERIES, instancePoints, minutes, volumePoints } from './modelled.js';
import { databasePoints } from './observed.js';
import { processPoints } from './process-series.js';
import { busyVolumes, runningInstances, whileHolding } from './reads.js';

/** points per write: one owner's backfill after a long clock jump is written in parts of this size */
const WRITE_CHUNK = 20_000;
const HOUR = 3_600_000;
const idle = { stop: async () => {} };

export const collectors: Manifest = {
  name: 'monitoring collectors',
  kind: null,
  handlers: () => ({}),
  async serve(deps) {
    const stepMs = deps.config.collect.seconds * 1000;
    if (!stepMs) return idle;
    const store = tsdb(deps);
    let busy = false;
    const off = deps.clock.onTick(async (now) => {
      if (busy) return; // a real-mode tick while the last pass still writes
      busy = true;
      try {
        await collectCluster(deps, store, now, stepMs);
      } finally {
        busy = false;
      }
    });
    return { stop: async () => void off() };
  },
  observe(deps) {
    const stepMs = deps.config.collect.seconds * 1000;
    if (!stepMs) return idle;
    const { sink } = tsdb(deps);
    let last = -Infinity;
    const flush = async (now: number) => {
      if (now - last < stepMs) return;
      last = now;
      await writeAll(sink.write.bind(sink), await processPoints(deps.db, deps.metrics, now));
    };
    const off = deps.clock.onTick(flush);
    // A process serving only the API has no ticking clock in real mode: it flushes on a timer of its own.
    const timer =
      !deps.clock.manual && deps.config.role === 'api'
        ? setInterval(
            () => void flush(deps.clock.now()).catch((err) => deps.log.warn({ err }, 'writing process series failed')),
            stepMs,
          ).unref()
        : undefined;
    return {
      stop: async () => {
        off();
        clearInterval(timer);
      },
    };
  },
};

async function collectCluster(deps: Deps, store: Store, now: number, stepMs: number) {
  const { db } = deps;
  const { backfillHours, pointsPerPass } = deps.config.collect;
  const notBefore = now - backfillHours * HOUR;
  await whileHolding(
    db,
    'modelled',
    now,
    stepMs,
    async (from, trx) => {
      const [instances, volumes] = await Promise.all([runningInstances(db), busyVolumes(db)]);
      // A gap is filled from its end, as far back as the pass's budget of points allows (at least the last minute).
      const perMinute = instances.length * INSTANCE_SERIES + volumes.length * VOLUME_SERIES;
      const affordable = Math.max(1, Math.floor(pointsPerPass / Math.max(perMinute, 1)));
      const earliest = Math.max(notBefore, now - affordable * MINUTE);
      const byOwner = new Map<string, Point[]>();
      const add = (owner: string, points: Point[]) => {
        const list = byOwner.get(owner);
        if (list) for (const p of points) list.push(p);
        else byOwner.set(owner, points);
      };
      const since = (created: Date) => Math.max(earliest, new Date(created).getTime());
      for (const i of instances) add(i.owner, instancePoints(i, minutes(from, now, since(i.created_at))));
      for (const v of volumes) add(v.owner, volumePoints(v, minutes(from, now, since(v.created_at))));
      await writeAll((owner, points) => store.writeIn(trx, owner, points), byOwner);
    },
    notBefore,
  );
  await whileHolding(db, 'resources', now, stepMs, async (_, trx) =>
    writeAll((owner, points) => store.writeIn(trx, owner, points), await databasePoints(trx, now)),
  );
}

async function writeAll(write: (owner: string, points: Point[]) => Promise<void>, byOwner: Map<string, Point[]>) {
  for (const [owner, points] of byOwner)
    for (let i = 0; i < points.length; i += WRITE_CHUNK) await write(owner, points.slice(i, i + WRITE_CHUNK));
}
