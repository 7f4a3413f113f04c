// The store's background work on the platform clock's ticks: the rollup pass on every tick, partition upkeep and
// retention at most once an hour of platform time. A pass still running when the next tick comes is not doubled.
import type { Deps } from '../../platform/deps.js';
import { upkeep, type Retention } from './partitions.js';
import { DAY, HOUR, rollupPass } from './rollups.js';

export function retentionOf(config: Deps['config']): Retention {
  const d = config.metrics.retentionDays;
  return { rawMs: d.raw * DAY, '1mMs': d['1m'] * DAY, '1hMs': d['1h'] * DAY };
}

export function startUpkeep(deps: Pick<Deps, 'db' | 'clock' | 'config' | 'log'>): void {
  const retention = retentionOf(deps.config);
  let lastUpkeep = -Infinity;
  let running: Promise<void> | undefined;
  const pass = async (now: number) => {
    try {
      if (now - lastUpkeep >= HOUR) {
        const report = await upkeep(deps.db, now, retention);
        lastUpkeep = now;
        if (report.dropped.length) deps.log.info(report, 'metric partitions dropped past retention');
      }
    } finally {
      // Rollups do not wait on a failed upkeep (the DEFAULT partition takes any point meanwhile).
      await rollupPass(deps.db, now, { rawRetentionMs: retention.rawMs });
    }
  };
  deps.clock.onTick((now) => {
    if (running) return deps.clock.manual ? running : undefined;
    const done = (running = pass(now).finally(() => (running = undefined)));
    if (deps.clock.manual) return done;
    done.catch((err) => deps.log.error({ err }, 'metrics upkeep failed'));
  });
}
