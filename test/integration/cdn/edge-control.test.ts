// The edge fed by the control plane: a distribution created through the API is served once deployed, a private
// bucket is readable through its distribution only, and a REST invalidation completes once this edge dropped the
// paths (after which the edge serves the new content). Real origin on loopback, real S3 client for the bucket.
import { expect } from 'chai';
import { PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { s3As } from '../../support/s3.js';
import { testOrigin, viaEdge, type TestOrigin } from '../../support/cdn.js';

describe('cdn edge: fed by the control plane', function () {
  this.timeout(60_000);
  let app: TestApp;
  let origin: TestOrigin;
  let alice: { id: string; token: string };
  before(async () => {
    app = await startApp();
    origin = await testOrigin();
    alice = await newUser(app, 'edge-alice');
  });
  after(async () => {
    await origin.close();
    await app.close();
  });
  const as = () => app.as(alice.token);
  const deployed = async (body: object) => {
    const r = await as().post('/api/networking/cdn/distributions').send(body).expect(202);
    await eventually(async () => {
      const g = await as().get(`/api/networking/cdn/distributions/${r.body.id}`).expect(200);
      return g.body.status === 'deployed';
    }, 'deployed');
    // the edge hears the deployment as a change event; poll until it serves
    await eventually(async () => (await viaEdge(app, `/cdn/${r.body.id}/`)).headers['x-cache'], 'served by the edge');
    return r.body;
  };

  it('serves a private bucket through its distribution, while the bucket itself refuses anonymous reads', async () => {
    const user = await s3As(app, alice);
    const name = `edge-private-${Date.now()}`;
    const bucket = await as().post('/api/storage/buckets').send({ name }).expect(201);
    await user.s3.send(
      new PutObjectCommand({ Bucket: name, Key: 'docs/readme.txt', Body: 'private bytes', ContentType: 'text/plain' }),
    );
    const d = await deployed({
      name: 'files',
      origins: [{ id: 'files', bucket_id: bucket.body.id }],
      default_cache_behavior: { target_origin_id: 'files', cache_policy_id: 'cp-cachingoptimized' },
    });
    const r = await viaEdge(app, `/cdn/${d.id}/docs/readme.txt`);
    expect([r.status, r.text, r.headers['content-type']]).to.deep.equal([200, 'private bytes', 'text/plain']);
    expect(r.headers['etag']).to.be.a('string');
    expect((await viaEdge(app, `/cdn/${d.id}/docs/readme.txt`)).headers['x-cache']).to.match(/^Hit/);
    expect((await viaEdge(app, `/cdn/${d.id}/docs/none.txt`)).status).to.equal(404);
    // the bucket's own doors stay shut to anonymous viewers
    expect((await viaEdge(app, `/s3/${name}/docs/readme.txt`)).status).to.equal(403);
    // and its owner still reads it over S3 as before
    const own = await user.s3.send(new GetObjectCommand({ Bucket: name, Key: 'docs/readme.txt' }));
    expect(await own.Body!.transformToString()).to.equal('private bytes');
  });

  it('a REST invalidation completes once the edge dropped the paths, and the edge then serves the new content', async () => {
    let version = 1;
    origin.route('/app/main.js', () => ({ headers: { 'cache-control': 'max-age=3600' }, body: `v${version}` }));
    const d = await deployed({
      name: 'site',
      origins: [{ id: 'web', url: origin.url }],
      default_cache_behavior: { target_origin_id: 'web', cache_policy_id: 'cp-cachingoptimized' },
    });
    expect((await viaEdge(app, `/cdn/${d.id}/app/main.js`)).text).to.equal('v1');
    version = 2;
    expect((await viaEdge(app, `/cdn/${d.id}/app/main.js`)).text).to.equal('v1');
    const inv = await as()
      .post(`/api/networking/cdn/distributions/${d.id}/invalidations`)
      .send({ paths: ['/app/*'], caller_reference: `ref-${Date.now()}` })
      .expect(202);
    await eventually(async () => {
      const r = await as().get(`/api/networking/cdn/invalidations/${inv.body.id}`).expect(200);
      return r.body.status === 'completed';
    }, 'the invalidation completed');
    expect((await viaEdge(app, `/cdn/${d.id}/app/main.js`)).text).to.equal('v2');
  });
});
