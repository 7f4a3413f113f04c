// Whether a silence holds an alert back: active at the time (starts_at <= t < ends_at) and every matcher matching
// the alert's labels, regular expressions fully anchored as in Alertmanager (a missing label is the empty string).
import type { Labels, Matcher } from '../types.js';

/** A silence's matcher: `op` left out means `=`. */
export type SilenceMatcher = Omit<Matcher, 'op'> & { op?: Matcher['op'] | null };

export interface SilenceRow {
  id: string;
  matchers: SilenceMatcher[];
  starts_at: Date | string;
  ends_at: Date | string;
}

const regexes = new Map<string, RegExp>();
function anchored(source: string): RegExp {
  let re = regexes.get(source);
  if (!re) {
    re = new RegExp(`^(?:${source})$`, 'su');
    if (regexes.size > 1000) regexes.clear();
    regexes.set(source, re);
  }
  return re;
}

/** Checks that a matcher's regular expression compiles (the silence's create answers 422 otherwise). */
export function regexError(source: string): string | null {
  try {
    anchored(source);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

export function matches(m: SilenceMatcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op ?? '=') {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return anchored(m.value).test(v);
    case '!~':
      return !anchored(m.value).test(v);
  }
}

export const silenceState = (s: Pick<SilenceRow, 'starts_at' | 'ends_at'>, now: number) =>
  now < new Date(s.starts_at).getTime() ? 'pending' : now < new Date(s.ends_at).getTime() ? 'active' : 'expired';

/** The ids of the silences active at `now` that match `labels`. */
export const silencing = (silences: SilenceRow[], labels: Labels, now: number): string[] =>
  silences
    .filter((s) => silenceState(s, now) === 'active' && s.matchers.every((m) => matches(m, labels)))
    .map((s) => s.id);
