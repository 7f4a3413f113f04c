// Jobs go in with a plain insert learnt from pg-boss's own: the rows must be the ones pg-boss would write, and a
// pg-boss that writes anything else must keep its own insert.
import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { Jobs } from '../../../api/src/platform/jobs/queue.js';
import { createMetrics } from '../../../api/src/platform/process-metrics.js';
import { freshDatabase } from '../../support/postgres.js';

const QUEUE = 'probe-queue';
/** Every column but the ones that differ by nature (id, data, times), and the retention as an interval. */
const COMPARABLE = `to_jsonb(j) - 'id' - 'data' - 'created_on' - 'start_after' - 'keep_until' || jsonb_build_object('keep', (keep_until - start_after)::text)`;

function captureWarnings() {
  const lines: string[] = [];
  const log = pino(
    { level: 'warn' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { log, lines };
}

describe('platform: job inserts', function () {
  this.timeout(30_000);
  let url: string;
  let db: Knex;
  const started: Jobs[] = [];
  before(async () => {
    url = await freshDatabase();
    db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 4 } });
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((j) => j.stop()));
  });
  after(() => db.destroy());

  async function startJobs(learn: boolean) {
    const { log, lines } = captureWarnings();
    const jobs = new Jobs(url, log, createMetrics(), 60);
    started.push(jobs);
    await jobs.start([QUEUE], [], learn ? db : undefined);
    return { jobs, warnings: lines };
  }

  const rowOf = async (data: object) =>
    (
      await db.raw(`select ${COMPARABLE} as row, start_after from pgboss.job j where name = ? and data = ?::jsonb`, [
        QUEUE,
        JSON.stringify(data),
      ])
    ).rows[0];

  it('writes the row pg-boss itself writes, delayed or not, and the worker gets it', async () => {
    const own = await startJobs(false); // without a database to learn from: pg-boss's own insert
    await own.jobs.sendMany(db, [
      { queue: QUEUE, data: { n: 'own' } },
      { queue: QUEUE, data: { n: 'own-later' }, delayMs: 60_000 },
    ]);
    await own.jobs.stop();
    started.length = 0;

    const plain = await startJobs(true);
    expect(plain.warnings).to.deep.equal([]);
    await plain.jobs.sendMany(db, [
      { queue: QUEUE, data: { n: 'plain' } },
      { queue: QUEUE, data: { n: 'plain-later' }, delayMs: 60_000 },
    ]);

    const [ownNow, plainNow, ownLater, plainLater] = await Promise.all(
      [{ n: 'own' }, { n: 'plain' }, { n: 'own-later' }, { n: 'plain-later' }].map(rowOf),
    );
    expect(plainNow.row).to.deep.equal(ownNow.row);
    expect(plainLater.row).to.deep.equal(ownLater.row);
    expect(plainNow.row).to.include({
      state: 'created',
      retry_limit: 5,
      retry_delay: 1,
      retry_backoff: true,
      keep: '14 days',
    });
    const delay = (r: { start_after: Date }) => r.start_after.getTime() - Date.now();
    expect(delay(plainLater)).to.be.within(50_000, 60_000);
    expect(delay(plainNow)).to.be.below(1_000);

    // The learning transaction left no probe job behind.
    expect(
      Number(
        (await db.raw(`select count(*) from pgboss.job where jsonb_exists(data, 'atonix_template_probe')`)).rows[0]
          .count,
      ),
    ).to.equal(0);

    const seen: string[] = [];
    await plain.jobs.work<{ n: string }>(QUEUE, async (d) => {
      seen.push(d.n);
    });
    plain.jobs.nudge(QUEUE);
    for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(seen.sort()).to.deep.equal(['own', 'plain']); // the delayed ones wait their minute
  });

  it('sends more jobs in one call than one statement may carry bindings for', async () => {
    const { jobs } = await startJobs(true);
    const many = Array.from({ length: 33_000 }, (_, n) => ({ queue: QUEUE, data: { bulk: n } }));
    await jobs.sendMany(db, many);
    expect(
      Number(
        (await db.raw(`select count(*) from pgboss.job where name = ? and jsonb_exists(data, 'bulk')`, [QUEUE])).rows[0]
          .count,
      ),
    ).to.equal(33_000);
  });

  it("starts with pg-boss's own insert when learning the template fails", async () => {
    // Stands for a table the plain insert no longer fits: its probe row is refused.
    await db.raw(`create function probe_refuses() returns trigger language plpgsql as $$
      begin if new.data->>'atonix_template_probe' = 'plain' then raise exception 'no such column'; end if; return new; end $$`);
    await db.raw(
      'create trigger probe_refuses before insert on pgboss.job for each row execute function probe_refuses()',
    );
    try {
      const { jobs, warnings } = await startJobs(true);
      expect(warnings.join('')).to.match(/own insert is kept for this queue: learning its row failed/);
      await jobs.sendMany(db, [{ queue: QUEUE, data: { n: 'after-failure' } }]);
      expect((await rowOf({ n: 'after-failure' })).row).to.include({ state: 'created' });
    } finally {
      await db.raw('drop trigger probe_refuses on pgboss.job');
      await db.raw('drop function probe_refuses()');
    }
  });

  it("keeps pg-boss's own insert for a queue whose rows the plain insert would not reproduce", async () => {
    // Stands for a pg-boss release that writes a column the plain insert leaves at its default.
    await db.raw(`create function probe_marks() returns trigger language plpgsql as $$
      begin if new.data->>'atonix_template_probe' = 'pg-boss' then new.singleton_key := 'set by pg-boss'; end if; return new; end $$`);
    await db.raw('create trigger probe_marks before insert on pgboss.job for each row execute function probe_marks()');
    try {
      const { jobs, warnings } = await startJobs(true);
      expect(warnings.join('')).to.match(
        /own insert is kept for this queue: it writes job rows this version does not know/,
      );
      await jobs.sendMany(db, [{ queue: QUEUE, data: { n: 'fallback' } }]);
      expect((await rowOf({ n: 'fallback' })).row).to.include({ state: 'created', retry_limit: 5 });
    } finally {
      await db.raw('drop trigger probe_marks on pgboss.job');
      await db.raw('drop function probe_marks()');
    }
  });
});
