// pg-boss's database: a pool on which parameterised statements are prepared once per connection. pg-boss sends the
// same few statements (fetch, complete, insert) many times a second, and an unnamed statement is parsed and planned
// on every call; planning pg-boss's fetch over its partitioned job table costs PostgreSQL more than running it.
import pg from 'pg';
import type PgBoss from 'pg-boss';

/** Distinct statement texts prepared; pg-boss has a few dozen, and a text beyond this runs unnamed (no leak). */
const MAX_PREPARED = 200;

export class PreparedPool implements PgBoss.Db {
  readonly pool: pg.Pool;
  private names = new Map<string, string>();

  constructor(config: pg.PoolConfig, onError: (err: Error) => void) {
    this.pool = new pg.Pool(config);
    this.pool.on('error', onError);
  }

  executeSql(text: string, values?: unknown[]): Promise<{ rows: any[] }> {
    // Without parameters it may be several statements (pg-boss's migrations), which only the simple protocol runs.
    if (!values?.length) return this.pool.query(text);
    let name = this.names.get(text);
    if (!name && this.names.size < MAX_PREPARED) this.names.set(text, (name = `pgboss_${this.names.size + 1}`));
    return this.pool.query(name ? { name, text, values } : { text, values });
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
