// RFC 9111 freshness for a shared cache within a cache policy's TTLs: whether a response may be stored, how long it
// stays fresh (§4.2.1), its age (§4.2.3), and how long it may be served stale (RFC 5861). Pure: time is passed in.
import type { CachePolicy } from '../model.js';

export type Directives = Map<string, string | true>;

/** `Cache-Control` as directive -> argument (`true` for a bare directive); names lower-cased, quotes dropped. */
export function parseCacheControl(value: string | string[] | undefined): Directives {
  const out: Directives = new Map();
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (!name) continue;
    const arg =
      eq < 0
        ? true
        : part
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1');
    if (!out.has(name)) out.set(name, arg); // §4.2.1: the first of duplicated directives wins
  }
  return out;
}

/** A delta-seconds argument, or undefined when absent or malformed (a malformed one is treated as absent). */
function seconds(d: Directives, name: string): number | undefined {
  const v = d.get(name);
  return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
}

const httpDate = (v: string | undefined): number | undefined => {
  if (!v) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
};

/** Statuses cacheable by default (§4.2.2's heuristically cacheable ones). */
const CACHEABLE = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);

export interface Freshness {
  /** seconds the response is fresh for, from when it was received */
  lifetime: number;
  /** seconds past its lifetime it may still be served while a refresh runs (stale-while-revalidate) */
  staleWhileRevalidate: number;
  /** seconds past its lifetime it may still be served when the origin fails (stale-if-error) */
  staleIfError: number;
  /** must-revalidate / proxy-revalidate / no-cache: never served stale */
  mustRevalidate: boolean;
  /** where the lifetime came from, for the README's claims and for debugging */
  source: 's-maxage' | 'max-age' | 'expires' | 'heuristic' | 'default' | 'no-cache';
}

const clamp = (v: number, p: CachePolicy) => Math.min(Math.max(v, p.min_ttl), p.max_ttl);

/**
 * The freshness of a response for a shared cache, or undefined when it may not be stored: `no-store`, `private`,
 * `Vary: *`, a request with `Authorization` the response does not allow (§3.5), or a status not cacheable by default
 * without explicit freshness. The policy bounds explicit and heuristic lifetimes (min/max TTL) and gives the lifetime
 * of a response that says nothing (default TTL), as CloudFront's cache policies do.
 */
export function freshness(
  status: number,
  headers: Record<string, string>,
  policy: CachePolicy,
  opts: { authorized?: boolean } = {},
): Freshness | undefined {
  const cc = parseCacheControl(headers['cache-control']);
  if (cc.has('no-store') || cc.has('private')) return undefined;
  if ((headers['vary'] ?? '').split(',').some((v) => v.trim() === '*')) return undefined;
  if (opts.authorized && !cc.has('public') && !cc.has('s-maxage') && !cc.has('must-revalidate')) return undefined;
  const mustRevalidate = cc.has('must-revalidate') || cc.has('proxy-revalidate') || cc.has('no-cache');
  const stale = {
    staleWhileRevalidate: mustRevalidate ? 0 : (seconds(cc, 'stale-while-revalidate') ?? 0),
    staleIfError: mustRevalidate ? 0 : (seconds(cc, 'stale-if-error') ?? 0),
    mustRevalidate,
  };
  // no-cache: storable, but every use is revalidated first (§5.2.2.4).
  if (cc.has('no-cache')) return { lifetime: 0, source: 'no-cache', ...stale };
  const sMaxAge = seconds(cc, 's-maxage');
  if (sMaxAge !== undefined) return { lifetime: clamp(sMaxAge, policy), source: 's-maxage', ...stale };
  const maxAge = seconds(cc, 'max-age');
  if (maxAge !== undefined) return { lifetime: clamp(maxAge, policy), source: 'max-age', ...stale };
  const date = httpDate(headers['date']);
  if (headers['expires'] !== undefined) {
    // An invalid Expires (such as "0") means already expired (§5.3).
    const expires = httpDate(headers['expires']);
    const lifetime = expires === undefined || date === undefined ? 0 : Math.max(0, (expires - date) / 1000);
    return { lifetime: clamp(Math.floor(lifetime), policy), source: 'expires', ...stale };
  }
  if (!CACHEABLE.has(status)) return undefined;
  const lastModified = httpDate(headers['last-modified']);
  if (lastModified !== undefined && date !== undefined && date > lastModified) {
    // §4.2.2: a tenth of the time since the last modification, the usual heuristic.
    return { lifetime: clamp(Math.floor((date - lastModified) / 10_000), policy), source: 'heuristic', ...stale };
  }
  return { lifetime: policy.default_ttl, source: 'default', ...stale };
}

/**
 * The age the origin reported (§4.2.3's age_value). The apparent age from `Date` is not used: the origin's clock and
 * the platform's (manual in tests) need not agree, and the edge measures resident time on the platform clock.
 */
export function initialAge(headers: Record<string, string>): number {
  const v = headers['age'];
  return v && /^\d+$/.test(v.trim()) ? Number(v.trim()) : 0;
}
