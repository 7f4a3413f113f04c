// An operator's own database in MaxMind's GeoIP2-Country layout (ATONIX_GEOIP_DB): a file written by the test-only
// MMDB writer with networks of MaxMind's own test databases (GeoIP2-Country-Test: 81.2.69.142/31 GB,
// 89.160.20.112/28 SE, 2001:218::/32 JP), read through the same reader the edge uses.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CountryDb } from '../../../api/src/cdn/geo/country-db.js';
import { viewerLocator } from '../../../api/src/cdn/geo/viewer.js';
import { loadConfig } from '../../../api/src/platform/config.js';
import { writeMmdb } from '../../support/mmdb-writer.js';

const country = (iso: string, continent: string) => ({
  continent: { code: continent, geoname_id: 1, names: { en: continent } },
  country: { iso_code: iso, geoname_id: 2, names: { en: iso } },
  registered_country: { iso_code: iso, geoname_id: 2, names: { en: iso } },
});

describe('cdn geo: an operator-named GeoIP2-Country file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atonix-geo-'));
  const file = join(dir, 'GeoIP2-Country-Test.mmdb');
  before(() =>
    writeFileSync(
      file,
      writeMmdb({
        '81.2.69.142/31': country('GB', 'EU'),
        '89.160.20.112/28': country('SE', 'EU'),
        '2001:218::/32': country('JP', 'AS'),
        // a network with a registration only (no located country), as MaxMind ships for some anycast ranges
        '203.0.113.0/24': { registered_country: { iso_code: 'AU', geoname_id: 3, names: { en: 'AU' } } },
      }),
    ),
  );
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is the database the locator reads when ATONIX_GEOIP_DB names it', () => {
    const config = loadConfig({ ATONIX_GEOIP_DB: file } as NodeJS.ProcessEnv);
    expect(viewerLocator(config).database).to.equal(file);
    expect(new CountryDb(file).databaseType).to.equal('GeoIP2-Country');
  });

  it('answers its networks in IPv4 and IPv6, with the record’s continent, and nothing outside them', () => {
    const db = new CountryDb(file);
    expect(db.lookup('81.2.69.142')).to.deep.equal({ country: 'GB', continent: 'EU' });
    expect(db.lookup('81.2.69.143')).to.deep.equal({ country: 'GB', continent: 'EU' });
    expect(db.lookup('81.2.69.144')).to.deep.equal({});
    expect(db.lookup('89.160.20.127')).to.deep.equal({ country: 'SE', continent: 'EU' });
    expect(db.lookup('89.160.20.128')).to.deep.equal({});
    expect(db.lookup('2001:218:ffff::1')).to.deep.equal({ country: 'JP', continent: 'AS' });
    expect(db.lookup('2001:219::1')).to.deep.equal({});
    expect(db.lookup('203.0.113.7')).to.deep.equal({ country: 'AU', continent: 'OC' });
    // the shipped database maps 8.8.8.8; this one does not, so the named file is what was read
    expect(db.lookup('8.8.8.8')).to.deep.equal({});
  });
});
