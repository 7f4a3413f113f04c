// Session-level advisory locks on a connection of their own, outside the pool: whatever a process holds this way
// it holds until it unlocks or dies, and PostgreSQL frees a dead process's locks the moment its connection drops,
// so another process takes over at once instead of after a lease runs out.
import type { Knex } from 'knex';
import type pg from 'pg';

interface RawConnections {
  acquireRawConnection(): Promise<pg.Client>;
  destroyRawConnection(c: pg.Client): Promise<void>;
}

export class SessionLocks {
  private conn?: Promise<pg.Client>;

  /** `onLost`: the connection dropped, and with it every lock this process held. */
  constructor(
    private db: Knex,
    private lockClass: number,
    private onLost: () => void = () => {},
  ) {}

  private connection(): Promise<pg.Client> {
    if (this.conn) return this.conn;
    const made = (this.db.client as RawConnections).acquireRawConnection().then((c) => {
      const lost = () => {
        if (this.conn !== made) return;
        this.conn = undefined;
        this.onLost();
      };
      c.on('error', lost);
      c.on('end', lost);
      return c;
    });
    this.conn = made;
    made.catch(() => {
      if (this.conn === made) this.conn = undefined;
    });
    return made;
  }

  /** True when this process now holds `key` (a session lock is re-entrant: the caller tracks what it holds). */
  async tryLock(key: string): Promise<boolean> {
    const c = await this.connection();
    const { rows } = await c.query('select pg_try_advisory_lock($1, hashtext($2)) as ok', [this.lockClass, key]);
    return rows[0].ok === true;
  }

  async unlock(key: string): Promise<void> {
    const c = await this.conn;
    await c?.query('select pg_advisory_unlock($1, hashtext($2))', [this.lockClass, key]).catch(() => {});
  }

  async close(): Promise<void> {
    const c = await this.conn?.catch(() => undefined);
    this.conn = undefined;
    if (c) await (this.db.client as RawConnections).destroyRawConnection(c).catch(() => {});
  }
}
