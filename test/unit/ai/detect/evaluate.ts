// Runs the detectors over the labelled fixtures as the streaming engine would (fit on the history before
// `train_until`, score every later point as it arrives, group episodes) and scores them against the label windows.
//
// The scoring rule (window-based, like NAB's windows without its time weighting): an anomaly window counts as
// detected when any detected episode overlaps it; an episode that overlaps no window is a false positive.
// recall = detected windows / windows; precision = detected windows / (detected windows + false positives).
import { readFileSync } from 'node:fs';
import {
  IsolationForest,
  fitBaseline,
  groupEpisodes,
  jointFeatures,
  scorePoint,
  type Baseline,
  type Episode,
  type ForestScoring,
  type TimedValue,
} from '../../../../api/src/ai/detect/index.js';
import type { AnomalyType, JointSeries, Series, Window } from '../../../fixtures/anomalies/generate.js';

const dir = new URL('../../../fixtures/anomalies/', import.meta.url);
const json = (file: string) => JSON.parse(readFileSync(new URL(file, dir), 'utf8'));

export interface Quality {
  windows: number;
  detected: number;
  falsePositives: number;
  precision: number;
  recall: number;
  f1: number;
}

export function fixture<T = Series>(type: AnomalyType): { step: number; series: T[] } {
  const f = json(`${type}.json`);
  return { step: f.step_seconds, series: f.series };
}

export function labels(name: string): Window[] {
  const all: Record<string, string[][]> = json('labels.json');
  return all[name].map(([s, e]) => ({ start: Date.parse(s), end: Date.parse(e) }));
}

export function points(start: number, step: number, values: (number | null)[]): TimedValue[] {
  const out: TimedValue[] = [];
  values.forEach((v, i) => v !== null && out.push({ t: start + i * step * 1000, v }));
  return out;
}

/** Sums detections over several series, then the ratios. */
export function quality(results: { windows: Window[]; episodes: Episode[] }[]): Quality {
  let windows = 0;
  let detected = 0;
  let falsePositives = 0;
  for (const r of results) {
    windows += r.windows.length;
    const overlaps = (e: Episode, w: Window) => e.start <= w.end && e.end >= w.start;
    detected += r.windows.filter((w) => r.episodes.some((e) => overlaps(e, w))).length;
    falsePositives += r.episodes.filter((e) => !r.windows.some((w) => overlaps(e, w))).length;
  }
  const precision = detected + falsePositives ? detected / (detected + falsePositives) : 1;
  const recall = windows ? detected / windows : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { windows, detected, falsePositives, precision, recall, f1 };
}

/** A detector's scores on one series (or one resource), with the windows they are judged against. */
export interface Scored {
  name: string;
  /** scores of one group (a resource's several series) are judged together against the group's windows */
  group?: string;
  windows: Window[];
  scores: { t: number; score: number }[];
}

/** The quality of scored series at one threshold (a point is anomalous when its score is above it) and minimum
 *  episode duration. */
export function qualityAt(runs: Scored[], threshold: number, minDurationSeconds = 0, step = 300): Quality {
  const groups = new Map<string, { windows: Window[]; episodes: Episode[] }>();
  for (const r of runs) {
    const key = r.group ?? r.name;
    const g = groups.get(key) ?? { windows: r.windows, episodes: [] };
    const flagged = r.scores.map((s) => ({ ...s, anomalous: s.score > threshold }));
    g.episodes.push(...groupEpisodes(flagged, { minDurationSeconds, gapSeconds: step }));
    groups.set(key, g);
  }
  return quality([...groups.values()]);
}

/** The single-series detector over one series: fit on the history before `train_until`, score every later point. */
export function baselineScores(start: number, trainUntil: number, step: number, values: (number | null)[]) {
  const all = points(start, step, values);
  const baseline = fitBaseline(
    all.filter((p) => p.t < trainUntil),
    step,
  );
  // the threshold only decides `anomalous`, which qualityAt recomputes
  const scores = all.filter((p) => p.t >= trainUntil).map((p) => scorePoint(baseline, p, 0));
  return { baseline, scores };
}

export function univariateRuns(type: Exclude<AnomalyType, 'multivariate'>): Scored[] {
  const { step, series } = fixture(type);
  return series.map((s) => ({
    name: s.name,
    windows: labels(s.name).filter((w) => w.end >= s.train_until),
    scores: baselineScores(s.start, s.train_until, step, s.values).scores,
  }));
}

/** The forest over each resource's joint features: fitted on the training rows, scoring the later ones. */
export function forestRuns(scoring: ForestScoring = 'widened', seed = 1): Scored[] {
  const { step, series } = fixture<JointSeries>('multivariate');
  return series.map((s) => {
    const span = (from: number, to: number) =>
      Object.fromEntries(
        Object.entries(s.features).map(([k, vs]) => [
          k,
          points(s.start, step, vs).filter((p) => p.t >= from && p.t < to),
        ]),
      );
    const train = jointFeatures(span(-Infinity, s.train_until), step);
    const forest = new IsolationForest({ seed, scoring }).fit(train.rows);
    const test = jointFeatures(span(s.train_until, Infinity), step, train.scaling);
    return {
      name: s.name,
      windows: labels(s.name),
      scores: test.rows.map((row, i) => ({ t: test.t[i], score: forest.score(row) })),
    };
  });
}

/** The single-series detector run on each of a resource's series alone; a resource's scores are all of them. */
export function perSeriesOnJointRuns(): Scored[] {
  const { step, series } = fixture<JointSeries>('multivariate');
  return series.flatMap((s) =>
    Object.entries(s.features).map(([feature, values]) => ({
      name: `${s.name}:${feature}`,
      group: s.name,
      windows: labels(s.name),
      scores: baselineScores(s.start, s.train_until, step, values).scores,
    })),
  );
}

interface NabSeries {
  name: string;
  start: number;
  points: [number, number][];
  windows: string[][];
}

/** NAB's protocol for the history: the detector learns on the first 15% of each file (its probationary period). */
export const NAB_PROBATION = 0.15;

/** The single-series detector over the NAB series: fitted on the first 15%, scoring the rest. */
export function nabRuns(): (Scored & { baseline: Baseline })[] {
  const f = json('nab.json');
  return (f.series as NabSeries[]).map((s) => {
    const all = s.points.map(([dt, v]) => ({ t: s.start + dt * 1000, v }));
    const cut = all[Math.floor(all.length * NAB_PROBATION)].t;
    const baseline = fitBaseline(
      all.filter((p) => p.t < cut),
      f.step_seconds,
    );
    return {
      name: s.name,
      baseline,
      windows: s.windows.map(([a, b]) => ({ start: Date.parse(a), end: Date.parse(b) })).filter((w) => w.end >= cut),
      scores: all.filter((p) => p.t >= cut).map((p) => scorePoint(baseline, p, 0)),
    };
  });
}
