// Label matchers as Prometheus applies them: a missing label matches as the empty string, and regular expressions
// are fully anchored. The store narrows candidates in SQL by name and by equalities (jsonb containment, on the GIN
// index) and applies every matcher here.
import type { Labels, Matcher } from '../types.js';

const compiled = new Map<string, RegExp>();

/** `^(?:re)$`, with dotall so `.` matches a newline as in RE2's Prometheus use (cached: dashboards repeat them). */
export function anchored(re: string): RegExp {
  let r = compiled.get(re);
  if (!r) {
    r = new RegExp(`^(?:${re})$`, 's');
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(re, r);
  }
  return r;
}

export function matches(labels: Labels, m: Matcher): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
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

export const matchesAll = (labels: Labels, ms: Matcher[]) => ms.every((m) => matches(labels, m));

/** What SQL can narrow by: the metric name when a matcher fixes it, and the other fixed non-empty labels. */
export function narrowing(ms: Matcher[]): { name?: string; contains: Labels } {
  let name: string | undefined;
  const contains: Labels = {};
  for (const m of ms) {
    if (m.op !== '=' || m.value === '') continue;
    if (m.name === '__name__') name = m.value;
    else contains[m.name] = m.value;
  }
  return { name, contains };
}
