// pg-boss's connection pool. pg-boss sends its statements unnamed, so PostgreSQL parses and plans its fetch and
// completion (statements over the partitioned job table) on every call: ~1 ms of planning per fetch, more than the
// fetch itself. Here each parameterized statement is prepared once per connection and runs a generic plan.
import { createHash } from 'node:crypto';
import pg from 'pg';

/** pg-boss builds its statement texts from a few templates; this bounds the names a connection keeps anyway. */
const MAX_NAMED = 200;

export class BossPool {
  readonly pool: pg.Pool;
  private names = new Map<string, string>();

  constructor(connectionString: string, max: number, onError: (err: Error) => void) {
    // The setting travels in the connection's startup packet, so it holds before pg-boss's first statement. The generic
    // plan prunes the job table's partitions when it runs, as the custom plan did when planning.
    this.pool = new pg.Pool({
      connectionString,
      max,
      application_name: 'atonix-jobs',
      options: '-c plan_cache_mode=force_generic_plan',
    });
    this.pool.on('error', onError);
  }

  /** pg-boss's `db` interface. Statements without values may hold several commands, so they go unprepared. */
  executeSql(text: string, values?: unknown[]): Promise<pg.QueryResult> {
    if (!values?.length) return this.pool.query(text);
    const name = this.nameOf(text);
    if (!name) return this.pool.query(text, values);
    return this.pool.query({ name, text, values }).catch((err: { code?: string }) => {
      // "cached plan must not change result type": a table the statement returns rows of gained a column (a pg-boss
      // migration by another replica, say). Nothing ran; unnamed, the statement is planned afresh, and PostgreSQL
      // replans the named one on its next use.
      if (err.code !== '0A000') throw err;
      return this.pool.query(text, values);
    });
  }

  close(): Promise<void> {
    return this.pool.ended ? Promise.resolve() : this.pool.end();
  }

  private nameOf(text: string): string | undefined {
    const known = this.names.get(text);
    if (known || this.names.size >= MAX_NAMED) return known;
    const name = `boss_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    this.names.set(text, name);
    return name;
  }
}
