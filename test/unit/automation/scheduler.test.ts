// The runner's choice of which due instants run at a tick, and its grace as the tick interval sets it.
import { expect } from 'chai';
import { MIN_GRACE_MS, chooseRuns, graceMs } from '../../../api/src/automation/scheduler.js';

const MIN = 60_000;

describe('automation: the scheduler runner', () => {
  describe('graceMs', () => {
    it('is a minute for ticks up to 30 s, and two ticks beyond', () => {
      expect(graceMs(10)).to.equal(MIN_GRACE_MS);
      expect(graceMs(30)).to.equal(MIN);
      expect(graceMs(120)).to.equal(4 * MIN);
    });
  });

  describe('chooseRuns', () => {
    const now = Date.parse('2027-01-01T12:00:00Z');
    // Due 5, 3 and 1 minute(s) before the tick that sees them.
    const times = [now - 5 * MIN, now - 3 * MIN, now - MIN + 1];

    it('runs what fell due within the grace, and of the missed ones what catch_up says', () => {
      const g = graceMs(10);
      expect(chooseRuns(times, now, 'none', g)).to.deep.equal([now - MIN + 1]);
      expect(chooseRuns(times, now, 'latest', g)).to.deep.equal([now - 3 * MIN, now - MIN + 1]);
      expect(chooseRuns(times, now, 'all', g)).to.deep.equal(times);
    });

    it('with a 2-minute tick, a run seen almost two minutes late is on time, not missed', () => {
      const late = [now - 119_000];
      expect(chooseRuns(late, now, 'none', graceMs(10))).to.deep.equal([]); // what a fixed minute did
      expect(chooseRuns(late, now, 'none', graceMs(120))).to.deep.equal(late);
      expect(chooseRuns(times, now, 'none', graceMs(120))).to.deep.equal([now - 3 * MIN, now - MIN + 1]);
    });
  });
});
