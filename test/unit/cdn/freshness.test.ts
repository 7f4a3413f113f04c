// RFC 9111 freshness for the shared cache within a cache policy's TTLs (pure): which responses may be stored and
// for how long, and the stale windows of RFC 5861.
import { expect } from 'chai';
import { freshness, initialAge, parseCacheControl } from '../../../api/src/cdn/edge/freshness.js';
import type { CachePolicy } from '../../../api/src/cdn/model.js';

const policy = (over: Partial<CachePolicy> = {}): CachePolicy => ({
  id: 'cp',
  name: 'p',
  min_ttl: 0,
  default_ttl: 86_400,
  max_ttl: 31_536_000,
  query_strings: { behavior: 'none', names: [] },
  headers: { behavior: 'none', names: [] },
  cookies: { behavior: 'none', names: [] },
  enable_gzip: true,
  enable_brotli: true,
  ...over,
});
const date = 'Thu, 03 Dec 2026 10:00:00 GMT';

describe('cdn edge: freshness', () => {
  it('parses directives case-insensitively, unquotes arguments, and keeps the first of a duplicate', () => {
    const d = parseCacheControl('Max-Age="60", no-cache, max-age=5, private="set-cookie"');
    expect(d.get('max-age')).to.equal('60');
    expect(d.get('no-cache')).to.equal(true);
    expect(d.get('private')).to.equal('set-cookie');
  });

  it('s-maxage over max-age over Expires over the heuristic over the default TTL', () => {
    const p = policy();
    expect(freshness(200, { 'cache-control': 'max-age=10, s-maxage=20' }, p)).to.include({
      lifetime: 20,
      source: 's-maxage',
    });
    expect(
      freshness(200, { 'cache-control': 'max-age=10', expires: 'Thu, 03 Dec 2026 11:00:00 GMT', date }, p),
    ).to.include({
      lifetime: 10,
    });
    expect(freshness(200, { expires: 'Thu, 03 Dec 2026 10:01:40 GMT', date }, p)).to.include({
      lifetime: 100,
      source: 'expires',
    });
    expect(freshness(200, { date, 'last-modified': 'Thu, 03 Dec 2026 09:00:00 GMT' }, p)).to.include({
      lifetime: 360,
      source: 'heuristic',
    });
    expect(freshness(200, {}, p)).to.include({ lifetime: 86_400, source: 'default' });
  });

  it('an invalid or past Expires is already stale; a malformed max-age counts as absent', () => {
    expect(freshness(200, { expires: '0', date }, policy())!.lifetime).to.equal(0);
    expect(freshness(200, { expires: 'Thu, 03 Dec 2026 09:00:00 GMT', date }, policy())!.lifetime).to.equal(0);
    expect(freshness(200, { 'cache-control': 'max-age=soon' }, policy({ default_ttl: 7 }))!.lifetime).to.equal(7);
  });

  it("keeps every lifetime within the policy's min and max TTL", () => {
    const p = policy({ min_ttl: 30, max_ttl: 300 });
    expect(freshness(200, { 'cache-control': 'max-age=5' }, p)!.lifetime).to.equal(30);
    expect(freshness(200, { 'cache-control': 's-maxage=5000' }, p)!.lifetime).to.equal(300);
    expect(freshness(200, { date, 'last-modified': 'Thu, 01 Jan 2026 00:00:00 GMT' }, p)!.lifetime).to.equal(300);
  });

  it('never stores no-store, private, Vary: * or an authorized request the response does not open', () => {
    const p = policy();
    expect(freshness(200, { 'cache-control': 'no-store' }, p)).to.equal(undefined);
    expect(freshness(200, { 'cache-control': 'private, max-age=60' }, p)).to.equal(undefined);
    expect(freshness(200, { 'cache-control': 'max-age=60', vary: 'Accept, *' }, p)).to.equal(undefined);
    expect(freshness(200, { 'cache-control': 'max-age=60' }, p, { authorized: true })).to.equal(undefined);
    expect(freshness(200, { 'cache-control': 'public, max-age=60' }, p, { authorized: true })).to.include({
      lifetime: 60,
    });
  });

  it('no-cache is stored with no freshness; must-revalidate and no-cache close the stale windows', () => {
    expect(freshness(200, { 'cache-control': 'no-cache, stale-if-error=60' }, policy())).to.deep.equal({
      lifetime: 0,
      source: 'no-cache',
      staleWhileRevalidate: 0,
      staleIfError: 0,
      mustRevalidate: true,
    });
    expect(
      freshness(200, { 'cache-control': 'max-age=1, must-revalidate, stale-while-revalidate=9' }, policy()),
    ).to.include({
      staleWhileRevalidate: 0,
      mustRevalidate: true,
    });
    expect(
      freshness(200, { 'cache-control': 'max-age=1, stale-while-revalidate=9, stale-if-error=99' }, policy()),
    ).to.include({ staleWhileRevalidate: 9, staleIfError: 99, mustRevalidate: false });
  });

  it('stores statuses outside the heuristic set only with explicit freshness', () => {
    expect(freshness(500, {}, policy())).to.equal(undefined);
    expect(freshness(302, {}, policy())).to.equal(undefined);
    expect(freshness(302, { 'cache-control': 'max-age=60' }, policy())).to.include({ lifetime: 60 });
    expect(freshness(404, {}, policy({ default_ttl: 5 }))).to.include({ lifetime: 5 });
  });

  it("takes the origin's Age as the initial age", () => {
    expect(initialAge({ age: '42' })).to.equal(42);
    expect(initialAge({ age: 'x' })).to.equal(0);
    expect(initialAge({})).to.equal(0);
  });
});
