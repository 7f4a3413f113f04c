// Geographic rules through the real edge: allow and deny lists (403, with the distribution's custom error page for
// 403), origin selection by country and continent with loopback origins (each routed viewer cached apart), the
// viewer's address from X-Forwarded-For (the test client is loopback, which ATONIX_TRUST_PROXY trusts by default),
// a trusted proxy's country header, a distribution created through the API and fed to the edge, and an untrusted
// peer whose forwarded address and header are ignored.
import { expect } from 'chai';
import type { Origin } from '../../../api/src/cdn/model.js';
import { eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { deploy, distribution, testOrigin, viaEdge, type TestOrigin } from '../../support/cdn.js';

// Addresses the shipped database maps (read back from the pinned .mmdb in test/unit/cdn/geo-lookup.test.ts).
const BR = '200.160.0.8';
const US = '8.8.8.8';
const GB = '81.2.69.160';
const NL = '193.0.6.139';
const JP = '202.12.27.33';
const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

describe('cdn edge: geographic rules', function () {
  this.timeout(60_000);
  let app: TestApp;
  let web: TestOrigin;
  let eu: TestOrigin;
  let nl: TestOrigin;
  let na: TestOrigin;
  const httpOrigin = (id: string, o: TestOrigin): Origin => ({
    id,
    type: 'http',
    url: o.url,
    origin_path: '',
    custom_headers: {},
    connect_timeout_ms: 2000,
    read_timeout_ms: 5000,
  });
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual', ATONIX_GEO_HEADER: 'CloudFront-Viewer-Country' });
    [web, eu, nl, na] = await Promise.all([testOrigin(), testOrigin(), testOrigin(), testOrigin()]);
    const cached = { 'cache-control': 'max-age=600' };
    for (const [o, name] of [
      [web, 'web'],
      [eu, 'eu'],
      [nl, 'nl'],
      [na, 'na'],
    ] as const) {
      o.route('/page', { headers: cached, body: `page from ${name}` });
      o.route('/blocked.html', { headers: cached, body: `not in your country (${name})` });
    }
  });
  after(async () => {
    await Promise.all([web, eu, nl, na].map((o) => o.close()));
    await app.close();
  });

  it('a deny list: a listed country gets 403 and the origin is not asked; others and unknown viewers the content', async () => {
    const d = distribution(web.url, { geo: { restriction: { type: 'deny', countries: ['BR'] }, origin_routes: [] } });
    deploy(app, d);
    const before = web.total();
    const denied = await viaEdge(app, `/cdn/${d.id}/page`, from(BR));
    expect([denied.status, denied.headers['x-cache']]).to.deep.equal([403, 'Error from fra1']);
    expect(web.total()).to.equal(before);
    const us = await viaEdge(app, `/cdn/${d.id}/page`, from(US));
    expect([us.status, us.text]).to.deep.equal([200, 'page from web']);
    // no forwarded address: the loopback peer has no country, which a deny list lets through
    expect((await viaEdge(app, `/cdn/${d.id}/page`)).status).to.equal(200);
    // a cached object is still refused to a denied viewer
    expect((await viaEdge(app, `/cdn/${d.id}/page`, from(BR))).status).to.equal(403);
  });

  it('an allow list: its countries only, unknown viewers denied; the custom error page for 403 is served', async () => {
    const d = distribution(web.url, {
      geo: { restriction: { type: 'allow', countries: ['GB', 'NL'] }, origin_routes: [] },
      custom_error_responses: [{ error_code: 403, response_page_path: '/blocked.html', error_caching_min_ttl: 10 }],
    });
    deploy(app, d);
    expect((await viaEdge(app, `/cdn/${d.id}/page`, from(GB))).text).to.equal('page from web');
    expect((await viaEdge(app, `/cdn/${d.id}/page`, from(NL))).status).to.equal(200);
    const us = await viaEdge(app, `/cdn/${d.id}/page`, from(US));
    expect([us.status, us.text]).to.deep.equal([403, 'not in your country (web)']);
    const unknown = await viaEdge(app, `/cdn/${d.id}/page`);
    expect([unknown.status, unknown.text]).to.deep.equal([403, 'not in your country (web)']);
    expect(web.hits.get('/page')).to.be.greaterThan(0);
  });

  it('routes by country, then continent, else the behaviour’s origin; each routed origin cached apart', async () => {
    const d = distribution(web.url, {
      origins: [httpOrigin('web', web), httpOrigin('eu', eu), httpOrigin('nl', nl), httpOrigin('na', na)],
      geo: {
        restriction: { type: 'none', countries: [] },
        origin_routes: [
          { match: 'NL', target_origin_id: 'nl' },
          { match: 'EU', target_origin_id: 'eu' },
          { match: 'NA', target_origin_id: 'na' },
        ],
      },
    });
    deploy(app, d);
    const counts = () => [web, eu, nl, na].map((o) => o.hits.get('/page') ?? 0);
    const start = counts();
    const seen = async (ip: string) => (await viaEdge(app, `/cdn/${d.id}/page`, from(ip))).text;
    expect(await seen(NL)).to.equal('page from nl');
    expect(await seen(GB)).to.equal('page from eu');
    expect(await seen(US)).to.equal('page from na');
    expect(await seen(JP)).to.equal('page from web');
    // again: hits of each origin's own copy, no origin asked twice
    const again = await viaEdge(app, `/cdn/${d.id}/page`, from(GB));
    expect([again.text, again.headers['x-cache']]).to.deep.equal(['page from eu', 'Hit from fra1']);
    expect(await seen(NL)).to.equal('page from nl');
    expect(counts().map((n, i) => n - start[i]!)).to.deep.equal([1, 1, 1, 1]);
  });

  it('believes a trusted proxy’s country header over the address', async () => {
    const d = distribution(web.url, { geo: { restriction: { type: 'allow', countries: ['DE'] }, origin_routes: [] } });
    deploy(app, d);
    const de = await viaEdge(app, `/cdn/${d.id}/page`, {
      headers: { 'cloudfront-viewer-country': 'DE', 'x-forwarded-for': US },
    });
    expect(de.status).to.equal(200);
    expect((await viaEdge(app, `/cdn/${d.id}/page`, from(US))).status).to.equal(403);
  });

  it('applies the geographic rules of a distribution created through the API once the edge has it', async () => {
    const alice = app.as((await newUser(app, 'geo-alice')).token);
    const r = await alice
      .post('/api/networking/cdn/distributions')
      .send({
        name: 'geo',
        origins: [
          { id: 'web', url: web.url },
          { id: 'eu', url: eu.url },
        ],
        default_cache_behavior: { target_origin_id: 'web', cache_policy_id: 'cp-cachingoptimized' },
        geo_restriction: { restriction_type: 'blacklist', locations: ['BR'] },
        geo_origin_routes: [{ match: 'EU', target_origin_id: 'eu' }],
      })
      .expect(202);
    const id = r.body.id;
    await eventually(async () => (await viaEdge(app, `/cdn/${id}/page`)).headers['x-cache'], 'served by the edge');
    expect((await viaEdge(app, `/cdn/${id}/page`, from(BR))).status).to.equal(403);
    expect((await viaEdge(app, `/cdn/${id}/page`, from(GB))).text).to.equal('page from eu');
    expect((await viaEdge(app, `/cdn/${id}/page`, from(US))).text).to.equal('page from web');
  });
});

describe('cdn edge: geographic rules behind an untrusted peer', function () {
  this.timeout(60_000);
  let app: TestApp;
  let web: TestOrigin;
  before(async () => {
    // loopback (the test client) is not a trusted proxy here: what it forwards is a viewer's claim, not a fact
    app = await startApp({ ATONIX_TRUST_PROXY: '10.0.0.0/8', ATONIX_GEO_HEADER: 'CF-IPCountry' });
    web = await testOrigin();
    web.route('/page', { headers: { 'cache-control': 'max-age=600' }, body: 'page' });
  });
  after(async () => {
    await web.close();
    await app.close();
  });

  it('ignores X-Forwarded-For and the country header, judging the connection’s own address', async () => {
    const d = distribution(web.url, { geo: { restriction: { type: 'allow', countries: ['US'] }, origin_routes: [] } });
    deploy(app, d);
    const spoofed = await viaEdge(app, `/cdn/${d.id}/page`, {
      headers: { 'x-forwarded-for': US, 'cf-ipcountry': 'US' },
    });
    expect(spoofed.status).to.equal(403);
    const open = distribution(web.url, {
      geo: { restriction: { type: 'deny', countries: ['BR'] }, origin_routes: [] },
    });
    deploy(app, open);
    const claimed = await viaEdge(app, `/cdn/${open.id}/page`, {
      headers: { 'x-forwarded-for': BR, 'cf-ipcountry': 'BR' },
    });
    expect([claimed.status, claimed.text]).to.deep.equal([200, 'page']);
  });
});
