// What every response carries and what the server answers before any route: nosniff everywhere, no-store on a
// secret, an optional token on /metrics, and problem+json for requests node's parser refuses (a 431).
import { expect } from 'chai';
import { connect } from 'node:net';
import { startApp, type TestApp } from '../../support/app.js';

/** One raw HTTP/1.1 exchange, for requests no client library would send. */
function raw(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let text = '';
    socket.on('data', (c) => (text += c));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('platform: response headers and refusals before routing', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp({ ATONIX_METRICS_TOKEN: 'metrics-secret-123' });
  });
  after(() => app.close());

  it('sends X-Content-Type-Options: nosniff on operations, problems, unknown paths and the docs', async () => {
    for (const r of [
      await app.admin.get('/api/compute/flavors').expect(200),
      await app.admin.get('/api/compute/flavors/flv-nothing00').expect(404),
      await app.admin.get('/nowhere').expect(404),
      await app.admin.get('/openapi.json').expect(200),
    ])
      expect(r.headers['x-content-type-options']).to.equal('nosniff');
  });

  it('marks a response that carries a secret (a new token) Cache-Control: no-store, and no other', async () => {
    const user = await app.admin.post('/api/security/users').send({ name: 'secretive' }).expect(201);
    expect(user.headers['cache-control']).to.equal(undefined);
    const token = await app.admin.post(`/api/security/users/${user.body.id}/tokens`).send({ name: 't' }).expect(201);
    expect(token.body.token).to.be.a('string');
    expect(token.headers['cache-control']).to.equal('no-store');
    const list = await app.admin.get(`/api/security/users/${user.body.id}/tokens`).expect(200);
    expect(list.headers['cache-control']).to.equal(undefined);
  });

  it('protects /metrics with ATONIX_METRICS_TOKEN when it is set: 401 problem without it, the scrape with it', async () => {
    const without = await app.admin.get('/metrics').expect(401);
    expect(without.headers['content-type']).to.match(/^application\/problem\+json/);
    const scraped = await app.as('metrics-secret-123').get('/metrics').expect(200);
    expect(scraped.text).to.contain('atonix_http_requests_total');
  });

  it('answers headers too large with a 431 problem+json body, not a bare status line', async () => {
    const answer = await raw(
      app.url,
      `GET /api/compute/flavors HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
    );
    expect(answer).to.match(/^HTTP\/1\.1 431 /);
    expect(answer).to.contain('Content-Type: application/problem+json');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).to.include({
      status: 431,
      code: 'HeadersTooLarge',
    });
  });

  it('answers a request that is not HTTP with a 400 problem+json body', async () => {
    const answer = await raw(app.url, 'NOT A REQUEST\r\n\r\n');
    expect(answer).to.match(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).to.include({ code: 'MalformedRequest' });
  });
});
