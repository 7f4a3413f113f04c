// Label matchers as Prometheus 2.42 applies them, shared by the store, the PromQL engine and silences: a missing
// label matches as the empty string, regular expressions are fully anchored (`^(?:re)$`), and RE2's leading
// `(?i)`/`(?s)` flags become JavaScript's.
import type { Labels, Matcher } from './types.js';

/** A matcher whose regular expression does not compile. */
export class BadMatcher extends Error {}

/** compiled predicates by operator and value: dashboards and alert rules repeat the same ones */
const compiled = new Map<string, (value: string) => boolean>();
const CACHE_MAX = 10_000;

/** A matcher as a predicate over one label's value. */
export function matcherFn(m: Pick<Matcher, 'op' | 'value'>): (value: string) => boolean {
  const key = `${m.op}\u0000${m.value}`;
  let fn = compiled.get(key);
  if (fn) return fn;
  if (m.op === '=') fn = (v) => v === m.value;
  else if (m.op === '!=') fn = (v) => v !== m.value;
  else {
    const re = anchored(m.value);
    fn = m.op === '=~' ? (v) => re.test(v) : (v) => !re.test(v);
  }
  if (compiled.size >= CACHE_MAX) compiled.clear();
  compiled.set(key, fn);
  return fn;
}

function anchored(source: string): RegExp {
  let src = source;
  let flags = '';
  const lead = /^\(\?([is]+)\)/.exec(src);
  if (lead) {
    flags = [...new Set(lead[1]!)].join('');
    src = src.slice(lead[0].length);
  }
  try {
    return new RegExp(`^(?:${src})$`, flags);
  } catch (e) {
    throw new BadMatcher((e as Error).message);
  }
}

export const matches = (labels: Labels, m: Matcher): boolean => matcherFn(m)(labels[m.name] ?? '');

export const matchesAll = (labels: Labels, ms: Matcher[]): boolean => ms.every((m) => matches(labels, m));

/** Why a regular expression does not compile, or null when it does. */
export function regexError(source: string): string | null {
  try {
    anchored(source);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
