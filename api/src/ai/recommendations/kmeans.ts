// k-means over equal-length vectors (the daily CPU profiles): k-means++ seeding from a seeded generator, Lloyd's
// iterations until no assignment changes. Small and deterministic: the same input and seed give the same clusters.
import { seeded } from '../../platform/seeded-random.js';

export interface Clustering {
  k: number;
  centroids: number[][];
  assignment: number[];
  /** the within-cluster sum of squared distances */
  sse: number;
}

const dist2 = (a: number[], b: number[]) => a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0);

export function kmeans(points: number[][], k: number, seed: number, maxIterations = 100): Clustering {
  if (!points.length || k < 1) return { k: 0, centroids: [], assignment: [], sse: 0 };
  k = Math.min(k, points.length);
  const random = seeded(seed);
  const centroids: number[][] = [points[Math.floor(random() * points.length)]!.slice()];
  while (centroids.length < k) {
    const d = points.map((p) => Math.min(...centroids.map((c) => dist2(p, c))));
    const total = d.reduce((a, b) => a + b, 0);
    if (total === 0) break; // every point sits on a centroid already
    let r = random() * total;
    let i = 0;
    while (i < d.length - 1 && (r -= d[i]!) > 0) i++;
    centroids.push(points[i]!.slice());
  }
  let assignment = points.map(() => -1);
  for (let iter = 0; iter < maxIterations; iter++) {
    const next = points.map((p) => {
      let best = 0;
      for (let c = 1; c < centroids.length; c++) if (dist2(p, centroids[c]!) < dist2(p, centroids[best]!)) best = c;
      return best;
    });
    const changed = next.some((a, i) => a !== assignment[i]);
    assignment = next;
    for (let c = 0; c < centroids.length; c++) {
      const members = points.filter((_, i) => assignment[i] === c);
      if (members.length)
        centroids[c] = members[0]!.map((_, j) => members.reduce((s, m) => s + m[j]!, 0) / members.length);
    }
    if (!changed) break;
  }
  const sse = points.reduce((s, p, i) => s + dist2(p, centroids[assignment[i]!]!), 0);
  return { k: centroids.length, centroids, assignment, sse };
}

/**
 * k by the stated rule: 2 clusters only when they cut the sum of squared distances of one cluster by at least
 * `gain` (60 %), so a fleet of similar days stays one cluster and weekdays against weekends split.
 */
export function chooseK(points: number[][], seed: number, gain = 0.6): Clustering {
  const one = kmeans(points, 1, seed);
  if (points.length < 4 || one.sse === 0) return one;
  const two = kmeans(points, 2, seed);
  return two.sse <= (1 - gain) * one.sse ? two : one;
}
