import { expect } from 'chai';
import { advanceClock, eventually, newUser, startApp, type TestApp } from '../../support/app.js';

describe('platform clock endpoints (ATONIX_CLOCK=manual)', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
  });
  after(() => app?.close());

  it('reads the time, moves it forward by seconds or to a time, and never backwards', async () => {
    const first = (await app.admin.get('/api/admin/clock').expect(200)).body;
    expect(first.mode).to.equal('manual');
    const moved = await advanceClock(app, 86_400);
    expect(+moved - Date.parse(first.now)).to.equal(86_400_000);
    const to = new Date(+moved + 3_600_000).toISOString();
    const set = await app.admin.post('/api/admin/clock').send({ now: to }).expect(200);
    expect(set.body.now).to.equal(to);
    const back = await app.admin.post('/api/admin/clock').send({ now: first.now }).expect(422);
    expect(back.body.errors[0].pointer).to.equal('/now');
    const both = await app.admin.post('/api/admin/clock').send({ now: to, advance_seconds: 1 }).expect(422);
    expect(both.body.code).to.equal('ValidationFailed');
    expect(app.platform.clock.date().toISOString()).to.equal(to);
  });

  it('is for admins only', async () => {
    const u = await newUser(app, 'clock-user');
    await app.as(u.token).get('/api/admin/clock').expect(403);
    await app.as(u.token).post('/api/admin/clock').send({ advance_seconds: 1 }).expect(403);
  });

  it('moves the clock of another process on the same database', async () => {
    const other = await startApp({ ATONIX_CLOCK: 'manual' }, app.databaseUrl);
    try {
      const target = (await advanceClock(app, 7 * 86_400)).getTime();
      await eventually(async () => other.platform.clock.now() === target, 'the other process hears the clock');
    } finally {
      await other.close();
    }
  });

  it('does not exist with a real clock', async () => {
    const real = await startApp({}, app.databaseUrl);
    try {
      const r = await real.admin.get('/api/admin/clock').expect(404);
      expect(r.body.code).to.equal('RouteNotFound');
      await real.admin.post('/api/admin/clock').send({ advance_seconds: 1 }).expect(404);
    } finally {
      await real.close();
    }
  });
});
