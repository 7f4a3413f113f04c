// Buckets and objects over REST at the seed's paths: S3's naming rules, the quota and the accounting behind it,
// versions and delete markers, versioning's one-way door, listing with prefixes and cursors, and deletes.
import { request } from 'node:http';
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';

/**
 * A PUT that declares `body` bytes and sends none (the answer must come before the body), or sends a Buffer
 * chunked, with no length.
 */
function rawPut(
  base: string,
  token: string,
  path: string,
  body: number | Buffer,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${token}`,
        ...(typeof body === 'number' ? { 'Content-Length': String(body) } : {}),
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        resolve({ status: res.statusCode!, body: JSON.parse(text) });
        req.destroy();
      });
    });
    req.on('error', reject);
    if (typeof body === 'number') req.flushHeaders();
    else req.end(body);
  });
}

describe('storage over REST: buckets and objects', function () {
  this.timeout(60_000);
  let app: TestApp;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  const as = (u: { token: string }) => app.as(u.token);
  const put = (u: { token: string }, bucket: string, key: string, body: string | Buffer) =>
    as(u)
      .put(`/api/storage/buckets/${bucket}?key=${encodeURIComponent(key)}`)
      .set('Content-Type', 'application/octet-stream')
      .send(body);
  /** A download's bytes as text, whatever its content type. */
  const download = async (u: { token: string }, path: string, status = 200, headers: Record<string, string> = {}) => {
    const r = await as(u)
      .get(path)
      .set(headers)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(status);
    return (r.body as Buffer).toString();
  };
  const usage = async (u: { token: string }, bucket: string) => {
    const b = (await as(u).get(`/api/storage/buckets/${bucket}`).expect(200)).body;
    return { used_bytes: b.used_bytes, object_count: b.object_count };
  };

  before(async () => {
    app = await startApp();
    alice = await newUser(app, 'rest-alice');
    bob = await newUser(app, 'rest-bob');
  });
  after(() => app.close());

  describe('createBucket', () => {
    it('creates with the seed fields and their defaults (encrypted, versioned)', async () => {
      const r = await as(alice).post('/api/storage/buckets').send({ name: 'rest-defaults' }).expect(201);
      expect(r.body).to.include({
        name: 'rest-defaults',
        region: 'us-east-1',
        size_gb: 100,
        used_gb: 0,
        used_bytes: 0,
        object_count: 0,
        encryption_enabled: true,
        versioning_enabled: true,
        versioning_status: 'Enabled',
        owner: alice.id,
      });
      expect(r.body.id).to.match(/^bkt-/);
      expect(r.headers.location).to.equal(`/api/storage/buckets/${r.body.id}`);
    });

    it('refuses names S3 refuses, naming the field', async () => {
      for (const name of ['192.168.0.1', 'a..b', 'xn--abc', 'UPPER', 'ab']) {
        const r = await as(alice).post('/api/storage/buckets').send({ name }).expect(422);
        expect(r.body.errors[0].pointer, name).to.equal('/name');
      }
    });

    it('tells BucketAlreadyOwnedByYou from BucketAlreadyExists', async () => {
      await as(alice).post('/api/storage/buckets').send({ name: 'rest-taken' }).expect(201);
      expect(
        (await as(alice).post('/api/storage/buckets').send({ name: 'rest-taken' }).expect(409)).body.code,
      ).to.equal('BucketAlreadyOwnedByYou');
      expect((await as(bob).post('/api/storage/buckets').send({ name: 'rest-taken' }).expect(409)).body.code).to.equal(
        'BucketAlreadyExists',
      );
    });
  });

  describe('objects at the seed paths', () => {
    before(() => as(alice).post('/api/storage/buckets').send({ name: 'rest-objects', size_gb: 1 }).expect(201));

    it('PUT ?key= stores the raw body and answers its metadata; GET ?key= streams it back; GET without key is the bucket', async () => {
      const r = await put(alice, 'rest-objects', 'notes/a.txt', 'hello').set('Content-Type', 'text/plain').expect(200);
      expect(r.body).to.include({
        key: 'notes/a.txt',
        size: 5,
        etag: '"5d41402abc4b2a76b9719d911017c592"',
        content_type: 'text/plain',
      });
      expect(r.body.version_id).to.be.a('string').and.not.equal('null');
      expect(r.body.server_side_encryption).to.equal('aws:kms');
      const got = await as(alice).get('/api/storage/buckets/rest-objects?key=notes%2Fa.txt').buffer(true).expect(200);
      expect(got.text).to.equal('hello');
      expect(got.headers['content-type']).to.equal('text/plain');
      const ranged = await as(alice)
        .get('/api/storage/buckets/rest-objects?key=notes%2Fa.txt')
        .set('Range', 'bytes=1-3')
        .buffer(true)
        .expect(206);
      expect(ranged.text).to.equal('ell');
      await as(alice)
        .get('/api/storage/buckets/rest-objects?key=notes%2Fa.txt')
        .set('If-None-Match', r.body.etag)
        .expect(304);
      expect((await as(alice).get('/api/storage/buckets/rest-objects').expect(200)).body.name).to.equal('rest-objects');
    });

    it('keeps every version, hides the object behind a delete marker, and deletes versions by id', async () => {
      const v1 = (await put(alice, 'rest-objects', 'doc', 'one').expect(200)).body.version_id;
      const v2 = (await put(alice, 'rest-objects', 'doc', 'two!').expect(200)).body.version_id;
      expect(await download(alice, '/api/storage/buckets/rest-objects?key=doc')).to.equal('two!');
      expect(await download(alice, `/api/storage/buckets/rest-objects?key=doc&version_id=${v1}`)).to.equal('one');
      const del = await as(alice).delete('/api/storage/buckets/rest-objects?key=doc').expect(204);
      expect(del.headers['x-amz-delete-marker']).to.equal('true');
      expect((await as(alice).get('/api/storage/buckets/rest-objects?key=doc').expect(404)).body.code).to.equal(
        'NoSuchKey',
      );
      const versions = (
        await as(alice).get('/api/storage/buckets/rest-objects/objects?prefix=doc&versions=true').expect(200)
      ).body.items;
      expect(versions.map((v: any) => [v.delete_marker, v.is_latest])).to.deep.equal([
        [true, true],
        [false, false],
        [false, false],
      ]);
      // Deleting the marker brings the newest version back.
      await as(alice)
        .delete(`/api/storage/buckets/rest-objects?key=doc&version_id=${versions[0].version_id}`)
        .expect(204);
      expect(await download(alice, '/api/storage/buckets/rest-objects?key=doc')).to.equal('two!');
      await as(alice).delete(`/api/storage/buckets/rest-objects?key=doc&version_id=${v2}`).expect(204);
      expect(await download(alice, '/api/storage/buckets/rest-objects?key=doc')).to.equal('one');
    });

    it('lists keys and common prefixes in byte order with cursors', async () => {
      for (const k of ['l/a', 'l/b', 'l/c/1', 'l/c/2', 'l/d']) await put(alice, 'rest-objects', k, 'x').expect(200);
      const first = await as(alice)
        .get('/api/storage/buckets/rest-objects/objects?prefix=l%2F&delimiter=%2F&limit=2')
        .expect(200);
      expect(first.body.items.map((o: any) => o.key)).to.deep.equal(['l/a', 'l/b']);
      expect(first.body.next_cursor).to.be.a('string');
      const second = await as(alice)
        .get(
          `/api/storage/buckets/rest-objects/objects?prefix=l%2F&delimiter=%2F&limit=2&cursor=${first.body.next_cursor}`,
        )
        .expect(200);
      expect(second.body.common_prefixes).to.deep.equal(['l/c/']);
      expect(second.body.items.map((o: any) => o.key)).to.deep.equal(['l/d']);
      expect(second.body.next_cursor).to.equal(null);
    });
  });

  describe('quota and accounting', () => {
    it('counts every version, refuses a write past size_gb, and frees bytes as versions go', async () => {
      const b = (await as(alice).post('/api/storage/buckets').send({ name: 'rest-quota', size_gb: 1 }).expect(201))
        .body;
      const mib = Buffer.alloc(1024 * 1024, 1);
      await put(alice, b.id, 'a', mib).expect(200);
      await put(alice, b.id, 'a', mib).expect(200);
      expect(await usage(alice, b.id)).to.deep.equal({ used_bytes: 2 * mib.length, object_count: 2 });
      // A declared length past the quota is refused before a byte is read.
      const declared = await rawPut(app.url, alice.token, `/api/storage/buckets/${b.id}?key=huge`, 1024 ** 3);
      expect(declared.status).to.equal(409);
      expect(declared.body.code).to.equal('QuotaExceeded');
      // A chunked upload (no length) is refused at its commit: here the bucket is made nearly full first.
      const nearlyFull = 1024 ** 3 - 1024 * 1024;
      await app.platform.db('bucket_usage').where({ bucket_id: b.id }).update({ used_bytes: nearlyFull });
      const chunked = await rawPut(
        app.url,
        alice.token,
        `/api/storage/buckets/${b.id}?key=chunked`,
        Buffer.alloc(2 * 1024 * 1024, 2),
      );
      expect(chunked.status).to.equal(409);
      expect(chunked.body.code).to.equal('QuotaExceeded');
      expect((await usage(alice, b.id)).used_bytes).to.equal(nearlyFull);
      await as(alice).get(`/api/storage/buckets/${b.id}?key=chunked`).expect(404);
      await app.platform
        .db('bucket_usage')
        .where({ bucket_id: b.id })
        .update({ used_bytes: 2 * mib.length });
      const versions = (await as(alice).get(`/api/storage/buckets/${b.id}/objects?versions=true`).expect(200)).body
        .items;
      for (const v of versions)
        await as(alice).delete(`/api/storage/buckets/${b.id}?key=a&version_id=${v.version_id}`).expect(204);
      expect(await usage(alice, b.id)).to.deep.equal({ used_bytes: 0, object_count: 0 });
    });
  });

  describe('versioning and deletes', () => {
    it('suspends versioning but never turns it off again; a suspended write replaces the null version', async () => {
      const b = (await as(alice).post('/api/storage/buckets').send({ name: 'rest-versioning' }).expect(201)).body;
      const off = await as(alice).patch(`/api/storage/buckets/${b.id}`).send({ versioning_enabled: false }).expect(200);
      expect(off.body.versioning_status).to.equal('Suspended');
      const on = await as(alice).patch(`/api/storage/buckets/${b.id}`).send({ versioning_enabled: true }).expect(200);
      expect(on.body.versioning_status).to.equal('Enabled');
      await as(alice).patch(`/api/storage/buckets/${b.id}`).send({ versioning_enabled: false }).expect(200);
      expect((await put(alice, b.id, 'k', 'first').expect(200)).body.version_id).to.equal('null');
      await put(alice, b.id, 'k', 'second').expect(200);
      expect(await usage(alice, b.id)).to.deep.equal({ used_bytes: 6, object_count: 1 });
    });

    it('refuses to delete a bucket that holds objects (409), deletes it empty, and force_destroy empties it', async () => {
      const b = (
        await as(alice)
          .post('/api/storage/buckets')
          .send({ name: 'rest-deletes', versioning_enabled: false })
          .expect(201)
      ).body;
      await put(alice, b.id, 'k', 'v').expect(200);
      expect((await as(alice).delete(`/api/storage/buckets/${b.id}`).expect(409)).body.code).to.equal('BucketNotEmpty');
      await as(alice).delete(`/api/storage/buckets/${b.id}?key=k`).expect(204);
      await as(alice).delete(`/api/storage/buckets/${b.id}`).expect(204);
      const f = (
        await as(alice).post('/api/storage/buckets').send({ name: 'rest-force', force_destroy: true }).expect(201)
      ).body;
      await put(alice, f.id, 'k', 'v').expect(200);
      await put(alice, f.id, 'k', 'w').expect(200);
      await as(alice).delete(`/api/storage/buckets/${f.id}`).expect(204);
      await as(alice).get(`/api/storage/buckets/${f.id}`).expect(404);
    });

    it("keeps another owner's bucket and objects a 404", async () => {
      await as(bob).get('/api/storage/buckets/rest-objects').expect(404);
      await as(bob).get('/api/storage/buckets/rest-objects?key=notes%2Fa.txt').expect(404);
      await put(bob, 'rest-objects', 'x', 'y').expect(404);
    });
  });
});
