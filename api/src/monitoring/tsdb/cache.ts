// The seed's cache of recent metric queries on one resource (`metrics:{resource_id}:{duration}`, 5 minutes): in
// Redis when REDIS_URL is set (shared by replicas), in a bounded in-process LRU otherwise. Expiry is judged by the
// platform clock (an entry carries its expiry), so a manual clock ages entries as it ages everything else; Redis'
// own TTL only bounds what a forgotten key costs.
import { Redis } from 'ioredis';

export const CACHE_TTL_MS = 5 * 60_000;
const LRU_MAX = 1000;

interface Entry {
  expiresAt: number;
  value: unknown;
}

export interface MetricsCache {
  get(key: string, now: number): Promise<unknown | undefined>;
  set(key: string, value: unknown, now: number): Promise<void>;
  close(): Promise<void>;
}

export function lruCache(max = LRU_MAX): MetricsCache {
  const entries = new Map<string, Entry>();
  return {
    async get(key, now) {
      const e = entries.get(key);
      if (!e) return undefined;
      entries.delete(key);
      if (e.expiresAt <= now) return undefined;
      entries.set(key, e); // most recently used last
      return e.value;
    },
    async set(key, value, now) {
      entries.delete(key);
      entries.set(key, { expiresAt: now + CACHE_TTL_MS, value });
      while (entries.size > max) entries.delete(entries.keys().next().value!);
    },
    async close() {},
  };
}

export function redisCache(url: string, onError: (err: unknown) => void): MetricsCache {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true });
  redis.on('error', onError);
  // A cache must never hold the process open.
  redis.on('connect', () => (redis as unknown as { stream?: { unref?(): void } }).stream?.unref?.());
  return {
    async get(key, now) {
      try {
        const raw = await redis.get(key);
        if (raw === null) return undefined;
        const e = JSON.parse(raw) as Entry;
        return e.expiresAt > now ? e.value : undefined;
      } catch (err) {
        onError(err); // an unreachable cache is a miss, not a failed query
        return undefined;
      }
    },
    async set(key, value, now) {
      try {
        await redis.set(key, JSON.stringify({ expiresAt: now + CACHE_TTL_MS, value }), 'PX', CACHE_TTL_MS);
      } catch (err) {
        onError(err);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}

const caches = new WeakMap<object, MetricsCache>();

/** The cache of one platform (Redis when REDIS_URL is set), made on first use. */
export function metricsCache(deps: {
  config: { redisUrl?: string };
  log: { warn(o: object, m: string): void };
}): MetricsCache {
  let c = caches.get(deps);
  if (!c) {
    const url = deps.config.redisUrl;
    c = url ? redisCache(url, (err) => deps.log.warn({ err }, 'metrics cache (Redis) failed')) : lruCache();
    caches.set(deps, c);
  }
  return c;
}
