// How anomalies and episodes are answered (the API's representation), the webhook body an episode is delivered
// as, and its WebSocket event.
import type { EpisodeRow, SubscriptionRow } from './repos.js';

/** An episode's length: first to last point, each point standing for one step. */
export const durationMs = (ep: Pick<EpisodeRow, 'start_at' | 'end_at'>, stepMs: number) =>
  new Date(ep.end_at).getTime() - new Date(ep.start_at).getTime() + stepMs;

const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString());

export function presentEpisode(r: EpisodeRow, stepMs: number) {
  return {
    id: r.id,
    subscription_id: r.subscription_id,
    labels: r.labels,
    status: r.status,
    start: iso(r.start_at)!,
    end: iso(r.end_at)!,
    duration_seconds: durationMs(r, stepMs) / 1000,
    points: r.points,
    peak_score: r.peak_score,
    peak_at: iso(r.peak_at)!,
    observed: r.observed,
    expected: r.expected,
    expected_range: { low: r.low, high: r.high },
    drivers: r.drivers,
    delivered: r.delivered_at !== null,
    delivered_at: iso(r.delivered_at),
    delivery_id: r.delivery_id,
    false_positive: r.false_positive,
    false_positive_at: iso(r.false_positive_at),
  };
}
export type PresentedEpisode = ReturnType<typeof presentEpisode>;

export const presentAnomaly = (a: Record<string, any>) => ({
  id: a.id,
  subscription_id: a.subscription_id,
  episode_id: a.episode_id,
  metric: a.metric,
  resource_id: a.resource_id,
  labels: a.labels,
  at: iso(a.at)!,
  value: a.value,
  expected: a.expected,
  low: a.low,
  high: a.high,
  score: a.score,
  threshold: a.threshold,
});

/**
 * The webhook body of a delivered episode: the subscription, the series (labels), start, peak score, expected range,
 * observed value and the series that drove it. Signed and retried by the alerts' deliverer like any delivery.
 */
export function episodePayload(sub: SubscriptionRow, episode: PresentedEpisode, externalUrl: string) {
  return {
    version: '1',
    type: 'anomaly.episode',
    status: 'firing',
    subscription: {
      id: sub.id,
      name: sub.name,
      selector: sub.selector,
      mode: sub.mode,
      sensitivity: sub.sensitivity,
      threshold: sub.threshold,
    },
    episode,
    url: `${externalUrl}/api/ai/anomalies/episodes/${episode.id}`,
  };
}

/** The `anomaly_subscription.episode` event (kept small: NOTIFY carries 8000 bytes). */
export function episodeEvent(sub: SubscriptionRow, r: EpisodeRow, now: number) {
  return {
    type: 'anomaly_subscription.episode',
    kind: 'anomaly_subscription',
    id: sub.id,
    owner: sub.owner,
    status: 'firing',
    episode_id: r.id,
    labels: r.labels,
    peak_score: r.peak_score,
    start: iso(r.start_at),
    at: new Date(now).toISOString(),
  };
}
