// What a distribution must satisfy beyond its schema: references inside it (behaviours to origins and groups,
// groups to origins), references outside it (buckets and cache policies the owner may use), CloudFront's method
// sets, and geographic codes. Each refusal points at the offending field. Returns the body with nested defaults filled.
import type { Knex } from 'knex';
import type { Principal } from '../platform/operations/principals.js';
import { problems } from '../platform/problems.js';
import type { Row } from '../platform/resources/repo.js';
import { cachePolicies } from './cache-policies.js';
import { continents, countries } from './geo-codes.js';

const ALLOWED = [
  ['GET', 'HEAD'],
  ['GET', 'HEAD', 'OPTIONS'],
  ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
];
const CACHED = [
  ['GET', 'HEAD'],
  ['GET', 'HEAD', 'OPTIONS'],
];
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((m) => b.includes(m));
const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function behaviorDefaults(b: Row): Row {
  return {
    allowed_methods: ['GET', 'HEAD'],
    cached_methods: ['GET', 'HEAD'],
    viewer_protocol_policy: 'allow-all',
    compress: false,
    ...b,
  };
}

function checkOrigin(o: Row, at: string): Row {
  const out: Row = { origin_path: '', custom_headers: {}, connect_timeout_ms: 10_000, read_timeout_ms: 30_000, ...o };
  const hasBucket = o.bucket_id != null;
  const hasUrl = o.url != null;
  if (hasBucket === hasUrl) throw problems.invalidField(at, 'must name exactly one of bucket_id and url', 'OneOrigin');
  if (hasUrl) {
    let u: URL;
    try {
      u = new URL(o.url);
    } catch {
      throw problems.invalidField(`${at}/url`, 'must be an absolute http:// or https:// URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw problems.invalidField(`${at}/url`, 'must be an http:// or https:// URL');
    if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username)
      throw problems.invalidField(`${at}/url`, 'must be scheme, host and port only; put a path in origin_path');
    out.url = `${u.protocol}//${u.host}`;
  }
  if (out.origin_path && (!out.origin_path.startsWith('/') || out.origin_path.endsWith('/')))
    throw problems.invalidField(`${at}/origin_path`, 'must start with / and not end with /');
  return out;
}

async function checkBehavior(db: Knex, principal: Principal, b: Row, at: string, targets: Set<string>) {
  const out = behaviorDefaults(b);
  if (!targets.has(out.target_origin_id))
    throw problems.invalidField(
      `${at}/target_origin_id`,
      `${out.target_origin_id} is neither an origin nor an origin group of this distribution`,
      'UnknownOrigin',
    );
  if (!ALLOWED.some((s) => sameSet(s, out.allowed_methods)))
    throw problems.invalidField(
      `${at}/allowed_methods`,
      'must be [GET, HEAD], [GET, HEAD, OPTIONS] or all seven methods',
      'MethodSet',
    );
  if (!CACHED.some((s) => sameSet(s, out.cached_methods)))
    throw problems.invalidField(`${at}/cached_methods`, 'must be [GET, HEAD] or [GET, HEAD, OPTIONS]', 'MethodSet');
  if (!out.cached_methods.every((m: string) => out.allowed_methods.includes(m)))
    throw problems.invalidField(`${at}/cached_methods`, 'must be within allowed_methods', 'MethodSet');
  // A managed policy or one of the owner's: anything else is as if it did not exist.
  await cachePolicies.get(db, principal, out.cache_policy_id).catch(() => {
    throw problems.referenceNotFound(`${at}/cache_policy_id`, out.cache_policy_id);
  });
  return out;
}

function checkGeo(d: Row, targets: Set<string>) {
  const r = { locations: [], ...d.geo_restriction };
  if ((r.restriction_type === 'none') !== (r.locations.length === 0))
    throw problems.invalidField(
      'geo_restriction/locations',
      r.restriction_type === 'none'
        ? 'must be empty for none'
        : `must name at least one country for ${r.restriction_type}`,
    );
  r.locations.forEach((c: string, i: number) => {
    if (!countries.has(c))
      throw problems.invalidField(
        `geo_restriction/locations/${i}`,
        `${c} is not an ISO 3166-1 country code`,
        'UnknownCountry',
      );
  });
  (d.geo_origin_routes as Row[]).forEach((g, i) => {
    if (!countries.has(g.match) && !continents.has(g.match))
      throw problems.invalidField(
        `geo_origin_routes/${i}/match`,
        `${g.match} is neither a country nor a continent code`,
        'UnknownCountry',
      );
    if (!targets.has(g.target_origin_id))
      throw problems.invalidField(
        `geo_origin_routes/${i}/target_origin_id`,
        `${g.target_origin_id} is not an origin or origin group of this distribution`,
        'UnknownOrigin',
      );
  });
  return r;
}

/** Checks a whole distribution (a create's body, or the current one with a patch applied). */
export async function checkDistribution(db: Knex, principal: Principal, d: Row): Promise<Row> {
  const out: Row = { ...d };
  const ids = new Set<string>();
  out.origins = (d.origins as Row[]).map((o, i) => {
    if (ids.has(o.id)) throw problems.invalidField(`origins/${i}/id`, `${o.id} is used twice`, 'DuplicateId');
    ids.add(o.id);
    return checkOrigin(o, `origins/${i}`);
  });
  for (const [i, o] of (out.origins as Row[]).entries()) {
    if (o.bucket_id == null) continue;
    const q = db('buckets').where({ id: o.bucket_id });
    if (!principal.isAdmin) q.where({ owner: principal.userId });
    if (!(await q.first('id'))) throw problems.referenceNotFound(`origins/${i}/bucket_id`, o.bucket_id);
  }
  const originIds = new Set(ids);
  (d.origin_groups as Row[]).forEach((g, i) => {
    if (ids.has(g.id)) throw problems.invalidField(`origin_groups/${i}/id`, `${g.id} is used twice`, 'DuplicateId');
    ids.add(g.id);
    (g.members as string[]).forEach((m, j) => {
      if (!originIds.has(m))
        throw problems.invalidField(
          `origin_groups/${i}/members/${j}`,
          `${m} is not an origin of this distribution`,
          'UnknownOrigin',
        );
    });
  });
  if (d.default_cache_behavior.path_pattern !== undefined)
    throw problems.invalidField(
      'default_cache_behavior/path_pattern',
      'the default behaviour matches every path; it takes none',
    );
  out.default_cache_behavior = await checkBehavior(
    db,
    principal,
    d.default_cache_behavior,
    'default_cache_behavior',
    ids,
  );
  const patterns = new Set<string>();
  out.ordered_cache_behaviors = [];
  for (const [i, b] of (d.ordered_cache_behaviors as Row[]).entries()) {
    const at = `ordered_cache_behaviors/${i}`;
    if (!b.path_pattern) throw problems.invalidField(`${at}/path_pattern`, 'is required for an ordered behaviour');
    if (patterns.has(b.path_pattern))
      throw problems.invalidField(`${at}/path_pattern`, `${b.path_pattern} is used twice`, 'DuplicatePattern');
    patterns.add(b.path_pattern);
    out.ordered_cache_behaviors.push(await checkBehavior(db, principal, b, at, ids));
  }
  const codes = new Set<number>();
  out.custom_error_responses = (d.custom_error_responses as Row[]).map((e, i) => {
    const at = `custom_error_responses/${i}`;
    if (codes.has(e.error_code))
      throw problems.invalidField(`${at}/error_code`, `${e.error_code} is used twice`, 'DuplicateCode');
    codes.add(e.error_code);
    if ((e.response_code == null) !== (e.response_page_path == null))
      throw problems.invalidField(at, 'response_code and response_page_path go together', 'PagePathAndCode');
    if (e.response_page_path != null && !e.response_page_path.startsWith('/'))
      throw problems.invalidField(`${at}/response_page_path`, 'must start with /');
    return { error_caching_min_ttl: 10, response_code: null, response_page_path: null, ...e };
  });
  out.geo_restriction = checkGeo(d, ids);
  if (d.default_root_object.startsWith('/'))
    throw problems.invalidField('default_root_object', 'names an object without a leading /');
  return out;
}

/** Aliases: host names, lowercase, not under the platform's own CDN domain. */
export function checkAliases(aliases: string[], cdnDomain: string): string[] {
  return aliases.map((a, i) => {
    const host = a.toLowerCase();
    if (!HOST.test(host)) throw problems.invalidField(`aliases/${i}`, `${a} is not a host name`, 'InvalidAlias');
    if (host === cdnDomain || host.endsWith(`.${cdnDomain}`))
      throw problems.invalidField(`aliases/${i}`, `${a} is under the platform's domain ${cdnDomain}`, 'InvalidAlias');
    return host;
  });
}

/** 409 when another distribution answers one of `aliases` already; names it when it is the caller's own. */
export async function checkAliasesFree(db: Knex, principal: Principal, aliases: string[], self: string | null) {
  if (!aliases.length) return;
  const taken = await db('cdn_aliases as a')
    .join('cdn_distributions as d', 'd.id', 'a.distribution_id')
    .whereIn('a.alias', aliases)
    .modify((q) => (self ? q.whereNot('a.distribution_id', self) : q))
    .first('a.alias', 'd.id', 'd.owner');
  if (!taken) return;
  const i = aliases.indexOf(taken.alias);
  const mine = principal.isAdmin || taken.owner === principal.userId;
  throw problems.conflict(
    `${taken.alias} is an alias of ${mine ? `cdn_distribution ${taken.id}` : "another owner's distribution"} already.`,
    [{ pointer: `/aliases/${i}`, detail: 'is already taken', code: 'AliasTaken' }],
    mine ? { conflicts_with: taken.id } : {},
  );
}
