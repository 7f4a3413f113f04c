// Label-set helpers with Prometheus's rules: identity keys, ordering, dropping the metric name, matching on labels.
import type { Labels, Matcher } from '../types.js';
import { BadMatcher, matcherFn as sharedMatcher } from '../matchers.js';
import { badData } from './errors.js';

const keys = new WeakMap<Labels, string>();

/** A canonical identity of a label set (sorted names, empty values left out as Prometheus never stores them). */
export function labelsKey(labels: Labels): string {
  let k = keys.get(labels);
  if (k === undefined) {
    const names = Object.keys(labels)
      .filter((n) => labels[n] !== '')
      .sort();
    k = JSON.stringify(names.map((n) => [n, labels[n]]));
    keys.set(labels, k);
  }
  return k;
}

/** Prometheus's labels.Compare: pairwise by sorted name then value, then the shorter set first. */
export function compareLabels(a: Labels, b: Labels): number {
  const an = Object.keys(a).sort();
  const bn = Object.keys(b).sort();
  for (let i = 0; i < Math.min(an.length, bn.length); i++) {
    if (an[i] !== bn[i]) return an[i]! < bn[i]! ? -1 : 1;
    const av = a[an[i]!]!;
    const bv = b[bn[i]!]!;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return an.length - bn.length;
}

const nameless = new WeakMap<Labels, Labels>();

/** The labels without `__name__`, the same object every time for the same input (so identity keys are cached). */
export function dropName(labels: Labels): Labels {
  if (!('__name__' in labels)) return labels;
  let out = nameless.get(labels);
  if (!out) {
    const { __name__: _, ...rest } = labels;
    out = rest;
    nameless.set(labels, out);
  }
  return out;
}

/** Go's labels.String(): `{a="b", c="d"}`. */
export function formatLabels(labels: Labels): string {
  const names = Object.keys(labels).sort();
  return `{${names.map((n) => `${n}=${JSON.stringify(labels[n])}`).join(', ')}}`;
}

const picked = new WeakMap<Labels, Map<string, Labels>>();

/**
 * The labels `names` keeps (by / on), or all but `names` and `__name__` (without / ignoring). The same object comes
 * back for the same series and grouping at every step, so its identity key is computed once per query.
 */
export function pick(labels: Labels, names: string[], on: boolean): Labels {
  let byGrouping = picked.get(labels);
  if (!byGrouping) picked.set(labels, (byGrouping = new Map()));
  const spec = `${on ? '+' : '-'}${names.join('\u0000')}`;
  let out = byGrouping.get(spec);
  if (!out) byGrouping.set(spec, (out = pickFresh(labels, names, on)));
  return out;
}

function pickFresh(labels: Labels, names: string[], on: boolean): Labels {
  const out: Labels = {};
  if (on) {
    for (const n of names) if (labels[n] !== undefined && labels[n] !== '') out[n] = labels[n];
  } else {
    for (const [n, v] of Object.entries(labels)) if (n !== '__name__' && !names.includes(n)) out[n] = v;
  }
  return out;
}

/** A matcher as a predicate over a label's value (../matchers.ts); a bad regular expression is bad_data. */
export function matcherFn(m: Matcher): (value: string) => boolean {
  try {
    return sharedMatcher(m);
  } catch (e) {
    if (!(e instanceof BadMatcher)) throw e;
    throw badData(`invalid regular expression in matcher ${m.name}${m.op}${JSON.stringify(m.value)}`);
  }
}

/** Whether a series' labels satisfy every matcher. */
export function matchesAll(labels: Labels, matchers: Matcher[]): boolean {
  return matchers.every((m) => matcherFn(m)(labels[m.name] ?? ''));
}
