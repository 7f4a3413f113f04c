// Group commit for creates. A create's own work is small next to a transaction's fixed costs (BEGIN, COMMIT, a
// round trip and a parse per statement, the WAL flush), so creates that arrive together share one transaction:
// one multi-row insert per table, one for their audit records, one for their jobs, one for their idempotency keys.
// Each create is still atomic with its audit record and its job, and a failure stays its own: when a group fails,
// its creates are retried one transaction each, so only the create that caused it fails.
import type { Knex } from 'knex';
import type pg from 'pg';
import { auditRow, writeAudits, type AuditRecord } from './audit.js';
import { insertRows, insertStatements, sqlLiteral } from './db/bulk.js';
import type { Creation, Result } from './http/context.js';
import { claim, lockKeys, remember, type IdempotencyClaim } from './idempotency.js';
import type { Jobs } from './jobs.js';
import type { Metrics } from './metrics.js';
import { inTransaction, rowCache, touch } from './row-cache.js';

export interface CommitEntry {
  creation: Creation;
  audit: AuditRecord;
  idempotency?: IdempotencyClaim;
  /** the handler's afterCommit callbacks */
  after?: (() => void)[];
}

interface Waiting { entry: CommitEntry; resolve(r: Result): void; reject(e: unknown): void }

/** Groups in flight at once: one being written while the next gathers keeps PostgreSQL and this process both busy. */
const MAX_IN_FLIGHT = 2;
const MAX_GROUP = 250;

export class GroupCommit {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private db: Knex, private jobs: Jobs, private metrics?: Pick<Metrics, 'commitGroups'>) {}

  /** Commits the entry with whatever else is waiting; resolves once it is durable, with its response. */
  submit(entry: CommitEntry): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      // setImmediate, not now: requests parsed in the same turn of the event loop then join one group.
      if (!this.scheduled && this.inFlight < MAX_IN_FLIGHT) {
        this.scheduled = true;
        setImmediate(() => { this.scheduled = false; this.drain(); });
      }
    });
  }

  /**
   * One create alone in a transaction, the idempotency key claimed first (a replay returns the stored response
   * and never calls `prepare`). `prepare` may write through the transaction before the insert.
   */
  async alone(idempotency: IdempotencyClaim | undefined, prepare: (trx: Knex.Transaction) => Promise<Omit<CommitEntry, 'idempotency'>>): Promise<Result> {
    let entry: CommitEntry | undefined;
    const result = await inTransaction(this.db, async (trx) => {
      if (idempotency) {
        const replay = await claim(trx, idempotency);
        if (replay) return replay;
      }
      entry = { ...(await prepare(trx)), idempotency };
      return (await this.write(trx, [entry], true))[0]!;
    });
    if (entry) {
      this.metrics?.commitGroups.observe(1);
      this.committed([entry]);
    }
    return result;
  }

  private drain(): void {
    while (this.waiting.length && this.inFlight < MAX_IN_FLIGHT) {
      const group = this.waiting.splice(0, MAX_GROUP);
      this.inFlight++;
      void this.flush(group).finally(() => { this.inFlight--; this.drain(); });
    }
  }

  private async flush(group: Waiting[]): Promise<void> {
    const entries = group.map((w) => w.entry);
    let results: Result[];
    try {
      results = entries.some((e) => e.idempotency)
        ? await inTransaction(this.db, (trx) => this.write(trx, entries, false))
        : await this.writeAtOnce(entries);
    } catch (err) {
      if (group.length === 1 && !group[0]!.entry.idempotency) { group[0]!.reject(err); return; }
      // Someone's insert broke the group (a constraint, a replayed idempotency key): one transaction each, in order,
      // so the first of two requests with the same key commits and the second replays it.
      for (const w of group) await this.alone(w.entry.idempotency, async () => w.entry).then(w.resolve, w.reject);
      return;
    }
    this.metrics?.commitGroups.observe(group.length);
    this.committed(entries);
    group.forEach((w, i) => w.resolve(results[i]!));
  }

  /**
   * A group without idempotency keys in one round trip: its statements go in one simple-protocol message, which
   * PostgreSQL runs as one implicit transaction (all or nothing). Values are inlined as escaped literals. Round trips
   * are the expensive part on a busy machine: each costs a write and a wake-up on both sides.
   */
  private async writeAtOnce(entries: CommitEntry[]): Promise<Result[]> {
    const statements: string[] = [];
    const tables = [...new Set(entries.map((e) => e.creation.table))];
    for (const table of tables) {
      statements.push(...insertStatements(table, entries.filter((e) => e.creation.table === table).map((e) => e.creation.row), true, sqlLiteral));
    }
    const returning = statements.length;
    statements.push(...insertStatements('audit_logs', entries.map((e) => auditRow(e.audit)), false, sqlLiteral));
    const jobs = entries.flatMap((e) => e.creation.jobs ?? []);
    if (jobs.length) statements.push(...(await this.jobs.sendManySql(jobs)));
    const client = this.db.client as { acquireConnection(): Promise<pg.Client>; releaseConnection(c: pg.Client): Promise<void> };
    const conn = await client.acquireConnection();
    let out: pg.QueryResult | pg.QueryResult[];
    try {
      out = await conn.query(statements.join(';\n'));
    } finally {
      await client.releaseConnection(conn);
    }
    const stored = new Map<string, Record<string, any>>();
    for (const r of (Array.isArray(out) ? out : [out]).slice(0, returning)) for (const row of r.rows) stored.set(row.id, row);
    for (const id of stored.keys()) rowCache.invalidate(id); // committed: this process reads its own write at once
    return entries.map((e) => e.creation.respond(stored.get(e.creation.row.id)!));
  }

  /** The group's writes, in the caller's transaction; returns each entry's response. */
  private async write(trx: Knex.Transaction, entries: CommitEntry[], claimed: boolean): Promise<Result[]> {
    const claims = entries.flatMap((e) => (e.idempotency ? [e.idempotency] : []));
    // alone() has claimed its key already; a group takes its keys' locks here, and a busy one sends the group back
    // to alone(), where that request gets its 409.
    if (!claimed && claims.length && !(await lockKeys(trx, claims))) throw new Error('an idempotency key of the group is in flight');
    const stored = new Map<string, Record<string, any>>();
    for (const table of new Set(entries.map((e) => e.creation.table))) {
      const rows = await insertRows(trx, table, entries.filter((e) => e.creation.table === table).map((e) => e.creation.row));
      for (const r of rows) { stored.set(r.id as string, r); touch(trx, r.id as string); } // the tables' triggers NOTIFY
    }
    await this.jobs.sendMany(trx, entries.flatMap((e) => e.creation.jobs ?? []));
    await writeAudits(trx, entries.map((e) => e.audit));
    const results = entries.map((e) => e.creation.respond(stored.get(e.creation.row.id)!));
    const keyed = entries.flatMap((e, i) => (e.idempotency ? [{ claim: e.idempotency, result: results[i]! }] : []));
    if (keyed.length) await remember(trx, keyed);
    return results;
  }

  /** After commit (the row cache has already forgotten the rows written). */
  private committed(entries: CommitEntry[]): void {
    const queues = new Set(entries.flatMap((e) => (e.creation.jobs ?? []).filter((j) => !j.delayMs).map((j) => j.queue)));
    for (const q of queues) this.jobs.nudge(q);
    for (const e of entries) for (const fn of e.after ?? []) fn();
  }
}
