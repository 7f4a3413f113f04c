// `npm run bench:lifecycle`: lifecycle throughput. A bucket of N objects (default 100,000; small unencrypted files,
// their rows bulk-inserted), a rule moving them to INFREQUENT after 30 days, and the platform clock moved 31 days:
// the daily worker's pass is timed (objects transitioned per second: write-ahead, hard links, directory fsyncs,
// commit, unlink of the old names), against a plain fs.rename of the same files in the same run, with the same
// concurrency. Writes its section of bench/RESULTS.md.   npm run bench:lifecycle [-- --objects=100000]
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bootPlatform } from '../api/src/platform/boot.js';
import { loadConfig } from '../api/src/platform/config.js';
import { startEmbedded } from '../api/src/platform/db/embedded.js';
import { createLogger } from '../api/src/platform/logger.js';
import { SYSTEM } from '../api/src/platform/operations/principals.js';
import { objectStoreOf, tieringOf } from '../api/src/storage/engine.js';
import { LifecyclePass } from '../api/src/storage/tiering/passes.js';
import { writeSection } from './lib/report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({ options: { objects: { type: 'string', default: '100000' } } });
const N = Number(opt.objects);
const WIDTH = 32; // the mover's links in flight (storage/tiering/mover.ts LINKS_AT_ONCE)
const log = (m: string) => process.stderr.write(`[bench:lifecycle ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const started = Date.now();
const name = (i: number) => createHash('md5').update(String(i)).digest('hex');
const secs = (ms: number) => (ms / 1000).toFixed(2);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function pool<T>(items: T[], width: number, fn: (t: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const tmp = mkdtempSync(join(os.tmpdir(), 'atonix-bench-lifecycle-'));
chmodSync(tmp, 0o755); // PostgreSQL runs as its own user when we are root: it must enter the directory
const pg = await startEmbedded(join(tmp, 'pgdata'));
const objectDir = join(tmp, 'objects');
try {
  const settings = loadConfig({
    ATONIX_CLOCK: 'manual',
    ATONIX_OBJECT_DIR: objectDir,
    ATONIX_DATA_DIR: join(tmp, 'api-data'),
    ATONIX_ADMIN_TOKEN: 'atx_bench_admin_token_not_a_secret_000000',
    ATONIX_MASTER_KEY: Buffer.alloc(32, 0x5a).toString('base64'),
    LOG_LEVEL: 'warn',
  });
  const platform = await bootPlatform(settings, pg.url, createLogger('warn'));
  const db = platform.db;
  const user = await platform.pipeline.invoke('createUser', SYSTEM, { params: {}, body: { name: 'bench' } });
  const owner = (user.body as { id: string }).id;
  const principal = { userId: owner, isAdmin: false, tokenId: null };
  const bucket = (
    await platform.pipeline.invoke('createBucket', principal, {
      params: {},
      body: { name: 'bench-lifecycle', encryption_enabled: false, versioning_enabled: false, size_gb: 1024 },
    })
  ).body as { id: string };

  // Set-up: the files (as the file store lays them out), then their rows in one statement.
  let t = Date.now();
  const body = Buffer.from('x'.repeat(100));
  for (let s = 0; s < 256; s++)
    mkdirSync(join(objectDir, 'data', s.toString(16).padStart(2, '0')), { recursive: true });
  for (let i = 0; i < N; i++) {
    const h = name(i);
    writeFileSync(join(objectDir, 'data', h.slice(0, 2), h), body);
  }
  const written = Date.now() - t;
  t = Date.now();
  await db.raw(
    `insert into objects (bucket_id, key, version_id, is_latest, size, etag, last_modified, segments, owner)
     select ?, 'k/' || i, 'null', true, 100, '"' || md5('x') || '"', now(),
            jsonb_build_array(jsonb_build_object('file', 'data/' || left(md5(i::text), 2) || '/' || md5(i::text), 'size', 100)), ?
       from generate_series(0, ? - 1) i`,
    [bucket.id, owner, N],
  );
  await db('bucket_usage')
    .where({ bucket_id: bucket.id })
    .update({ used_bytes: N * 100, object_count: N });
  await db.raw('vacuum (analyze) objects');
  const inserted = Date.now() - t;
  log(`set up ${fmt(N)} objects: files ${secs(written)} s, rows ${secs(inserted)} s`);
  await platform.pipeline.invoke('createBucketLifecycleConfiguration', principal, {
    params: {},
    body: { bucket_id: bucket.id, rules: [{ id: 'ia', status: 'Enabled', transition_infrequent_days: 30 }] },
  });

  // The worker's daily pass over the bucket, as the clock's tick runs it 31 days on (called directly, so the
  // timing holds the pass alone, not the orphan sweep that the same tick would also run).
  const pass = new LifecyclePass(db, objectStoreOf(platform), tieringOf(platform));
  const row = await db('buckets').where({ id: bucket.id }).first();
  const config = await db('lifecycle_configurations').where({ bucket_id: bucket.id }).first();
  t = Date.now();
  const result = await pass.run(row, config.rules, platform.clock.now() + 31 * 86_400_000);
  const passMs = Date.now() - t;
  if (result.transitioned !== N) throw new Error(`the pass reports ${result.transitioned} moves`);
  const moved = Number(
    (
      (await db('objects').where({ bucket_id: bucket.id, storage_class: 'INFREQUENT' }).count('* as n'))[0] as {
        n: string;
      }
    ).n,
  );
  if (moved !== N) throw new Error(`the pass moved ${moved} of ${N} objects`);
  log(`worker pass: ${fmt(N)} objects in ${secs(passMs)} s`);

  // The baseline: a plain rename of the same files (now under infrequent/) into another directory, as many at once.
  const files = readdirSync(join(objectDir, 'infrequent')).flatMap((sub) =>
    readdirSync(join(objectDir, 'infrequent', sub)).map((f) => `${sub}/${f}`),
  );
  for (let s = 0; s < 256; s++)
    mkdirSync(join(objectDir, 'renamed', s.toString(16).padStart(2, '0')), { recursive: true });
  t = Date.now();
  await pool(files, WIDTH, (f) => rename(join(objectDir, 'infrequent', f), join(objectDir, 'renamed', f)));
  const renameMs = Date.now() - t;
  log(`rename baseline: ${fmt(files.length)} files in ${secs(renameMs)} s`);
  await platform.stop();

  const workerRate = (N / passMs) * 1000;
  const renameRate = (files.length / renameMs) * 1000;
  const section = [
    '<!-- lifecycle-bench:start -->',
    '## Lifecycle throughput',
    '',
    `Produced by \`npm run bench:lifecycle -- --objects=${N}\` on ${new Date().toISOString().slice(0, 19)}Z; ${os.cpus().length} CPUs, Node ${process.version}, PostgreSQL embedded (fsync on). A bucket of ${fmt(N)} objects of 100 bytes, unencrypted, unversioned (files written by the bench in the file store's layout, ${secs(written)} s; rows bulk-inserted, ${secs(inserted)} s), one rule \`transition_infrequent_days = 30\`; the worker's daily pass (\`LifecyclePass.run\`, what the clock's tick calls) run at platform time +31 days and timed. The baseline renames the same ${fmt(files.length)} files (then under \`infrequent/\`) into another directory of the same filesystem, ${WIDTH} at a time (the mover's link concurrency), no fsync. The whole run took ${secs(Date.now() - started)} s.`,
    '',
    '| Case | objects | seconds | objects/s | ÷ plain rename |',
    '|---|---:|---:|---:|---:|',
    `| Baseline: \`fs.rename\` of the same files | ${fmt(files.length)} | ${secs(renameMs)} | ${fmt(renameRate)} | 1.00x |`,
    `| Lifecycle worker: STANDARD -> INFREQUENT (write-ahead, link, fsync dirs, commit, unlink) | ${fmt(N)} | ${secs(passMs)} | ${fmt(workerRate)} | ${(workerRate / renameRate).toFixed(2)}x |`,
    '<!-- lifecycle-bench:end -->',
  ].join('\n');
  writeSection(join(ROOT, 'bench/RESULTS.md'), 'lifecycle-bench', section);
  log(`worker ${fmt(workerRate)}/s, rename ${fmt(renameRate)}/s, ratio ${(workerRate / renameRate).toFixed(2)}x`);
} finally {
  await pg.stop();
  rmSync(tmp, { recursive: true, force: true });
}
