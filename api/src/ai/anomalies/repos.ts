// The data access of anomaly detection: the subscriptions' repo and the tables of engine state, anomalies and
// episodes (only this file and the engine's and feed's statements name them).
import { registry } from '../../generated/registry.js';
import { ResourceRepo, type Schemas } from '../../platform/resources/repo.js';

export const subscriptions = new ResourceRepo<Schemas['AnomalySubscription']>(registry.anomaly_subscription, {
  // a websocket channel has no notification channel: answered without the key, as Terraform's map holds it
  channel: (row) => {
    const c = row.channel as { type: string; notification_channel_id?: string | null };
    return c.type === 'webhook'
      ? { type: c.type, notification_channel_id: c.notification_channel_id }
      : { type: c.type };
  },
});
export type SubscriptionRow = Awaited<ReturnType<typeof subscriptions.get>>;

export const SERIES = 'ai_anomaly_series';
export const EPISODES = 'ai_anomaly_episodes';
export const ANOMALIES = 'ai_anomalies';
export { DELIVERIES } from '../../monitoring/alerts/repos.js';
export { channels as notificationChannels } from '../../monitoring/alerts/repos.js';

/** One series' engine state (a row of ai_anomaly_series). */
export interface SeriesState {
  subscription_id: string;
  series_key: string;
  labels: Record<string, string>;
  last_t: string | number | null;
  model: unknown;
  fitted_at: Date | null;
  history_points: number;
  needed_points: number;
}

/** One episode row. */
export interface EpisodeRow {
  seq: number;
  id: string;
  subscription_id: string;
  owner: string;
  series_key: string;
  labels: Record<string, string>;
  status: 'open' | 'closed';
  start_at: Date;
  end_at: Date;
  points: number;
  peak_score: number;
  peak_at: Date;
  observed: number;
  expected: number | null;
  low: number | null;
  high: number | null;
  drivers: Driver[];
  delivered_at: Date | null;
  delivery_id: string | null;
  false_positive: boolean;
  false_positive_at: Date | null;
}

export interface Driver {
  labels: Record<string, string>;
  value: number;
  expected: number | null;
  score: number;
}
