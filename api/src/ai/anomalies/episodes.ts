// Episodes as points arrive: an anomalous point extends its series' open episode (if it came within the gap) or
// opens one; a gap closes it. An episode is delivered exactly once, the first time it has lasted min_duration (each
// point counted as one step): the `delivered_at` stamp is written in the transaction that holds the subscription's
// row lock, with the delivery row or the event, so no restart or second process delivers it again.
import type { Knex } from 'knex';
import { newId } from '../../platform/resources/ids.js';
import type { Driver, EpisodeRow, SubscriptionRow } from './repos.js';
import { ANOMALIES, DELIVERIES, EPISODES } from './repos.js';
import { durationMs, episodeEvent, episodePayload, presentEpisode } from './present.js';

/** One scored point as the tracker takes it (series mode: one series; resource mode: the resource's joint row). */
export interface Scored {
  t: number;
  value: number;
  expected: number | null;
  low: number | null;
  high: number | null;
  score: number;
  anomalous: boolean;
  drivers: Driver[];
}

interface Tracked {
  row: EpisodeRow;
  isNew: boolean;
  dirty: boolean;
}

export interface Timing {
  stepMs: number;
  gapMs: number;
  minDurationMs: number;
}

/** The episodes, anomalies, deliveries and events of one subscription's pass, written together at the end. */
export class EpisodeTracker {
  private tracked: Tracked[] = [];
  private anomalies: Record<string, unknown>[] = [];
  private deliveries: Record<string, unknown>[] = [];
  private events: Record<string, unknown>[] = [];

  constructor(
    private sub: SubscriptionRow,
    private timing: Timing,
    private now: number,
    private externalUrl: string,
  ) {}

  /** The open episodes of the subscription, keyed by series. */
  static async openOf(trx: Knex.Transaction, subscriptionId: string): Promise<Map<string, EpisodeRow>> {
    const rows: EpisodeRow[] = await trx(EPISODES).where({ subscription_id: subscriptionId, status: 'open' });
    return new Map(rows.map((r) => [r.series_key, r]));
  }

  /** One series' scored points, oldest first, starting from its open episode (if any). */
  series(key: string, labels: Record<string, string>, open: EpisodeRow | undefined, scores: Scored[]) {
    let cur = open ? this.track(open, false) : undefined;
    for (const s of scores) {
      if (cur && s.t - new Date(cur.row.end_at).getTime() > this.timing.gapMs) cur = this.close(cur);
      if (!s.anomalous) continue;
      cur ??= this.track(this.opened(key, labels, s), true);
      this.extend(cur, s);
      this.anomalies.push({
        id: newId('ano'),
        subscription_id: this.sub.id,
        episode_id: cur.row.id,
        owner: this.sub.owner,
        metric: labels.__name__ ?? 'resource',
        resource_id: labels.resource_id ?? null,
        labels: JSON.stringify(labels),
        at: new Date(s.t),
        value: s.value,
        expected: s.expected,
        low: s.low,
        high: s.high,
        score: s.score,
        threshold: this.sub.threshold,
      });
      this.deliverIfDue(cur);
    }
    // No anomalous point for longer than the gap (up to now): the episode is over.
    if (cur && this.now - new Date(cur.row.end_at).getTime() > this.timing.gapMs) this.close(cur);
  }

  /** Open episodes of series that had no new points this pass, closed once the gap has passed. */
  closeStale(open: Map<string, EpisodeRow>, seen: Set<string>) {
    for (const [key, ep] of open)
      if (!seen.has(key) && this.now - new Date(ep.end_at).getTime() > this.timing.gapMs)
        this.close(this.track(ep, false));
  }

  private track(row: EpisodeRow, isNew: boolean): Tracked {
    const t = { row: { ...row }, isNew, dirty: isNew };
    this.tracked.push(t);
    return t;
  }

  private opened(key: string, labels: Record<string, string>, s: Scored): EpisodeRow {
    const at = new Date(s.t);
    return {
      id: newId('aep'),
      subscription_id: this.sub.id,
      owner: this.sub.owner,
      series_key: key,
      labels,
      status: 'open',
      start_at: at,
      end_at: at,
      points: 0,
      peak_score: s.score,
      peak_at: at,
      observed: s.value,
      expected: s.expected,
      low: s.low,
      high: s.high,
      drivers: s.drivers,
      delivered_at: null,
      delivery_id: null,
      false_positive: false,
      false_positive_at: null,
    } as EpisodeRow;
  }

  private extend(cur: Tracked, s: Scored) {
    const r = cur.row;
    r.end_at = new Date(s.t);
    r.points += 1;
    if (s.score >= r.peak_score || r.points === 1)
      Object.assign(r, {
        peak_score: s.score,
        peak_at: new Date(s.t),
        observed: s.value,
        expected: s.expected,
        low: s.low,
        high: s.high,
        drivers: s.drivers,
      });
    cur.dirty = true;
  }

  private close(cur: Tracked): undefined {
    this.deliverIfDue(cur);
    cur.row.status = 'closed';
    cur.dirty = true;
    return undefined;
  }

  /** The first time an episode has lasted min_duration: one delivery row (webhook) or one event (websocket). */
  private deliverIfDue(cur: Tracked) {
    const r = cur.row;
    if (r.delivered_at || r.false_positive || durationMs(r, this.timing.stepMs) < this.timing.minDurationMs) return;
    r.delivered_at = new Date(this.now);
    cur.dirty = true;
    const channel = this.sub.channel as { type: string; notification_channel_id?: string };
    if (channel.type === 'webhook') {
      r.delivery_id = newId('dlv');
      const payload = episodePayload(this.sub, presentEpisode(r, this.timing.stepMs), this.externalUrl);
      this.deliveries.push({
        id: r.delivery_id,
        channel_id: channel.notification_channel_id,
        rule_id: null,
        anomaly_episode_id: r.id,
        status: 'pending',
        alert_status: 'firing',
        payload: JSON.stringify(payload),
        next_attempt_at: new Date(this.now),
        created_at: new Date(this.now),
      });
    } else this.events.push(episodeEvent(this.sub, r, this.now));
  }

  /** Everything of the pass, in the order the foreign keys need. */
  async write(trx: Knex.Transaction) {
    const column = ({ seq: _seq, ...r }: EpisodeRow) => ({
      ...r,
      labels: JSON.stringify(r.labels),
      drivers: JSON.stringify(r.drivers),
    });
    // closings first, so the one-open-episode-per-series index holds while a new one opens
    const dirty = this.tracked.filter((x) => x.dirty && !x.isNew);
    for (const t of [
      ...dirty.filter((x) => x.row.status === 'closed'),
      ...dirty.filter((x) => x.row.status === 'open'),
    ])
      await trx(EPISODES).where({ id: t.row.id }).update(column(t.row));
    const fresh = this.tracked.filter((x) => x.isNew);
    // new episodes in two statements: the closed ones, then the open ones (at most one per series)
    for (const status of ['closed', 'open']) {
      const rows = fresh.filter((x) => x.row.status === status).map((x) => column(x.row));
      for (let i = 0; i < rows.length; i += 500) await trx(EPISODES).insert(rows.slice(i, i + 500));
    }
    for (let i = 0; i < this.anomalies.length; i += 500) await trx(ANOMALIES).insert(this.anomalies.slice(i, i + 500));
    if (this.deliveries.length) await trx(DELIVERIES).insert(this.deliveries);
    // NOTIFY is sent on commit only, so a rolled-back pass tells no one.
    for (const ev of this.events) await trx.raw(`select pg_notify('atonix_events', ?)`, [JSON.stringify([ev])]);
  }
}
