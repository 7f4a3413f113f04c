// The forecasting thread: it answers exactly what the pure function answers (the same numbers, the same refusals
// with their figures), and the event loop keeps turning while a fit runs.
import { expect } from 'chai';
import {
  forecast,
  forecastOffLoop,
  InsufficientHistory,
  type ForecastInput,
} from '../../../../api/src/ai/forecast/index.js';
import { dailyFiveMinute } from '../../../fixtures/forecast/synthetic.js';

describe('ai/forecast on its thread', function () {
  this.timeout(60_000);
  const series = dailyFiveMinute();
  const input: ForecastInput = { values: series.values, stepSeconds: 300, horizon: 24, model: 'ets' };

  it('gives the same forecast as the pure function', async () => {
    expect(await forecastOffLoop(input)).to.deep.equal(forecast(input));
  });

  it('keeps the event loop turning while it fits', async () => {
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      await forecastOffLoop(input);
    } finally {
      clearInterval(ticker);
    }
    // A fit on this thread would have held every timer until it returned: not one turn.
    expect(turns).to.be.greaterThan(0);
  });

  it('refuses too short a history with the same figures', async () => {
    const short = { ...input, values: series.values.slice(0, 10) };
    const err = await forecastOffLoop(short).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(InsufficientHistory);
    let direct: InsufficientHistory | undefined;
    try {
      forecast(short);
    } catch (e) {
      direct = e as InsufficientHistory;
    }
    expect({ ...(err as InsufficientHistory) }).to.deep.equal({ ...direct });
    expect((err as InsufficientHistory).message).to.equal(direct!.message);
  });

  it('refuses bad input as the pure function does (a RangeError naming the field)', async () => {
    const err = await forecastOffLoop({ ...input, horizon: 0 }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).to.be.instanceOf(RangeError);
    expect(err!.message).to.match(/^horizon/);
  });
});
