// The runner's choice of which due instants run at a tick, and its grace as the tick interval sets it.
import { expect } from 'chai';
import { MIN_GRACE_MS, chooseRuns, graceMs, keyTtlSeconds } from '../../../api/src/automation/scheduler.js';

const MIN = 60_000;

describe('automation: the scheduler runner', () => {
  describe('graceMs', () => {
    it('is a minute for ticks up to 30 s, and two ticks beyond', () => {
      expect(graceMs(10)).to.equal(MIN_GRACE_MS);
      expect(graceMs(30)).to.equal(MIN);
      expect(graceMs(120)).to.equal(4 * MIN);
    });
  });

  describe('keyTtlSeconds', () => {
    it("outlasts a run's last possible retry, and is never shorter than the configured TTL", () => {
      const day = 86_400;
      expect(keyTtlSeconds({ retries: 0, retry_backoff_seconds: 60, timeout_seconds: 30 }, 60, day)).to.equal(day);
      // 10 retries an hour apart, doubling: the last one is 3600 * (2^10 - 1) s (~43 days) after the first attempt.
      const long = { retries: 10, retry_backoff_seconds: 3600, timeout_seconds: 60 };
      expect(keyTtlSeconds(long, 60, day)).to.equal(11 * 120 + 3600 * 1023 + 3600);
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
