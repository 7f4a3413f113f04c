// A subscription's rules beyond its schema: the selector (a PromQL series selector naming a metric), the durations,
// the channel (a webhook notification channel of the owner's, or the WebSocket), and the threshold its sensitivity
// and false positives make. 422s name the field.
import type { Knex } from 'knex';
import { parseDuration } from '../../monitoring/alerts/durations.js';
import { PromQLError, parseSelector } from '../../monitoring/promql/index.js';
import type { Matcher } from '../../monitoring/types.js';
import type { Principal } from '../../platform/operations/principals.js';
import { problems, type FieldError } from '../../platform/problems.js';
import { FOREST_THRESHOLDS, THRESHOLDS, tunedForestThreshold, tunedThreshold, type Sensitivity } from './detectors.js';
import { EPISODES, notificationChannels } from './repos.js';

const MIN_STEP_MS = 10_000;
const MAX_STEP_MS = 3_600_000;

export interface SubscriptionFields {
  selector: string;
  mode: 'series' | 'resource';
  sensitivity: Sensitivity;
  min_duration: string;
  step: string;
  channel: { type: 'webhook' | 'websocket'; notification_channel_id?: string | null };
}

/** The selector's matchers, or a 422 at /selector. */
export function selectorMatchers(selector: string): Matcher[] {
  let ms: Matcher[];
  try {
    ms = parseSelector(selector);
  } catch (e) {
    if (!(e instanceof PromQLError)) throw e;
    throw problems.validation([{ pointer: '/selector', detail: e.message, code: 'InvalidSelector' }]);
  }
  if (!ms.some((m) => m.name === '__name__' && m.op === '='))
    throw problems.validation([
      { pointer: '/selector', detail: 'must name a metric (`name{label="value"}`)', code: 'InvalidSelector' },
    ]);
  return ms;
}

/** The step and minimum duration in ms (checked by checkFields). */
export function timings(s: Pick<SubscriptionFields, 'step' | 'min_duration'>) {
  return { stepMs: parseDuration(s.step)!, minDurationMs: parseDuration(s.min_duration)! };
}

/** Every field rule at once: 422 with all the pointers that fail. */
export async function checkFields(db: Knex | Knex.Transaction, principal: Principal, s: SubscriptionFields) {
  selectorMatchers(s.selector);
  const errors: FieldError[] = [];
  const step = parseDuration(s.step);
  if (step === null) errors.push({ pointer: '/step', detail: 'is not a duration', code: 'InvalidDuration' });
  else if (step < MIN_STEP_MS || step > MAX_STEP_MS)
    errors.push({ pointer: '/step', detail: 'must be between 10s and 1h', code: 'OutOfRange' });
  if (parseDuration(s.min_duration) === null)
    errors.push({ pointer: '/min_duration', detail: 'is not a duration', code: 'InvalidDuration' });
  const id = s.channel.notification_channel_id;
  if (s.channel.type === 'websocket' && id)
    errors.push({
      pointer: '/channel/notification_channel_id',
      detail: 'is for webhook channels only',
      code: 'InvalidValue',
    });
  if (s.channel.type === 'webhook' && !id)
    errors.push({ pointer: '/channel/notification_channel_id', detail: 'is required for a webhook', code: 'Required' });
  if (errors.length) throw problems.validation(errors);
  if (s.channel.type === 'webhook') {
    // Another owner's channel is as unknown as a missing one (tenancy: a 404 never confirms it exists).
    const ch = await notificationChannels.get(db, principal, id!).catch(() => {
      throw problems.referenceNotFound('channel/notification_channel_id', id);
    });
    if (ch.type !== 'webhook')
      throw problems.invalidField(
        'channel/notification_channel_id',
        `${id} is a ${ch.type} channel; a webhook channel is needed (or channel.type websocket)`,
      );
  }
}

/**
 * The threshold of `sensitivity` (a robust z-score in series mode, a forest score in resource mode) tuned by the
 * subscription's false positives so far (their peak scores).
 */
export async function thresholdOf(
  db: Knex | Knex.Transaction,
  subscriptionId: string | null,
  sensitivity: Sensitivity,
  mode: 'series' | 'resource',
): Promise<number> {
  const forest = mode === 'resource';
  const base = (forest ? FOREST_THRESHOLDS : THRESHOLDS)[sensitivity];
  if (!subscriptionId) return base;
  const rows: { peak_score: number }[] = await db(EPISODES)
    .where({ subscription_id: subscriptionId, false_positive: true })
    .select('peak_score');
  const scores = rows.map((r) => r.peak_score);
  return forest ? tunedForestThreshold(base, scores) : tunedThreshold(base, scores);
}
