// The edge and its origins: revalidation with ETag and Last-Modified (a 304 refreshes: RefreshHit), stale content
// while a refresh runs or while the origin is down, one origin request for 100 concurrent misses, origin groups that
// fail over on their status codes and on connection errors. Real origins on loopback; time from the manual clock.
import { expect } from 'chai';
import { advanceClock, eventually, startApp, type TestApp } from '../../support/app.js';
import { edgeOf } from '../../../api/src/cdn/edge/serve.js';
import { deploy, distribution, testOrigin, viaEdge, type OriginReply, type TestOrigin } from '../../support/cdn.js';

describe('cdn edge: origins', function () {
  this.timeout(60_000);
  let app: TestApp;
  const origins: TestOrigin[] = [];
  const origin = async () => {
    const o = await testOrigin();
    origins.push(o);
    return o;
  };
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
  });
  after(async () => {
    for (const o of origins) await o.close();
    await app.close();
  });

  it('a stale entry is revalidated with If-None-Match; the 304 refreshes its headers and freshness', async () => {
    const o = await origin();
    const d = distribution(o.url);
    deploy(app, d);
    let version = 'a';
    o.route('/doc', (h): OriginReply =>
      h['if-none-match'] === '"1"'
        ? { status: 304, headers: { etag: '"1"', 'cache-control': 'max-age=60', 'x-version': version } }
        : { headers: { etag: '"1"', 'cache-control': 'max-age=60', 'x-version': version }, body: 'document' },
    );
    await viaEdge(app, `/cdn/${d.id}/doc`);
    await advanceClock(app, 60);
    version = 'b';
    const r = await viaEdge(app, `/cdn/${d.id}/doc`);
    expect(r.headers['x-cache']).to.equal('RefreshHit from fra1');
    expect(r.text).to.equal('document');
    expect(r.headers['x-version']).to.equal('b');
    expect(r.headers['age']).to.equal('0');
    expect(o.seen.get('/doc')!['if-none-match']).to.equal('"1"');
    await advanceClock(app, 59);
    expect((await viaEdge(app, `/cdn/${d.id}/doc`)).headers['x-cache']).to.match(/^Hit/);
    expect(o.hits.get('/doc')).to.equal(2);
  });

  it('revalidates with If-Modified-Since when the origin gave only Last-Modified', async () => {
    const o = await origin();
    const d = distribution(o.url);
    deploy(app, d);
    const lm = new Date(Date.now() - 3600_000).toUTCString();
    o.route('/lm', (h): OriginReply =>
      h['if-modified-since'] === lm
        ? { status: 304, headers: { 'cache-control': 'max-age=30' } }
        : { headers: { 'last-modified': lm, 'cache-control': 'max-age=30' }, body: 'old' },
    );
    await viaEdge(app, `/cdn/${d.id}/lm`);
    await advanceClock(app, 31);
    const r = await viaEdge(app, `/cdn/${d.id}/lm`);
    expect(r.headers['x-cache']).to.match(/^RefreshHit/);
    expect(r.text).to.equal('old');
  });

  it('stale-while-revalidate serves the stale copy at once and refreshes it in the background once', async () => {
    const o = await origin();
    const d = distribution(o.url);
    deploy(app, d);
    let body = 'first';
    o.route('/swr', () => ({ headers: { 'cache-control': 'max-age=10, stale-while-revalidate=100' }, body }));
    await viaEdge(app, `/cdn/${d.id}/swr`);
    await advanceClock(app, 20);
    body = 'second';
    o.hold();
    const stale = await Promise.all([1, 2, 3].map(() => viaEdge(app, `/cdn/${d.id}/swr`)));
    for (const r of stale) expect(r.text).to.equal('first');
    o.release();
    await eventually(async () => o.hits.get('/swr') === 2, 'the background refresh');
    await eventually(async () => (await viaEdge(app, `/cdn/${d.id}/swr`)).text === 'second', 'the refreshed copy');
    expect(o.hits.get('/swr')).to.equal(2);
  });

  it('stale-if-error serves the stale copy while the origin is down or failing, and not past its window', async () => {
    const o = await origin();
    const d = distribution(o.url);
    deploy(app, d);
    o.route('/sie', { headers: { 'cache-control': 'max-age=10, stale-if-error=300' }, body: 'kept' });
    await viaEdge(app, `/cdn/${d.id}/sie`);
    await advanceClock(app, 20);
    await o.down();
    const r = await viaEdge(app, `/cdn/${d.id}/sie`);
    expect(r.status).to.equal(200);
    expect(r.text).to.equal('kept');
    await o.up();
    o.route('/sie', { status: 500, body: 'broken' });
    expect((await viaEdge(app, `/cdn/${d.id}/sie`)).text).to.equal('kept');
    await advanceClock(app, 300);
    expect((await viaEdge(app, `/cdn/${d.id}/sie`)).status).to.equal(500);
  });

  it('an unreachable origin without a stale copy is a 502', async () => {
    const o = await origin();
    const d = distribution(o.url);
    deploy(app, d);
    await o.down();
    const r = await viaEdge(app, `/cdn/${d.id}/x`);
    expect(r.status).to.equal(502);
    expect(r.headers['x-cache']).to.match(/^Error from fra1/);
    await o.up();
  });

  it('100 concurrent misses for one object make one origin request', async () => {
    const o = await origin();
    const d = distribution(o.url);
    deploy(app, d);
    o.route('/hot', { headers: { 'cache-control': 'max-age=600' }, body: 'hot' });
    o.hold();
    const all = Array.from({ length: 100 }, () => viaEdge(app, `/cdn/${d.id}/hot`));
    // every viewer has joined the one origin request before the origin answers it
    const { metrics } = edgeOf(app.platform).edge;
    const joined = async () =>
      (await metrics.collapsed.get()).values.find((v) => v.labels.distribution === d.id)?.value;
    await eventually(async () => (await joined()) === 99, '99 viewers waiting on the first one');
    o.release();
    const answers = await Promise.all(all);
    expect(answers.every((a) => a.status === 200 && a.text === 'hot')).to.equal(true);
    expect(o.hits.get('/hot')).to.equal(1);
  });

  it('an origin group fails over on its status codes and on connection errors', async () => {
    const primary = await origin();
    const secondary = await origin();
    const base = distribution(primary.url);
    const d = distribution(primary.url, {
      origins: [
        base.origins[0]!,
        {
          ...(base.origins[0] as Extract<(typeof base.origins)[0], { type: 'http' }>),
          id: 'backup',
          url: secondary.url,
        },
      ],
      origin_groups: [{ id: 'group', members: ['web', 'backup'], failover_status_codes: [500, 503] }],
    });
    d.behaviors[0]!.target_origin_id = 'group';
    deploy(app, d);
    primary.route('/f', { status: 503 });
    secondary.route('/f', { headers: { 'cache-control': 'no-store' }, body: 'from backup' });
    primary.route('/g', { status: 404 });
    secondary.route('/g', { body: 'not asked' });
    expect((await viaEdge(app, `/cdn/${d.id}/f`)).text).to.equal('from backup');
    expect((await viaEdge(app, `/cdn/${d.id}/g`)).status).to.equal(404);
    expect(secondary.hits.get('/g')).to.equal(undefined);
    await primary.down();
    expect((await viaEdge(app, `/cdn/${d.id}/f`)).text).to.equal('from backup');
    expect(secondary.hits.get('/f')).to.equal(2);
    await primary.up();
  });
});
