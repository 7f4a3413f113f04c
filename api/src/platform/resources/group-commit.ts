// Group commit for creates. A create's own work is small next to a transaction's fixed costs (BEGIN, COMMIT, a
// round trip and a parse per statement, the WAL flush), so creates that arrive together share one transaction:
// one multi-row insert per table, one for their audit records, one for their jobs, one for their idempotency keys.
// Each create is still atomic with its audit record and its job, and a failure stays its own: when a group fails,
// its creates are retried one transaction each, so only the create that caused it fails.
import type { Knex } from 'knex';
import type pg from 'pg';
import { AUDIT_TABLE, auditRow, writeAudits, type AuditRecord } from '../operations/audit-trail.js';
import { insertRows, insertStatements, sqlLiteral } from '../db/bulk.js';
import type { Creation, Result } from '../operations/context.js';
import { claim, lockKeysStatement, remember, rememberedRow, type IdempotencyClaim } from '../operations/idempotency.js';
import type { Jobs } from '../jobs/queue.js';
import type { Metrics } from '../process-metrics.js';
import { inTransaction, rowCache, touch } from './row-cache.js';
import { resultsOf, twoStepTransaction, withConnection } from '../db/connection.js';

export interface CommitEntry {
  creation: Creation;
  audit: AuditRecord;
  idempotency?: IdempotencyClaim;
  /** the handler's afterCommit callbacks */
  after?: (() => void)[];
}

interface Waiting {
  entry: CommitEntry;
  resolve(r: Result): void;
  reject(e: unknown): void;
}

/** Groups in flight at once: one being written while the next gathers keeps PostgreSQL and this process both busy. */
const MAX_IN_FLIGHT = 2;
const MAX_GROUP = 250;

export class GroupCommit {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private db: Knex,
    private jobs: Jobs,
    private metrics?: Pick<Metrics, 'commitGroups'>,
  ) {}

  /** Commits the entry with whatever else is waiting; resolves once it is durable, with its response. */
  submit(entry: CommitEntry): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      // setImmediate, not now: requests parsed in the same turn of the event loop then join one group.
      if (!this.scheduled && this.inFlight < MAX_IN_FLIGHT) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  /**
   * One create alone in a transaction, the idempotency key claimed first (a replay returns the stored response
   * and never calls `prepare`). `prepare` may write through the transaction before the insert.
   */
  async alone(
    idempotency: IdempotencyClaim | undefined,
    prepare: (trx: Knex.Transaction) => Promise<Omit<CommitEntry, 'idempotency'>>,
  ): Promise<Result> {
    let entry: CommitEntry | undefined;
    const result = await inTransaction(this.db, async (trx) => {
      if (idempotency) {
        const replay = await claim(trx, idempotency);
        if (replay) return replay;
      }
      entry = { ...(await prepare(trx)), idempotency };
      return this.write(trx, entry);
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
      void this.flush(group).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async flush(group: Waiting[]): Promise<void> {
    const entries = group.map((w) => w.entry);
    let results: Result[];
    try {
      results = await this.writeAtOnce(entries);
    } catch (err) {
      if (group.length === 1 && !group[0]!.entry.idempotency) {
        group[0]!.reject(err);
        return;
      }
      // Someone's insert broke the group (a constraint, a replayed idempotency key, a key in flight): one transaction
      // each, in order, so the first of two requests with the same key commits and the second replays it.
      for (const w of group) await this.alone(w.entry.idempotency, async () => w.entry).then(w.resolve, w.reject);
      return;
    }
    this.metrics?.commitGroups.observe(group.length);
    this.committed(entries);
    group.forEach((w, i) => w.resolve(results[i]!));
  }

  /**
   * The group on one raw connection, its statements sent together as simple-protocol messages with values inlined
   * as escaped literals: round trips are the expensive part on a busy machine (each costs a write and a wake-up on
   * both sides, and a pass through the query builder here). Without idempotency keys that is one message, which
   * PostgreSQL runs as one implicit transaction. With keys it is two: the stored response of a key is the response
   * made from the rows as inserted, so the keys go in a second message that also commits. A key in flight or
   * already stored fails the group (the lock check, or the keys' unique index), and flush() retries it one by one.
   */
  private async writeAtOnce(entries: CommitEntry[]): Promise<Result[]> {
    const statements: string[] = [];
    for (const table of new Set(entries.map((e) => e.creation.table))) {
      statements.push(
        ...insertStatements(
          table,
          entries.filter((e) => e.creation.table === table).map((e) => e.creation.row),
          true,
          sqlLiteral,
        ),
      );
    }
    const returning = statements.length;
    // Rows that come with a create go in after every main row, so their references to those rows hold.
    const also = new Map<string, Record<string, unknown>[]>();
    for (const { table, rows } of entries.flatMap((e) => e.creation.also ?? []))
      also.set(table, [...(also.get(table) ?? []), ...rows]);
    for (const [table, rows] of also) statements.push(...insertStatements(table, rows, false, sqlLiteral));
    statements.push(
      ...insertStatements(
        AUDIT_TABLE,
        entries.map((e) => auditRow(e.audit)),
        false,
        sqlLiteral,
      ),
    );
    const jobs = entries.flatMap((e) => e.creation.jobs ?? []);
    if (jobs.length) statements.push(...(await this.jobs.sendManySql(jobs)));
    const claims = entries.flatMap((e) => (e.idempotency ? [e.idempotency] : []));

    const stored = new Map<string, Record<string, any>>();
    let results: Result[] = [];
    const respond = (outs: pg.QueryResult[]) => {
      for (const r of outs.slice(0, returning)) for (const row of r.rows) stored.set(row.id, row);
      results = entries.map((e) => e.creation.respond(stored.get(e.creation.row.id)!));
    };
    if (!claims.length) {
      respond(await withConnection(this.db, async (conn) => resultsOf(await conn.query(statements.join(';\n')))));
    } else {
      await twoStepTransaction(this.db, [lockKeysStatement(claims), ...statements], ([lock, ...outs]) => {
        if (lock!.rows[0]?.ok !== true) throw new Error('an idempotency key of the group is in flight');
        respond(outs);
        const keyed = entries.flatMap((e, i) => (e.idempotency ? [{ claim: e.idempotency, result: results[i]! }] : []));
        return insertStatements('idempotency_keys', keyed.map(rememberedRow), false, sqlLiteral);
      });
    }
    for (const id of stored.keys()) rowCache.invalidate(id); // committed: this process reads its own write at once
    return results;
  }

  /** One create's writes in alone()'s transaction, its key already claimed; returns its response. */
  private async write(trx: Knex.Transaction, entry: CommitEntry): Promise<Result> {
    const { creation } = entry;
    const [row] = await insertRows(trx, creation.table, [creation.row]);
    touch(trx, row!.id as string); // the table's triggers NOTIFY
    for (const { table, rows } of creation.also ?? []) {
      await insertRows(trx, table, rows, false);
      for (const r of rows) touch(trx, r.id);
    }
    await this.jobs.sendMany(trx, creation.jobs ?? []);
    await writeAudits(trx, [entry.audit]);
    const result = creation.respond(row!);
    if (entry.idempotency) await remember(trx, [{ claim: entry.idempotency, result }]);
    return result;
  }

  /** After commit (the row cache has already forgotten the rows written). */
  private committed(entries: CommitEntry[]): void {
    const queues = new Set(
      entries.flatMap((e) => (e.creation.jobs ?? []).filter((j) => !j.delayMs).map((j) => j.queue)),
    );
    for (const q of queues) this.jobs.nudge(q);
    for (const e of entries) for (const fn of e.after ?? []) fn();
  }
}
