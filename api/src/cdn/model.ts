// What the edge knows of a deployed distribution: the control plane (distributions, cache policies, invalidations)
// turns its rows into these, and the edge (cdn/edge/) serves from them alone. Field names are the API's.

/** An origin: a bucket of this platform (read only through the distribution) or an HTTP(S) URL. */
export type Origin =
  | { id: string; type: 'bucket'; bucket_id: string; origin_path: string }
  | {
      id: string;
      type: 'http';
      /** scheme, host and port, e.g. `http://127.0.0.1:8081` */
      url: string;
      origin_path: string;
      /** extra request headers sent to the origin */
      custom_headers: Record<string, string>;
      connect_timeout_ms: number;
      read_timeout_ms: number;
    };

/** Origins tried in order: the next one on a failover status code or a connection error. */
export interface OriginGroup {
  id: string;
  members: string[];
  failover_status_codes: number[];
}

/** Which request parts make the cache key (and are forwarded), as CloudFront's cache policies say it. */
export interface KeyParts {
  behavior: 'none' | 'all' | 'allow' | 'deny';
  names: string[];
}

export interface CachePolicy {
  id: string;
  name: string;
  min_ttl: number;
  default_ttl: number;
  max_ttl: number;
  query_strings: KeyParts;
  headers: KeyParts;
  cookies: KeyParts;
  /** the viewer's Accept-Encoding normalised to gzip / br / identity in the key */
  enable_gzip: boolean;
  enable_brotli: boolean;
}

export interface CacheBehavior {
  /** `*` and `?` wildcards as CloudFront's; the default behaviour is `*` */
  path_pattern: string;
  /** an origin's or an origin group's id */
  target_origin_id: string;
  allowed_methods: string[];
  cached_methods: string[];
  viewer_protocol_policy: 'allow-all' | 'redirect-to-https' | 'https-only';
  compress: boolean;
  cache_policy: CachePolicy;
}

export interface CustomErrorResponse {
  error_code: number;
  response_code?: number;
  response_page_path?: string;
  error_caching_min_ttl: number;
}

/** Geographic rules: who may view, and which origin serves whom. */
export interface GeoRules {
  restriction: { type: 'none' | 'allow' | 'deny'; countries: string[] };
  /** first match wins: a country (ISO 3166-1 alpha-2) or a continent code (AF AN AS EU NA OC SA) to an origin */
  origin_routes: { match: string; target_origin_id: string }[];
}

export interface EdgeDistribution {
  id: string;
  owner: string;
  /** bumped on every deployed change: a cached entry of an older config is not served */
  config_version: number;
  enabled: boolean;
  domain_name: string;
  aliases: string[];
  default_root_object: string;
  origins: Origin[];
  origin_groups: OriginGroup[];
  /** ordered; the last is the default (`*`) */
  behaviors: CacheBehavior[];
  custom_error_responses: CustomErrorResponse[];
  geo: GeoRules;
  /** edge locations (names such as `fra1`) this distribution is served from */
  edge_locations: string[];
}
