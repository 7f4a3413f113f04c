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
    this.pool = new pg.Pool({ connectionString, max, application_name: 'atonix-jobs' });
    this.pool.on('error', onError);
    // Queued on the client before the pool hands it out, so it precedes every statement of pg-boss. The generic plan
    // prunes the job table's partitions when it runs, as the custom plan did when planning.
    this.pool.on('connect', (client) => { client.query('set plan_cache_mode = force_generic_plan').catch(onError); });
  }

  /** pg-boss's `db` interface. Statements without values may hold several commands, so they go unprepared. */
  executeSql(text: string, values?: unknown[]): Promise<pg.QueryResult> {
    if (!values?.length) return this.pool.query(text);
    const name = this.nameOf(text);
    return name ? this.pool.query({ name, text, values }) : this.pool.query(text, values);
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
