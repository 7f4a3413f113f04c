// The edge's two tiers on a real directory: the memory tier keeps its byte bound by spilling the least recently used
// entries to disk (temp file + rename), a lookup brings them back, and invalidations drop them from both tiers.
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskTier } from '../../../api/src/cdn/edge/disk-tier.js';
import type { Entry } from '../../../api/src/cdn/edge/entry.js';
import { EdgeStore } from '../../../api/src/cdn/edge/store.js';

const entry = (path: string, size: number): Entry => ({
  key: `d\u0000${path}`,
  distributionId: 'd',
  path,
  status: 200,
  headers: { 'content-type': 'text/plain' },
  body: Buffer.alloc(size, path.charCodeAt(1)),
  receivedAt: 0,
  initialAge: 0,
  freshness: { lifetime: 60, staleWhileRevalidate: 0, staleIfError: 0, mustRevalidate: false, source: 'max-age' },
  varyValues: {},
});

describe('cdn edge: store', () => {
  it('keeps memory within its bound, spilling the least recently used to disk and reading it back', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'atonix-cdn-')), 'tier');
    const store = new EdgeStore(3 * 1024 + 3 * 700, new DiskTier(dir, 1024 * 1024));
    for (const p of ['/a', '/b', '/c']) store.put(entry(p, 1024));
    await store.lookup('d\u0000/a', {}, 'identity'); // /a is now the most recent
    store.put(entry('/d', 1024));
    expect(store.memoryBytes).to.be.at.most(3 * 1024 + 3 * 700);
    await store.disk.idle();
    expect(store.disk.size).to.equal(1024);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    const b = await store.lookup('d\u0000/b', {}, 'identity');
    expect(b?.body.equals(Buffer.alloc(1024, 'b'.charCodeAt(0)))).to.equal(true);
    await store.disk.idle();
    expect(store.dropWhere((e) => e.path !== '/a')).to.equal(3);
    expect(await store.lookup('d\u0000/b', {}, 'identity')).to.equal(undefined);
    expect(await store.lookup('d\u0000/a', {}, 'identity')).to.not.equal(undefined);
  });

  it('keeps the disk tier within its own bound', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'atonix-cdn-')), 'tier');
    const store = new EdgeStore(0, new DiskTier(dir, 2500));
    for (const p of ['/a', '/b', '/c']) store.put(entry(p, 1000));
    await store.disk.idle();
    expect(store.disk.size).to.equal(2000);
    expect(readdirSync(dir)).to.have.length(2);
    expect(await store.lookup('d\u0000/a', {}, 'identity')).to.equal(undefined);
  });

  it('removes its directory when it closes, and the first spill sweeps away what dead processes left', async () => {
    const root = mkdtempSync(join(tmpdir(), 'atonix-cdn-'));
    // pids above the kernel's limit (2^22) belong to no process; our own pid is a live one
    for (const name of ['4999999-dead', `${process.pid}-alive`]) mkdirSync(join(root, name));
    const tier = new DiskTier(join(root, `${process.pid}-mine`), 10_000);
    tier.put('x', entry('/x', 100));
    await tier.idle();
    expect(readdirSync(root).sort()).to.deep.equal([`${process.pid}-alive`, `${process.pid}-mine`]);
    await tier.close();
    expect(existsSync(join(root, `${process.pid}-mine`))).to.equal(false);
    expect(await tier.take('x')).to.equal(undefined);
  });
});
