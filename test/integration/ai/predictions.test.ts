// GET /api/ai/predictions over a daily-seasonal series written at chosen times: model=auto picks the backtest's
// lowest MASE and lists every candidate, each named model answers, intervals are ordered, the forecast's times
// follow the history's last step, counters are forecast as rates, and a kept answer is used until a new sample.
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { HOUR, ordered, platformNow, writeSeries, type Point } from './predictions-fixture.js';

const PATH = '/api/ai/predictions';

describe('ai: predictions', function () {
  this.timeout(120_000);
  let app: TestApp;
  let user: { id: string; token: string };
  let now: number;
  let end: number;

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    user = await newUser(app, 'forecaster');
    now = await platformNow(app);
    end = Math.floor(now / HOUR) * HOUR;
    await writeSeries(app, user.token, { name: 'cpu_load', labels: { instance_id: 'i-1' }, now, steps: 14 * 24 });
  });
  after(() => app.close());

  const ask = (query: string) => app.as(user.token).get(`${PATH}?metric=cpu_load&${query}`);

  describe('model=auto', () => {
    it('backtests every candidate, picks the lowest MASE, and says so', async () => {
      const r = await ask('labels={instance_id="i-1"}&horizon=1d&step=1h').expect(200);
      expect(r.body).to.include({ metric: 'cpu_load', step_seconds: 3600, horizon_steps: 24, model_requested: 'auto' });
      expect(r.body.query).to.equal('avg_over_time({__name__="cpu_load",instance_id="i-1"}[1h])');
      expect(r.body.series).to.have.length(1);
      const [s] = r.body.series;
      expect(s.labels).to.deep.include({ instance_id: 'i-1', owner: user.id });
      expect(s.candidates.length).to.be.greaterThan(1);
      const scored = s.candidates.filter((c: { mase: number | null }) => c.mase !== null);
      const best = scored.reduce((a: { mase: number }, b: { mase: number }) => (b.mase < a.mase ? b : a));
      expect(s.model).to.equal(best.model);
      for (const c of s.candidates) {
        expect(c.method).to.be.a('string').that.is.not.empty;
        expect(c.origins).to.be.greaterThan(0);
      }
      expect(s.selection).to.be.a('string').that.is.not.empty;
      expect(s.method).to.be.a('string').that.is.not.empty;
      expect(s.seasonality).to.include({ kind: 'daily', period: 24 });
      expect(s.seasonality.method).to.be.a('string').that.is.not.empty;
      expect(s.history).to.deep.equal({
        from: new Date(end - (14 * 24 - 1) * HOUR).toISOString(),
        to: new Date(end).toISOString(),
        points: 14 * 24,
        missing: 0,
      });
      expect(s.points.map((p: Point) => p.timestamp)).to.deep.equal(
        Array.from({ length: 24 }, (_, i) => new Date(end + (i + 1) * HOUR).toISOString()),
      );
      expect(s.points.every(ordered)).to.equal(true);
    });

    it('follows the daily cycle: the forecast a day ahead tracks the last day, within the 95% interval', async () => {
      const r = await ask('horizon=1d&step=1h').expect(200);
      const points: Point[] = r.body.series[0].points;
      // The cycle is 50 + 20 sin(2 pi t / day): its peak and trough are 40 apart; the forecast must keep most of it.
      const means = points.map((p) => p.mean);
      expect(Math.max(...means) - Math.min(...means)).to.be.greaterThan(25);
      for (const p of points) {
        const t = Date.parse(p.timestamp) - HOUR / 2;
        const truth = 50 + 20 * Math.sin((2 * Math.PI * (t % (24 * HOUR))) / (24 * HOUR));
        expect(truth).to.be.within(p.lower95 - 1, p.upper95 + 1);
      }
    });
  });

  for (const model of ['ets', 'seasonal_naive', 'lstm'] as const) {
    it(`model=${model} answers that model, with ordered intervals and its method`, async () => {
      const r = await ask(`model=${model}&horizon=12h&step=1h`).expect(200);
      const [s] = r.body.series;
      expect(r.body.model_requested).to.equal(model);
      expect(s.model).to.equal(model);
      expect(s.method).to.be.a('string').that.is.not.empty;
      expect(s.points).to.have.length(12);
      for (const p of s.points as Point[]) {
        expect(ordered(p), JSON.stringify(p)).to.equal(true);
        expect(p.upper95).to.be.greaterThan(p.lower95);
      }
    });
  }

  it('forecasts a counter as its per-second rate (transform=rate)', async () => {
    let total = 0;
    await writeSeries(app, user.token, {
      name: 'requests_total',
      labels: { instance_id: 'i-1' },
      now,
      steps: 10 * 24 * 4,
      stepMs: HOUR / 4,
      // 15-minute samples of a counter whose rate is 2 per second on average, higher by day.
      value: (t) => (total += 900 * (2 + Math.sin((2 * Math.PI * (t % (24 * HOUR))) / (24 * HOUR)))),
    });
    const r = await app
      .as(user.token)
      .get(`${PATH}?metric=requests_total&transform=rate&step=1h&horizon=6h&history=10d`)
      .expect(200);
    expect(r.body.query).to.equal('rate({__name__="requests_total"}[1h])');
    for (const p of r.body.series[0].points as Point[]) expect(p.mean).to.be.within(0.5, 3.5);
  });

  it('reads steps without samples as missing values, and still forecasts', async () => {
    // A week of hourly samples (mid-step), every 10th step left out.
    const times = Array.from({ length: 7 * 24 }, (_, i) => end - (7 * 24 - 1 - i) * HOUR - HOUR / 2);
    const kept = times.filter((_, i) => i % 10 !== 5);
    await app
      .as(user.token)
      .post('/api/monitoring/metrics')
      .send({ points: kept.map((t) => ({ name: 'gappy', labels: {}, value: 10 + ((t / HOUR) % 7), timestamp: t })) })
      .expect(204);
    const r = await app.as(user.token).get(`${PATH}?metric=gappy&horizon=6h&step=1h&history=7d&model=ets`).expect(200);
    const { history, points } = r.body.series[0];
    expect(history).to.include({ points: kept.length, missing: times.length - kept.length });
    expect(points.every(ordered)).to.equal(true);
  });

  it('answers a constant series, whose MASE is undefined (null), choosing by sMAPE', async () => {
    await writeSeries(app, user.token, { name: 'flat', labels: {}, now, steps: 3 * 24, value: () => 7 });
    const r = await app.as(user.token).get(`${PATH}?metric=flat&horizon=6h&step=1h&history=3d`).expect(200);
    const [s] = r.body.series;
    expect(s.candidates.map((c: { mase: number | null }) => c.mase)).to.satisfy((m: unknown[]) =>
      m.every((x) => x === null),
    );
    for (const p of s.points as Point[]) {
      expect(p.mean).to.be.closeTo(7, 1e-6);
      expect(ordered(p)).to.equal(true);
    }
  });

  describe('the cache', () => {
    it('answers the same question from the cache until a new sample arrives, then computes again', async () => {
      const q = 'horizon=6h&step=1h&model=seasonal_naive&labels={instance_id="i-1"}';
      const first = await ask(q).expect(200);
      const again = await ask(q).expect(200);
      expect(again.body.cached).to.equal(true);
      expect({ ...again.body, cached: false }).to.deep.equal(first.body);
      // Another question is another entry.
      expect((await ask('horizon=5h&step=1h&model=seasonal_naive').expect(200)).body.cached).to.equal(false);
      // A new sample in the window is a new forecast, computed at the (moved) platform time.
      await app.admin.post('/api/admin/clock').send({ advance_seconds: 60 }).expect(200);
      await app
        .as(user.token)
        .post('/api/monitoring/metrics')
        .send({ points: [{ name: 'cpu_load', labels: { instance_id: 'i-1' }, value: 99, timestamp: end - 60_000 }] })
        .expect(204);
      const fresh = await ask(q).expect(200);
      expect(fresh.body.cached).to.equal(false);
      expect(Date.parse(fresh.body.computed_at)).to.equal(now + 60_000);
      expect((await ask(q).expect(200)).body.cached).to.equal(true);
    });

    it('computes a question asked twice at once only once', async () => {
      const q = 'horizon=4h&step=1h&labels={instance_id="i-1"}';
      const [x, y] = await Promise.all([ask(q).expect(200), ask(q).expect(200)]);
      expect([x.body.cached, y.body.cached].sort()).to.deep.equal([false, true]);
      expect({ ...x.body, cached: null }).to.deep.equal({ ...y.body, cached: null });
    });
  });
});
