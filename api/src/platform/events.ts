// Change events: NOTIFY inside the writing transaction (delivered only on commit, to every API process),
// and a LISTEN connection that fans them out to subscribers (the WebSocket stream, cache invalidation).
import pg from 'pg';
import type { Knex } from 'knex';
import type { ResourceMeta } from './registry-types.js';

export const CHANNEL = 'atonix_events';
export type ChangeType = 'created' | 'updated' | 'status_changed' | 'deleted';

export interface ChangeEvent {
  type: ChangeType;
  kind: string;
  id: string;
  owner: string | null;
  status?: string;
  at: string;
}

export async function emitChange(db: Knex | Knex.Transaction, meta: ResourceMeta, row: Record<string, any>, type: ChangeType) {
  // Tokens belong to their user, a user to themself; everything else has an owner column (or none: public kinds).
  const owner = row.owner ?? row.user_id ?? (meta.kind === 'user' ? row.id : null);
  const ev: ChangeEvent = { type, kind: meta.kind, id: row.id, owner, at: new Date().toISOString() };
  if (meta.statusField) ev.status = row[meta.statusField];
  await db.raw('select pg_notify(?, ?)', [CHANNEL, JSON.stringify(ev)]);
}

/** The same events for many rows in one statement (batched workers). */
export async function emitChanges(db: Knex | Knex.Transaction, meta: ResourceMeta, rows: Record<string, any>[], type: ChangeType) {
  if (!rows.length) return;
  const at = new Date().toISOString();
  const payloads = rows.map((row) => JSON.stringify({
    type, kind: meta.kind, id: row.id, owner: row.owner ?? row.user_id ?? null, at, ...(meta.statusField ? { status: row[meta.statusField] } : {}),
  }));
  await db.raw('select pg_notify(?, p) from unnest(?::text[]) as p', [CHANNEL, payloads]);
}

export type Listener = (ev: ChangeEvent) => void;

/** One dedicated connection per process; reconnects if the database restarts. */
export class EventBus {
  private listeners = new Set<Listener>();
  private client?: pg.Client;
  private closed = false;

  constructor(private url: string, private onError: (e: unknown) => void = () => {}) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      const ev = JSON.parse(msg.payload) as ChangeEvent;
      for (const l of this.listeners) l(ev);
    });
    client.on('error', (e) => {
      this.onError(e);
      if (!this.closed) setTimeout(() => this.start().catch(this.onError), 1000);
    });
    await client.connect();
    await client.query(`listen ${CHANNEL}`);
    this.client = client;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  async stop(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => {});
  }
}
