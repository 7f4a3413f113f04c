// The daily refresh across a restart: it fires when the platform clock passes 03:00 UTC, not again for that day
// after the process restarts on the same database (the time it ran is in recommendation_runs), and again next day.
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';

const DAY = 86_400_000;
const due = (t: number) => {
  const today = Math.floor(t / DAY) * DAY + 3 * 3_600_000;
  return today > t ? today : today + DAY;
};

describe('ai: the daily refresh of recommendations', function () {
  this.timeout(120_000);
  let one: TestApp;
  let two: TestApp | undefined;
  let dave: { id: string; token: string };
  let bucket: string;
  const clockOf = async (app: TestApp) => Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
  const setClock = (app: TestApp, t: number) =>
    app.admin
      .post('/api/admin/clock')
      .send({ now: new Date(t).toISOString() })
      .expect(200);
  const seen = async (app: TestApp) => {
    const items = (await app.as(dave.token).get(`/api/ai/recommendations?resource_id=${bucket}`).expect(200)).body
      .items;
    return items.length ? (items[0].last_seen_at as string) : null;
  };

  before(async () => {
    one = await startApp({ ATONIX_CLOCK: 'manual' });
    dave = await newUser(one, 'dave');
    bucket = (
      await one.as(dave.token).post('/api/storage/buckets').send({ name: 'daily-empty', size_gb: 1 }).expect(201)
    ).body.id;
  });
  after(async () => {
    await two?.close();
    await one.close();
  });

  it('runs for every owner once the clock passes 03:00 UTC, not before', async () => {
    const first = due(await clockOf(one));
    await setClock(one, first - 60_000);
    expect(await seen(one)).to.equal(null);
    await setClock(one, first + 60_000);
    expect(await seen(one)).to.equal(new Date(first + 60_000).toISOString());
  });

  it('does not run again for the same day after a restart, and runs the next day', async () => {
    const ranAt = Date.parse((await seen(one))!);
    await one.close();
    two = await startApp({ ATONIX_CLOCK: 'manual' }, one.databaseUrl);
    await setClock(two, ranAt + 3_600_000);
    expect(await seen(two)).to.equal(new Date(ranAt).toISOString());
    const next = due(ranAt);
    await setClock(two, next + 60_000);
    expect(await seen(two)).to.equal(new Date(next + 60_000).toISOString());
  });
});
