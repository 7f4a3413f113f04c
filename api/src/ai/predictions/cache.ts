// Forecasts kept in memory, least recently used first out: keyed by the caller's scope, the question and the
// fingerprint of the raw samples read (each series' newest sample and count), so a new point is a new forecast
// and the same question over the same data is answered without refitting.
import { createHash } from 'node:crypto';
import type { Scope } from '../../monitoring/types.js';
import type { Question } from './params.js';

/** At most this many answers, and at most this many forecast points in all (an answer may hold 10 x 2,016). */
const ENTRIES = 256;
const POINTS = 200_000;

export class Lru<V> {
  private map = new Map<string, { v: V; weight: number }>();
  private weight = 0;
  constructor(
    private entries: number,
    private maxWeight: number,
  ) {}
  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    // Map keeps insertion order: re-inserting makes this the most recently used.
    this.map.delete(key);
    this.map.set(key, e);
    return e.v;
  }
  set(key: string, v: V, weight = 1): void {
    this.drop(key);
    if (weight > this.maxWeight) return;
    this.map.set(key, { v, weight });
    this.weight += weight;
    while (this.map.size > this.entries || this.weight > this.maxWeight) this.drop(this.map.keys().next().value!);
  }
  private drop(key: string): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.weight -= e.weight;
  }
}

export function cacheKey(scope: Scope, q: Question, endMs: number, fingerprint: string): string {
  const question = [scope.owner, q.expr, q.stepMs, q.horizonSteps, q.historySteps, q.model, endMs];
  return createHash('sha256')
    .update(JSON.stringify([question, fingerprint]))
    .digest('base64url');
}

const caches = new WeakMap<object, Lru<unknown>>();

/** One cache per platform (Deps): two test apps in one process never share answers. */
export function predictionCache<V>(owner: object): Lru<V> {
  let c = caches.get(owner);
  if (!c) caches.set(owner, (c = new Lru<unknown>(ENTRIES, POINTS)));
  return c as Lru<V>;
}
