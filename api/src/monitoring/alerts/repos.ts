// The data access of alerts: the three kinds' repos and the tables of history and deliveries (only this file and
// the evaluator's and deliverer's statements name them).
import { registry } from '../../generated/registry.js';
import { ResourceRepo, type Schemas } from '../../platform/resources/repo.js';
import type { Clock } from '../../platform/clock.js';
import { goTime } from './payload.js';
import { silenceState } from './silences-match.js';
import type { LiveAlert } from './transitions.js';

export const rules = new ResourceRepo<Schemas['AlertRule'], { alerts: LiveAlert[] }>(registry.alert_rule);
export type RuleRow = Awaited<ReturnType<typeof rules.get>>;

export const channels = new ResourceRepo<Schemas['NotificationChannel']>(registry.notification_channel, {
  // never answered: the secret signs, it is not read back
  secret: () => undefined,
});
export type ChannelRow = Awaited<ReturnType<typeof channels.get>>;

/** The silences' repo presents `state` from platform time: one per clock (a process may run several platforms). */
const silenceRepos = new WeakMap<Clock, ResourceRepo<Schemas['Silence']>>();
export function silences(clock: Clock) {
  let repo = silenceRepos.get(clock);
  if (!repo) silenceRepos.set(clock, (repo = silenceRepo(clock)));
  return repo;
}

function silenceRepo(clock: Clock) {
  // Times as RFC 3339 without a zero fraction, so `ends_at = "2030-01-01T00:00:00Z"` in Terraform reads back unchanged.
  const time = (d: Date | string) => goTime(new Date(d).toISOString());
  return new ResourceRepo<Schemas['Silence']>(registry.silence, {
    state: (row) => silenceState(row, clock.now()),
    starts_at: (row) => time(row.starts_at),
    ends_at: (row) => time(row.ends_at),
  });
}
export type SilenceRepoRow = Awaited<ReturnType<ReturnType<typeof silences>['get']>>;

export const HISTORY = 'alert_history';
export const SILENCES = registry.silence.table;
export const DELIVERIES = 'alert_deliveries';
