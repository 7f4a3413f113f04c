// The edge caches as RFC 9111 says, within the cache policy's TTLs: hits and misses, Age and X-Cache, TTL boundaries
// on the manual platform clock, and the directives that forbid or bound storing. Real origin on loopback.
import { expect } from 'chai';
import { advanceClock, startApp, type TestApp } from '../../support/app.js';
import {
  behavior,
  deploy,
  distribution,
  policy,
  testOrigin,
  viaEdge,
  type OriginReply,
  type TestOrigin,
} from '../../support/cdn.js';

describe('cdn edge: caching', function () {
  this.timeout(60_000);
  let app: TestApp;
  let origin: TestOrigin;
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    origin = await testOrigin();
  });
  after(async () => {
    await origin.close();
    await app.close();
  });

  it('a miss asks the origin, then hits are served from the cache with Age, X-Cache and Via', async () => {
    const d = distribution(origin.url);
    deploy(app, d);
    origin.route('/hello.txt', { headers: { 'cache-control': 'max-age=60' }, body: 'hello' });
    const first = await viaEdge(app, `/cdn/${d.id}/hello.txt`);
    expect(first.status).to.equal(200);
    expect(first.text).to.equal('hello');
    expect(first.headers['x-cache']).to.equal('Miss from fra1');
    expect(first.headers['via']).to.match(/fra1/);
    await advanceClock(app, 20);
    const second = await viaEdge(app, `/cdn/${d.id}/hello.txt`);
    expect(second.text).to.equal('hello');
    expect(second.headers['x-cache']).to.equal('Hit from fra1');
    expect(second.headers['age']).to.equal('20');
    expect(origin.hits.get('/hello.txt')).to.equal(1);
  });

  it('max-age holds to its last second and the next request after it is a miss', async () => {
    const d = distribution(origin.url);
    deploy(app, d);
    origin.route('/ttl', { headers: { 'cache-control': 'max-age=100' }, body: 'v' });
    await viaEdge(app, `/cdn/${d.id}/ttl`);
    await advanceClock(app, 99);
    expect((await viaEdge(app, `/cdn/${d.id}/ttl`)).headers['x-cache']).to.match(/^Hit/);
    await advanceClock(app, 1);
    expect((await viaEdge(app, `/cdn/${d.id}/ttl`)).headers['x-cache']).to.match(/^Miss/);
    expect(origin.hits.get('/ttl')).to.equal(2);
  });

  it('s-maxage wins over max-age for the shared cache', async () => {
    const d = distribution(origin.url);
    deploy(app, d);
    origin.route('/s', { headers: { 'cache-control': 'max-age=10, s-maxage=300' } });
    await viaEdge(app, `/cdn/${d.id}/s`);
    await advanceClock(app, 200);
    expect((await viaEdge(app, `/cdn/${d.id}/s`)).headers['x-cache']).to.match(/^Hit/);
    expect(origin.hits.get('/s')).to.equal(1);
  });

  it("the policy's max TTL caps max-age and its min TTL raises it", async () => {
    const capped = distribution(origin.url, { behaviors: [behavior({ cache_policy: policy({ max_ttl: 30 }) })] });
    const raised = distribution(origin.url, { behaviors: [behavior({ cache_policy: policy({ min_ttl: 500 }) })] });
    deploy(app, capped);
    deploy(app, raised);
    origin.route('/bounded', { headers: { 'cache-control': 'max-age=100' } });
    await viaEdge(app, `/cdn/${capped.id}/bounded`);
    await viaEdge(app, `/cdn/${raised.id}/bounded`);
    await advanceClock(app, 30);
    expect((await viaEdge(app, `/cdn/${capped.id}/bounded`)).headers['x-cache']).to.match(/^Miss/);
    await advanceClock(app, 300);
    expect((await viaEdge(app, `/cdn/${raised.id}/bounded`)).headers['x-cache']).to.match(/^Hit/);
  });

  it('Expires gives the lifetime relative to Date; without any the default TTL applies', async () => {
    const d = distribution(origin.url, { behaviors: [behavior({ cache_policy: policy({ default_ttl: 50 }) })] });
    deploy(app, d);
    const date = new Date();
    origin.route('/expires', {
      headers: { date: date.toUTCString(), expires: new Date(date.getTime() + 40_000).toUTCString() },
    });
    origin.route('/plain', { body: 'plain' });
    await viaEdge(app, `/cdn/${d.id}/expires`);
    await viaEdge(app, `/cdn/${d.id}/plain`);
    await advanceClock(app, 39);
    expect((await viaEdge(app, `/cdn/${d.id}/expires`)).headers['x-cache']).to.match(/^Hit/);
    await advanceClock(app, 1);
    expect((await viaEdge(app, `/cdn/${d.id}/expires`)).headers['x-cache']).to.match(/^Miss/);
    await advanceClock(app, 9);
    expect((await viaEdge(app, `/cdn/${d.id}/plain`)).headers['x-cache']).to.match(/^Hit/);
    await advanceClock(app, 1);
    expect((await viaEdge(app, `/cdn/${d.id}/plain`)).headers['x-cache']).to.match(/^Miss/);
  });

  it('the heuristic is a tenth of the time since Last-Modified', async () => {
    const d = distribution(origin.url);
    deploy(app, d);
    const date = new Date();
    origin.route('/lm', {
      headers: { date: date.toUTCString(), 'last-modified': new Date(date.getTime() - 1000_000).toUTCString() },
    });
    await viaEdge(app, `/cdn/${d.id}/lm`);
    await advanceClock(app, 99);
    expect((await viaEdge(app, `/cdn/${d.id}/lm`)).headers['x-cache']).to.match(/^Hit/);
    await advanceClock(app, 1);
    // stale now: revalidated with If-Modified-Since; the origin answers 200 here (it ignores conditions)
    expect((await viaEdge(app, `/cdn/${d.id}/lm`)).headers['x-cache']).to.match(/^Miss/);
    expect(origin.seen.get('/lm')!['if-modified-since']).to.be.a('string');
  });

  for (const directive of ['no-store', 'private', 'private, max-age=600']) {
    it(`Cache-Control: ${directive} is never stored: every request goes to the origin`, async () => {
      const d = distribution(origin.url);
      deploy(app, d);
      origin.route('/secret', { headers: { 'cache-control': directive }, body: 'secret' });
      for (let i = 0; i < 3; i++)
        expect((await viaEdge(app, `/cdn/${d.id}/secret`)).headers['x-cache']).to.match(/^Miss/);
      expect(origin.hits.get('/secret')).to.equal(3);
      origin.hits.delete('/secret');
    });
  }

  it('no-cache is stored but revalidated on every use; must-revalidate is never served stale', async () => {
    const d = distribution(origin.url);
    deploy(app, d);
    origin.route('/nc', (h): OriginReply =>
      h['if-none-match'] === '"v1"'
        ? { status: 304, headers: { etag: '"v1"' } }
        : { headers: { 'cache-control': 'no-cache', etag: '"v1"' }, body: 'nc' },
    );
    await viaEdge(app, `/cdn/${d.id}/nc`);
    const again = await viaEdge(app, `/cdn/${d.id}/nc`);
    expect(again.headers['x-cache']).to.match(/^RefreshHit/);
    expect(again.text).to.equal('nc');
    expect(origin.hits.get('/nc')).to.equal(2);
    origin.route('/mr', { headers: { 'cache-control': 'max-age=10, must-revalidate, stale-if-error=600' } });
    await viaEdge(app, `/cdn/${d.id}/mr`);
    await advanceClock(app, 11);
    origin.route('/mr', { status: 503 });
    expect((await viaEdge(app, `/cdn/${d.id}/mr`)).status).to.equal(503);
  });

  it('the query string, headers and cookies the policy names make the key; the rest does not', async () => {
    const p = policy({
      query_strings: { behavior: 'allow', names: ['v'] },
      headers: { behavior: 'allow', names: ['x-tenant'] },
      cookies: { behavior: 'allow', names: ['lang'] },
    });
    const d = distribution(origin.url, { behaviors: [behavior({ cache_policy: p })] });
    deploy(app, d);
    origin.route('/k', { headers: { 'cache-control': 'max-age=600' } });
    const get = (q: string, h: Record<string, string> = {}) => viaEdge(app, `/cdn/${d.id}/k${q}`, { headers: h });
    await get('?v=1&utm=a');
    expect((await get('?utm=b&v=1')).headers['x-cache']).to.match(/^Hit/);
    expect((await get('?v=2')).headers['x-cache']).to.match(/^Miss/);
    expect((await get('?v=1', { 'x-tenant': 'a' })).headers['x-cache']).to.match(/^Miss/);
    expect((await get('?v=1', { 'x-tenant': 'a', 'x-other': 'z' })).headers['x-cache']).to.match(/^Hit/);
    expect((await get('?v=1', { cookie: 'lang=fr; session=1' })).headers['x-cache']).to.match(/^Miss/);
    expect((await get('?v=1', { cookie: 'session=2; lang=fr' })).headers['x-cache']).to.match(/^Hit/);
    // what the key holds is what the origin saw: the kept query only, the named cookie only
    expect([...origin.hits.keys()].filter((k) => k.startsWith('/k'))).to.have.members(['/k?v=1', '/k?v=2']);
    expect(origin.seen.get('/k?v=1')!['cookie']).to.equal('lang=fr');
  });

  it("Vary selects among the stored variants by the request's headers", async () => {
    const d = distribution(origin.url, {
      behaviors: [behavior({ cache_policy: policy({ headers: { behavior: 'allow', names: ['accept-language'] } }) })],
    });
    deploy(app, d);
    origin.route('/v', (h) => ({
      headers: { 'cache-control': 'max-age=600', vary: 'Accept-Language' },
      body: `lang ${h['accept-language']}`,
    }));
    const get = (lang: string) => viaEdge(app, `/cdn/${d.id}/v`, { headers: { 'accept-language': lang } });
    expect((await get('fr')).text).to.equal('lang fr');
    expect((await get('de')).text).to.equal('lang de');
    const fr = await get('fr');
    expect(fr.text).to.equal('lang fr');
    expect(fr.headers['x-cache']).to.match(/^Hit/);
    expect(origin.hits.get('/v')).to.equal(2);
  });
});
