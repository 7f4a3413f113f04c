// Assembles a process: database (migrated), job queue, event bus, auth; then the workers for its role.
import { RateLimiter } from './http/rate-limit.js';
import { ensureAdmin, Authenticator } from './operations/authentication.js';
import type { Config } from './config.js';
import { Clock } from './clock.js';
import { withConnection } from './db/connection.js';
import { createDb, migrate } from './db/knex.js';
import type { Deps, Workers } from './deps.js';
import { EventBus } from './events/bus.js';
import { Jobs } from './jobs/queue.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './process-metrics.js';
import { Pipeline } from './operations/pipeline.js';
import { Authorizer } from './operations/authorization.js';
import { IAM_KINDS, PolicyStore } from './operations/policy-store.js';
import { GroupCommit } from './resources/group-commit.js';
import { startKeyPurge } from './operations/idempotency.js';
import { rowCache } from './resources/row-cache.js';
import { loadSpec } from './operations/spec.js';
import { checkManifests, merged } from './manifest.js';
import type { Handlers } from './operations/context.js';
import { services } from '../services.js';
import { operationKinds, type OperationId } from '../generated/registry.js';

export interface Platform extends Deps {
  stop(): Promise<void>;
  adminSecret?: string;
}

export async function bootPlatform(
  config: Config,
  databaseUrl: string,
  log: Logger = createLogger(config.logLevel),
): Promise<Platform> {
  const manifests = checkManifests(services);
  const db = createDb(databaseUrl, config.dbPoolMax, log);
  await migrateLocked(db);
  // The admin first: a seed may give every user something (the Overview dashboard), the first admin included.
  const { secret } = await ensureAdmin(db, config.adminToken);
  for (const m of manifests) await m.seed?.({ db, config });
  const metrics = createMetrics();
  const jobs = new Jobs(databaseUrl, log, metrics, config.jobPollSeconds);
  const clock = new Clock(config.clock === 'manual', (err) => log.error({ err }, 'work due by the clock failed'));
  const auth = new Authenticator(db, clock);
  const events = new EventBus(
    databaseUrl,
    (err) => log.warn({ err }, 'event bus connection lost; reconnecting'),
    config.role !== 'api',
  );
  // Source addresses have buckets apart from the tokens', so spraying them never crowds a spent token's bucket out.
  const addressLimiter = new RateLimiter(config.rateLimit.perSecond, config.rateLimit.burst);
  const spec = loadSpec();
  const policyStore = new PolicyStore(db);
  const authorizer = new Authorizer(policyStore, config.region, clock, db, spec);
  const deps = { db, config, clock, jobs, auth, authorizer, policyStore, events, log, metrics, addressLimiter } as Deps;
  const handlers = merged(manifests, (m) => m.handlers(deps), 'operation') as Handlers;
  const unhandled = Object.keys(operationKinds).filter((id) => !handlers[id as OperationId]);
  if (unhandled.length) throw new Error(`operations without a handler: ${unhandled.join(', ')}`);
  deps.pipeline = new Pipeline(
    spec,
    handlers,
    db,
    new GroupCommit(db, jobs, metrics),
    events,
    log,
    config.validateResponses,
    config.idempotencyTtlSeconds,
    authorizer,
    Object.fromEntries(manifests.flatMap((m) => (m.kind && m.resolveId ? [[m.kind, m.resolveId]] : []))),
  );
  const w: Workers = merged(manifests, (m) => m.workers?.(deps), 'job queue');
  await jobs.start(
    Object.keys(w),
    Object.entries(w)
      .filter(([, spec]) => typeof spec === 'object' && 'batch' in spec)
      .map(([q]) => q),
    db,
  );
  await events.start();
  // A manual clock moved by another process moves this one's (and runs what came due here).
  events.onSignal('clock', (payload) => {
    const ms = Number(payload);
    if (clock.manual && ms > clock.now()) void clock.set(ms);
  });
  // Another process revoking a token or changing a user reaches this process's auth cache through the bus.
  events.subscribe((ev) => {
    rowCache.invalidate(ev.id);
    if (ev.kind === 'token' || ev.kind === 'user') auth.forgetUser(ev.owner ?? ev.id);
    if (IAM_KINDS.has(ev.kind)) policyStore.invalidate();
  });
  let stopPurge = () => {};
  const planes: { stop(): Promise<void> }[] = [];
  for (const m of manifests) if (m.observe) planes.push(m.observe(deps));
  if (config.role !== 'api') {
    clock.startTicking(config.clockTickSeconds);
    stopPurge = startKeyPurge(db, (err) => log.warn({ err }, 'purging expired idempotency keys failed'));
    events.onJobs((queue) => jobs.nudge(queue));
    for (const [queue, spec] of Object.entries(w)) {
      if (typeof spec === 'function') await jobs.work(queue, spec);
      else if ('batch' in spec) await jobs.workBatch(queue, spec.batch);
      else await jobs.work(queue, spec.handler, spec.loops);
    }
    const unfinished = (await Promise.all(manifests.map((m) => m.recover?.(db) ?? []))).flat();
    await jobs.sendMany(
      db,
      unfinished.map(({ queue, id }) => ({ queue, data: { id } })),
    );
    for (const m of manifests) if (m.serve) planes.push(await m.serve(deps));
  }
  return {
    ...deps,
    adminSecret: secret,
    async stop() {
      for (const p of planes) await p.stop();
      stopPurge();
      clock.stop();
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
