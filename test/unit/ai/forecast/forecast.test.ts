import { expect } from 'chai';
import { mase } from '../../../../api/src/ai/forecast/backtest.js';
import {
  forecast,
  type ForecastInput,
  InsufficientHistory,
  minimumHistory,
} from '../../../../api/src/ai/forecast/index.js';
import { maunaLoaMonthly } from '../../../fixtures/forecast/series.js';
import {
  dailyFiveMinute,
  localLevel,
  multiplicativeHourly,
  weeklyHourly,
} from '../../../fixtures/forecast/synthetic.js';

// The accuracy fixtures. Mauna Loa CO2 (public domain, see test/fixtures/forecast/reference.py) is monthly with a
// yearly cycle; the detector only knows the daily and weekly lags implied by the step, so it is presented with a
// step of 2 hours, which makes its 12-value cycle the "daily" one (the models only see values and the period).
const co2 = maunaLoaMonthly();
const fixtures = [
  { name: 'Mauna Loa CO2 (monthly)', values: co2.values, stepSeconds: 7200, horizon: 12, period: 12 },
  ...[dailyFiveMinute(), weeklyHourly(), multiplicativeHourly(), localLevel()].map((s) => ({
    name: s.name,
    values: s.values,
    stepSeconds: s.stepSeconds,
    horizon: 24,
    period: s.period ?? 1,
  })),
];
const ORIGINS = 6;

describe('ai/forecast forecast()', function () {
  this.timeout(120_000);

  for (const fx of fixtures) {
    it(`${fx.name}: auto beats seasonal naive on held-back MASE, and its intervals cover about 80% and 95%`, () => {
      let inside80 = 0;
      let inside95 = 0;
      let total = 0;
      let maseAuto = 0;
      let maseNaive = 0;
      for (let k = ORIGINS; k >= 1; k--) {
        const origin = fx.values.length - k * fx.horizon;
        const train = fx.values.slice(0, origin);
        const actual = fx.values.slice(origin, origin + fx.horizon);
        const input: ForecastInput = {
          values: train,
          stepSeconds: fx.stepSeconds,
          horizon: fx.horizon,
          model: 'auto',
          budgetMs: 200,
        };
        const auto = forecast(input);
        const naive = forecast({ ...input, model: 'seasonal_naive' });
        expect(auto.points).to.have.length(fx.horizon);
        expect(auto.candidates.map((c) => c.model)).to.include.members(['ets', 'seasonal_naive']);
        maseAuto +=
          mase(
            train,
            actual,
            auto.points.map((p) => p.mean),
            fx.period,
          ) / ORIGINS;
        maseNaive +=
          mase(
            train,
            actual,
            naive.points.map((p) => p.mean),
            fx.period,
          ) / ORIGINS;
        actual.forEach((a, h) => {
          const p = auto.points[h];
          expect(p.lower95).to.be.at.most(p.lower80);
          expect(p.lower80).to.be.at.most(p.mean);
          expect(p.upper80).to.be.at.most(p.upper95);
          total++;
          if (a >= p.lower80 && a <= p.upper80) inside80++;
          if (a >= p.lower95 && a <= p.upper95) inside95++;
        });
      }
      expect(maseAuto).to.be.lessThan(maseNaive);
      expect(inside80 / total, '80% coverage').to.be.within(0.65, 0.95);
      expect(inside95 / total, '95% coverage').to.be.within(0.85, 1);
    });
  }

  it('explains its choice: every candidate with MASE and sMAPE, the lowest MASE chosen', () => {
    const s = dailyFiveMinute(10);
    const r = forecast({ values: s.values, stepSeconds: 300, horizon: 36, model: 'auto', budgetMs: 200 });
    expect(r.candidates.map((c) => c.model)).to.deep.equal(['ets', 'seasonal_naive', 'lstm']);
    for (const c of r.candidates) {
      expect(c.mase).to.be.a('number').and.be.greaterThan(0);
      expect(c.smape).to.be.a('number').and.be.greaterThan(0);
      expect(c.origins).to.equal(4);
    }
    const best = r.candidates.reduce((a, b) => (b.mase < a.mase ? b : a));
    expect(r.model).to.equal(best.model);
    expect(r.selection).to.match(/^lowest MASE over 4 rolling origins of 36 steps/);
    expect(r.seasonality).to.include({ kind: 'daily', period: 288 });
    expect(r.method).to.contain('intervals');
    if (r.model === 'ets') expect(r.method).to.match(/^ETS\(A,(N|A|Ad),(A|M)\), period 288 steps \(daily\), alpha=/);
  });

  it('skips the LSTM in auto when the budget does not allow it, and says so', () => {
    const s = weeklyHourly(4);
    const r = forecast({ values: s.values, stepSeconds: 3600, horizon: 24, model: 'auto', budgetMs: 10 });
    expect(r.candidates.map((c) => c.model)).to.deep.equal(['ets', 'seasonal_naive']);
    expect(r.selection).to.contain('lstm skipped: budget 10 ms');
  });

  it('a named model answers with its own backtest row', () => {
    const s = multiplicativeHourly();
    for (const model of ['ets', 'seasonal_naive', 'lstm'] as const) {
      const r = forecast({ values: s.values, stepSeconds: 3600, horizon: 30, model, budgetMs: 200 });
      expect(r.model).to.equal(model);
      expect(r.candidates).to.have.length(1);
      expect(r.candidates[0].model).to.equal(model);
      expect(r.points).to.have.length(30);
      expect(r.selection).to.contain('asked for by name');
      for (const p of r.points) expect(Number.isFinite(p.lower95) && Number.isFinite(p.upper95)).to.equal(true);
    }
  });

  it('is deterministic, LSTM included', () => {
    const s = dailyFiveMinute(5);
    const input: ForecastInput = { values: s.values, stepSeconds: 300, horizon: 12, model: 'lstm', budgetMs: 150 };
    expect(forecast(input)).to.deep.equal(forecast(input));
    const auto = { ...input, model: 'auto' as const };
    expect(forecast(auto)).to.deep.equal(forecast(auto));
  });

  it('fills missing steps (NaN) and still finds the season', () => {
    const s = dailyFiveMinute(7);
    const values = s.values.map((v, i) => (i % 17 === 0 || (i > 500 && i < 540) ? NaN : v));
    const r = forecast({ values, stepSeconds: 300, horizon: 24, model: 'ets' });
    expect(r.seasonality.kind).to.equal('daily');
    for (const p of r.points) expect(Number.isFinite(p.mean)).to.equal(true);
  });

  it('refuses too little history with how much is needed (InsufficientHistory), and accepts exactly that much', () => {
    for (const model of ['auto', 'ets', 'seasonal_naive', 'lstm'] as const) {
      const needed = minimumHistory(model, 60, 12);
      const y = Array.from({ length: needed }, (_, t) => 5 + Math.sin(t / 3) + (t % 5) / 10);
      expect(() => forecast({ values: y.slice(1), stepSeconds: 60, horizon: 12, model, budgetMs: 100 }))
        .to.throw(InsufficientHistory)
        .that.satisfies((e: InsufficientHistory) => e.needed === needed && e.have === needed - 1 && e.why.length > 0);
      const r = forecast({ values: y, stepSeconds: 60, horizon: 12, model, budgetMs: 100 });
      expect(r.points).to.have.length(12);
    }
    expect(minimumHistory('ets', 300, 1000)).to.equal(10 + 288); // the backtest window is capped at a day
    const gaps = Array.from({ length: 100 }, (_, i) => (i < 95 ? NaN : i));
    expect(() => forecast({ values: gaps, stepSeconds: 60, horizon: 3, model: 'ets' })).to.throw(InsufficientHistory);
  });

  it('rejects malformed input naming the field', () => {
    const base: ForecastInput = { values: [1, 2, 3], stepSeconds: 60, horizon: 1, model: 'auto' };
    expect(() => forecast({ ...base, horizon: 0 })).to.throw(RangeError, /^horizon/);
    expect(() => forecast({ ...base, stepSeconds: -1 })).to.throw(RangeError, /^stepSeconds/);
    expect(() => forecast({ ...base, model: 'arima' as never })).to.throw(RangeError, /^model/);
    expect(() => forecast({ ...base, budgetMs: NaN })).to.throw(RangeError, /^budgetMs/);
  });

  it('forecasts 8,640 points with ETS in well under a second of CPU', () => {
    const s = dailyFiveMinute();
    forecast({ values: s.values, stepSeconds: 300, horizon: 288, model: 'ets' }); // compile first
    const cpu = process.cpuUsage();
    forecast({ values: s.values, stepSeconds: 300, horizon: 288, model: 'ets' });
    const used = process.cpuUsage(cpu);
    expect((used.user + used.system) / 1000).to.be.lessThan(1000);
  });
});
