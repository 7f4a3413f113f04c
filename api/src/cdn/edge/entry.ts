// A stored response as the edge keeps it: the origin's status, headers and full body, when it arrived on the platform
// clock, its freshness, and the request header values its Vary named (RFC 9111 §4.1), so a lookup picks its variant.
import type { Freshness } from './freshness.js';

export interface Entry {
  /** the primary cache key (cache-key.ts) */
  key: string;
  distributionId: string;
  /** the viewer path, matched by invalidations */
  path: string;
  status: number;
  /** lower-case names, as the origin sent them (hop-by-hop ones dropped) */
  headers: Record<string, string>;
  body: Buffer;
  /** platform ms when the response (or its last 304) arrived */
  receivedAt: number;
  /** the age the origin reported, seconds */
  initialAge: number;
  freshness: Freshness;
  /** request header name -> the value it had when stored, for each name of the response's Vary */
  varyValues: Record<string, string>;
}

/** Seconds since the origin produced the response (§4.2.3), on the platform clock. */
export const ageOf = (e: Entry, now: number): number =>
  e.initialAge + Math.max(0, Math.floor((now - e.receivedAt) / 1000));

/** Seconds the entry is past its freshness (negative while fresh). */
export const staleness = (e: Entry, now: number): number => ageOf(e, now) - e.freshness.lifetime;

export const sizeOf = (e: Entry): number => e.body.length + 512 + JSON.stringify(e.headers).length;
