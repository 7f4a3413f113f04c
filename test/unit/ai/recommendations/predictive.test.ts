// Predictive scaling's decision on real forecasts (the forecasting library, model auto): a rising series crosses
// capacity within the horizon, a level one does not, and too short a history gives no verdict.
import { expect } from 'chai';
import { firstCrossing } from '../../../../api/src/ai/recommendations/predictive.js';
import { seeded } from '../../../../api/src/platform/seeded-random.js';

const hours = 14 * 24;
const noise = seeded(11);
const daily = (h: number) => 5 * Math.sin((2 * Math.PI * h) / 24);

describe('ai recommendations: predictive scaling', function () {
  this.timeout(30_000);

  it('finds the hour a rising CPU series is forecast to reach 90 %', async () => {
    // 40 % rising to 80 % over 14 days: about 0.12 points an hour, so 90 % some 85 hours ahead.
    const values = Array.from({ length: hours }, (_, h) => 40 + (40 * h) / hours + daily(h) + (noise() - 0.5));
    const c = await firstCrossing(values, 3600, 168, 90);
    expect(c, 'a crossing').to.not.equal(null);
    expect(c!.step).to.be.within(40, 130);
    expect(c!.point.mean).to.be.at.least(90);
    expect(c!.result.method).to.be.a('string').and.not.empty;
  });

  it('finds none for a level series well under capacity', async () => {
    const values = Array.from({ length: hours }, (_, h) => 50 + daily(h) + (noise() - 0.5));
    expect(await firstCrossing(values, 3600, 168, 90)).to.equal(null);
  });

  it('gives no verdict on too short a history', async () => {
    expect(await firstCrossing([50, 60, 70], 3600, 168, 90)).to.equal(null);
  });
});
