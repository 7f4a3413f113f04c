// Runs the detectors over the labelled fixtures as the streaming engine would (fit on the history before
// `train_until`, score every later point as it arrives, group episodes) and scores them against the label windows.
//
// The scoring rule (window-based, like NAB's windows without its time weighting): an anomaly window counts as
// detected when any detected episode overlaps it; an episode that overlaps no window is a false positive.
// recall = detected windows / windows; precision = detected windows / (detected windows + false positives).
import { readFileSync } from 'node:fs';
import {
  FOREST_THRESHOLDS,
  IsolationForest,
  fitBaseline,
  groupEpisodes,
  jointFeatures,
  scorePoint,
  type Episode,
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

export interface Run {
  threshold: number;
  minDurationSeconds?: number;
}

/** The single-series detector over one series: fit on the training span, score the rest. */
export function baselineEpisodes(start: number, trainUntil: number, step: number, values: (number | null)[], run: Run) {
  const all = points(start, step, values);
  const baseline = fitBaseline(
    all.filter((p) => p.t < trainUntil),
    step,
  );
  const scores = all.filter((p) => p.t >= trainUntil).map((p) => scorePoint(baseline, p, run.threshold));
  return {
    baseline,
    episodes: groupEpisodes(scores, { minDurationSeconds: run.minDurationSeconds ?? 0, gapSeconds: step }),
  };
}

export function univariateQuality(type: Exclude<AnomalyType, 'multivariate'>, run: Run): Quality {
  const { step, series } = fixture(type);
  return quality(
    series.map((s) => ({
      windows: labels(s.name).filter((w) => w.end >= s.train_until),
      episodes: baselineEpisodes(s.start, s.train_until, step, s.values, run).episodes,
    })),
  );
}

/** The forest over one resource's joint features: fit on the training rows, score the rest. */
export function forestEpisodes(s: JointSeries, step: number, run: Run, seed = 1) {
  const byName = (from: number, to: number) =>
    Object.fromEntries(
      Object.entries(s.features).map(([k, vs]) => [
        k,
        points(s.start, step, vs).filter((p) => p.t >= from && p.t < to),
      ]),
    );
  const train = jointFeatures(byName(-Infinity, s.train_until), step);
  const forest = new IsolationForest({ seed }).fit(train.rows);
  const test = jointFeatures(byName(s.train_until, Infinity), step, train.scaling);
  const scores = test.rows.map((row, i) => {
    const score = forest.score(row);
    return { t: test.t[i], score, anomalous: score >= run.threshold };
  });
  return groupEpisodes(scores, { minDurationSeconds: run.minDurationSeconds ?? 0, gapSeconds: step });
}

export function forestQuality(run: Run = { threshold: FOREST_THRESHOLDS.medium }): Quality {
  const { step, series } = fixture<JointSeries>('multivariate');
  return quality(series.map((s) => ({ windows: labels(s.name), episodes: forestEpisodes(s, step, run) })));
}

/** The single-series detector run on each of a resource's series alone, its episodes pooled. */
export function perSeriesOnJointQuality(run: Run): Quality {
  const { step, series } = fixture<JointSeries>('multivariate');
  return quality(
    series.map((s) => ({
      windows: labels(s.name),
      episodes: Object.values(s.features).flatMap(
        (values) => baselineEpisodes(s.start, s.train_until, step, values, run).episodes,
      ),
    })),
  );
}
