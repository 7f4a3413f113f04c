// Buckets and objects through the real terraform binary: a bucket's settings in place, force_destroy, the bucket
// data source by name; atonix_bucket_object from content and from a file, its data source, import, drift, destroy.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ADMIN_TOKEN, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, ROOT, Workspace } from './workspace.js';

describe('terraform: buckets and objects through the real binary', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp();
  });
  after(() => app.close());

  const bytesOf = async (bucket: string, key: string) =>
    (
      await app.admin
        .get(`/api/storage/buckets/${bucket}?key=${encodeURIComponent(key)}`)
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200)
    ).body.toString('utf8');
  const versions = async (bucket: string, key: string) =>
    (
      await app.admin.get(`/api/storage/buckets/${bucket}/objects?versions=true&prefix=${key}`).expect(200)
    ).body.items.filter((i: any) => i.key === key);

  it('atonix_bucket: versioning and metadata in place, found by name, and force_destroy empties it on destroy', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      const config = (versioning: boolean, team: string, force: boolean) => `
resource "atonix_bucket" "b" {
  name               = "tf-settings"
  versioning_enabled = ${versioning}
  force_destroy      = ${force}
  metadata           = { team = "${team}" }
}
data "atonix_bucket" "by_name" {
  name = atonix_bucket.b.name
}
output "found" {
  value = "\${data.atonix_bucket.by_name.id} \${data.atonix_bucket.by_name.versioning_status}"
}
`;
      ws.write(config(true, 'a', false));
      await ws.apply();
      await ws.plan(0);
      const id = await ws.stateId('atonix_bucket.b');
      expect(await ws.must(['output', '-raw', 'found'])).to.equal(`${id} Enabled`);

      ws.write(config(false, 'b', false));
      expect(await ws.plan(2)).to.contain('1 to change, 0 to destroy');
      await ws.apply();
      await ws.plan(0);
      expect((await app.admin.get(`/api/storage/buckets/${id}`).expect(200)).body).to.deep.include({
        versioning_enabled: false,
        versioning_status: 'Suspended',
        metadata: { team: 'b' },
      });
      expect(await ws.must(['output', '-raw', 'found'])).to.equal(`${id} Suspended`);

      // Objects written outside Terraform move the usage figures: a refresh, never a planned change.
      for (const key of ['a.txt', 'b.txt'])
        await app.admin.put(`/api/storage/buckets/tf-settings?key=${key}`).send('some bytes').expect(200);
      await ws.plan(0);
      const refused = await ws.run(['destroy', '-auto-approve', '-no-color']);
      expect(refused.code).to.equal(1);
      expect(refused.out).to.match(/BucketNotEmpty|force_destroy/);

      ws.write(config(false, 'b', true));
      await ws.apply();
      await ws.destroy();
      await app.admin.get(`/api/storage/buckets/${id}`).expect(404);
    } finally {
      ws.remove();
    }
  });

  it('atonix_bucket_object: content and a source file, the data source, updates, import, replace, drift, destroy', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    const page = (text: string) => {
      mkdirSync(join(ws.dir, 'site'), { recursive: true });
      writeFileSync(join(ws.dir, 'site/index.html'), text);
    };
    const config = (note: string, noteKey = 'note.txt') => `
resource "atonix_bucket" "b" {
  name = "tf-objects"
}
resource "atonix_bucket_object" "note" {
  bucket       = atonix_bucket.b.name
  key          = "${noteKey}"
  content      = "${note}"
  content_type = "text/plain; charset=utf-8"
  metadata     = { owner = "ops" }
}
resource "atonix_bucket_object" "page" {
  bucket        = atonix_bucket.b.id
  key           = "site/index.html"
  source        = "site/index.html"
  content_type  = "text/html"
  cache_control = "max-age=60"
}
data "atonix_bucket_object" "note" {
  bucket = atonix_bucket.b.name
  key    = atonix_bucket_object.note.key
}
output "read" {
  value = "\${data.atonix_bucket_object.note.content}|\${data.atonix_bucket_object.note.etag}|\${data.atonix_bucket_object.note.metadata.owner}"
}
output "etag" {
  value = atonix_bucket_object.note.etag
}
`;
    try {
      page('<h1>one</h1>');
      ws.write(config('first'));
      await ws.apply();
      await ws.plan(0);
      expect(await bytesOf('tf-objects', 'note.txt')).to.equal('first');
      expect(await bytesOf('tf-objects', 'site/index.html')).to.equal('<h1>one</h1>');
      const etag = await ws.must(['output', '-raw', 'etag']);
      expect(etag).to.match(/^[0-9a-f]{32}$/);
      expect(await ws.must(['output', '-raw', 'read'])).to.equal(`first|${etag}|ops`);
      const [stored] = (await app.admin.get('/api/storage/buckets/tf-objects/objects?prefix=site/').expect(200)).body
        .items;
      expect(stored).to.include({ content_type: 'text/html', cache_control: 'max-age=60', size: 12 });

      // New content is an upload; so is a changed file, with nothing in the configuration changed.
      ws.write(config('second'));
      expect(await ws.plan(2)).to.contain('1 to change, 0 to destroy');
      await ws.apply();
      await ws.plan(0);
      expect(await bytesOf('tf-objects', 'note.txt')).to.equal('second');
      expect((await ws.must(['output', '-raw', 'read'])).split('|')[0]).to.equal('second');
      page('<h1>two</h1>');
      const fileChanged = await ws.plan(2);
      expect(fileChanged).to.contain('atonix_bucket_object.page will be updated in-place');
      expect(fileChanged).to.contain('1 to change, 0 to destroy');
      await ws.apply();
      await ws.plan(0);
      expect(await bytesOf('tf-objects', 'site/index.html')).to.equal('<h1>two</h1>');

      // Import by <bucket>/<key>: a text object's bytes come back as content (an empty plan); a source is recorded
      // by one apply that uploads nothing.
      const pageVersions = (await versions('tf-objects', 'site/index.html')).length;
      await ws.must(['state', 'rm', 'atonix_bucket_object.note']);
      await ws.must(['import', '-no-color', 'atonix_bucket_object.note', 'tf-objects/note.txt']);
      await ws.plan(0);
      const bucketId = await ws.stateId('atonix_bucket.b');
      await ws.must(['state', 'rm', 'atonix_bucket_object.page']);
      await ws.must(['import', '-no-color', 'atonix_bucket_object.page', `${bucketId}/site/index.html`]);
      const record = await ws.plan(2);
      expect(record).to.contain('+ source');
      expect(record).to.contain('1 to change, 0 to destroy');
      await ws.apply();
      await ws.plan(0);
      expect(await versions('tf-objects', 'site/index.html')).to.have.length(pageVersions);

      // A new key is a new object; the old key goes with all its versions.
      ws.write(config('second', 'notes/today.txt'));
      const replace = await ws.plan(2);
      expect(replace).to.match(/must be replaced/);
      await ws.apply();
      await ws.plan(0);
      expect(await versions('tf-objects', 'note.txt')).to.deep.equal([]);
      expect(await bytesOf('tf-objects', 'notes/today.txt')).to.equal('second');

      // Drift: an object overwritten outside Terraform is uploaded again; one deleted is created again.
      await app.admin.put('/api/storage/buckets/tf-objects?key=notes/today.txt').send('tampered').expect(200);
      expect(await ws.plan(2)).to.contain('atonix_bucket_object.note will be updated in-place');
      await app.admin.delete('/api/storage/buckets/tf-objects?key=notes/today.txt').expect(204);
      expect(await ws.plan(2)).to.contain('atonix_bucket_object.note will be created');
      await ws.apply();
      await ws.plan(0);

      // The bucket is versioned and has no force_destroy: destroying the objects leaves it empty, so it goes too.
      await ws.destroy();
      await app.admin.get('/api/storage/buckets/tf-objects').expect(404);
    } finally {
      ws.remove();
    }
  });

  it('atonix_bucket_object: exactly one of content and source, lowercase metadata keys, and a bad import id', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      ws.write(`
resource "atonix_bucket_object" "both" {
  bucket   = "b"
  key      = "k"
  content  = "x"
  source   = "x.txt"
  metadata = { Owner = "ops" }
}
resource "atonix_bucket_object" "none" {
  bucket = "b"
  key    = "k2"
}
`);
      const out = await ws.must(['validate', '-no-color'], 1);
      expect(out).to.contain('Both content and source are set');
      expect(out).to.contain('No content');
      expect(out).to.contain('keys must be lowercase');
      ws.write('resource "atonix_bucket_object" "x" {\n  bucket = "b"\n  key = "k"\n  content = "x"\n}\n');
      const bad = await ws.must(['import', '-no-color', 'atonix_bucket_object.x', 'no-slash'], 1);
      expect(bad).to.contain('Give it as <bucket>/<key>');
    } finally {
      ws.remove();
    }
  });

  it('atonix_bucket_lifecycle_configuration: the example applies, imports by its bucket name, and a bad rule is a diagnostic', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      const example = readFileSync(
        join(ROOT, 'examples/terraform/resources/atonix_bucket_lifecycle_configuration/resource.tf'),
        'utf8',
      );
      ws.write(example);
      await ws.apply();
      await ws.plan(0);
      const id = await ws.stateId('atonix_bucket_lifecycle_configuration.logs');
      const live = (await app.admin.get('/api/storage/lifecycle-configurations/example-logs').expect(200)).body;
      expect(live.id).to.equal(id);
      expect(live.rules.find((r: any) => r.id === 'logs')).to.include({
        transition_archive_days: 90,
        newer_noncurrent_versions: 2,
      });
      await ws.must(['state', 'rm', 'atonix_bucket_lifecycle_configuration.logs']);
      await ws.must(['import', '-no-color', 'atonix_bucket_lifecycle_configuration.logs', 'example-logs']);
      expect(await ws.stateId('atonix_bucket_lifecycle_configuration.logs')).to.equal(id);
      await ws.plan(0);
      ws.write(example.replace('transition_archive_days            = 90', 'transition_archive_days            = 20'));
      const bad = await ws.run(['apply', '-auto-approve', '-no-color']);
      expect(bad.code).to.equal(1);
      expect(bad.out).to.contain('must be later than transition_infrequent_days');
      ws.write(example);
      await ws.destroy();
      await app.admin.get(`/api/storage/lifecycle-configurations/${id}`).expect(404);
    } finally {
      ws.remove();
    }
  });
});
