// atonix_bucket_object's plan with no API: etag and size from the bytes at plan time, which changes upload (and so
// make a new version) and which only record where the bytes come from, and replacement on a new bucket or key.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { ApiClient } from '../../../provider/src/framework/client.js';
import { bucketObject } from '../../../provider/src/resources/bucket-object.js';
import { UNKNOWN, type ObjectValue } from '../../../provider/src/runtime/index.js';

const r = bucketObject((): ApiClient => {
  throw new Error('no API call is expected');
});
const ctx = { signal: new AbortController().signal } as never;
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** Every attribute null, then the given values: the shape terraform sends. */
const object = (values: ObjectValue): ObjectValue => ({
  ...Object.fromEntries(Object.keys(r.schema.block.attributes!).map((a) => [a, null])),
  ...values,
});
const config = object({ bucket: 'site', key: 'a.txt', content: 'hello' });
const prior = object({
  ...config,
  id: 'site/a.txt',
  content_type: 'binary/octet-stream',
  etag: md5('hello'),
  version_id: 'v1',
  size: 5,
});
/** As core proposes: the configuration, and the prior value of every computed attribute the configuration leaves unset. */
const plan = async (priorState: ObjectValue | null, cfg: ObjectValue) => {
  const proposed: ObjectValue = { ...cfg };
  for (const [name, a] of Object.entries(r.schema.block.attributes!))
    if (priorState && a.computed && cfg[name] === null) proposed[name] = priorState[name]!;
  return r.plan(
    { priorState, proposedState: proposed, config: cfg, priorPrivate: new Uint8Array(), providerMeta: null },
    ctx,
  );
};

describe('provider: atonix_bucket_object plans', () => {
  it('plans a create with the etag and size of the bytes, and what the API decides unknown', async () => {
    const { plannedState } = await plan(null, config);
    expect(plannedState).to.include({ id: 'site/a.txt', etag: md5('hello'), size: 5 });
    expect(plannedState!.version_id).to.equal(UNKNOWN);
    expect(plannedState!.content_type).to.equal(UNKNOWN);
  });

  it('reads a source file at plan time: new bytes plan a new etag and version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atonix-object-'));
    writeFileSync(join(dir, 'a.txt'), 'hello');
    const fromFile = object({ bucket: 'site', key: 'a.txt', source: join(dir, 'a.txt') });
    const same = (await plan(prior, fromFile)).plannedState!;
    expect(same).to.include({ etag: md5('hello'), version_id: 'v1' }); // only where the bytes come from changed
    writeFileSync(join(dir, 'a.txt'), 'hello, world');
    const changed = (await plan(prior, fromFile)).plannedState!;
    expect(changed).to.include({ etag: md5('hello, world'), size: 12 });
    expect(changed.version_id).to.equal(UNKNOWN);
  });

  it('uploads again for new headers or metadata; unknown content leaves etag and size unknown', async () => {
    const meta = (await plan(prior, { ...config, metadata: { owner: 'ops' } })).plannedState!;
    expect(meta.version_id).to.equal(UNKNOWN);
    expect(meta.etag).to.equal(md5('hello'));
    const cache = (await plan(prior, { ...config, cache_control: 'no-cache' })).plannedState!;
    expect(cache.version_id).to.equal(UNKNOWN);
    const unknown = (await plan(prior, { ...config, content: UNKNOWN })).plannedState!;
    expect([unknown.etag, unknown.size, unknown.version_id]).to.deep.equal([UNKNOWN, UNKNOWN, UNKNOWN]);
    expect((await plan(prior, config)).plannedState).to.deep.equal(prior);
  });

  it('replaces on a new bucket or key', async () => {
    const moved = await plan(prior, { ...config, key: 'b.txt' });
    expect(moved.requiresReplace).to.deep.equal([['key']]);
    expect(moved.plannedState!.id).to.equal('site/b.txt');
  });

  it('imports <bucket>/<key> with slashes in the key, and refuses an id without both', async () => {
    expect((await r.importState!({ id: 'site/docs/a.txt' }, ctx)).state).to.deep.equal({
      id: 'site/docs/a.txt',
      bucket: 'site',
      key: 'docs/a.txt',
    });
    for (const id of ['site', '/a.txt', 'site/'])
      expect(() => r.importState!({ id }, ctx), id).to.throw(/Cannot import/);
  });
});
