// The IP-to-country database: the operator's MaxMind-format file (ATONIX_GEOIP_DB: GeoLite2-Country or
// GeoIP2-Country, or any MMDB with a top-level `country_code`) or else the shipped one, ip-location-db's
// geo-whois-asn-country (IPv4 and IPv6 in one file). Read once per process; answers are cached per address so the
// edge's hot path pays one Map lookup for a returning viewer.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { Reader, type Response } from 'mmdb-lib';
import { continentOf } from './continents.js';
import type { Viewer } from './decision.js';

const SHIPPED = '@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb';
/** addresses remembered; past this the cache starts over (a viewer population, not a scan, is what it serves) */
const CACHE_LIMIT = 50_000;

/** The path of the database the package ships. */
export const shippedDatabase = (): string => createRequire(import.meta.url).resolve(SHIPPED);

type GeoRecord = {
  country_code?: string;
  country?: { iso_code?: string };
  registered_country?: { iso_code?: string };
  continent?: { code?: string };
};

/** A record of either layout to a viewer: MaxMind's `country` (else `registered_country`), or `country_code`. */
export function viewerOfRecord(r: GeoRecord | null): Viewer {
  const country = (r?.country?.iso_code ?? r?.registered_country?.iso_code ?? r?.country_code)?.toUpperCase();
  if (!country) return {};
  return { country, continent: r?.continent?.code ?? continentOf(country) };
}

/** `::ffff:192.0.2.1` (how a dual-stack socket shows an IPv4 peer) is the IPv4 address; a zone id is dropped. */
export function normaliseAddress(address: string): string {
  const a = address.trim().replace(/%.*$/, '');
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a) ? a.slice(7) : a;
}

export class CountryDb {
  private reader: Reader<Response>;
  private cache = new Map<string, Viewer>();

  constructor(readonly path: string) {
    this.reader = new Reader<Response>(readFileSync(path));
  }

  get databaseType(): string {
    return this.reader.metadata.databaseType;
  }

  lookup(address: string): Viewer {
    const hit = this.cache.get(address);
    if (hit) return hit;
    const a = normaliseAddress(address);
    const family = isIP(a);
    // An IPv4-only file's tree would read an IPv6 address's first 32 bits as an IPv4 one: unknown instead.
    const readable = family === 4 || (family === 6 && this.reader.metadata.ipVersion === 6);
    const v = readable ? viewerOfRecord(this.reader.get(a) as GeoRecord | null) : {};
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(address, v);
    return v;
  }
}
