// Episodes: anomalous points grouped into the incidents a person would name, so one stuck process is one episode
// and not sixty alerts.

import type { PointScore } from './types.js';

export interface Episode<P extends { t: number; score: number } = PointScore | { t: number; score: number }> {
  /** times of the first and last anomalous points (epoch ms) */
  start: number;
  end: number;
  /** the anomalous point with the highest score */
  peak: P;
  /** anomalous points in the episode */
  points: number;
  /** the last scored point is within the gap of its end: more points may still join it */
  open: boolean;
}

/**
 * Scores in time order (sorted here if not). Two anomalous points belong to one episode when the time between them,
 * less one step (the median spacing of the scores), is at most `gapSeconds`: consecutive points have a gap of 0,
 * one ordinary or missing point between them a gap of one step. An episode lasts from its first to its last
 * anomalous point (a single point lasts 0 s) and is kept when that is at least `minDurationSeconds`.
 */
export function groupEpisodes<P extends { t: number; score: number; anomalous: boolean }>(
  scores: P[],
  o: { minDurationSeconds: number; gapSeconds: number },
): Episode<P>[] {
  if (!(o.minDurationSeconds >= 0) || !(o.gapSeconds >= 0)) throw new RangeError('durations must be >= 0');
  const sorted = scores.every((s, i) => i === 0 || scores[i - 1].t <= s.t)
    ? scores
    : [...scores].sort((a, b) => a.t - b.t);
  const step = medianSpacing(sorted);
  const maxGapMs = o.gapSeconds * 1000 + step;
  const last = sorted.length ? sorted[sorted.length - 1].t : -Infinity;
  const episodes: Episode<P>[] = [];
  let current: Episode<P> | null = null;
  const close = () => {
    if (current && current.end - current.start >= o.minDurationSeconds * 1000) {
      current.open = last - current.end <= maxGapMs - step;
      episodes.push(current);
    }
    current = null;
  };
  for (const s of sorted) {
    if (!s.anomalous) continue;
    if (current && s.t - current.end > maxGapMs) close();
    if (!current) current = { start: s.t, end: s.t, peak: s, points: 1, open: false };
    else {
      current.end = s.t;
      current.points++;
      if (s.score > current.peak.score) current.peak = s;
    }
  }
  close();
  return episodes;
}

function medianSpacing(sorted: { t: number }[]): number {
  if (sorted.length < 2) return 0;
  const d = sorted
    .slice(1)
    .map((s, i) => s.t - sorted[i].t)
    .sort((a, b) => a - b);
  return d[d.length >> 1];
}
