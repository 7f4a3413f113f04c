// Log retention under the manual platform clock: each owner's lines go once older than their retention (the
// configured default for owners who set none), a day's partition is dropped whole once older than everyone's, days
// ahead get their partitions, and lines that waited in the default partition move into their day's.
import { expect } from 'chai';
import { advanceClock, newUser, startApp, type TestApp } from '../../support/app.js';
import { partitionNames } from '../../../api/src/monitoring/logs/retention.js';

const LOGS = '/api/monitoring/logs';
const HOUR = 3600;
const DAY = 24 * HOUR;
const dayName = (ms: number) => `log_entries_p${new Date(ms).toISOString().slice(0, 10).replace(/-/g, '')}`;

describe('monitoring: logs retention', function () {
  this.timeout(60_000);
  let app: TestApp;
  let alice: TestApp['admin'];
  let bob: TestApp['admin'];

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual', ATONIX_LOG_RETENTION_DAYS: '10' });
    alice = app.as((await newUser(app, 'alice')).token);
    bob = app.as((await newUser(app, 'bob')).token);
  });
  after(() => app.close());

  const clock = async () => Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
  const push = (as: TestApp['admin'], message: string) =>
    as
      .post(LOGS)
      .send({ entries: [{ message, source: 'kept' }] })
      .expect(201);
  const kept = async (as: TestApp['admin']) =>
    (await as.get(`${LOGS}?source=kept`).expect(200)).body.items.map((l: any) => l.message).sort();

  it("deletes each owner's lines past their own retention, the default's past the configured days", async () => {
    const t0 = await clock();
    expect((await bob.get(`${LOGS}/settings`).expect(200)).body).to.deep.equal({ retention_days: 10 });
    await alice.put(`${LOGS}/settings`).send({ retention_days: 1 }).expect(200);
    await push(alice, 'a1');
    await push(bob, 'b1');
    await advanceClock(app, 20 * HOUR);
    await push(alice, 'a2');
    await advanceClock(app, 5 * HOUR);
    expect(await kept(alice)).to.deep.equal(['a2']);
    expect(await kept(bob)).to.deep.equal(['b1']);

    await advanceClock(app, 8 * DAY);
    expect(await kept(alice)).to.deep.equal([]);
    expect(await kept(bob)).to.deep.equal(['b1']);
    expect(await partitionNames(app.platform.db)).to.include(dayName(t0));

    // Past ten days for bob's line; the day's partition is older than every retention two days later.
    await advanceClock(app, 1 * DAY);
    expect(await kept(bob)).to.deep.equal([]);
    await advanceClock(app, 2 * DAY);
    const names = await partitionNames(app.platform.db);
    expect(names).not.to.include(dayName(t0));
    const now = await clock();
    for (const d of [0, 1, 2, 3]) expect(names).to.include(dayName(now + d * DAY * 1000));
  });

  it("moves lines that waited in the default partition into their day's when it is made", async () => {
    const now = await clock();
    const past = new Date(now - 5 * DAY * 1000).toISOString();
    await alice.put(`${LOGS}/settings`).send({ retention_days: 30 }).expect(200);
    await alice
      .post(LOGS)
      .send({ entries: [{ message: 'late arrival', source: 'kept', time: past }] })
      .expect(201);
    const db = app.platform.db;
    const where = async () =>
      (await db.raw(`select tableoid::regclass::text as t from log_entries where message = 'late arrival'`)).rows[0].t;
    expect(await where()).to.equal('log_entries_default');
    await db.raw(`select atonix_log_partition(?::date)`, [past.slice(0, 10)]);
    expect(await where()).to.equal(dayName(Date.parse(past)));
    expect(await kept(alice)).to.deep.equal(['late arrival']);
  });
});
