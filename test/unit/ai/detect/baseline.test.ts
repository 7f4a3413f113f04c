// The seasonal baseline (ai/detect/baseline.ts): the season it finds, the spread it measures, the floor under a
// constant series, missing points, too little history, and the O(1) score of a new point.
import { expect } from 'chai';
import {
  InsufficientHistory,
  THRESHOLDS,
  fitBaseline,
  minimumBaselinePoints,
  scorePoint,
  type TimedValue,
} from '../../../../api/src/ai/detect/index.js';

const STEP = 300;
const DAY = 86_400_000;
const MONDAY = Date.UTC(2026, 0, 5);

function normal(seed: number) {
  let a = seed;
  const u = () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function series(days: number, f: (t: number, i: number) => number, step = STEP): TimedValue[] {
  return Array.from({ length: (days * DAY) / (step * 1000) }, (_, i) => {
    const t = MONDAY + i * step * 1000;
    return { t, v: f(t, i) };
  });
}
const daily = (t: number) => 50 + 20 * Math.sin((2 * Math.PI * (t % DAY)) / DAY);

describe('ai/detect: the seasonal baseline', () => {
  it('finds a daily season, centres each 5-minute phase on the cycle and measures the noise around it', () => {
    const n = normal(1);
    const b = fitBaseline(
      series(7, (t) => daily(t) + 2 * n()),
      STEP,
    );
    expect(b).to.include({ season: 'daily', period: 288, periodSeconds: 86_400, phaseSeconds: 300 });
    expect(b.method).to.match(/^median per 5m phase of a daily season over 7\.0 days/);
    const noon = MONDAY + 8 * DAY + DAY / 4; // the peak of the cycle, a day after the history
    expect(scorePoint(b, { t: noon, v: 70 }, 4.5).expected).to.be.closeTo(70, 1);
    // the noise's MAD is 0.6745 σ = 1.35 (the out-of-sample factor lifts it a few percent)
    const median = [...b.mad].sort((x, y) => x - y)[144];
    expect(median).to.be.within(1.2, 1.55);
  });

  it('finds a weekly season in weekday cycles with quiet weekends, given two weeks', () => {
    const n = normal(2);
    const shape = (t: number) => ([0, 6].includes(new Date(t).getUTCDay()) ? 15 : daily(t));
    const b = fitBaseline(
      series(14, (t) => shape(t) + n()),
      STEP,
    );
    expect(b.season).to.equal('weekly');
    expect(b.period).to.equal(2016);
    const saturdayNoon = MONDAY + 19 * DAY + DAY / 4;
    expect(scorePoint(b, { t: saturdayNoon, v: 70 }, 4.5).anomalous, 'a weekday peak on a Saturday').to.equal(true);
    expect(scorePoint(b, { t: saturdayNoon - 5 * DAY, v: 70 }, 4.5).anomalous, 'the same on a Monday').to.equal(false);
    // one week is too little to see a week: the same history cut to 7 days is daily at best
    expect(
      fitBaseline(
        series(7, (t) => shape(t) + n()),
        STEP,
      ).season,
    ).to.not.equal('weekly');
  });

  it('finds no season in plain noise, nor in a random walk (whose lag correlation is high at every lag)', () => {
    const n = normal(3);
    expect(
      fitBaseline(
        series(7, () => 10 + n()),
        STEP,
      ).season,
    ).to.equal('none');
    let walk = 0;
    const b = fitBaseline(
      series(7, () => (walk += n())),
      STEP,
    );
    expect(b.season).to.equal('none');
    expect(b.period).to.equal(null);
    expect(b.centre).to.have.length(1);
  });

  it('scores the robust z of a point and gives the expected range at the threshold used', () => {
    const n = normal(4);
    const b = fitBaseline(
      series(3, () => 100 + 5 * n()),
      STEP,
    );
    const s = scorePoint(b, { t: MONDAY + 4 * DAY, v: 150 }, 4);
    const sigma = 1.4826 * b.mad[0];
    expect(s.score).to.be.closeTo(Math.abs(150 - s.expected) / sigma, 1e-9);
    expect(s.low).to.be.closeTo(s.expected - 4 * sigma, 1e-9);
    expect(s.high).to.be.closeTo(s.expected + 4 * sigma, 1e-9);
    expect(s).to.include({ anomalous: true, value: 150, t: MONDAY + 4 * DAY });
    expect(scorePoint(b, { t: 0, v: s.expected + 3.9 * sigma }, 4).anomalous).to.equal(false);
    expect(scorePoint(b, { t: 0, v: s.expected + 4.1 * sigma }, 4).anomalous).to.equal(true);
    expect(scorePoint(b, { t: 0, v: NaN }, 4)).to.deep.include({ anomalous: false, score: NaN });
  });

  it('is not moved by anomalies in its history: a day of spikes and a stuck hour barely shift the centre', () => {
    const n = normal(5);
    const b = fitBaseline(
      series(7, (t, i) => (i % 97 === 0 ? 500 : i >= 1000 && i < 1012 ? 0 : daily(t) + n())),
      STEP,
    );
    expect(b.season).to.equal('daily');
    for (let h = 0; h < 24; h += 3) {
      const t = MONDAY + 10 * DAY + h * 3_600_000;
      expect(scorePoint(b, { t, v: daily(t) }, 4.5).expected).to.be.closeTo(daily(t), 1);
    }
  });

  it('floors the MAD of a constant series: no division by zero, a tiny wobble passes, a real change is flagged', () => {
    const b = fitBaseline(
      series(1, () => 512),
      STEP,
    );
    expect(b.mad[0]).to.equal(0.512); // 0.1% of the series' magnitude
    const wobble = scorePoint(b, { t: 0, v: 512.5 }, THRESHOLDS.medium);
    expect(Number.isFinite(wobble.score)).to.equal(true);
    expect(wobble.anomalous).to.equal(false);
    expect(scorePoint(b, { t: 0, v: 1024 }, THRESHOLDS.medium).anomalous).to.equal(true);
    // a series of exact zeros: the absolute floor (1e-6) still divides, and any visible change is news
    const zeros = fitBaseline(
      series(1, () => 0),
      STEP,
    );
    expect(zeros.mad[0]).to.equal(1e-6);
    expect(scorePoint(zeros, { t: 0, v: 1e-7 }, THRESHOLDS.medium).anomalous).to.equal(false);
    expect(scorePoint(zeros, { t: 0, v: 1 }, THRESHOLDS.medium).anomalous).to.equal(true);
  });

  it('takes the mean absolute deviation when most points sit on one value and a few move', () => {
    // 90% zeros, 10% ones: the MAD is 0, the mean deviation about 0.1
    const b = fitBaseline(
      series(2, (_, i) => (i % 10 === 0 ? 1 : 0)),
      STEP,
    );
    expect(b.mad[0]).to.be.closeTo((58 / 576) * (0.6745 / 0.7979), 1e-9); // 58 ones in 576 points
    expect(scorePoint(b, { t: 0, v: 10 }, THRESHOLDS.medium).anomalous).to.equal(true);
  });

  it('fits through missing points and gaps: a history with every 7th point and one whole afternoon missing', () => {
    const n = normal(6);
    const full = series(7, (t) => daily(t) + n());
    const holes = full.filter((p, i) => i % 7 !== 3 && !(p.t >= MONDAY + 2 * DAY + DAY / 2 && p.t < MONDAY + 3 * DAY));
    const b = fitBaseline(holes, STEP);
    expect(b.season).to.equal('daily');
    expect(b.points).to.equal(holes.length);
    expect(b.centre.every(Number.isFinite) && b.mad.every((m) => m > 0)).to.equal(true);
    // values that are not numbers are missing points too
    const withNaN = [...holes, { t: MONDAY + 7 * DAY, v: NaN }];
    expect(fitBaseline(withNaN, STEP).points).to.equal(holes.length);
  });

  it('refuses too little history with the numbers: InsufficientHistory(needed, have)', () => {
    expect(minimumBaselinePoints(300)).to.equal(72); // six hours at 5 minutes
    expect(minimumBaselinePoints(60)).to.equal(360);
    expect(minimumBaselinePoints(3600)).to.equal(30); // never fewer than 30
    const short = series(1, () => 1).slice(0, 71);
    try {
      fitBaseline([...short, { t: MONDAY + DAY, v: Infinity }], STEP);
      expect.fail('fitted on 71 points');
    } catch (e) {
      expect(e).to.be.instanceOf(InsufficientHistory);
      expect(e).to.include({ needed: 72, have: 71 });
      expect((e as Error).message).to.equal('a baseline needs at least 72 points of history, and 71 were given');
    }
    expect(() =>
      fitBaseline(
        series(1, () => 1),
        0,
      ),
    ).to.throw(RangeError, /stepSeconds/);
  });

  it('survives JSON (the engine keeps it in a jsonb column) and scores the same afterwards', () => {
    const n = normal(7);
    const b = fitBaseline(
      series(7, (t) => daily(t) + n()),
      STEP,
    );
    const back = JSON.parse(JSON.stringify(b));
    expect(back).to.deep.equal(b);
    for (const t of [MONDAY, MONDAY + 9 * DAY + 12_345_678, MONDAY - 3 * DAY])
      expect(scorePoint(back, { t, v: 60 }, 4.5)).to.deep.equal(scorePoint(b, { t, v: 60 }, 4.5));
  });

  it('orders the sensitivities: high flags at a lower robust z than medium, medium than low', () => {
    expect(THRESHOLDS.high).to.be.below(THRESHOLDS.medium);
    expect(THRESHOLDS.medium).to.be.below(THRESHOLDS.low);
  });
});
