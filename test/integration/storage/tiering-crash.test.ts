// A tier move cut by kill -9 loses nothing and counts nothing twice: the process kills itself at the two worst
// moments of a move (its write-ahead committed, before any link; every link made, before the commit), and the next
// process finishes the moves it finds written ahead, the daily pass the rest; every object then reads back whole,
// is INFREQUENT once, has its bytes once in infrequent/, and the sweep leaves nothing in data/.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createDb } from '../../../api/src/platform/db/knex.js';
import { ADMIN_TOKEN, eventually } from '../../support/app.js';
import { freshDatabase } from '../../support/postgres.js';
import { api, startApiProcess, type ApiProcess } from '../../support/process.js';

const OBJECTS = 1200;
const BATCH = 500; // three batches of the mover: the crash lands in the first, two wait
const files = (dir: string) =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length : 0;
const body = (i: number) => `object number ${i} `.repeat(1 + (i % 7));

for (const fault of ['after-intents', 'after-links']) {
  describe(`tiering: kill -9 mid tier move (${fault})`, function () {
    this.timeout(180_000);
    const procs: ApiProcess[] = [];
    const objectDir = mkdtempSync(join(tmpdir(), 'atonix-tier-crash-'));
    after(async () => {
      for (const p of procs.splice(0)) await p.stop('SIGKILL');
      rmSync(objectDir, { recursive: true, force: true });
    });

    it('loses no object and counts none twice', async () => {
      const databaseUrl = await freshDatabase();
      const env = { ATONIX_CLOCK: 'manual', ATONIX_OBJECT_DIR: objectDir, ATONIX_TIER_BATCH: String(BATCH) };
      const first = await startApiProcess(databaseUrl, { ...env, ATONIX_FAULT_TIER_MOVE: fault });
      procs.push(first);
      const bucket = (await api(first.url, 'POST', '/api/storage/buckets', { name: `crash-${fault}` })).body;
      let total = 0;
      for (let i = 0; i < OBJECTS; i += 20)
        await Promise.all(
          Array.from({ length: 20 }, async (_, j) => {
            const b = body(i + j);
            total += b.length;
            const r = await fetch(`${first.url}/api/storage/buckets/${bucket.id}?key=k/${i + j}`, {
              method: 'PUT',
              headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
              body: b,
            });
            expect(r.status).to.equal(200);
          }),
        );
      const config = await api(first.url, 'POST', '/api/storage/lifecycle-configurations', {
        bucket_id: bucket.id,
        rules: [{ id: 'ia', status: 'Enabled', transition_infrequent_days: 30 }],
      });
      expect(config.status).to.equal(201);
      // The move runs on the worker thread and kills the whole process.
      void api(first.url, 'POST', '/api/admin/clock', { advance_seconds: 31 * 86_400 }).catch(() => undefined);
      await eventually(async () => first.child.signalCode === 'SIGKILL', 'the process to kill itself', 60_000);

      const db = createDb(databaseUrl, 1);
      try {
        const written = await db('tier_moves').count<{ count: string }[]>('* as n');
        expect(Number((written[0] as unknown as { n: string }).n), 'moves written ahead').to.equal(BATCH);
        const moved = await db('objects').where({ storage_class: 'INFREQUENT' }).count('* as n');
        expect(Number((moved[0] as unknown as { n: string }).n), 'nothing committed yet').to.equal(0);
        // Killed after its links, the batch's bytes are under both names; before them, only the old.
        expect(files(join(objectDir, 'data'))).to.equal(OBJECTS);
        expect(files(join(objectDir, 'infrequent'))).to.equal(fault === 'after-links' ? BATCH : 0);

        const second = await startApiProcess(databaseUrl, env);
        procs.push(second);
        // At start the new process finishes the moves written ahead; the next day's pass moves the rest.
        await eventually(async () => {
          const left = await db('tier_moves').count('* as n');
          return Number((left[0] as unknown as { n: string }).n) === 0;
        }, 'the written-ahead moves to be finished');
        const advanced = await api(second.url, 'POST', '/api/admin/clock', { advance_seconds: 32 * 86_400 });
        expect(advanced.status).to.equal(200);
        await eventually(async () => {
          const b = (await api(second.url, 'GET', `/api/storage/buckets/${bucket.id}`)).body;
          return b.usage_by_class.INFREQUENT === total && b;
        }, 'every object to be INFREQUENT');
        const b = (await api(second.url, 'GET', `/api/storage/buckets/${bucket.id}`)).body;
        expect(b.usage_by_class).to.deep.equal({ STANDARD: 0, INFREQUENT: total, ARCHIVE: 0 });
        expect(b).to.deep.include({ used_bytes: total, object_count: OBJECTS });
        // Each version's bytes exactly once, in the class's directory; the old names swept (platform time is
        // well past ORPHAN_AGE_MS).
        expect(files(join(objectDir, 'infrequent'))).to.equal(OBJECTS);
        await eventually(async () => files(join(objectDir, 'data')) === 0, 'the old names to be swept', 30_000);
        const rows = await db('objects').where({ bucket_id: bucket.id }).select('segments');
        expect(rows.every((r) => r.segments[0].file.startsWith('infrequent/'))).to.equal(true);
        for (let i = 0; i < OBJECTS; i += 97) {
          const r = await fetch(`${second.url}/api/storage/buckets/${bucket.id}?key=k/${i}`, {
            headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
          });
          expect(r.status).to.equal(200);
          expect(await r.text()).to.equal(body(i));
        }
      } finally {
        await db.destroy();
      }
    });
  });
}
