// The edge's view of deployed distributions (model.ts) built from the control plane's rows, cache policies
// resolved. The edge listens for `cdn_distribution` change events (status_changed to `deployed`, deleted) and
// re-reads the one distribution; config_version tells it whether what it holds is current.
import type { Knex } from 'knex';
import type { ChangeEvent } from '../platform/events/bus.js';
import type { Row } from '../platform/resources/repo.js';
import type { CacheBehavior, CachePolicy, EdgeDistribution, GeoRules, Origin } from './model.js';

type Db = Knex | Knex.Transaction;

/** Whether the edge must re-read distribution `ev.id` (a deployment finished, or it went away). */
export const changesEdgeConfig = (ev: ChangeEvent) =>
  ev.kind === 'cdn_distribution' && (ev.type === 'deleted' || ev.status === 'deployed');

/** An origin as stored, defaults filled; a URL origin reduced to scheme, host and port (the rules allow no more). */
function originOf(o: Row): Origin {
  if (o.bucket_id != null)
    return { id: o.id, type: 'bucket', bucket_id: o.bucket_id, origin_path: o.origin_path ?? '' };
  return {
    id: o.id,
    type: 'http',
    url: new URL(o.url).origin,
    origin_path: o.origin_path ?? '',
    custom_headers: o.custom_headers ?? {},
    connect_timeout_ms: o.connect_timeout_ms ?? 10_000,
    read_timeout_ms: o.read_timeout_ms ?? 30_000,
  };
}

function policyOf(p: Row): CachePolicy {
  return {
    id: p.id,
    name: p.name,
    min_ttl: p.min_ttl,
    default_ttl: p.default_ttl,
    max_ttl: p.max_ttl,
    query_strings: p.query_strings,
    headers: p.headers,
    cookies: p.cookies,
    enable_gzip: p.enable_gzip,
    enable_brotli: p.enable_brotli,
  };
}

/** A behaviour as stored (as its owner sent it) with CloudFront's defaults for what it left out. */
function behaviorOf(stored: Row, policies: Map<string, CachePolicy>, pattern: string): CacheBehavior {
  const b: Row = {
    allowed_methods: ['GET', 'HEAD'],
    cached_methods: ['GET', 'HEAD'],
    viewer_protocol_policy: 'allow-all',
    compress: false,
    ...stored,
  };
  const policy = policies.get(b.cache_policy_id);
  if (!policy) throw new Error(`cache policy ${b.cache_policy_id} of a deployed distribution is gone`);
  return {
    path_pattern: pattern,
    target_origin_id: b.target_origin_id,
    allowed_methods: b.allowed_methods,
    cached_methods: b.cached_methods,
    viewer_protocol_policy: b.viewer_protocol_policy,
    compress: b.compress,
    cache_policy: policy,
  };
}

const geoOf = (d: Row): GeoRules => ({
  restriction: {
    type:
      d.geo_restriction.restriction_type === 'whitelist'
        ? 'allow'
        : d.geo_restriction.restriction_type === 'blacklist'
          ? 'deny'
          : 'none',
    countries: d.geo_restriction.locations ?? [],
  },
  origin_routes: d.geo_origin_routes.map((r: Row) => ({ match: r.match, target_origin_id: r.target_origin_id })),
});

async function build(db: Db, rows: Row[]): Promise<EdgeDistribution[]> {
  const ids = new Set<string>();
  for (const d of rows)
    for (const b of [d.default_cache_behavior, ...d.ordered_cache_behaviors]) ids.add(b.cache_policy_id);
  const policies = new Map<string, CachePolicy>(
    (await db('cdn_cache_policies').whereIn('id', [...ids])).map((p: Row) => [p.id, policyOf(p)]),
  );
  return rows.map((d) => ({
    id: d.id,
    owner: d.owner,
    config_version: d.config_version,
    enabled: d.enabled,
    domain_name: d.domain_name,
    aliases: d.aliases,
    default_root_object: d.default_root_object,
    origins: d.origins.map(originOf),
    origin_groups: d.origin_groups.map((g: Row) => ({
      id: g.id,
      members: g.members,
      failover_status_codes: g.failover_status_codes,
    })),
    behaviors: [
      ...d.ordered_cache_behaviors.map((b: Row) => behaviorOf(b, policies, b.path_pattern)),
      behaviorOf(d.default_cache_behavior, policies, '*'),
    ],
    custom_error_responses: d.custom_error_responses.map((e: Row) => ({
      error_code: e.error_code,
      ...(e.response_code != null ? { response_code: e.response_code } : {}),
      ...(e.response_page_path != null ? { response_page_path: e.response_page_path } : {}),
      error_caching_min_ttl: e.error_caching_min_ttl ?? 10,
    })),
    geo: geoOf(d),
    edge_locations: d.edge_locations,
  }));
}

/**
 * Every deployed distribution. A distribution whose latest change is still in progress is left out (the edge keeps
 * serving the version it has until the change is deployed; a new one is served once first deployed).
 */
export async function edgeDistributions(db: Db): Promise<EdgeDistribution[]> {
  return build(db, await db('cdn_distributions').where({ status: 'deployed' }).orderBy('seq'));
}

/** One deployed distribution, or undefined when it is gone or not deployed (yet, or again). */
export async function edgeDistribution(db: Db, id: string): Promise<EdgeDistribution | undefined> {
  const row = await db('cdn_distributions').where({ id, status: 'deployed' }).first();
  return row ? (await build(db, [row]))[0] : undefined;
}

/** The distribution that answers host `host` (its domain name or an alias), deployed, or undefined. */
export async function distributionIdForHost(db: Db, host: string): Promise<string | undefined> {
  const h = host.toLowerCase().replace(/:\d+$/, '');
  const alias = await db('cdn_aliases').where({ alias: h }).first('distribution_id');
  if (alias) return alias.distribution_id;
  const byDomain = await db('cdn_distributions').where({ domain_name: h }).first('id');
  return byDomain?.id;
}
