// Durable background work through pg-boss on the same PostgreSQL: jobs are sent inside the transaction that
// creates the resource, so a job exists exactly when its resource does.
import PgBoss from 'pg-boss';
import type { Knex } from 'knex';
import { inlineParams, sqlLiteral } from '../db/bulk.js';
import { BossPool } from '../db/boss-pool.js';
import { resultsOf, withConnection } from '../db/connection.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../process-metrics.js';

/** A job's end, for whoever records outcomes (the platform's job log lines): `data` is the job's (or batch item's). */
export interface JobOutcome {
  queue: string;
  data: unknown;
  ok: boolean;
  error?: unknown;
}

export interface JobSpec {
  queue: string;
  data: object;
  delayMs?: number;
}

/**
 * Workers poll every half second; a job due now wakes them at once instead. The wake-up is a NOTIFY sent with the
 * job (so only on commit), which reaches the worker in any process or thread (see EventBus.onJobs).
 */
export const JOBS_CHANNEL = 'atonix_jobs';
const wakeStatements = (jobs: JobSpec[]) =>
  [...new Set(jobs.filter((j) => !j.delayMs).map((j) => j.queue))].map(
    (q) => `select pg_notify('${JOBS_CHANNEL}', ${sqlLiteral(q)})`,
  );

/** A job of a batch queue may carry many items: `{ items: [...] }`. */
interface ItemsJob {
  items: object[];
}
const itemsOf = (data: object): object[] =>
  Array.isArray((data as ItemsJob).items) ? (data as ItemsJob).items : [data];

export type JobHandler<T> = (data: T) => Promise<void>;

/**
 * What pg-boss writes into a queue's job row besides its name, data and start, learnt from pg-boss itself at start
 * (see learnTemplate). pg-boss's own insert is a general statement (JSON records, defaults resolved against the
 * queue row) whose planning alone cost ~0.45 ms per commit group; a plain VALUES insert of the same row costs a
 * fraction of it.
 */
interface RowTemplate {
  priority: number;
  expire_in: string;
  keep: string;
  retry_limit: number;
  retry_delay: number;
  retry_backoff: boolean;
  policy: string | null;
  dead_letter: string | null;
}
const SCHEMA = 'pgboss';
const probeData = (who: string) => ({ atonix_template_probe: who });

/**
 * The plain insert; `param(value)` is the SQL of a job's own values (a literal, or a placeholder with its binding
 * kept). The template's values are PostgreSQL's own and go in as literals. Conflicts are skipped, as pg-boss does
 * (a queue with a singleton policy has a unique index).
 */
function plainInsert(
  jobs: PgBoss.JobInsert[],
  templates: Map<string, RowTemplate>,
  param: (v: unknown) => string,
): string {
  const rows = jobs.map((j) => {
    const t = templates.get(j.name)!;
    const start = () => (j.startAfter ? `${param(String(j.startAfter))}::timestamptz` : 'now()'); // a placeholder per use
    return `(${param(j.name)}, ${param(JSON.stringify(j.data ?? null))}::jsonb, ${Number(t.priority)}, ${start()}, ${sqlLiteral(t.expire_in)}::interval, ${start()} + ${sqlLiteral(t.keep)}::interval, ${Number(t.retry_limit)}, ${Number(t.retry_delay)}, ${t.retry_backoff === true}, ${sqlLiteral(t.policy)}, ${sqlLiteral(t.dead_letter)})`;
  });
  return `insert into ${SCHEMA}.job (name, data, priority, start_after, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, policy, dead_letter) values ${rows.join(', ')} on conflict do nothing`;
}

/** Jobs per statement through knex: each takes up to four bindings, and PostgreSQL allows 65,535 per statement. */
const JOBS_PER_STATEMENT = 1000;

const WORKER_CONCURRENCY = 4;
const MIN_FETCH_GAP_MS = 50;
/** items in a queue's last batch from which it counts as busy */
const BUSY_BATCH = 20;

async function settleLimited(tasks: (() => Promise<void>)[], limit: number): Promise<PromiseSettledResult<void>[]> {
  const results: PromiseSettledResult<void>[] = new Array(tasks.length);
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      const i = next++;
      try {
        await tasks[i]!();
        results[i] = { status: 'fulfilled', value: undefined };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  return results;
}

export class Jobs {
  private boss: PgBoss;
  private pool: BossPool;
  private queues = new Set<string>();
  private batchQueues = new Set<string>();
  private wakePending = new Set<string>();
  private lastWake = new Map<string, number>();
  private lastBatch = new Map<string, number>();
  private workers = new Map<string, string>();
  private outcomeListeners = new Set<(o: JobOutcome) => void>();
  private templates = new Map<string, RowTemplate>();

  constructor(
    url: string,
    private log: Logger,
    private metrics: Metrics,
    private pollSeconds = 0.5,
  ) {
    this.pool = new BossPool(url, 4, (err) => this.log.error({ err }, 'job queue connection error'));
    this.boss = new PgBoss({ db: this.pool });
    this.boss.on('error', (err) => this.log.error({ err }, 'job queue error'));
  }

  /**
   * The rows pg-boss inserts. Items of a batch queue sent together (a commit group's instances, say) become one job:
   * one row to insert, fetch and complete instead of one per item; the batch handler runs them together anyway.
   */
  private jobInserts(jobs: JobSpec[]): PgBoss.JobInsert[] {
    const now = Date.now();
    const startAfter = (delayMs?: number) => (delayMs ? { startAfter: new Date(now + delayMs).toISOString() } : {});
    const out: PgBoss.JobInsert[] = [];
    const coalesced = new Map<string, { queue: string; delayMs?: number; items: object[] }>();
    for (const j of jobs) {
      if (!this.batchQueues.has(j.queue)) {
        out.push({ name: j.queue, data: j.data, ...startAfter(j.delayMs) });
        continue;
      }
      const k = `${j.queue}\n${j.delayMs ?? 0}`;
      const c = coalesced.get(k) ?? coalesced.set(k, { queue: j.queue, delayMs: j.delayMs, items: [] }).get(k)!;
      c.items.push(j.data);
    }
    for (const c of coalesced.values()) out.push({ name: c.queue, data: { items: c.items }, ...startAfter(c.delayMs) });
    return out;
  }

  /**
   * `batchQueues`: queues whose worker takes many items at once (workBatch), in any process that sends to them.
   * With `db`, each queue's row template is learnt (see learnTemplate) so sends use a plain insert.
   */
  async start(queues: string[], batchQueues: string[] = [], db?: Knex): Promise<void> {
    this.batchQueues = new Set(batchQueues);
    await this.boss.start();
    for (const q of queues) {
      await this.boss.createQueue(q, {
        name: q,
        retryLimit: 5,
        retryDelay: 1,
        retryBackoff: true,
        expireInSeconds: 3600,
      });
      this.queues.add(q);
      const template = db ? await this.learnTemplate(db, q) : undefined;
      if (template) this.templates.set(q, template);
    }
  }

  /**
   * In a transaction rolled back: pg-boss inserts a probe job, its row gives the template, a plain insert of the
   * template writes a second probe, and the two rows must agree on every column but id, data and times (the
   * retention compared as an interval, in UTC so a daylight-saving change cannot bend it). A pg-boss release that
   * writes anything else, or whose table the plain insert no longer fits, fails the check, and that queue keeps
   * pg-boss's own insert. The template holds for the life of the process: queues are created with their options
   * at start, and nothing updates them while it runs.
   */
  private async learnTemplate(db: Knex, queue: string): Promise<RowTemplate | undefined> {
    const own = await this.ownInsertSql([{ name: queue, data: probeData('pg-boss') }], sqlLiteral);
    // Immediate jobs start at now(), the transaction's time: the (name, start_after) index finds the probes.
    const probe = (who: string) =>
      `name = ${sqlLiteral(queue)} and state = 'created' and start_after = now() and data = ${sqlLiteral(probeData(who))}::jsonb`;
    const keep = (why: string, err?: unknown) => {
      this.log.warn({ queue, err }, `pg-boss's own insert is kept for this queue: ${why}`);
      return undefined;
    };
    try {
      return await withConnection(db, async (conn) => {
        try {
          const [, , , read] = resultsOf(
            await conn.query(
              [
                'begin',
                "set local timezone = 'UTC'",
                own,
                `select priority, expire_in::text, (keep_until - start_after)::text as keep, retry_limit, retry_delay, retry_backoff, policy, dead_letter from ${SCHEMA}.job where ${probe('pg-boss')}`,
              ].join(';\n'),
            ),
          );
          const template = read!.rows[0] as RowTemplate | undefined;
          if (!template) return keep('its probe job was not found');
          const same = `(to_jsonb(a) - 'id' - 'data' - 'created_on' - 'start_after' - 'keep_until') = (to_jsonb(b) - 'id' - 'data' - 'created_on' - 'start_after' - 'keep_until') and a.keep_until - a.start_after = b.keep_until - b.start_after`;
          const [, check] = resultsOf(
            await conn.query(
              [
                plainInsert([{ name: queue, data: probeData('plain') }], new Map([[queue, template]]), sqlLiteral),
                `select ${same} as same from (select * from ${SCHEMA}.job where ${probe('pg-boss')}) a, (select * from ${SCHEMA}.job where ${probe('plain')}) b`,
              ].join(';\n'),
            ),
          );
          return check!.rows[0]?.same === true ? template : keep('it writes job rows this version does not know');
        } finally {
          await conn.query('rollback').catch(() => {});
        }
      });
    } catch (err) {
      return keep('learning its row failed', err);
    }
  }

  /** pg-boss's own insert statement for these rows, with `param` as in plainInsert for each of its parameters. */
  private async ownInsertSql(rows: PgBoss.JobInsert[], param: (v: unknown) => string): Promise<string> {
    let sql = '';
    const capture = async (text: string, values: unknown[] = []) => {
      sql = inlineParams(text, values, param);
      return { rows: [] };
    };
    await this.boss.insert(rows, { db: { executeSql: capture } });
    return sql;
  }

  /**
   * The insert of these jobs, plain when every queue's template is known (pg-boss's own otherwise), with `param` as
   * in plainInsert.
   */
  private insertSql(jobs: JobSpec[], param: (v: unknown) => string): Promise<string> {
    const rows = this.jobInserts(jobs);
    return rows.every((r) => this.templates.has(r.name))
      ? Promise.resolve(plainInsert(rows, this.templates, param))
      : this.ownInsertSql(rows, param);
  }

  /** Enqueues inside the caller's transaction. */
  send(db: Knex | Knex.Transaction, queue: string, data: object, delayMs = 0): Promise<void> {
    return this.sendMany(db, [{ queue, data, delayMs }]);
  }

  /** Many jobs, up to JOBS_PER_STATEMENT per statement, inside the caller's transaction; queues with an immediate job are nudged by the caller. */
  async sendMany(db: Knex | Knex.Transaction, jobs: JobSpec[]): Promise<void> {
    if (!jobs.length) return;
    for (let i = 0; i < jobs.length; i += JOBS_PER_STATEMENT) {
      // Values as bindings: knex reads every `?` of a statement as a placeholder, even inside a literal.
      const bindings: unknown[] = [];
      const sql = await this.insertSql(jobs.slice(i, i + JOBS_PER_STATEMENT), (v) => {
        bindings.push(v);
        return '?';
      });
      await db.raw(sql, bindings as Knex.RawBinding[]);
    }
    for (const wake of wakeStatements(jobs)) await db.raw(wake);
  }

  /** The insert of these jobs and the wake-ups, values inlined: to send whole in a message of statements. */
  async sendManySql(jobs: JobSpec[]): Promise<string[]> {
    return [await this.insertSql(jobs, sqlLiteral), ...wakeStatements(jobs)];
  }

  /**
   * Wakes this process's worker for a queue instead of at its next poll. A lone job starts at once. Under load (the
   * queue's last batch was large) wake-ups are spaced MIN_FETCH_GAP_MS apart, so a worker takes many jobs per
   * fetch: the fetch, the transaction and the completion cost the same for one job as for fifty.
   */
  nudge(queue: string) {
    const id = this.workers.get(queue);
    if (!id || this.wakePending.has(queue)) return;
    const busy = (this.lastBatch.get(queue) ?? 0) >= BUSY_BATCH;
    const wait = busy ? Math.max(0, (this.lastWake.get(queue) ?? 0) + MIN_FETCH_GAP_MS - Date.now()) : 0;
    const wake = () => {
      this.wakePending.delete(queue);
      this.lastWake.set(queue, Date.now());
      this.boss.notifyWorker(id);
    };
    if (wait === 0) {
      wake();
      return;
    }
    this.wakePending.add(queue);
    setTimeout(wake, wait).unref();
  }

  /** Hears every job's outcome in this process (after it settled); returns its removal. */
  onOutcome(l: (o: JobOutcome) => void): () => void {
    this.outcomeListeners.add(l);
    return () => this.outcomeListeners.delete(l);
  }

  private told(queue: string, data: unknown, ok: boolean, error?: unknown) {
    for (const l of this.outcomeListeners) l({ queue, data, ok, error });
  }

  /** `loops` > 1: that many independent single-job loops (long jobs must not hold up the jobs fetched with them). */
  async work<T extends object>(queue: string, handler: JobHandler<T>, loops = 1): Promise<void> {
    for (let i = 1; i < loops; i++)
      await this.boss.work<T>(queue, { batchSize: 1, pollingIntervalSeconds: this.pollSeconds }, async ([job]) =>
        handler(job!.data).then(
          () => this.told(queue, job!.data, true),
          (err) => (this.told(queue, job!.data, false, err), Promise.reject(err)),
        ),
      );
    const id = await this.boss.work<T>(
      queue,
      { batchSize: loops > 1 ? 1 : 20, pollingIntervalSeconds: this.pollSeconds },
      async (jobs) => {
        // pg-boss fails the whole batch if the handler throws; settle each job on its own instead. A few at a
        // time: a batch must not take every pooled connection from the API requests running beside it.
        const results = await settleLimited(
          jobs.map((j) => () => handler(j.data)),
          WORKER_CONCURRENCY,
        );
        const failed = jobs.filter((_, i) => results[i]!.status === 'rejected');
        for (const [i, r] of results.entries()) {
          this.metrics.jobs.inc({ queue, state: r.status === 'fulfilled' ? 'completed' : 'failed' });
          this.told(queue, jobs[i]!.data, r.status === 'fulfilled', r.status === 'rejected' ? r.reason : undefined);
          if (r.status === 'rejected')
            this.log.error({ err: r.reason, queue, job: jobs[i]!.id }, 'job failed; it will be retried');
        }
        if (failed.length)
          await this.boss.fail(
            queue,
            failed.map((j) => j.id),
          );
      },
    );
    this.workers.set(queue, id);
  }

  /** One handler call for a whole fetched batch; if it throws, pg-boss retries every job of the batch. */
  async workBatch<T extends object>(queue: string, batch: (items: T[]) => Promise<void>): Promise<void> {
    const id = await this.boss.work<T>(
      queue,
      { batchSize: 50, pollingIntervalSeconds: this.pollSeconds },
      async (jobs) => {
        const items = jobs.flatMap((j) => itemsOf(j.data)) as T[];
        this.lastBatch.set(queue, items.length);
        try {
          await batch(items);
          this.metrics.jobs.inc({ queue, state: 'completed' }, items.length);
          for (const item of items) this.told(queue, item, true);
        } catch (err) {
          this.metrics.jobs.inc({ queue, state: 'failed' }, items.length);
          for (const item of items) this.told(queue, item, false, err);
          this.log.error(
            { err, queue, jobs: jobs.length, items: items.length },
            'job batch failed; it will be retried',
          );
          throw err;
        }
      },
    );
    this.workers.set(queue, id);
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 5000, wait: true }).catch(() => {});
    await this.pool.close(); // given to pg-boss as its `db`, so not closed by it
  }
}
