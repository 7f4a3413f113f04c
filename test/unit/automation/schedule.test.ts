// Schedule expressions: parsing and refusals, and the due instants of cron (across DST changes), rate and at.
import { expect } from 'chai';
import {
  MAX_CATCH_UP,
  ScheduleError,
  dueBetween,
  nextAfter,
  parseSchedule,
} from '../../../api/src/automation/schedule.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const ms = Date.parse;
/** The next `n` due instants after `from`. */
function runs(expr: string, tz: string, from: string, n: number, w = { anchor: ms(from) }) {
  const s = parseSchedule(expr, tz);
  const out: (string | null)[] = [];
  let t = ms(from);
  for (let i = 0; i < n; i++) {
    const next = nextAfter(s, w, t);
    out.push(iso(next));
    if (next === null) break;
    t = next;
  }
  return out;
}

describe('automation: schedule expressions', () => {
  describe('cron in a time zone', () => {
    it('runs weekdays at 19:00 Berlin time, 18:00Z before the spring change and 17:00Z after it', () => {
      expect(runs('0 19 * * 1-5', 'Europe/Berlin', '2027-03-25T00:00:00Z', 5)).to.deep.equal([
        '2027-03-25T18:00:00.000Z',
        '2027-03-26T18:00:00.000Z',
        '2027-03-29T17:00:00.000Z',
        '2027-03-30T17:00:00.000Z',
        '2027-03-31T17:00:00.000Z',
      ]);
    });

    it('runs a local time the spring change skips once, at the next valid time', () => {
      // 02:30 does not exist in Berlin on 28 March 2027: the run is at 03:00 CEST (01:00Z), once.
      expect(runs('30 2 * * *', 'Europe/Berlin', '2027-03-27T00:00:00Z', 3)).to.deep.equal([
        '2027-03-27T01:30:00.000Z',
        '2027-03-28T01:00:00.000Z',
        '2027-03-29T00:30:00.000Z',
      ]);
    });

    it('runs a local time the autumn change repeats once', () => {
      // 02:30 happens twice in Berlin on 31 October 2027 (CEST, then CET): one run.
      expect(runs('30 2 * * *', 'Europe/Berlin', '2027-10-30T00:00:00Z', 3)).to.deep.equal([
        '2027-10-30T00:30:00.000Z',
        '2027-10-31T00:30:00.000Z',
        '2027-11-01T01:30:00.000Z',
      ]);
    });

    it('takes seconds as an optional sixth field, first', () => {
      expect(runs('15 0 12 * * *', 'UTC', '2027-01-01T00:00:00Z', 2)).to.deep.equal([
        '2027-01-01T12:00:15.000Z',
        '2027-01-02T12:00:15.000Z',
      ]);
    });

    it('keeps to start_at and end_at', () => {
      const w = { anchor: 0, startAt: ms('2027-01-03T00:00:00Z'), endAt: ms('2027-01-04T12:00:00Z') };
      expect(runs('0 9 * * *', 'UTC', '2027-01-01T00:00:00Z', 3, w)).to.deep.equal([
        '2027-01-03T09:00:00.000Z',
        '2027-01-04T09:00:00.000Z',
        null,
      ]);
    });
  });

  describe('rate and at', () => {
    it('counts a rate from its anchor', () => {
      expect(runs('rate(5 minutes)', 'UTC', '2027-01-01T00:00:00Z', 2)).to.deep.equal([
        '2027-01-01T00:05:00.000Z',
        '2027-01-01T00:10:00.000Z',
      ]);
      expect(runs('rate(1 day)', 'UTC', '2027-01-01T00:00:00Z', 1)).to.deep.equal(['2027-01-02T00:00:00.000Z']);
    });

    it('runs at() once, read in its zone', () => {
      expect(runs('at(2027-01-01T09:00:00)', 'Europe/Berlin', '2026-12-01T00:00:00Z', 2)).to.deep.equal([
        '2027-01-01T08:00:00.000Z',
        null,
      ]);
    });
  });

  describe('dueBetween', () => {
    it('lists the due instants from the stored next run to now, at most MAX_CATCH_UP of them, the newest', () => {
      const s = parseSchedule('rate(1 minute)', 'UTC');
      const due = dueBetween(s, { anchor: 0 }, 60_000, 1000 * 60_000);
      expect(due).to.have.length(MAX_CATCH_UP);
      expect(due[due.length - 1]).to.equal(1000 * 60_000);
      const cron = parseSchedule('0 19 * * 1-5', 'Europe/Berlin');
      expect(
        dueBetween(cron, { anchor: 0 }, ms('2027-03-26T18:00:00Z'), ms('2027-03-29T17:00:00Z')).map(iso),
      ).to.deep.equal(['2027-03-26T18:00:00.000Z', '2027-03-29T17:00:00.000Z']);
    });
  });

  describe('refusals', () => {
    const pointerOf = (expr: string, tz = 'UTC') => {
      try {
        parseSchedule(expr, tz);
      } catch (e) {
        if (e instanceof ScheduleError) return e.error.pointer;
        throw e;
      }
      return null;
    };
    it('names the schedule for a bad expression and the timezone for an unknown zone', () => {
      for (const e of [
        '61 * * * *',
        '* * *',
        '1 2 3 4 5 6 7',
        'rate(0 hours)',
        'rate(2 hour)',
        'rate(1 week)',
        'at(tomorrow)',
      ])
        expect(pointerOf(e), e).to.equal('/schedule');
      expect(pointerOf('0 9 * * *', 'Europe/Atlantis')).to.equal('/timezone');
    });
  });
});
