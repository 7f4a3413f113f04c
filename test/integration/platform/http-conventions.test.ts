// The conventions every endpoint shares: problems, ETag/If-Match, Idempotency-Key, rate limits, probes, docs.
import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { purgeExpiredKeys } from '../../../api/src/platform/operations/idempotency.js';
import { ADMIN_TOKEN, eventually, startApp, type TestApp } from '../../support/app.js';

describe('platform: HTTP conventions', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  const newVpc = (key?: string, body: object = { name: 'v', cidr_block: '10.0.0.0/16' }) => {
    const r = app.admin.post('/api/networking/vpcs');
    if (key) r.set('Idempotency-Key', key);
    return r.send(body);
  };

  describe('problems', () => {
    it('answers an unknown path with a 404 problem and a wrong method with 405 and Allow', async () => {
      const nf = await app.admin.get('/api/compute/teleporters').expect(404);
      expect(nf.body).to.include({ code: 'RouteNotFound', status: 404, instance: '/api/compute/teleporters' });
      const na = await app.admin.put('/api/compute/instances').send({}).expect(405);
      expect(na.headers.allow).to.equal('GET, POST');
      expect(na.body.code).to.equal('MethodNotAllowed');
    });

    it('answers malformed JSON with 400 and a foreign content type with 415', async () => {
      const bad = await app.admin
        .post('/api/networking/vpcs')
        .set('Content-Type', 'application/json')
        .send('{"name":')
        .expect(400);
      expect(bad.body.code).to.equal('MalformedBody');
      const text = await app.admin
        .post('/api/networking/vpcs')
        .set('Content-Type', 'text/plain')
        .send('name=v')
        .expect(415);
      expect(text.body.code).to.equal('UnsupportedMediaType');
      const empty = await app.admin.post('/api/networking/vpcs').expect(422);
      expect(empty.body.errors[0]).to.include({ pointer: '', code: 'Required' });
    });

    it('reads bodies as a JSON client sends them, and refuses the rest with the reason', async () => {
      // fetch, not supertest: superagent re-encodes a Buffer it is given with a JSON content type.
      const post = async (body: string | Buffer, headers: Record<string, string>, token = ADMIN_TOKEN) => {
        const r = await fetch(`${app.url}/api/networking/vpcs`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
          body: typeof body === 'string' ? body : new Uint8Array(body),
        });
        return { status: r.status, body: await r.json() };
      };
      const vpc = (name: string) => JSON.stringify({ name, cidr_block: '10.9.0.0/16' });
      // Compressed bodies, a byte-order mark and a +json media type with a UTF-8 charset are all accepted.
      expect(await post(gzipSync(vpc('zipped')), { 'Content-Encoding': 'gzip' })).to.nested.include({
        status: 202,
        'body.name': 'zipped',
      });
      expect(
        await post(`\ufeff${vpc('bom')}`, { 'Content-Type': 'application/vnd.atonix+json; charset=UTF-8' }),
      ).to.nested.include({ status: 202, 'body.name': 'bom' });

      expect(await post('"v"', {})).to.nested.include({
        status: 400,
        'body.code': 'MalformedBody',
        'body.detail': 'The body must be a JSON object or array.',
      });
      expect(await post('{}', { 'Content-Type': 'application/json; charset=latin1' })).to.nested.include({
        status: 415,
        'body.detail': 'charset latin1 is not accepted; send UTF-8.',
      });
      expect((await post('{}', { 'Content-Encoding': 'compress' })).status).to.equal(415);
      const huge = JSON.stringify({ name: 'v', cidr_block: '10.9.0.0/16', description: 'x'.repeat(1024 * 1024) });
      expect(await post(huge, {})).to.nested.include({ status: 413, 'body.code': 'PayloadTooLarge' });
      // A small body that inflates past the limit is refused too.
      expect(
        await post(gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20)), { 'Content-Encoding': 'gzip' }),
      ).to.nested.include({ status: 413, 'body.code': 'PayloadTooLarge' });
      // The caller is known before the body is read: a bad token is a 401 whatever the body holds.
      expect((await post('{"name":', {}, 'atx_not_a_token')).status).to.equal(401);
    });

    it('validates path parameters', async () => {
      const r = await app.admin.get('/api/compute/instances/NOT_AN_ID').expect(400);
      expect(r.body.errors[0].pointer).to.equal('id');
    });
  });

  describe('ETag and If-Match', () => {
    const availableVpc = async () => {
      const { id } = (await newVpc().expect(202)).body;
      return eventually(async () => {
        const b = (await app.admin.get(`/api/networking/vpcs/${id}`).expect(200)).body;
        return b.state === 'available' && b;
      }, 'vpc available');
    };

    it('sends the ETag, applies a write whose If-Match matches and refuses a stale one with 412', async () => {
      const v = await availableVpc();
      const got = await app.admin.get(`/api/networking/vpcs/${v.id}`).expect(200);
      expect(got.headers.etag).to.equal(got.body.etag);
      const ok = await app.admin
        .patch(`/api/networking/vpcs/${v.id}`)
        .set('If-Match', got.body.etag)
        .send({ name: 'renamed' })
        .expect(200);
      expect(ok.body.etag).to.not.equal(got.body.etag);
      const stale = await app.admin
        .patch(`/api/networking/vpcs/${v.id}`)
        .set('If-Match', got.body.etag)
        .send({ name: 'lost-update' })
        .expect(412);
      expect(stale.body).to.include({ code: 'PreconditionFailed', current_etag: ok.body.etag });
      await app.admin.delete(`/api/networking/vpcs/${v.id}`).set('If-Match', got.body.etag).expect(412);
      expect((await app.admin.get(`/api/networking/vpcs/${v.id}`).expect(200)).body.name).to.equal('renamed');
      await app.admin.delete(`/api/networking/vpcs/${v.id}`).set('If-Match', ok.body.etag).expect(204);
    });

    it('does not bump the ETag for a patch that changes nothing', async () => {
      const v = await availableVpc();
      const same = await app.admin.patch(`/api/networking/vpcs/${v.id}`).send({ name: v.name }).expect(200);
      expect(same.body.etag).to.equal(v.etag);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first response for the same key and body, creating one resource', async () => {
      const a = await newVpc('key-1').expect(202);
      const b = await newVpc('key-1').expect(202);
      expect(b.body).to.deep.equal(a.body);
      expect(b.headers['idempotent-replayed']).to.equal('true');
      expect(b.headers.location).to.equal(a.headers.location);
      expect(await app.platform.db('vpcs').where({ id: a.body.id }).count('* as n').first()).to.deep.equal({ n: 1 });
      const rows = await app.platform
        .db('audit_logs')
        .where({ resource_id: a.body.id, action: 'networking:CreateVpc' });
      expect(rows).to.have.length(1);
    });

    it('refuses the same key with a different body (422) and a key still in flight (409)', async () => {
      await newVpc('key-2').expect(202);
      const diff = await newVpc('key-2', { name: 'other', cidr_block: '10.1.0.0/16' }).expect(422);
      expect(diff.body.code).to.equal('IdempotencyKeyReused');
      // Hold the key's lock the way a concurrent first request would.
      const c = new pg.Client({ connectionString: app.databaseUrl });
      await c.connect();
      const admin = await app.platform.db('tokens').where({ name: 'ATONIX_ADMIN_TOKEN' }).first('user_id');
      await c.query('begin');
      await c.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`${admin.user_id}\nkey-3`]);
      const busy = await newVpc('key-3').expect(409);
      expect(busy.body.code).to.equal('IdempotencyKeyInFlight');
      await c.query('rollback');
      await c.end();
      await newVpc('key-3').expect(202);
    });

    it('forgets a key after its time to live: the same key then makes a new resource, and workers purge old keys', async () => {
      const first = await newVpc('key-5').expect(202);
      const stored = await app.platform
        .db('idempotency_keys')
        .where({ key: 'key-5' })
        .first(app.platform.db.raw('expires_at - created_at as ttl'));
      expect(stored.ttl).to.deep.include({ days: 1 }); // the default TTL
      await app.platform
        .db('idempotency_keys')
        .where({ key: 'key-5' })
        .update({ expires_at: app.platform.db.raw("now() - interval '1 minute'") });
      const again = await newVpc('key-5', { name: 'new', cidr_block: '10.3.0.0/16' }).expect(202); // another body: no 422 now
      expect(again.body.id).to.not.equal(first.body.id);
      expect(again.headers['idempotent-replayed']).to.equal(undefined);
      const replay = await newVpc('key-5', { name: 'new', cidr_block: '10.3.0.0/16' }).expect(202);
      expect(replay.headers['idempotent-replayed']).to.equal('true');
      expect(replay.body.id).to.equal(again.body.id);

      await newVpc('key-6').expect(202);
      await app.platform
        .db('idempotency_keys')
        .where({ key: 'key-6' })
        .update({ expires_at: app.platform.db.raw("now() - interval '1 day'") });
      await newVpc('key-7').expect(202);
      await app.platform.db('idempotency_keys').where({ key: 'key-7' }).update({ expires_at: null }); // as the stack engine stores its keys
      expect(await purgeExpiredKeys(app.platform.db)).to.equal(1);
      expect(
        await app.platform
          .db('idempotency_keys')
          .whereIn('key', ['key-5', 'key-6', 'key-7'])
          .orderBy('key')
          .pluck('key'),
      ).to.deep.equal(['key-5', 'key-7']);
    });

    it('scopes keys per user and does not store failures', async () => {
      const bad = await newVpc('key-4', { name: 'bad', cidr_block: 'x' }).expect(422);
      expect(bad.body.code).to.equal('ValidationFailed');
      await newVpc('key-4', { name: 'bad', cidr_block: '10.2.0.0/16' }).expect(202);
    });
  });

  describe('rate limiting', () => {
    let limited: TestApp;
    before(async () => {
      limited = await startApp({ ATONIX_RATE_LIMIT_PER_SECOND: '1', ATONIX_RATE_LIMIT_BURST: '3' });
    });
    after(() => limited.close());

    it('answers 429 with Retry-After once a token spends its burst', async () => {
      for (let i = 0; i < 3; i++) await limited.admin.get('/api/compute/flavors').expect(200);
      const r = await limited.admin.get('/api/compute/flavors').expect(429);
      expect(Number(r.headers['retry-after'])).to.be.greaterThanOrEqual(1);
      expect(r.body.code).to.equal('RateLimited');
    });

    it("sends the IETF RateLimit-Policy and RateLimit headers of the caller's bucket", async () => {
      const fresh = await startApp({ ATONIX_RATE_LIMIT_PER_SECOND: '1', ATONIX_RATE_LIMIT_BURST: '3' });
      try {
        const first = await fresh.admin.get('/api/compute/flavors').expect(200);
        expect(first.headers['ratelimit-policy']).to.equal('"default";q=3;w=3');
        expect(first.headers.ratelimit).to.match(/^"default";r=2;t=[12]$/);
        const second = await fresh.admin.get('/api/compute/flavors').expect(200);
        expect(second.headers.ratelimit).to.match(/^"default";r=1;t=[23]$/);
      } finally {
        await fresh.close();
      }
    });

    it('limits requests with bad tokens by their source address: 401 until the burst is spent, then 429', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await limited.as(`atx_wrong_${i}`).get('/api/compute/flavors')).status);
      expect(statuses).to.deep.equal([401, 401, 401, 429, 429]);
      const r = await limited
        .as('atx_wrong')
        .post('/api/networking/vpcs')
        .send({ name: 'x', cidr_block: '10.0.0.0/16' });
      expect(r.status).to.equal(429);
      expect(r.headers['retry-after']).to.match(/^\d+$/);
    });

    it('refuses a flooding address before any token lookup, and audits its refusals once a minute', async () => {
      const auth = limited.platform.auth;
      const lookup = auth.authenticate.bind(auth);
      let lookups = 0;
      auth.authenticate = (header) => {
        lookups++;
        return lookup(header);
      };
      const failures = async () =>
        Number(
          (
            await limited.platform
              .db('audit_logs')
              .where({ action: 'networking:CreateVpc', status: 'failure' })
              .count({ n: '*' })
          )[0]!.n,
        );
      try {
        const before = await failures();
        for (let i = 0; i < 20; i++)
          await limited
            .as(`atx_flood_${i}`)
            .post('/api/networking/vpcs')
            .send({ name: 'x', cidr_block: '10.0.0.0/16' })
            .expect(429);
        expect(lookups).to.equal(0);
        expect((await failures()) - before).to.be.within(0, 2); // one a minute (two if a minute turned meanwhile)
      } finally {
        auth.authenticate = lookup;
      }
    });

    it('keys the address on the connection unless the proxy is trusted: a forged X-Forwarded-For gets no fresh bucket', async () => {
      const direct = await startApp({
        ATONIX_RATE_LIMIT_PER_SECOND: '1',
        ATONIX_RATE_LIMIT_BURST: '3',
        ATONIX_TRUST_PROXY: '10.0.0.0/8',
      });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++)
          statuses.push(
            (await direct.as(`atx_forged_${i}`).get('/api/compute/flavors').set('X-Forwarded-For', `203.0.113.${i}`))
              .status,
          );
        expect(statuses).to.deep.equal([401, 401, 401, 429, 429]);
      } finally {
        await direct.close();
      }
    });
  });

  describe('probes, metrics and docs', () => {
    it('serves /healthz and /readyz without a token', async () => {
      expect((await app.as('').get('/healthz').expect(200)).body).to.deep.equal({ status: 'ok' });
      expect((await app.as('').get('/readyz').expect(200)).body).to.deep.equal({ status: 'ok' });
    });

    it('counts requests and latency by operation at /metrics', async () => {
      await app.admin.get('/api/compute/flavors').expect(200);
      const m = await app.as('').get('/metrics').expect(200);
      expect(m.text).to.match(/atonix_http_requests_total\{operation="listFlavors",method="GET",status="200"\} \d+/);
      expect(m.text).to.contain('atonix_http_request_duration_seconds_bucket{le="0.005",operation="listFlavors"}');
      expect(m.text).to.match(/atonix_jobs_total\{queue="provision-vpc",state="completed"\} \d+/);
    });

    it('serves the API reference UI offline at /docs and the spec at /openapi.json', async () => {
      const html = await app.as('').get('/docs/').expect(200);
      expect(html.text).to.contain('swagger-ui');
      expect(html.text).to.not.match(/https?:\/\/(cdn|unpkg|cdnjs)/);
      const spec = await app.as('').get('/openapi.json').expect(200);
      expect(spec.body.paths).to.have.property('/api/compute/instances/{id}/start');
    });
  });
});
