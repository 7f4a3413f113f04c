// The viewer's location for the edge: the country header of a trusted proxy (ATONIX_GEO_HEADER, e.g.
// CloudFront-Viewer-Country or CF-IPCountry) when the socket's peer is one ATONIX_TRUST_PROXY trusts, else the
// database's answer for the viewer's address (X-Forwarded-For's client address, again only through trusted proxies).
// The trust notion is Express's own (proxy-addr, the same compile rules), so the edge and the API agree on who the
// client is.
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import type { Config } from '../../platform/config.js';
import { countries } from '../geo-codes.js';
import { continentOf } from './continents.js';
import { CountryDb, shippedDatabase } from './country-db.js';
import type { Viewer } from './decision.js';

type Trust = (addr: string, hop: number) => boolean;

/** ATONIX_TRUST_PROXY as app.ts hands it to Express: a hop count, or comma-separated names and ranges. */
export function compileTrust(value: string): Trust {
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return (_a, i) => i < hops;
  }
  return proxyAddr.compile(
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

export interface ViewerLocator {
  /** the database in use (its file), for operators and tests */
  readonly database: string;
  /** the client's address as the trusted proxies report it */
  address(req: IncomingMessage): string;
  locate(req: IncomingMessage): Viewer;
}

export function viewerLocator(config: Pick<Config, 'trustProxy' | 'cdn'>): ViewerLocator {
  const trust = compileTrust(config.trustProxy);
  const header = config.cdn.geoHeader;
  let db: CountryDb | undefined;
  const file = config.cdn.geoipDb ?? shippedDatabase();
  // Loaded on the first viewer that needs it: a platform without geographic rules never reads the file.
  const database = () => (db ??= new CountryDb(file));
  const address = (req: IncomingMessage) => proxyAddr(req, trust);
  return {
    database: file,
    address,
    locate(req) {
      if (header) {
        const given = req.headers[header];
        const code = typeof given === 'string' ? given.trim().toUpperCase() : undefined;
        // XX (unknown), T1 (Tor) and the like are not countries: the address decides then.
        if (code && countries.has(code) && trust(req.socket.remoteAddress ?? '', 0))
          return { country: code, continent: continentOf(code) };
      }
      return database().lookup(address(req));
    },
  };
}

const locators = new WeakMap<object, ViewerLocator>();

/** The process's locator for a platform (one per config, like the edge itself). */
export function viewerLocatorOf(config: Config): ViewerLocator {
  let l = locators.get(config);
  if (!l) locators.set(config, (l = viewerLocator(config)));
  return l;
}
