// Whether a silence holds an alert back: active at the time (starts_at <= t < ends_at) and every matcher matching
// the alert's labels, regular expressions fully anchored as in Alertmanager (a missing label is the empty string).
import { matches as matches_ } from '../matchers.js';
import type { Labels, Matcher } from '../types.js';

/** A silence's matcher: `op` left out means `=`. */
export type SilenceMatcher = Omit<Matcher, 'op'> & { op?: Matcher['op'] | null };

export interface SilenceRow {
  id: string;
  matchers: SilenceMatcher[];
  starts_at: Date | string;
  ends_at: Date | string;
}

/** Checks that a matcher's regular expression compiles (the silence's create answers 422 otherwise). */
export { regexError } from '../matchers.js';

/** Whether the matcher (`=` when its `op` is left out) holds for the labels. */
export const matches = (m: SilenceMatcher, labels: Labels): boolean => matches_(labels, { ...m, op: m.op ?? '=' });

export const silenceState = (s: Pick<SilenceRow, 'starts_at' | 'ends_at'>, now: number) =>
  now < new Date(s.starts_at).getTime() ? 'pending' : now < new Date(s.ends_at).getTime() ? 'active' : 'expired';

/** The ids of the silences active at `now` that match `labels`. */
export const silencing = (silences: SilenceRow[], labels: Labels, now: number): string[] =>
  silences
    .filter((s) => silenceState(s, now) === 'active' && s.matchers.every((m) => matches(m, labels)))
    .map((s) => s.id);
