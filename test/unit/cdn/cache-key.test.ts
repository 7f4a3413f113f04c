// The cache key under a cache policy and CloudFront's path wildcards (pure).
import { expect } from 'chai';
import { cacheKey, keyCookies, keyQuery, normaliseEncoding } from '../../../api/src/cdn/edge/cache-key.js';
import { matchesPath } from '../../../api/src/cdn/edge/wildcard.js';
import { parseByteRange } from '../../../api/src/cdn/edge/respond.js';
import type { CachePolicy } from '../../../api/src/cdn/model.js';

const policy = (over: Partial<CachePolicy> = {}): CachePolicy => ({
  id: 'cp',
  name: 'p',
  min_ttl: 0,
  default_ttl: 60,
  max_ttl: 600,
  query_strings: { behavior: 'none', names: [] },
  headers: { behavior: 'none', names: [] },
  cookies: { behavior: 'none', names: [] },
  enable_gzip: true,
  enable_brotli: false,
  ...over,
});

describe('cdn edge: cache key', () => {
  it('keeps the query strings the policy names, sorted', () => {
    expect(keyQuery('b=2&a=1&c=3', { behavior: 'all', names: [] })).to.equal('a=1&b=2&c=3');
    expect(keyQuery('b=2&a=1&c=3', { behavior: 'allow', names: ['a', 'c'] })).to.equal('a=1&c=3');
    expect(keyQuery('b=2&a=1&c=3', { behavior: 'deny', names: ['a'] })).to.equal('b=2&c=3');
    expect(keyQuery('b=2', { behavior: 'none', names: [] })).to.equal('');
  });

  it('keeps the cookies the policy names, sorted by name', () => {
    expect(keyCookies('z=1; a=2; s=3', { behavior: 'deny', names: ['s'] })).to.deep.equal([
      ['a', '2'],
      ['z', '1'],
    ]);
  });

  it('normalises Accept-Encoding to the one coding the policy enables and the viewer accepts', () => {
    expect(normaliseEncoding('gzip, deflate, br', policy())).to.equal('gzip');
    expect(normaliseEncoding('gzip, br', policy({ enable_brotli: true }))).to.equal('br');
    expect(normaliseEncoding('br;q=0, gzip;q=0.5', policy({ enable_brotli: true }))).to.equal('gzip');
    expect(normaliseEncoding('*', policy())).to.equal('gzip');
    expect(normaliseEncoding('gzip;q=0', policy())).to.equal('identity');
    expect(normaliseEncoding(undefined, policy())).to.equal('identity');
    expect(normaliseEncoding('gzip', policy({ enable_gzip: false }))).to.equal('identity');
  });

  it('two requests differing only in what the policy ignores share a key; the config version separates keys', () => {
    const p = policy({ headers: { behavior: 'allow', names: ['X-Tenant'] } });
    const req = (headers: Record<string, string>, query = '') => ({ method: 'GET', path: '/a', query, headers });
    const a = cacheKey('d', 1, req({ 'x-tenant': 't', 'user-agent': 'one' }, 'utm=1'), p);
    const b = cacheKey('d', 1, req({ 'x-tenant': 't', 'user-agent': 'two' }), p);
    expect(a.key).to.equal(b.key);
    expect(a.forward).to.deep.equal({ 'x-tenant': 't' });
    expect(cacheKey('d', 2, req({ 'x-tenant': 't' }), p).key).to.not.equal(a.key);
    expect(cacheKey('d', 1, req({ 'x-tenant': 'u' }), p).key).to.not.equal(a.key);
    expect(cacheKey('d', 1, req({ 'x-tenant': 't', 'accept-encoding': 'gzip' }), p)).to.include({ encoding: 'gzip' });
  });
});

describe('cdn edge: path wildcards', () => {
  it('* matches any run of characters (slashes too) and ? exactly one', () => {
    expect(matchesPath('/img/*', '/img/a/b.png')).to.equal(true);
    expect(matchesPath('/img/*', '/img')).to.equal(false);
    expect(matchesPath('*.jpg', '/x/y.jpg')).to.equal(true);
    expect(matchesPath('/a?c', '/abc')).to.equal(true);
    expect(matchesPath('/a?c', '/abbc')).to.equal(false);
    expect(matchesPath('images/*', '/images/x')).to.equal(true);
    expect(matchesPath('/a.b', '/aXb')).to.equal(false);
    expect(matchesPath('/Index.html', '/index.html')).to.equal(false);
    expect(matchesPath('*', '/anything')).to.equal(true);
  });
});

describe('cdn edge: byte ranges', () => {
  it('reads one range, a suffix, an open end; refuses unsatisfiable ones; leaves lists to the whole object', () => {
    expect(parseByteRange('bytes=0-0', 10)).to.deep.equal({ start: 0, end: 0 });
    expect(parseByteRange('bytes=5-', 10)).to.deep.equal({ start: 5, end: 9 });
    expect(parseByteRange('bytes=-4', 10)).to.deep.equal({ start: 6, end: 9 });
    expect(parseByteRange('bytes=-40', 10)).to.deep.equal({ start: 0, end: 9 });
    expect(parseByteRange('bytes=8-100', 10)).to.deep.equal({ start: 8, end: 9 });
    expect(parseByteRange('bytes=10-', 10)).to.equal('bad');
    expect(parseByteRange('bytes=5-2', 10)).to.equal('bad');
    expect(parseByteRange('bytes=0-1,4-5', 10)).to.equal('many');
    expect(parseByteRange('items=0-1', 10)).to.equal(undefined);
  });
});
