// POST and GET /api/monitoring/metrics on the real app: validation with pointers, all-or-nothing batches, statistics
// per step checked against values computed here from the points sent, tenancy, and the 5-minute cache under the
// manual platform clock.
import { expect } from 'chai';
import { advanceClock, newUser, startApp, type TestApp } from '../../support/app.js';

const BASE = '/api/monitoring/metrics';
const MIN = 60_000;

/** Deterministic values with spread (a small LCG), so percentiles are not trivial. */
function values(seed: number, n: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return Math.round((x / 2 ** 31) * 1000) / 10;
  });
}
/** The statistics of `vs` as the API defines them (percentile: the value of rank floor(q * (n - 1))). */
function expected(vs: number[]) {
  const s = [...vs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.floor(p * (s.length - 1))];
  const sum = vs.reduce((a, b) => a + b, 0);
  return {
    avg: sum / vs.length,
    min: s[0],
    max: s[s.length - 1],
    sum,
    count: vs.length,
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
  };
}

describe('monitoring: custom metrics', () => {
  let app: TestApp;
  let a: { id: string; token: string };
  let b: { id: string; token: string };
  let now: number;

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    a = await newUser(app, 'metrics-a');
    b = await newUser(app, 'metrics-b');
    now = (await app.admin.get('/api/admin/clock').expect(200)).body.now;
    now = Date.parse(now as unknown as string);
  });
  after(() => app.close());

  describe('POST', () => {
    it('refuses a batch with bad points, naming every bad field, and stores none of it', async () => {
      const r = await app
        .as(a.token)
        .post(BASE)
        .send({
          points: [
            { name: 'good_metric', labels: { x: '1' }, value: 1, timestamp: now },
            { name: '1bad', value: 1, timestamp: now },
            { name: 'm', labels: { __reserved: 'x', 'bad-name': 'y' }, value: 1, timestamp: now },
            { name: 'm', value: 'Infinity', timestamp: now },
            { name: 'm', value: 1, timestamp: 'yesterday' },
            { name: 'm', value: 1, timestamp: now + 3600_000 },
            { name: 'm', value: 1 },
          ],
        })
        .expect(422);
      expect(r.headers['content-type']).to.match(/application\/problem\+json/);
      const pointers = r.body.errors.map((e: { pointer: string }) => e.pointer);
      expect(pointers).to.include.members([
        '/points/1/name',
        '/points/3/value',
        '/points/4/timestamp',
        '/points/6/timestamp',
      ]);
      // The schema's refusals come first; a batch that passes them gets the finer checks, each named too.
      const r2 = await app
        .as(a.token)
        .post(BASE)
        .send({
          points: [
            { name: 'good_metric', labels: { x: '1' }, value: 1, timestamp: now },
            { name: 'm', labels: { __reserved: 'x', 'bad-name': 'y' }, value: 1, timestamp: now },
            { name: 'm', value: 1, timestamp: now + 3600_000 },
          ],
        })
        .expect(422);
      expect(r2.body.errors.map((e: { pointer: string; code: string }) => [e.pointer, e.code])).to.deep.equal([
        ['/points/1/labels/__reserved', 'Reserved'],
        ['/points/1/labels/bad-name', 'Pattern'],
        ['/points/2/timestamp', 'TooFarInFuture'],
      ]);
      const got = await app
        .as(a.token)
        .get(`${BASE}?name=good_metric&start=${now - MIN}&end=${now}`)
        .expect(200);
      expect(got.body.series).to.deep.equal([]);
    });

    it('refuses more than 1,000 points', async () => {
      const points = Array.from({ length: 1001 }, (_, i) => ({ name: 'big', value: i, timestamp: now - i }));
      const r = await app.as(a.token).post(BASE).send({ points }).expect(422);
      expect(r.body.errors[0].pointer).to.equal('/points');
    });

    it('stores a batch of 1,000, RFC 3339 times and NaN included', async () => {
      const points = Array.from({ length: 1000 }, (_, i) => ({
        name: 'batch_metric',
        labels: { i: String(i % 10) },
        value: i === 0 ? 'NaN' : i,
        timestamp: i % 2 ? now - i * 1000 : new Date(now - i * 1000).toISOString(),
      }));
      await app.as(a.token).post(BASE).send({ points }).expect(204);
      const r = await app
        .as(a.token)
        .get(`${BASE}?name=batch_metric&start=${now - 1000_000}&end=${now}&step=1d&stat=count`)
        .expect(200);
      expect(r.body.series).to.have.length(10);
      const counts = r.body.series.map((s: any) => s.points.reduce((n: number, p: any) => n + p.count, 0));
      // NaN is stored but counts in no statistic.
      expect(counts.reduce((x: number, y: number) => x + y, 0)).to.equal(999);
    });
  });

  describe('GET', () => {
    // Aligned to 30 minutes, so 10- and 30-minute steps (aligned to the epoch) start with the first point.
    const start = () => Math.floor((now - 60 * MIN) / (30 * MIN)) * (30 * MIN);
    const perStep: number[][] = [];

    before(async () => {
      // Three 10-minute steps, 30 points each, of one series of user A's, and one series of user B's.
      const points: { name: string; labels: Record<string, string>; value: number; timestamp: number }[] = [];
      for (let k = 0; k < 3; k++) {
        const vs = values(k + 1, 30);
        perStep.push(vs);
        vs.forEach((v, i) =>
          points.push({
            name: 'latency_ms',
            labels: { route: '/a' },
            value: v,
            timestamp: start() + k * 10 * MIN + i * 20_000,
          }),
        );
      }
      await app.as(a.token).post(BASE).send({ points }).expect(204);
      await app
        .as(b.token)
        .post(BASE)
        .send({ points: [{ name: 'latency_ms', labels: { route: '/b' }, value: 5, timestamp: start() }] })
        .expect(204);
    });

    it('answers every statistic per step, as computed from the points sent', async () => {
      const end = new Date(start() + 29 * MIN).toISOString();
      const r = await app
        .as(a.token)
        .get(`${BASE}?name=latency_ms&labels=route=/a&start=${new Date(start()).toISOString()}&end=${end}&step=10m`)
        .expect(200);
      expect(r.body.resolution).to.equal('raw');
      expect(r.body.step_seconds).to.equal(600);
      expect(r.body.series).to.have.length(1);
      expect(r.body.series[0].labels).to.deep.equal({ __name__: 'latency_ms', owner: a.id, route: '/a' });
      const pts = r.body.series[0].points;
      expect(pts.map((p: any) => p.timestamp)).to.deep.equal(
        [0, 1, 2].map((k) => new Date(start() + k * 10 * MIN).toISOString()),
      );
      pts.forEach((p: any, k: number) => {
        const e = expected(perStep[k]!);
        for (const s of ['min', 'max', 'count', 'p50', 'p95', 'p99'] as const) expect(p[s], s).to.equal(e[s]);
        expect(p.avg).to.be.closeTo(e.avg, 1e-9);
        expect(p.sum).to.be.closeTo(e.sum, 1e-9);
      });
    });

    it('answers only the statistics asked for', async () => {
      const r = await app
        .as(a.token)
        .get(`${BASE}?name=latency_ms&start=${start()}&end=${start() + 29 * MIN}&step=30m&stat=max,count`)
        .expect(200);
      expect(r.body.stats).to.deep.equal(['max', 'count']);
      const all = perStep.flat();
      expect(r.body.series[0].points).to.deep.equal([
        { timestamp: new Date(start()).toISOString(), max: Math.max(...all), count: 90 },
      ]);
    });

    it("shows a user only their own series, and the admin everyone's", async () => {
      const q = `${BASE}?name=latency_ms&start=${start()}&end=${start() + 29 * MIN}&step=30m&stat=count`;
      const routes = async (as: ReturnType<TestApp['as']>) =>
        (await as.get(q).expect(200)).body.series.map((s: any) => s.labels.route).sort();
      expect(await routes(app.as(a.token))).to.deep.equal(['/a']);
      expect(await routes(app.as(b.token))).to.deep.equal(['/b']);
      expect(await routes(app.admin)).to.deep.equal(['/a', '/b']);
    });

    it('refuses bad parameters, naming each', async () => {
      const r = await app.as(a.token).get(`${BASE}?name=x&labels=novalue&start=soon&step=0s&stat=p42`).expect(400);
      expect(r.body.errors.map((e: any) => e.pointer).sort()).to.deep.equal(['labels', 'start', 'stat', 'step']);
      const many = await app.as(a.token).get(`${BASE}?name=x&start=0&end=${now}&step=1s`).expect(400);
      expect(many.body.errors[0].pointer).to.equal('step');
      await app.as(a.token).get(`${BASE}?name=bad-name`).expect(400);
    });
  });

  describe('the 5-minute cache of recent queries on one resource', () => {
    it('answers a repeated query from the cache until 5 minutes of platform time have passed', async () => {
      const t = Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
      const write = (value: number, at: number) =>
        app
          .as(a.token)
          .post(BASE)
          .send({ points: [{ name: 'cpu_pct', labels: { resource_id: 'inst-1' }, value, timestamp: at }] })
          .expect(204);
      const read = async () =>
        (
          await app
            .as(a.token)
            .get(`${BASE}?name=cpu_pct&labels=resource_id=inst-1&start=${t - 3600_000}&stat=count,max`)
            .expect(200)
        ).body;
      await write(10, t - 1000);
      const first = await read();
      expect(first.cached).to.equal(false);
      expect(first.series[0].points.reduce((n: number, p: any) => n + p.count, 0)).to.equal(1);
      await write(99, t - 500);
      const second = await read();
      expect(second.cached).to.equal(true);
      expect(second.series).to.deep.equal(first.series); // the new point is not seen yet
      // Another user's identical query is never served another owner's answer.
      const other = await app
        .as(b.token)
        .get(`${BASE}?name=cpu_pct&labels=resource_id=inst-1&start=${t - 3600_000}&stat=count,max`)
        .expect(200);
      expect(other.body.series).to.deep.equal([]);
      await advanceClock(app, 301);
      const third = await read();
      expect(third.cached).to.equal(false);
      expect(Math.max(...third.series[0].points.map((p: any) => p.max))).to.equal(99);
    });

    it('does not cache a query of no single resource, or one ending in the past', async () => {
      const t = Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
      const q1 = `${BASE}?name=cpu_pct&start=${t - 3600_000}`;
      await app.as(a.token).get(q1).expect(200);
      expect((await app.as(a.token).get(q1).expect(200)).body.cached).to.equal(false);
      const q2 = `${BASE}?name=cpu_pct&labels=resource_id=inst-1&start=${t - 7200_000}&end=${t - 3600_000}`;
      await app.as(a.token).get(q2).expect(200);
      expect((await app.as(a.token).get(q2).expect(200)).body.cached).to.equal(false);
    });
  });
});
