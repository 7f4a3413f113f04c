// The viewer's country: the shipped database (addresses it itself maps, read back from the pinned .mmdb), an
// operator-named file (ATONIX_GEOIP_DB), MaxMind's GeoIP2 record layout, and, on a real loopback server, the
// trusted-proxy rules for X-Forwarded-For and the country header (ATONIX_GEO_HEADER).
import { expect } from 'chai';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { CountryDb, normaliseAddress, shippedDatabase, viewerOfRecord } from '../../../api/src/cdn/geo/country-db.js';
import { compileTrust, viewerLocator, type ViewerLocator } from '../../../api/src/cdn/geo/viewer.js';
import { loadConfig } from '../../../api/src/platform/config.js';

// Checked against @ip-location-db/geo-whois-asn-country-mmdb 2.3.2026061719 (pinned): public resolvers and
// registries' own addresses, whose allocation is stable.
const KNOWN: [string, string, string][] = [
  ['8.8.8.8', 'US', 'NA'],
  ['1.1.1.1', 'AU', 'OC'],
  ['81.2.69.160', 'GB', 'EU'],
  ['193.0.6.139', 'NL', 'EU'],
  ['202.12.27.33', 'JP', 'AS'],
  ['41.0.0.1', 'ZA', 'AF'],
  ['200.160.0.8', 'BR', 'SA'],
  ['2001:4860:4860::8888', 'US', 'NA'],
  ['2a00:1450:4001::1', 'IE', 'EU'],
];

describe('cdn geo: country lookups', () => {
  const db = new CountryDb(shippedDatabase());

  it('maps IPv4 and IPv6 addresses to their country and continent with the shipped database', () => {
    for (const [ip, country, continent] of KNOWN) expect(db.lookup(ip), ip).to.deep.equal({ country, continent });
  });

  it('reads an IPv4 peer of a dual-stack socket as the IPv4 address', () => {
    expect(normaliseAddress('::ffff:8.8.8.8')).to.equal('8.8.8.8');
    expect(normaliseAddress('fe80::1%eth0')).to.equal('fe80::1');
    expect(db.lookup('::ffff:81.2.69.160')).to.deep.equal({ country: 'GB', continent: 'EU' });
  });

  it('knows no country for private, loopback or malformed addresses', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '::1', 'not-an-address', ''])
      expect(db.lookup(ip), ip).to.deep.equal({});
  });

  it('reads the file the operator names instead (here the package’s IPv4-only file: IPv6 is then unknown)', () => {
    const file = join(dirname(shippedDatabase()), 'geo-whois-asn-country-ipv4.mmdb');
    const config = loadConfig({ ATONIX_GEOIP_DB: file } as NodeJS.ProcessEnv);
    expect(config.cdn.geoipDb).to.equal(file);
    const own = new CountryDb(config.cdn.geoipDb!);
    expect(own.lookup('8.8.8.8')).to.deep.equal({ country: 'US', continent: 'NA' });
    expect(own.lookup('2001:4860:4860::8888')).to.deep.equal({});
    expect(viewerLocator(config).database).to.equal(file);
  });

  it('reads MaxMind’s GeoIP2-Country layout (country, else registered_country; its own continent)', () => {
    // the record MaxMind's GeoIP2-Country test database documents for 81.2.69.160 (reduced to what is read)
    expect(
      viewerOfRecord({
        continent: { code: 'EU' },
        country: { iso_code: 'GB' },
        registered_country: { iso_code: 'GB' },
      }),
    ).to.deep.equal({ country: 'GB', continent: 'EU' });
    // an anycast or satellite network: no located country, the registration's one
    expect(viewerOfRecord({ registered_country: { iso_code: 'DE' } })).to.deep.equal({
      country: 'DE',
      continent: 'EU',
    });
    expect(viewerOfRecord({ country_code: 'jp' })).to.deep.equal({ country: 'JP', continent: 'AS' });
    expect(viewerOfRecord(null)).to.deep.equal({});
  });

  it('compiles ATONIX_TRUST_PROXY as Express does: names, ranges, hop counts', () => {
    const named = compileTrust('loopback, 10.0.0.0/8');
    expect(named('127.0.0.1', 0)).to.equal(true);
    expect(named('10.9.8.7', 0)).to.equal(true);
    expect(named('192.168.1.1', 0)).to.equal(false);
    const hops = compileTrust('1');
    expect(hops('203.0.113.9', 0)).to.equal(true);
    expect(hops('203.0.113.9', 1)).to.equal(false);
  });
});

describe('cdn geo: the viewer behind trusted proxies', () => {
  let server: Server;
  let port = 0;
  let locator: ViewerLocator;
  const use = (env: Record<string, string>) => (locator = viewerLocator(loadConfig(env as NodeJS.ProcessEnv)));

  before(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ address: locator.address(req), ...locator.locate(req) }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const ask = (headers: Record<string, string>) =>
    new Promise<{ address: string; country?: string; continent?: string }>((resolve, reject) => {
      request({ host: '127.0.0.1', port, headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(JSON.parse(body)));
      })
        .on('error', reject)
        .end();
    });

  it('takes the client from X-Forwarded-For when the peer (loopback) is trusted', async () => {
    use({ ATONIX_TRUST_PROXY: 'loopback' });
    expect(await ask({ 'x-forwarded-for': '200.160.0.8' })).to.deep.equal({
      address: '200.160.0.8',
      country: 'BR',
      continent: 'SA',
    });
    // a chain: the nearest untrusted hop is the client, not what the viewer wrote first
    expect((await ask({ 'x-forwarded-for': '8.8.8.8, 202.12.27.33' })).country).to.equal('JP');
  });

  it('ignores X-Forwarded-For from a peer it does not trust', async () => {
    use({ ATONIX_TRUST_PROXY: '10.0.0.0/8' });
    expect(await ask({ 'x-forwarded-for': '200.160.0.8' })).to.deep.equal({ address: '127.0.0.1' });
  });

  it('believes the country header only from a trusted peer, and only a real country code', async () => {
    use({ ATONIX_TRUST_PROXY: 'loopback', ATONIX_GEO_HEADER: 'CloudFront-Viewer-Country' });
    expect(await ask({ 'cloudfront-viewer-country': 'de', 'x-forwarded-for': '8.8.8.8' })).to.deep.equal({
      address: '8.8.8.8',
      country: 'DE',
      continent: 'EU',
    });
    // CF-IPCountry's XX (unknown) and T1 (Tor) are no countries: the address decides
    expect((await ask({ 'cloudfront-viewer-country': 'XX', 'x-forwarded-for': '8.8.8.8' })).country).to.equal('US');
    use({ ATONIX_TRUST_PROXY: '10.0.0.0/8', ATONIX_GEO_HEADER: 'CloudFront-Viewer-Country' });
    expect(await ask({ 'cloudfront-viewer-country': 'DE' })).to.deep.equal({ address: '127.0.0.1' });
  });
});
