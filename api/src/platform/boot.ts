// Assembles a process: database (migrated), job queue, event bus, auth; then the workers for its role.
import { ensureAdmin, Authenticator } from './auth.js';
import type { Config } from './config.js';
import { withConnection } from './db/connection.js';
import { createDb, migrate } from './db/knex.js';
import type { Deps, Workers } from './deps.js';
import { EventBus } from './events.js';
import { Jobs } from './jobs.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { Pipeline } from './http/pipeline.js';
import { GroupCommit } from './group-commit.js';
import { startKeyPurge } from './idempotency.js';
import { rowCache } from './row-cache.js';
import { loadSpec } from './http/spec.js';
import { seedCatalogue } from '../compute/catalogue.js';
import { handlers, unfinished, workers } from '../services.js';

export interface Platform extends Deps { stop(): Promise<void>; adminSecret?: string }

export async function bootPlatform(config: Config, databaseUrl: string, log: Logger = createLogger(config.logLevel)): Promise<Platform> {
  const db = createDb(databaseUrl, config.dbPoolMax);
  await migrateLocked(db);
  await seedCatalogue(db, config.region, config.capacity);
  const { secret } = await ensureAdmin(db, config.adminToken);
  const metrics = createMetrics();
  const jobs = new Jobs(databaseUrl, log, metrics, config.jobPollSeconds);
  const auth = new Authenticator(db);
  const events = new EventBus(databaseUrl, (err) => log.warn({ err }, 'event bus connection lost; reconnecting'), config.role !== 'api');
  const deps = { db, config, jobs, auth, events, log, metrics } as Deps;
  deps.pipeline = new Pipeline(loadSpec(), handlers(deps), db, new GroupCommit(db, jobs, metrics), events, log, config.validateResponses, config.idempotencyTtlSeconds);
  const w: Workers = workers(deps);
  await jobs.start(Object.keys(w), Object.entries(w).filter(([, spec]) => typeof spec === 'object' && 'batch' in spec).map(([q]) => q), db);
  await events.start();
  // Another process revoking a token or changing a user reaches this process's auth cache through the bus.
  events.subscribe((ev) => {
    rowCache.invalidate(ev.id);
    if (ev.kind === 'token' || ev.kind === 'user') auth.forgetUser(ev.owner ?? ev.id);
  });
  let stopPurge = () => {};
  if (config.role !== 'api') {
    stopPurge = startKeyPurge(db, (err) => log.warn({ err }, 'purging expired idempotency keys failed'));
    events.onJobs((queue) => jobs.nudge(queue));
    for (const [queue, spec] of Object.entries(w)) {
      if (typeof spec === 'function') await jobs.work(queue, spec);
      else if ('batch' in spec) await jobs.workBatch(queue, spec.batch);
      else await jobs.work(queue, spec.handler, spec.loops);
    }
    await jobs.sendMany(db, (await unfinished(deps)).map(({ queue, id }) => ({ queue, data: { id } })));
  }
  return {
    ...deps,
    adminSecret: secret,
    async stop() {
      stopPurge();
      await jobs.stop();
      await events.stop();
      await db.destroy();
    },
  };
}

/** One migrator at a time when several processes start together on one database. */
async function migrateLocked(db: ReturnType<typeof createDb>) {
  await withConnection(db, async (conn) => {
    await conn.query('select pg_advisory_lock(7300)');
    try {
      await migrate(db);
    } finally {
      await conn.query('select pg_advisory_unlock(7300)').catch(() => {});
    }
  });
}
