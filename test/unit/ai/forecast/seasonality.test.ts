import { expect } from 'chai';
import { candidatePeriods, detectSeasonality, detrendedAcf } from '../../../../api/src/ai/forecast/seasonality.js';
import { seeded as mulberry32 } from '../../../../api/src/platform/seeded-random.js';
import { dailyFiveMinute, localLevel, weeklyHourly } from '../../../fixtures/forecast/synthetic.js';

describe('ai/forecast seasonality', () => {
  it('derives the daily and weekly lags from the step', () => {
    expect(candidatePeriods(300)).to.deep.equal({ daily: 288, weekly: 2016 });
    expect(candidatePeriods(3600)).to.deep.equal({ daily: 24, weekly: 168 });
    expect(candidatePeriods(86_400)).to.deep.equal({ daily: null, weekly: 7 });
    expect(candidatePeriods(7 * 86_400)).to.deep.equal({ daily: null, weekly: null });
    expect(candidatePeriods(700)).to.deep.equal({ daily: null, weekly: 864 });
  });

  it('finds the daily cycle of a 5-minute series with a trend', () => {
    const s = detectSeasonality(dailyFiveMinute().values, 300);
    expect(s.kind).to.equal('daily');
    expect(s.period).to.equal(288);
    expect(s.strength).to.be.greaterThan(0.8);
    expect(s.method).to.contain('lag 288').and.contain('lag 2016');
  });

  it('finds the weekly cycle when weekends differ, not just the daily one', () => {
    const s = detectSeasonality(weeklyHourly().values, 3600);
    expect(s.kind).to.equal('weekly');
    expect(s.period).to.equal(168);
  });

  it('finds none in a random walk, in white noise, and in a pure trend', () => {
    expect(detectSeasonality(localLevel(5000).values, 60).kind).to.equal('none');
    const u = mulberry32(9);
    expect(
      detectSeasonality(
        Array.from({ length: 2000 }, () => u()),
        3600,
      ).kind,
    ).to.equal('none');
    expect(
      detectSeasonality(
        Array.from({ length: 2000 }, (_, t) => 3 * t + 0.001 * t * t),
        3600,
      ).kind,
    ).to.equal('none');
  });

  it('says when the series is too short for a cycle', () => {
    const s = detectSeasonality(dailyFiveMinute(1).values, 300);
    expect(s.kind).to.equal('none');
    expect(s.method).to.contain('too short');
    expect(detrendedAcf([1, 2, 3], 2)).to.be.NaN;
  });
});
