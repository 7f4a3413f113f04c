// Change events: the resource tables' triggers NOTIFY inside the writing transaction (delivered only on
// commit, to every API process); a LISTEN connection here fans them out (the WebSocket stream, caches).
import pg from 'pg';
import { JOBS_CHANNEL } from './jobs.js';

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

export type Listener = (ev: ChangeEvent) => void;

/** How many resources' latest events latest() remembers: a waiter asks within moments of its own commit. */
const RECENT = 10_000;

/** One dedicated connection per process; reconnects if the database restarts. */
export class EventBus {
  private listeners = new Set<Listener>();
  private recent = new Map<string, ChangeEvent>();
  private jobListeners = new Set<(queue: string) => void>();
  private client?: pg.Client;
  private closed = false;

  constructor(private url: string, private onError: (e: unknown) => void = () => {}) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      if (msg.channel === JOBS_CHANNEL && msg.payload) { for (const l of this.jobListeners) l(msg.payload); return; }
      if (msg.channel !== CHANNEL || !msg.payload) return;
      // A statement's events arrive as one array (migration 004); a single object is still understood.
      const parsed = JSON.parse(msg.payload) as ChangeEvent | ChangeEvent[];
      for (const ev of Array.isArray(parsed) ? parsed : [parsed]) this.emit(ev);
    });
    client.on('error', (e) => {
      this.onError(e);
      if (!this.closed) setTimeout(() => this.start().catch(this.onError), 1000);
    });
    await client.connect();
    await client.query(`listen ${CHANNEL}; listen ${JOBS_CHANNEL}`);
    this.client = client;
  }

  /** Called with a queue's name when a job due now was committed, by this process or any other. */
  onJobs(l: (queue: string) => void): () => void {
    this.jobListeners.add(l);
    return () => this.jobListeners.delete(l);
  }

  private emit(ev: ChangeEvent): void {
    this.recent.delete(ev.id); // re-inserted last, so the oldest entry is always first
    this.recent.set(ev.id, ev);
    if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value!);
    for (const l of this.listeners) l(ev);
  }

  /** The last event this process heard for a resource, if recent: for a waiter that subscribed after its own commit. */
  latest(id: string): ChangeEvent | undefined {
    return this.recent.get(id);
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
