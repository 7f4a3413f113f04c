// The managed cache policies every owner may use, with CloudFront's values for the policies of the same names. They
// are seeded at every start (so a changed value here reaches existing installations) and are read-only to users.
import type { Knex } from 'knex';

const none = { behavior: 'none', names: [] };
const ONE_YEAR = 31_536_000;

export const MANAGED_CACHE_POLICIES = [
  {
    id: 'cp-cachingoptimized',
    name: 'CachingOptimized',
    comment: 'Long TTLs, no query strings, headers or cookies in the key; gzip and brotli normalised.',
    min_ttl: 1,
    default_ttl: 86_400,
    max_ttl: ONE_YEAR,
    query_strings: none,
    headers: none,
    cookies: none,
    enable_gzip: true,
    enable_brotli: true,
  },
  {
    id: 'cp-cachingdisabled',
    name: 'CachingDisabled',
    comment: 'Nothing is cached: every request goes to the origin.',
    min_ttl: 0,
    default_ttl: 0,
    max_ttl: 0,
    query_strings: none,
    headers: none,
    cookies: none,
    enable_gzip: false,
    enable_brotli: false,
  },
  {
    id: 'cp-cachingoptimizedforuncompressedobjects',
    name: 'CachingOptimizedForUncompressedObjects',
    comment: 'As CachingOptimized, without Accept-Encoding in the key (for objects that do not compress).',
    min_ttl: 1,
    default_ttl: 86_400,
    max_ttl: ONE_YEAR,
    query_strings: none,
    headers: none,
    cookies: none,
    enable_gzip: false,
    enable_brotli: false,
  },
  {
    id: 'cp-elementalmediapackage',
    name: 'Elemental-MediaPackage',
    comment: 'For MediaPackage-style origins: the manifest filter and time-window query strings and Origin in the key.',
    min_ttl: 0,
    default_ttl: 86_400,
    max_ttl: ONE_YEAR,
    query_strings: { behavior: 'allow', names: ['aws.manifestfilter', 'start', 'end', 'm'] },
    headers: { behavior: 'allow', names: ['origin'] },
    cookies: none,
    enable_gzip: true,
    enable_brotli: false,
  },
] as const;

export const MANAGED_NAMES: ReadonlySet<string> = new Set(MANAGED_CACHE_POLICIES.map((p) => p.name));

/** Inserts the managed policies, or brings them back to these values (idempotent; the rev moves only on change). */
export async function seedManagedCachePolicies(db: Knex, table: string): Promise<void> {
  for (const p of MANAGED_CACHE_POLICIES) {
    const row = {
      ...p,
      type: 'managed',
      owner: null,
      query_strings: JSON.stringify(p.query_strings),
      headers: JSON.stringify(p.headers),
      cookies: JSON.stringify(p.cookies),
    };
    const current = await db(table).where({ id: p.id }).first();
    if (!current) await db(table).insert(row).onConflict('id').ignore();
    else {
      const same = Object.entries(p).every(([k, v]) => JSON.stringify(current[k]) === JSON.stringify(v));
      if (!same)
        await db(table)
          .where({ id: p.id })
          .update({ ...row, rev: current.rev + 1, updated_at: db.fn.now() });
    }
  }
}
