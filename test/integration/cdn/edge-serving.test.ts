// How the edge answers viewers: ranges from a cached object, compression per behaviour, allowed and cached methods,
// the viewer protocol policy, default root object, custom error responses, serving by Host, disabled and unknown
// distributions, invalidation with wildcards, and the per-distribution figures on /metrics.
import { expect } from 'chai';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { edgeOf } from '../../../api/src/cdn/edge/serve.js';
import { startApp, type TestApp } from '../../support/app.js';
import { behavior, deploy, distribution, testOrigin, viaEdge, type TestOrigin } from '../../support/cdn.js';

describe('cdn edge: serving', function () {
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
  const cached = { 'cache-control': 'max-age=600' };

  it('answers Range requests from the cached full object', async () => {
    const d = distribution(origin.url);
    deploy(app, d);
    origin.route('/digits', { headers: cached, body: '0123456789' });
    const part = await viaEdge(app, `/cdn/${d.id}/digits`, { headers: { range: 'bytes=2-5' } });
    expect(part.status).to.equal(206);
    expect(part.text).to.equal('2345');
    expect(part.headers['content-range']).to.equal('bytes 2-5/10');
    expect(origin.seen.get('/digits')!['range']).to.equal(undefined);
    const tail = await viaEdge(app, `/cdn/${d.id}/digits`, { headers: { range: 'bytes=-3' } });
    expect([tail.status, tail.text, tail.headers['x-cache']]).to.deep.equal([206, '789', 'Hit from fra1']);
    const bad = await viaEdge(app, `/cdn/${d.id}/digits`, { headers: { range: 'bytes=20-' } });
    expect(bad.status).to.equal(416);
    expect(bad.headers['content-range']).to.equal('bytes */10');
    expect(origin.hits.get('/digits')).to.equal(1);
  });

  it('compresses compressible types for viewers that accept gzip or br, one cached copy per coding', async () => {
    const d = distribution(origin.url, { behaviors: [behavior({ compress: true })] });
    deploy(app, d);
    const text = 'lorem ipsum dolor sit amet '.repeat(200);
    origin.route('/page.html', { headers: { ...cached, 'content-type': 'text/html' }, body: text });
    origin.route('/img.png', { headers: { ...cached, 'content-type': 'image/png' }, body: text });
    const br = await viaEdge(app, `/cdn/${d.id}/page.html`, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).to.equal('br');
    expect(brotliDecompressSync(br.body).toString()).to.equal(text);
    const gz = await viaEdge(app, `/cdn/${d.id}/page.html`, { headers: { 'accept-encoding': 'gzip;q=1, br;q=0' } });
    expect(gz.headers['content-encoding']).to.equal('gzip');
    expect(gunzipSync(gz.body).toString()).to.equal(text);
    const plain = await viaEdge(app, `/cdn/${d.id}/page.html`);
    expect(plain.headers['content-encoding']).to.equal(undefined);
    expect(plain.text).to.equal(text);
    // the same coding again is a hit: Accept-Encoding is normalised in the key
    const again = await viaEdge(app, `/cdn/${d.id}/page.html`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(again.headers['x-cache']).to.match(/^Hit/);
    expect(origin.hits.get('/page.html')).to.equal(3);
    const png = await viaEdge(app, `/cdn/${d.id}/img.png`, { headers: { 'accept-encoding': 'gzip' } });
    expect(png.headers['content-encoding']).to.equal(undefined);
  });

  it('refuses methods the behaviour does not allow (405) and passes uncached ones to the origin', async () => {
    const d = distribution(origin.url, {
      behaviors: [
        behavior({ path_pattern: '/static/*', allowed_methods: ['GET', 'HEAD'] }),
        behavior({ path_pattern: '*' }),
      ],
    });
    deploy(app, d);
    const refused = await viaEdge(app, `/cdn/${d.id}/static/a`, { method: 'POST', body: '{}' });
    expect(refused.status).to.equal(405);
    expect(refused.headers['allow']).to.equal('GET, HEAD');
    origin.route('/api/submit', { status: 201, headers: cached, body: 'created' });
    for (let i = 0; i < 2; i++) {
      const r = await viaEdge(app, `/cdn/${d.id}/api/submit`, { method: 'POST', body: 'x' });
      expect([r.status, r.text]).to.deep.equal([201, 'created']);
    }
    expect(origin.hits.get('/api/submit')).to.equal(2);
    origin.route('/static/h', { headers: cached, body: 'head me' });
    const head = await viaEdge(app, `/cdn/${d.id}/static/h`, { method: 'HEAD' });
    expect([head.status, head.body.length, head.headers['content-length']]).to.deep.equal([200, 0, '7']);
    expect((await viaEdge(app, `/cdn/${d.id}/static/h`)).headers['x-cache']).to.match(/^Hit/);
  });

  it('redirect-to-https answers a viewer over http with a 301, and serves one a trusted proxy says came over https', async () => {
    const d = distribution(origin.url, { behaviors: [behavior({ viewer_protocol_policy: 'redirect-to-https' })] });
    deploy(app, d);
    origin.route('/secure', { headers: cached, body: 'ok' });
    const r = await viaEdge(app, `/cdn/${d.id}/secure?x=1`, { headers: { host: 'shop.example' } });
    expect(r.status).to.equal(301);
    expect(r.headers['location']).to.equal(`https://shop.example/cdn/${d.id}/secure?x=1`);
    const proxied = await viaEdge(app, `/cdn/${d.id}/secure`, { headers: { 'x-forwarded-proto': 'https' } });
    expect([proxied.status, proxied.text]).to.deep.equal([200, 'ok']);
    const only = distribution(origin.url, { behaviors: [behavior({ viewer_protocol_policy: 'https-only' })] });
    deploy(app, only);
    expect((await viaEdge(app, `/cdn/${only.id}/secure`)).status).to.equal(403);
  });

  it('serves the default root object for / and custom error pages with their response code', async () => {
    const d = distribution(origin.url, {
      default_root_object: 'index.html',
      custom_error_responses: [
        { error_code: 404, response_code: 200, response_page_path: '/spa.html', error_caching_min_ttl: 10 },
      ],
    });
    deploy(app, d);
    origin.route('/index.html', { headers: cached, body: 'home' });
    origin.route('/spa.html', { headers: cached, body: 'single page app' });
    expect((await viaEdge(app, `/cdn/${d.id}/`)).text).to.equal('home');
    const missing = await viaEdge(app, `/cdn/${d.id}/deep/link`);
    expect([missing.status, missing.text]).to.deep.equal([200, 'single page app']);
    await viaEdge(app, `/cdn/${d.id}/deep/link`);
    // the 404 itself is kept for error_caching_min_ttl: asked once
    expect(origin.hits.get('/deep/link')).to.equal(1);
  });

  it('serves by Host (alias or domain name); a disabled distribution is 403 and an unknown one 404', async () => {
    const d = distribution(origin.url, { aliases: ['assets.example.test'] });
    deploy(app, d);
    origin.route('/logo.svg', { headers: cached, body: '<svg/>' });
    expect((await viaEdge(app, '/logo.svg', { headers: { host: 'assets.example.test' } })).text).to.equal('<svg/>');
    expect((await viaEdge(app, '/logo.svg', { headers: { host: `${d.domain_name}:443` } })).text).to.equal('<svg/>');
    // other hosts reach the API as before
    expect((await viaEdge(app, '/logo.svg', { headers: { host: 'elsewhere.test' } })).headers['x-cache']).to.equal(
      undefined,
    );
    deploy(app, { ...d, enabled: false, config_version: 2 });
    expect((await viaEdge(app, `/cdn/${d.id}/logo.svg`)).status).to.equal(403);
    expect((await viaEdge(app, '/logo.svg', { headers: { host: 'assets.example.test' } })).status).to.equal(403);
    expect((await viaEdge(app, '/cdn/dist-nosuch/logo.svg')).status).to.equal(404);
  });

  it('an invalidation drops the entries its wildcard paths match, and only those', async () => {
    const d = distribution(origin.url);
    deploy(app, d);
    let version = 1;
    for (const p of ['/img/a.png', '/img/b/c.png', '/css/site.css', '/img.txt'])
      origin.route(p, () => ({ headers: cached, body: `${p} v${version}` }));
    const read = (p: string) => viaEdge(app, `/cdn/${d.id}${p}`);
    for (const p of ['/img/a.png', '/img/b/c.png', '/css/site.css', '/img.txt']) await read(p);
    version = 2;
    expect(edgeOf(app.platform).invalidate(d.id, ['/img/*', '/css/site.c?s'])).to.equal(3);
    expect((await read('/img/a.png')).text).to.equal('/img/a.png v2');
    expect((await read('/img/b/c.png')).text).to.equal('/img/b/c.png v2');
    expect((await read('/css/site.css')).text).to.equal('/css/site.css v2');
    expect((await read('/img.txt')).text).to.equal('/img.txt v1');
  });

  it('counts requests by result, bytes both ways and status classes per distribution on /metrics', async () => {
    const d = distribution(origin.url);
    deploy(app, d);
    origin.route('/m', { headers: cached, body: 'x'.repeat(100) });
    await viaEdge(app, `/cdn/${d.id}/m`);
    await viaEdge(app, `/cdn/${d.id}/m`);
    await viaEdge(app, `/cdn/${d.id}/m`);
    await viaEdge(app, `/cdn/${d.id}/missing`);
    const text = (await app.admin.get('/metrics').expect(200)).text;
    const value = (line: string) => Number(new RegExp(`^${line} (\\S+)$`, 'm').exec(text)?.[1]);
    const l = `distribution="${d.id}"`;
    expect(value(`atonix_cdn_requests_total\\{${l},result="hit"\\}`)).to.equal(2);
    expect(value(`atonix_cdn_requests_total\\{${l},result="miss"\\}`)).to.equal(2);
    expect(value(`atonix_cdn_bytes_total\\{${l},direction="to_viewer"\\}`)).to.equal(300 + 'no such path'.length);
    expect(value(`atonix_cdn_bytes_total\\{${l},direction="from_origin"\\}`)).to.equal(100 + 'no such path'.length);
    expect(value(`atonix_cdn_responses_total\\{${l},code="4xx"\\}`)).to.equal(1);
  });
});
