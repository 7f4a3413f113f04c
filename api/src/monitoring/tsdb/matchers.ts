// The store's side of label matchers: what SQL can narrow candidates by (the metric name, equalities through jsonb
// containment on the GIN index); every matcher is then applied in JS (../matchers.ts).
import type { Labels, Matcher } from '../types.js';

export { matchesAll } from '../matchers.js';

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
