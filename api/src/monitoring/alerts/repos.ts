// The data access of alerts: the three kinds' repos and the tables of history and deliveries (only this file and
// the evaluator's and deliverer's statements name them).
import { registry } from '../../generated/registry.js';
import { ResourceRepo, type Schemas } from '../../platform/resources/repo.js';
import type { Clock } from '../../platform/clock.js';
import { silenceState } from './silences-match.js';
import type { LiveAlert } from './transitions.js';

export const rules = new ResourceRepo<Schemas['AlertRule'], { alerts: LiveAlert[] }>(registry.alert_rule);
export type RuleRow = Awaited<ReturnType<typeof rules.get>>;

export const channels = new ResourceRepo<Schemas['NotificationChannel']>(registry.notification_channel, {
  // never answered: the secret signs, it is not read back
  secret: () => undefined,
});
export type ChannelRow = Awaited<ReturnType<typeof channels.get>>;

/** The silences' repo presents `state` from platform time, so it is made once the clock is known. */
let silenceRepo: ResourceRepo<Schemas['Silence']> | undefined;
export function silences(clock: Clock) {
  return (silenceRepo ??= new ResourceRepo<Schemas['Silence']>(registry.silence, {
    state: (row) => silenceState(row, clock.now()),
  }));
}
export type SilenceRepoRow = Awaited<ReturnType<ReturnType<typeof silences>['get']>>;

export const HISTORY = 'alert_history';
export const DELIVERIES = 'alert_deliveries';
