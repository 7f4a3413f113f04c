// The object file store on a temp directory: durable writes, ranged reads, cleanup after failures and aborts,
// the orphan sweep, and flat memory for a 200 MiB encrypted upload.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { problems } from '../../../api/src/platform/problems.js';
import { FileStore } from '../../../api/src/storage/objects/file-store.js';
import { cipherLength, decryptRange, encryptStream } from '../../../api/src/storage/objects/frames.js';

async function collect(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('storage: the object file store', () => {
  let root: string;
  let store: FileStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'atonix-objects-'));
    store = new FileStore(root);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const temps = () => readdir(join(root, 'tmp'));

  it('writes a body to data/<2 hex>/<id>, leaves no temp file, and reads it back whole and by range', async () => {
    const body = randomBytes(300_000);
    const w = await store.write(Readable.from([body.subarray(0, 1000), body.subarray(1000)]));
    expect(w.file).to.match(/^data\/([0-9a-f]{2})\/\1[0-9a-f]{30}$/);
    expect(w.bytes).to.equal(body.length);
    expect(await store.size(w.file)).to.equal(body.length);
    expect((await stat(join(root, w.file))).mode & 0o777).to.equal(0o600);
    expect(await temps()).to.deep.equal([]);
    expect((await collect(store.read(w.file))).equals(body)).to.equal(true);
    expect((await collect(store.read(w.file, { start: 7, end: 7 }))).equals(body.subarray(7, 8))).to.equal(true);
    const tail = await collect(store.read(w.file, { start: 299_990, end: 299_999 }));
    expect(tail.equals(body.subarray(299_990))).to.equal(true);
  });

  it('writes empty bodies, and gives every write its own file', async () => {
    const a = await store.write(Readable.from([]));
    const b = await store.write(Readable.from([]));
    expect(a.bytes).to.equal(0);
    expect(a.file).to.not.equal(b.file);
    expect(await store.size(a.file)).to.equal(0);
  });

  it('counts the bytes after the transforms: an encrypted write is cipherLength long and decrypts', async () => {
    const [key, iv] = [randomBytes(32), randomBytes(12)];
    const body = randomBytes(200_001);
    const w = await store.write(Readable.from([body]), { transform: [encryptStream(key, iv)] });
    expect(w.bytes).to.equal(cipherLength(body.length));
    const open = (s: number, e: number) => store.read(w.file, { start: s, end: e });
    const part = await collect(decryptRange(open, key, iv, body.length, 70_000, 140_000));
    expect(part.equals(body.subarray(70_000, 140_001))).to.equal(true);
  });

  it('removes the temp file and re-throws a transform’s error unchanged (e.g. BadDigest)', async () => {
    const bad = problems.s3('BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
    let seen = 0;
    const check = new Transform({
      transform(chunk: Buffer, _e, done) {
        seen += chunk.length;
        done(seen > 100_000 ? bad : null, chunk);
      },
    });
    const source = Readable.from(Array.from({ length: 10 }, () => randomBytes(65536)));
    const err = await store.write(source, { transform: [check] }).catch((e: unknown) => e);
    expect(err).to.equal(bad);
    expect(await temps()).to.deep.equal([]);
    expect(await readdir(join(root, 'data'))).to.deep.equal([]);
  });

  it('removes the temp file and re-throws a source error unchanged', async () => {
    const boom = new Error('the body broke');
    const source = new Readable({
      read() {
        this.push(randomBytes(1000));
        this.destroy(boom);
      },
    });
    expect(await store.write(source).catch((e: unknown) => e)).to.equal(boom);
    expect(await temps()).to.deep.equal([]);
  });

  it('removes the temp file when the client aborts an HTTP upload half way', async () => {
    let outcome!: Promise<unknown>;
    let arrived!: () => void;
    const started = new Promise<void>((resolve) => (arrived = resolve));
    const server: Server = createServer((req, res) => {
      outcome = store.write(req).then(
        () => 'written',
        (e: unknown) => e,
      );
      req.once('data', () => arrived());
      outcome.then(() => res.destroy());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const client = request({ host: '127.0.0.1', port, method: 'PUT', headers: { 'content-length': 10_000_000 } });
      client.on('error', () => {});
      client.write(randomBytes(200_000));
      await started;
      client.destroy();
      const err = await outcome;
      expect(err).to.be.instanceOf(Error);
      expect(await temps()).to.deep.equal([]);
    } finally {
      server.close();
    }
  });

  it('removes idempotently, and refuses paths that are not its own files', async () => {
    const w = await store.write(Readable.from([Buffer.from('x')]));
    await store.remove(w.file);
    await store.remove(w.file);
    const err = await store.size(w.file).catch((e: NodeJS.ErrnoException) => e);
    expect((err as NodeJS.ErrnoException).code).to.equal('ENOENT');
    for (const evil of ['../etc/passwd', 'data/ab/../../x', '/etc/passwd', 'tmp/abc', 'data/AB/' + 'a'.repeat(32)])
      expect(() => store.read(evil)).to.throw(RangeError);
  });

  it('copies a file to a new one', async () => {
    const w = await store.write(Readable.from([Buffer.from('hello')]));
    const c = await store.copy(w.file);
    expect(c.file).to.not.equal(w.file);
    expect(c.bytes).to.equal(5);
    await store.remove(w.file);
    expect((await collect(store.read(c.file))).toString()).to.equal('hello');
  });

  describe('sweep', () => {
    const past = (ms: number) => new Date(Date.now() - ms);

    it('removes old temp files and old unreferenced data files, keeping referenced and young ones', async () => {
      const kept = await store.write(Readable.from([Buffer.from('row points here')]));
      const orphan = await store.write(Readable.from([Buffer.from('crash before commit')]));
      const young = await store.write(Readable.from([Buffer.from('commit in flight')]));
      for (const f of [kept.file, orphan.file]) await utimes(join(root, f), past(7200_000), past(7200_000));
      await writeFile(join(root, 'tmp', 'old-upload'), 'half a body');
      await utimes(join(root, 'tmp', 'old-upload'), past(7200_000), past(7200_000));
      await writeFile(join(root, 'tmp', 'live-upload'), 'still streaming');

      const asked: string[][] = [];
      const result = await store.sweep(
        async (files) => {
          asked.push(files);
          return new Set(files.filter((f) => f === kept.file));
        },
        3600_000,
        Date.now(),
      );
      expect(result).to.deep.equal({ tempRemoved: 1, orphansRemoved: 1, dataScanned: 3 });
      expect(asked.flat().sort()).to.deep.equal([kept.file, orphan.file].sort());
      expect(await temps()).to.deep.equal(['live-upload']);
      expect(await store.size(kept.file)).to.equal(15);
      expect(await store.size(young.file)).to.equal(16);
      expect(await store.size(orphan.file).catch((e: NodeJS.ErrnoException) => e.code)).to.equal('ENOENT');
    });

    it('asks about data files in batches', async () => {
      const files: string[] = [];
      for (let i = 0; i < 7; i++) files.push((await store.write(Readable.from([Buffer.from(String(i))]))).file);
      const sizes: number[] = [];
      const result = await store.sweep(
        async (batch) => (sizes.push(batch.length), new Set(batch)),
        0,
        Date.now() + 1000,
        3,
      );
      expect(sizes.reduce((a, b) => a + b, 0)).to.equal(7);
      expect(Math.max(...sizes)).to.be.at.most(3);
      expect(result.orphansRemoved).to.equal(0);
    });

    it('works on a store that has never been written to', async () => {
      expect(await store.sweep(async () => new Set(), 0, Date.now())).to.deep.equal({
        tempRemoved: 0,
        orphansRemoved: 0,
        dataScanned: 0,
      });
    });
  });

  it('keeps memory flat: 200 MiB through encryptStream into a file grows RSS by less than 64 MB', async function () {
    this.timeout(120_000);
    const total = 200 * 1024 * 1024;
    const chunk = randomBytes(64 * 1024);
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    let sent = 0;
    // Generated lazily, as a socket would deliver it: read() is only called when the pipeline wants more.
    const source = new Readable({
      read() {
        if (sent % (4 * 1024 * 1024) === 0) peak = Math.max(peak, process.memoryUsage().rss);
        if (sent >= total) return void this.push(null);
        sent += chunk.length;
        this.push(Buffer.from(chunk));
      },
    });
    const w = await store.write(source, { transform: [encryptStream(randomBytes(32), randomBytes(12))] });
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(w.bytes).to.equal(cipherLength(total));
    expect(peak - baseline, `RSS grew by ${((peak - baseline) / 1e6).toFixed(1)} MB`).to.be.below(64e6);
  });
});
