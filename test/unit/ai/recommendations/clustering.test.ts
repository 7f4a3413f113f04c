// The pure parts of the recommenders: k-means with its k rule, circular runs of idle hours or weekdays, daily
// profiles from hourly means, and the flavor ladder.
import { expect } from 'chai';
import { seeded } from '../../../../api/src/platform/seeded-random.js';
import { chooseK, kmeans } from '../../../../api/src/ai/recommendations/kmeans.js';
import { dailyProfiles, longestRun, DAY, HOUR } from '../../../../api/src/ai/recommendations/profiles.js';
import { neighbour } from '../../../../api/src/ai/recommendations/rightsizing.js';

const noisy = (base: number[], seed: number) => {
  const r = seeded(seed);
  return base.map((v) => v * (1 + (r() - 0.5) * 0.1));
};
const busyDay = Array.from({ length: 24 }, (_, h) => 40 * (1 + 0.7 * Math.sin((2 * Math.PI * (h - 8)) / 24)));
const quietDay = Array.from({ length: 24 }, () => 10);

describe('ai recommendations: clustering and profiles', () => {
  it('splits weekdays from quiet weekends into two clusters, deterministically for a seed', () => {
    const days = Array.from({ length: 14 }, (_, d) => noisy(d % 7 >= 5 ? quietDay : busyDay, d + 1));
    const c = chooseK(days, 42);
    expect(c.k).to.equal(2);
    const weekend = c.assignment[5];
    expect(c.assignment.map((a) => a === weekend)).to.deep.equal(days.map((_, d) => d % 7 >= 5));
    expect(chooseK(days, 42)).to.deep.equal(c);
  });

  it('keeps days that differ only by noise in one cluster', () => {
    const days = Array.from({ length: 14 }, (_, d) => noisy(busyDay, d + 1));
    expect(chooseK(days, 7).k).to.equal(1);
  });

  it('finds the centroid of one cluster as the mean, with a zero SSE for identical points', () => {
    const c = kmeans(
      [
        [1, 2],
        [1, 2],
        [1, 2],
      ],
      2,
      1,
    );
    expect(c.centroids[0]).to.deep.equal([1, 2]);
    expect(c.sse).to.equal(0);
  });

  it('finds the longest circular run (a night across midnight, a weekend across the week end)', () => {
    const night = Array.from({ length: 24 }, (_, h) => h >= 23 || h < 5);
    expect(longestRun(night)).to.deep.equal([23, 6]);
    expect(longestRun([true, false, false, false, false, false, true])).to.deep.equal([6, 2]);
    expect(longestRun(Array(24).fill(false))).to.equal(null);
    expect(longestRun(Array(24).fill(true))).to.equal(null);
  });

  it('makes one 24-hour profile per whole day from hourly means, leaving out days with a missing hour', () => {
    const first = Date.UTC(2026, 0, 5); // a Monday
    const samples = [];
    for (let t = first + HOUR; t <= first + 2 * DAY; t += HOUR) samples.push({ t, v: ((t - first) / HOUR) % 24 });
    samples.splice(30, 1); // an hour of the second day is missing
    const profiles = dailyProfiles(samples, first, 2);
    expect(profiles).to.have.length(1);
    expect(profiles[0]!.weekday).to.equal(1);
    expect(profiles[0]!.hours.slice(0, 3)).to.deep.equal([1, 2, 3]);
  });

  it('steps down or up the flavor ladder of the same GPU count', () => {
    const f = (name: string, vcpus: number, ram_mb: number, gpu_count = 0) => ({
      id: name,
      name,
      vcpus,
      ram_mb,
      gpu_count,
    });
    const ladder = [f('s', 1, 2048), f('m', 2, 4096), f('l', 4, 16384), f('g', 8, 65536, 1)];
    expect(neighbour(ladder, ladder[1]!, -1)?.name).to.equal('s');
    expect(neighbour(ladder, ladder[1]!, 1)?.name).to.equal('l');
    expect(neighbour(ladder, ladder[0]!, -1)).to.equal(undefined);
    expect(neighbour(ladder, ladder[2]!, 1)).to.equal(undefined);
  });
});
