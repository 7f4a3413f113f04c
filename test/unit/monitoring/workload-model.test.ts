// The modelled workloads of instances and volumes: reproducible per id, shaped as their metadata asks, counters that
// only grow at the rate the shape says.
import { expect } from 'chai';
import {
  counter,
  cpuPercent,
  factor,
  factorIntegral,
  memoryPercent,
  workloadOf,
  type Shape,
} from '../../../api/src/monitoring/collectors/workload-model.js';
import { minutes } from '../../../api/src/monitoring/collectors/modelled.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Monday 2026-11-02 00:00 UTC */
const MONDAY = Date.UTC(2026, 10, 2);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];
function cpuSeries(id: string, meta: Record<string, string>, from: number, to: number) {
  const w = workloadOf(id, meta);
  const out: number[] = [];
  for (let t = from; t < to; t += MIN) out.push(cpuPercent(id, w, t));
  return out;
}

describe('workload model', () => {
  describe('workloadOf', () => {
    it('reads the shape and level from metadata', () => {
      expect(workloadOf('inst-a', { 'atonix:workload': 'diurnal:40' })).to.deep.equal({ shape: 'diurnal', level: 40 });
      expect(workloadOf('inst-a', { 'atonix:workload': ' Weekly ' }).shape).to.equal('weekly');
      expect(workloadOf('inst-a', { 'atonix:workload': 'spiky:250' }).level).to.equal(100);
    });

    it('is steady at a level drawn from the id when metadata says nothing usable', () => {
      const a = workloadOf('inst-a', {});
      expect(a.shape).to.equal('steady');
      expect(a.level).to.be.within(10, 60);
      expect(workloadOf('inst-a', { 'atonix:workload': 'bursty' })).to.deep.equal(a);
      expect(workloadOf('inst-a', null)).to.deep.equal(a);
    });
  });

  it('is reproducible per id and differs between ids', () => {
    const a1 = cpuSeries('inst-a', {}, MONDAY, MONDAY + HOUR);
    const a2 = cpuSeries('inst-a', {}, MONDAY, MONDAY + HOUR);
    const b = cpuSeries(
      'inst-b',
      { 'atonix:workload': `steady:${workloadOf('inst-a', {}).level}` },
      MONDAY,
      MONDAY + HOUR,
    );
    expect(a1).to.deep.equal(a2);
    expect(a1).not.to.deep.equal(b);
  });

  it('steady stays near its level', () => {
    const xs = cpuSeries('inst-s', { 'atonix:workload': 'steady:30' }, MONDAY, MONDAY + 2 * DAY);
    expect(mean(xs)).to.be.closeTo(30, 1);
    expect(Math.min(...xs)).to.be.above(27);
    expect(Math.max(...xs)).to.be.below(33);
  });

  it('diurnal is busy by day and quiet at night', () => {
    const id = 'inst-d';
    const meta = { 'atonix:workload': 'diurnal:40' };
    const afternoon = cpuSeries(id, meta, MONDAY + 13 * HOUR, MONDAY + 15 * HOUR);
    const night = cpuSeries(id, meta, MONDAY + 1 * HOUR, MONDAY + 3 * HOUR);
    expect(mean(afternoon)).to.be.above(60);
    expect(mean(night)).to.be.below(20);
    expect(mean(cpuSeries(id, meta, MONDAY, MONDAY + DAY))).to.be.closeTo(40, 1.5);
  });

  it('weekly is quiet at weekends', () => {
    const meta = { 'atonix:workload': 'weekly:50' };
    const saturday = MONDAY + 5 * DAY;
    expect(mean(cpuSeries('inst-w', meta, saturday, saturday + DAY))).to.be.closeTo(12.5, 1);
    expect(mean(cpuSeries('inst-w', meta, MONDAY + 2 * DAY, MONDAY + 3 * DAY))).to.be.closeTo(50, 2);
  });

  it('spiky sits low with short bursts near 95 %', () => {
    const xs = cpuSeries('inst-p', { 'atonix:workload': 'spiky:10' }, MONDAY, MONDAY + 7 * DAY);
    expect(quantile(xs, 0.5)).to.be.closeTo(10, 1.5);
    expect(Math.max(...xs)).to.be.above(92);
    const burst = xs.filter((x) => x > 90).length / xs.length;
    expect(burst).to.be.within(0.005, 0.06);
  });

  it('memory stays within bounds and follows the level', () => {
    const w = workloadOf('inst-m', { 'atonix:workload': 'steady:80' });
    for (let t = MONDAY; t < MONDAY + DAY; t += 7 * MIN) expect(memoryPercent('inst-m', w, t)).to.be.within(45, 60);
  });

  describe('counters', () => {
    for (const shape of ['steady', 'diurnal', 'weekly', 'spiky'] as Shape[])
      it(`${shape}: the closed-form integral agrees with summing the factor minute by minute`, () => {
        const from = MONDAY + 3 * HOUR + 17 * MIN;
        const to = from + 9 * DAY;
        let sum = 0;
        for (let t = from; t < to; t += 1000) sum += factor(shape, t + 500) * 1000;
        expect(factorIntegral(shape, from, to) / sum).to.be.closeTo(1, 1e-4);
      });

    it('only grow, at the rate the shape gives', () => {
      const since = MONDAY;
      let last = 0;
      for (let t = MONDAY; t < MONDAY + 8 * DAY; t += 10 * MIN) {
        const v = counter(1000, 'weekly', since, t);
        expect(v).to.be.at.least(last);
        last = v;
      }
      // Over a weekday hour at 14:00 the rate is 1000 * 1.7 per second.
      const at = MONDAY + 14 * HOUR;
      const rate = (counter(1000, 'diurnal', since, at + MIN) - counter(1000, 'diurnal', since, at - MIN)) / 120;
      expect(rate).to.be.closeTo(1700, 2);
    });
  });

  it('minutes: the grid after `from` up to `to`, not before a bound', () => {
    expect(minutes(10 * MIN + 5, 13 * MIN, 0)).to.deep.equal([11 * MIN, 12 * MIN, 13 * MIN]);
    expect(minutes(10 * MIN, 13 * MIN, 12 * MIN + 1)).to.deep.equal([13 * MIN]);
    expect(minutes(10 * MIN, 10 * MIN + 59_000, 0)).to.deep.equal([]);
  });
});
