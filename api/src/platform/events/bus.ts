// Change events: the resource tables' triggers NOTIFY inside the writing transaction (delivered only on
// commit, to every API process); a LISTEN connection here fans them out (the WebSocket stream, caches).
import type { Knex } from 'knex';
import pg from 'pg';
import { JOBS_CHANNEL } from '../jobs/queue.js';

export const CHANNEL = 'atonix_events';
/** New log lines (migration 023): listened to only while this process has a tail open, as they can be many. */
export const LOGS_CHANNEL = 'atonix_logs';
/**
 * The advisory lock (shared) a process holds on its LISTEN connection while it tails logs: migration 023's trigger
 * builds and sends the lines' events only while someone holds it, so lines nobody tails cost no NOTIFY.
 */
export const LOG_TAIL_LOCK = 7301;
/** The platform's own signals between processes (beside change events and job wake-ups): channel -> meaning. */
export const SIGNALS = {
  /** a manual clock was moved: the payload is the new time, ms since the epoch */
  clock: 'atonix_clock',
} as const;
export type Signal = keyof typeof SIGNALS;
/**
 * `scheduled_task.run`: a run of the scheduled task `id` started or changed status (migration 016).
 * `alert_rule.notification`: the alert rule `id` notified a channel (monitoring/alerts/evaluator.ts). `log`: a new
 * log line (migration 023; kind `log_entry`, see log-tail.ts). `anomaly_subscription.episode`: the subscription `id`
 * delivered an episode to the WebSocket (ai/anomalies/episodes.ts).
 */
export type ChangeType =
  | 'created'
  | 'updated'
  | 'status_changed'
  | 'deleted'
  | 'scheduled_task.run'
  | 'alert_rule.notification'
  | 'anomaly_subscription.episode'
  | 'log';

export interface ChangeEvent {
  type: ChangeType;
  kind: string;
  id: string;
  owner: string | null;
  status?: string;
  at: string;
  /** a `scheduled_task.run` event's run: its id, due time and attempt (status is the run's) */
  run_id?: string;
  due_at?: string;
  attempt?: number;
  /** an `alert_rule.notification` event's channel, status (firing or resolved) and alerts */
  channel_id?: string;
  alerts?: { fingerprint: string; status: string; labels: Record<string, string> }[];
  /** an `anomaly_subscription.episode` event's episode: its id, series, peak score and start */
  episode_id?: string;
  labels?: Record<string, string>;
  peak_score?: number;
  start?: string;
}

export type Listener = (ev: ChangeEvent) => void;

export interface Watch {
  heard(): readonly ChangeEvent[];
  close(): void;
}

/** One dedicated connection per process; reconnects if the database restarts. */
export class EventBus {
  private listeners = new Set<Listener>();
  /** listeners of one resource's events (waiters), found by id instead of offered every event */
  private byId = new Map<string, Set<Listener>>();
  private jobListeners = new Set<(queue: string) => void>();
  private signalListeners = new Map<string, Set<(payload: string) => void>>();
  private logListeners = new Set<Listener>();
  /** the LISTEN or UNLISTEN of the logs channel last sent (each waits for the one before) */
  private logsListening: Promise<unknown> = Promise.resolve();
  /** whether this connection holds the tail lock and LISTENs to the logs channel */
  private tailing = false;
  private client?: pg.Client;
  private closed = false;

  /** `jobs`: also hear job wake-ups (only a process or thread that runs workers needs them) */
  constructor(
    private url: string,
    private onError: (e: unknown) => void = () => {},
    private jobs = true,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      if (msg.channel === JOBS_CHANNEL && msg.payload) {
        for (const l of this.jobListeners) l(msg.payload);
        return;
      }
      const signalled = this.signalListeners.get(msg.channel);
      if (signalled) {
        for (const l of signalled) l(msg.payload ?? '');
        return;
      }
      if (msg.channel === LOGS_CHANNEL && msg.payload) {
        for (const ev of JSON.parse(msg.payload) as ChangeEvent[]) for (const l of this.logListeners) l(ev);
        return;
      }
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
    const channels = [CHANNEL, ...(this.jobs ? [JOBS_CHANNEL] : []), ...Object.values(SIGNALS)];
    await client.query(channels.map((c) => `listen ${c}`).join('; '));
    // A new connection holds no lock and hears no lines yet: a tail open before a reconnect takes them again.
    this.tailing = false;
    this.client = client;
    if (this.logListeners.size) this.logsListening = this.logsListening.then(() => this.toggleLogs());
  }

  /** Called with a queue's name when a job due now was committed, by this process or any other. */
  onJobs(l: (queue: string) => void): () => void {
    this.jobListeners.add(l);
    return () => this.jobListeners.delete(l);
  }

  /** Hears a platform signal sent by any process (this one included) with `signal()`. */
  onSignal(signal: Signal, l: (payload: string) => void): () => void {
    const channel = SIGNALS[signal];
    let set = this.signalListeners.get(channel);
    if (!set) this.signalListeners.set(channel, (set = new Set()));
    set.add(l);
    return () => set.delete(l);
  }

  private emit(ev: ChangeEvent): void {
    for (const l of this.listeners) l(ev);
    const waiting = this.byId.get(ev.id);
    if (waiting) for (const l of waiting) l(ev);
  }

  /**
   * Hears new log lines; resolves once the process LISTENs (the first listener starts it, the last one's removal
   * stops it), so a line committed after that is heard.
   */
  async onLogs(l: Listener): Promise<() => void> {
    this.logListeners.add(l);
    if (this.logListeners.size === 1) this.logsListening = this.logsListening.then(() => this.toggleLogs());
    await this.logsListening;
    return () => {
      if (this.logListeners.delete(l) && !this.logListeners.size)
        this.logsListening = this.logsListening.then(() => this.toggleLogs());
    };
  }

  private async toggleLogs(): Promise<void> {
    const on = this.logListeners.size > 0;
    if (on === this.tailing) return;
    this.tailing = on;
    await this.client
      ?.query(
        on
          ? `select pg_advisory_lock_shared(${LOG_TAIL_LOCK}); listen ${LOGS_CHANNEL}`
          : `unlisten ${LOGS_CHANNEL}; select pg_advisory_unlock_shared(${LOG_TAIL_LOCK})`,
      )
      .catch((e: unknown) => this.onError(e));
  }

  /** Events of one resource only. */
  subscribeTo(id: string, l: Listener): () => void {
    let set = this.byId.get(id);
    if (!set) this.byId.set(id, (set = new Set()));
    set.add(l);
    return () => {
      set.delete(l);
      if (!set.size && this.byId.get(id) === set) this.byId.delete(id);
    };
  }

  /**
   * Remembers the events of one resource from now on (a new resource has a few): armed before a write commits, read
   * after it, so an event that arrives in between is not lost to a waiter that subscribes later.
   */
  watch(id: string): Watch {
    const heard: ChangeEvent[] = [];
    const close = this.subscribeTo(id, (ev) => {
      heard.push(ev);
    });
    return { heard: () => heard, close };
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  async stop(): Promise<void> {
    this.signalListeners.clear();
    this.closed = true;
    await this.client?.end().catch(() => {});
  }
}

/** Sends a platform signal to every process; inside a transaction it is delivered when (and if) it commits. */
export async function sendSignal(db: Knex | Knex.Transaction, signal: Signal, payload: string): Promise<void> {
  await db.raw('select pg_notify(?, ?)', [SIGNALS[signal], payload]);
}
