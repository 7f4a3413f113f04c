// Forecasts kept in memory, least recently used first out: keyed by the caller's scope, the question and the
// fingerprint of the raw samples read (each series' newest sample and count), so a new point is a new forecast
// and the same question over the same data is answered without refitting.
import { createHash } from 'node:crypto';
import type { Scope } from '../../monitoring/types.js';
import type { Question } from './params.js';

const ENTRIES = 256;

export class Lru<V> {
  private map = new Map<string, V>();
  constructor(private size: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    while (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
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
  if (!c) caches.set(owner, (c = new Lru<unknown>(ENTRIES)));
  return c as Lru<V>;
}
