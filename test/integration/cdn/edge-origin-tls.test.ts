// HTTPS origins and timeouts: the edge verifies an origin's certificate (against Node's roots plus the operator's CA
// bundle, ATONIX_CDN_ORIGIN_CA), answers 502 for one it cannot trust, and 504 when an origin accepts the request but
// does not answer within the origin's read timeout. Real TLS servers on loopback with certificates made here.
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { startApp, type TestApp } from '../../support/app.js';
import { deploy, distribution, testOrigin, viaEdge, type TestOrigin } from '../../support/cdn.js';

/** A certificate for 127.0.0.1, its own issuer (so a bundle holding it is the trust anchor). */
async function loopbackCert() {
  const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 60_000),
    notAfterDate: new Date(Date.now() + 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** An HTTPS origin answering every path with `body`, counting requests. */
async function httpsOrigin(pair: { cert: string; key: string }, body: string) {
  let hits = 0;
  const server: Server = createServer(pair, (req, res) => {
    hits++;
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=60' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe('cdn edge: HTTPS origins and timeouts', function () {
  this.timeout(60_000);
  let app: TestApp;
  let trusted: Awaited<ReturnType<typeof httpsOrigin>>;
  let untrusted: Awaited<ReturnType<typeof httpsOrigin>>;
  let slow: TestOrigin;

  before(async () => {
    const [ours, theirs] = [await loopbackCert(), await loopbackCert()];
    const caFile = join(mkdtempSync(join(tmpdir(), 'atonix-origin-ca-')), 'ca.pem');
    writeFileSync(caFile, ours.cert);
    trusted = await httpsOrigin(ours, 'over tls');
    untrusted = await httpsOrigin(theirs, 'from a stranger');
    slow = await testOrigin();
    app = await startApp({ ATONIX_CLOCK: 'manual', ATONIX_CDN_ORIGIN_CA: caFile });
  });
  after(async () => {
    await Promise.all([trusted.close(), untrusted.close(), slow.close()]);
    await app.close();
  });

  it('fetches from an HTTPS origin whose certificate the configured CA bundle vouches for, and caches it', async () => {
    const d = distribution(trusted.url);
    deploy(app, d);
    const first = await viaEdge(app, `/cdn/${d.id}/page`);
    expect(first.status).to.equal(200);
    expect(first.text).to.equal('over tls');
    expect(first.headers['x-cache']).to.match(/^Miss/);
    const again = await viaEdge(app, `/cdn/${d.id}/page`);
    expect(again.headers['x-cache']).to.match(/^Hit/);
    expect(trusted.hits()).to.equal(1);
  });

  it('refuses an HTTPS origin whose certificate nothing vouches for: 502, and the origin never sees a request', async () => {
    const d = distribution(untrusted.url);
    deploy(app, d);
    const r = await viaEdge(app, `/cdn/${d.id}/page`);
    expect(r.status).to.equal(502);
    expect(r.text).to.not.contain('from a stranger');
    expect(untrusted.hits()).to.equal(0);
  });

  it('answers 504 when the origin takes the request but does not answer within its read timeout', async () => {
    const d = distribution(slow.url);
    d.origins[0] = { ...d.origins[0]!, read_timeout_ms: 150 } as (typeof d.origins)[number];
    deploy(app, d);
    slow.route('/late', { body: 'too late' });
    slow.hold();
    try {
      const r = await viaEdge(app, `/cdn/${d.id}/late`);
      expect(r.status).to.equal(504);
      expect(r.text).to.not.contain('too late');
    } finally {
      slow.release();
    }
  });
});
