// Rollups and retention under the manual platform clock: closed minutes and hours rolled up in SQL answer the same
// statistics as the raw points (percentiles within the sketch's 1%), a late point re-rolls its minute and hour, and
// each resolution's partitions are dropped once past its retention.
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';

const BASE = '/api/monitoring/metrics';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function lcg(seed: number) {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}
function exact(vs: number[]) {
  const s = [...vs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.floor(p * (s.length - 1))]!;
  return {
    count: vs.length,
    sum: vs.reduce((a, b) => a + b, 0),
    min: s[0],
    max: s[s.length - 1],
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
  };
}
const within = (est: number, x: number) => Math.abs(est - x) <= 0.01 * Math.abs(x) + 1e-9;

async function clockNow(app: TestApp) {
  return Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
}
const setClock = (app: TestApp, ms: number) =>
  app.admin
    .post('/api/admin/clock')
    .send({ now: new Date(ms).toISOString() })
    .expect(200);

describe('monitoring: metric rollups', () => {
  let app: TestApp;
  let user: { id: string; token: string };
  let base: number;
  const points: { t: number; v: number }[] = [];

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    user = await newUser(app, 'rollups');
    const now = await clockNow(app);
    base = Math.floor(now / HOUR) * HOUR - 2 * HOUR;
    const r = lcg(11);
    // Every 10 s for two hours, values across magnitudes and signs (a few zeros and negatives).
    for (let t = base; t < base + 2 * HOUR; t += 10_000) {
      const x = r();
      points.push({ t, v: x < 0.05 ? 0 : x < 0.1 ? -x * 100 : Math.round(Math.exp(x * 9) * 100) / 100 });
    }
    for (let i = 0; i < points.length; i += 1000)
      await app
        .as(user.token)
        .post(BASE)
        .send({ points: points.slice(i, i + 1000).map((p) => ({ name: 'req_ms', value: p.v, timestamp: p.t })) })
        .expect(204);
    await setClock(app, now + MIN); // a tick: the rollup pass rolls every closed minute and hour
  });
  after(() => app.close());

  const query = async (step: string, from: number, to: number, stat?: string) =>
    (
      await app
        .as(user.token)
        .get(`${BASE}?name=req_ms&start=${from}&end=${to}&step=${step}${stat ? `&stat=${stat}` : ''}`)
        .expect(200)
    ).body;
  const inStep = (from: number, width: number) =>
    points.filter((p) => p.t >= from && p.t < from + width).map((p) => p.v);

  function check(body: any, width: number) {
    const pts = body.series[0].points;
    expect(pts).to.have.length((2 * HOUR) / width);
    for (const p of pts) {
      const e = exact(inStep(Date.parse(p.timestamp), width));
      expect(p.count).to.equal(e.count);
      expect(p.min).to.equal(e.min);
      expect(p.max).to.equal(e.max);
      expect(p.sum).to.be.closeTo(e.sum, 1e-6);
      for (const q of ['p50', 'p95', 'p99'] as const)
        expect(within(p[q], e[q]), `${q} ${p[q]} vs ${e[q]}`).to.equal(true);
    }
  }

  it('answers minute steps from the 1-minute rollups', async () => {
    const body = await query('1m', base, base + 2 * HOUR - 1);
    expect(body.resolution).to.equal('1m');
    check(body, MIN);
  });

  it('answers hour steps from the 1-hour rollups (merged minutes)', async () => {
    const body = await query('1h', base, base + 2 * HOUR - 1);
    expect(body.resolution).to.equal('1h');
    check(body, HOUR);
  });

  it('answers steps no rollup divides, and ranges not yet rolled up, from raw samples', async () => {
    expect((await query('90s', base, base + HOUR)).resolution).to.equal('raw');
    expect((await query('1m', base, (await clockNow(app)) + 5 * MIN)).resolution).to.equal('raw');
  });

  it('re-rolls the minute and the hour of a point that arrives after they were rolled', async () => {
    const t = base + 5 * MIN + 1000;
    await app
      .as(user.token)
      .post(BASE)
      .send({ points: [{ name: 'req_ms', value: 1e6, timestamp: t }] })
      .expect(204);
    const minuteMax = async () => (await query('1m', base + 5 * MIN, base + 5 * MIN, 'max,count')).series[0].points[0];
    const before = await minuteMax();
    expect(before.max).to.be.below(1e6); // not rolled again yet
    await setClock(app, (await clockNow(app)) + 1000);
    points.push({ t, v: 1e6 });
    const after = await minuteMax();
    expect(after).to.deep.include({ max: 1e6, count: before.count + 1 });
    check(await query('1h', base, base + 2 * HOUR - 1), HOUR);
  });
});

describe('monitoring: metric retention', () => {
  let app: TestApp;
  let user: { id: string; token: string };
  let day0: number;
  let at: number;

  before(async () => {
    app = await startApp({
      ATONIX_CLOCK: 'manual',
      ATONIX_METRICS_RETENTION_RAW_DAYS: '2',
      ATONIX_METRICS_RETENTION_1M_DAYS: '4',
      ATONIX_METRICS_RETENTION_1H_DAYS: '6',
    });
    user = await newUser(app, 'retention');
    const now = await clockNow(app);
    day0 = Math.floor(now / DAY) * DAY;
    at = day0 - DAY + HOUR; // yesterday 01:00, within raw retention
    await app
      .as(user.token)
      .post(BASE)
      .send({ points: [0, 1, 2].map((i) => ({ name: 'kept', value: i, timestamp: at + i * 1000 })) })
      .expect(204);
    await setClock(app, now + MIN);
  });
  after(() => app.close());

  const count = async (step: string) => {
    const r = await app
      .as(user.token)
      .get(`${BASE}?name=kept&start=${at}&end=${at + HOUR - 1}&step=${step}&stat=count`)
      .expect(200);
    return { resolution: r.body.resolution, count: r.body.series[0]?.points[0]?.count ?? 0 };
  };
  const rawSamples = async () => Number((await app.platform.db('metric_samples').count({ n: '*' }).first())!.n);

  it('keeps every resolution within its retention', async () => {
    expect(await count('30s')).to.deep.equal({ resolution: 'raw', count: 3 });
    expect(await count('1m')).to.deep.equal({ resolution: '1m', count: 3 });
    expect(await count('1h')).to.deep.equal({ resolution: '1h', count: 3 });
  });

  it('drops raw partitions past raw retention, the rollups answering on', async () => {
    await setClock(app, day0 + 2 * DAY + MIN);
    expect(await rawSamples()).to.equal(0);
    expect(await count('30s')).to.deep.equal({ resolution: 'raw', count: 0 });
    expect(await count('1m')).to.deep.equal({ resolution: '1m', count: 3 });
    expect(await count('1h')).to.deep.equal({ resolution: '1h', count: 3 });
  });

  it('drops 1-minute rollups past their retention, then 1-hour ones', async () => {
    await setClock(app, day0 + 4 * DAY + MIN);
    expect(await count('1m')).to.deep.equal({ resolution: '1m', count: 0 });
    expect(await count('1h')).to.deep.equal({ resolution: '1h', count: 3 });
    await setClock(app, day0 + 14 * DAY);
    expect(await count('1h')).to.deep.equal({ resolution: '1h', count: 0 });
    const tables: string[] = (
      await app.platform.db.raw(
        `select relname from pg_class where relkind = 'r' and relname ~ '^metric_(samples|rollups_1[mh])_p[0-9]+$'`,
      )
    ).rows.map((r: { relname: string }) => r.relname);
    // Only partitions within their table's retention remain, and some made ahead of now.
    const now = day0 + 14 * DAY;
    const keep: Record<string, [number, number]> = {
      samples: [DAY, 2 * DAY],
      rollups_1m: [DAY, 4 * DAY],
      rollups_1h: [7 * DAY, 6 * DAY],
    };
    for (const t of tables) {
      const [, kind, lo] = /^metric_(.+)_p(\d+)$/.exec(t)!;
      const [span, retention] = keep[kind!]!;
      expect(Number(lo) + span, t).to.be.above(now - retention);
    }
    expect(tables.filter((t) => Number(t.split('_p')[1]) > now)).to.have.length.above(2);
  });
});

describe('monitoring: metric rollups across processes', () => {
  let one: TestApp;
  let two: TestApp;
  let user: { id: string; token: string };

  before(async () => {
    one = await startApp({ ATONIX_CLOCK: 'manual' });
    two = await startApp({ ATONIX_CLOCK: 'manual' }, one.databaseUrl);
    user = await newUser(one, 'rollups-two');
  });
  after(async () => {
    await two.close();
    await one.close();
  });

  it('rolls every minute once and right when two processes pass at the same instants', async () => {
    const now = Math.max(await clockNow(one), await clockNow(two));
    const base = Math.floor(now / HOUR) * HOUR - HOUR;
    const vs = Array.from({ length: 360 }, (_, i) => ({ t: base + i * 10_000, v: (i * 37) % 101 }));
    // Half the points through each process.
    for (const [app, part] of [
      [one, vs.filter((_, i) => i % 2 === 0)],
      [two, vs.filter((_, i) => i % 2 === 1)],
    ] as const)
      await app
        .as(user.token)
        .post(BASE)
        .send({ points: part.map((p) => ({ name: 'twice', value: p.v, timestamp: p.t })) })
        .expect(204);
    const at = (ms: number) => ({ now: new Date(ms).toISOString() });
    for (const step of [MIN, 2 * MIN, 3 * MIN])
      await Promise.all(
        [one, two].map((app) =>
          app.admin
            .post('/api/admin/clock')
            .send(at(now + step))
            .expect(200),
        ),
      );
    const r = await one
      .as(user.token)
      .get(`${BASE}?name=twice&start=${base}&end=${base + HOUR - 1}&step=1m&stat=count,sum,max`)
      .expect(200);
    expect(r.body.resolution).to.equal('1m');
    const got = r.body.series[0].points;
    expect(got).to.have.length(60);
    for (const p of got) {
      const mine = vs.filter((x) => x.t >= Date.parse(p.timestamp) && x.t < Date.parse(p.timestamp) + MIN);
      expect(p).to.deep.equal({
        timestamp: p.timestamp,
        count: mine.length,
        sum: mine.reduce((a, x) => a + x.v, 0),
        max: Math.max(...mine.map((x) => x.v)),
      });
    }
    // The watermark stands at the last closed minute: neither pass skipped ahead nor stayed behind.
    const state = await one.platform.db('metric_rollup_state').where('resolution', '1m').first('done_until');
    expect(Number(state.done_until)).to.equal(Math.floor((now + 3 * MIN) / MIN) * MIN);
  });
});
