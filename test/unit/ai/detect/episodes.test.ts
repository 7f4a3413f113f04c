// Episodes (ai/detect/episodes.ts): consecutive anomalous points, gaps allowed up to gapSeconds, kept when they last
// at least minDurationSeconds; the peak; whether the last one may still grow.
import { expect } from 'chai';
import { groupEpisodes } from '../../../../api/src/ai/detect/index.js';

const MIN = 60_000;
/** one score a minute; the listed minutes anomalous, with the score equal to the minute */
const minutes = (n: number, anomalous: number[]) =>
  Array.from({ length: n }, (_, i) => ({
    t: i * MIN,
    score: anomalous.includes(i) ? 10 + i : 1,
    anomalous: anomalous.includes(i),
  }));

describe('ai/detect: episodes', () => {
  it('joins consecutive anomalous points into one episode with its peak and point count', () => {
    const [e] = groupEpisodes(minutes(10, [2, 3, 4]), { minDurationSeconds: 0, gapSeconds: 0 });
    expect(e).to.deep.include({ start: 2 * MIN, end: 4 * MIN, points: 3, open: false });
    expect(e.peak).to.deep.equal({ t: 4 * MIN, score: 14, anomalous: true });
  });

  it('bridges a gap of ordinary points up to gapSeconds, and splits at a longer one', () => {
    const s = minutes(20, [1, 2, 4, 5, 9]); // one ordinary minute between 2 and 4, three between 5 and 9
    expect(groupEpisodes(s, { minDurationSeconds: 0, gapSeconds: 0 }).map((e) => e.points)).to.deep.equal([2, 2, 1]);
    expect(groupEpisodes(s, { minDurationSeconds: 0, gapSeconds: 60 }).map((e) => e.points)).to.deep.equal([4, 1]);
    expect(groupEpisodes(s, { minDurationSeconds: 0, gapSeconds: 180 }).map((e) => e.points)).to.deep.equal([5]);
  });

  it('counts missing points as gap, like ordinary ones', () => {
    const s = minutes(10, [1, 2, 5]).filter((p) => p.t !== 3 * MIN && p.t !== 4 * MIN);
    expect(groupEpisodes(s, { minDurationSeconds: 0, gapSeconds: 60 })).to.have.length(2);
    expect(groupEpisodes(s, { minDurationSeconds: 0, gapSeconds: 120 })).to.have.length(1);
  });

  it('drops episodes shorter than minDurationSeconds (a single point lasts 0 s)', () => {
    const s = minutes(30, [2, 10, 11, 12, 20, 21, 22, 23, 24, 25]);
    expect(groupEpisodes(s, { minDurationSeconds: 0, gapSeconds: 0 })).to.have.length(3);
    const long = groupEpisodes(s, { minDurationSeconds: 180, gapSeconds: 0 });
    expect(long.map((e) => [e.start / MIN, e.end / MIN])).to.deep.equal([[20, 25]]);
    expect(groupEpisodes(s, { minDurationSeconds: 120, gapSeconds: 0 })).to.have.length(2);
  });

  it('says an episode is open while the series has not yet moved past its gap', () => {
    expect(groupEpisodes(minutes(10, [8, 9]), { minDurationSeconds: 0, gapSeconds: 0 })[0].open).to.equal(true);
    expect(groupEpisodes(minutes(10, [7, 8]), { minDurationSeconds: 0, gapSeconds: 0 })[0].open).to.equal(false);
    expect(groupEpisodes(minutes(10, [7, 8]), { minDurationSeconds: 0, gapSeconds: 60 })[0].open).to.equal(true);
  });

  it('sorts scores given out of order, and answers nothing for nothing', () => {
    const s = minutes(10, [3, 4, 5]).reverse();
    expect(groupEpisodes(s, { minDurationSeconds: 0, gapSeconds: 0 })).to.have.length(1);
    expect(groupEpisodes([], { minDurationSeconds: 0, gapSeconds: 0 })).to.deep.equal([]);
    expect(() => groupEpisodes(s, { minDurationSeconds: -1, gapSeconds: 0 })).to.throw(RangeError);
  });
});
