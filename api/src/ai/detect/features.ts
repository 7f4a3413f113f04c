// Feature rows for the multivariate detector: a resource's series (CPU, memory, network rates, disk operation
// rates, as the caller names them) aligned on the step grid, standardised robustly (so no feature weighs more in
// the forest's cuts for being counted in bytes rather than percent) and turned onto their principal axes.

import { InsufficientHistory, minimumBaselinePoints } from './baseline.js';
import { principalAxes } from './whiten.js';
import { MAD_TO_SIGMA, flooredMad, mad, meanAbsDeviation, median } from './robust.js';
import type { TimedValue } from './types.js';

/** How rows were made: feature i is z_i = (value − centre[i]) / scale[i] (names in that order), and row component
 *  k is (axes[k] · z) / spread[k], the standardised values on the training rows' principal axes (whiten.ts). */
export interface FeatureScaling {
  names: string[];
  centre: number[];
  scale: number[];
  axes: number[][];
  spread: number[];
}

export interface JointFeatures {
  /** the grid times (epoch ms) at which every series had a point */
  t: number[];
  rows: number[][];
  /** the training medians and MADs; pass them back for new rows so they share the training scale */
  scaling: FeatureScaling;
}

/**
 * Aligns the series on the step grid (a point belongs to the nearest multiple of the step; several in one slot are
 * averaged), keeps the slots where every series has a finite value, standardises each column by its median and
 * floored MAD (robust.ts) and projects the result on the principal axes of the training rows, with the training
 * figures of `scaling` when given. Features are taken in the order of the names, sorted. Without `scaling`, fewer
 * aligned rows than minimumFeatureRows is InsufficientHistory; with it, any number of rows (none included).
 */
export function jointFeatures(
  series: Record<string, TimedValue[]>,
  stepSeconds: number,
  scaling?: FeatureScaling,
): JointFeatures {
  if (!(stepSeconds > 0 && Number.isFinite(stepSeconds))) throw new RangeError('stepSeconds must be a positive number');
  const names = scaling ? scaling.names : Object.keys(series).sort();
  if (names.length === 0) throw new RangeError('jointFeatures needs at least one series');
  const missing = names.filter((n) => !Array.isArray(series[n]));
  if (missing.length) throw new RangeError(`series missing for feature(s) ${missing.join(', ')}`);

  const stepMs = stepSeconds * 1000;
  const slotted = names.map((n) => {
    const sums = new Map<number, [number, number]>();
    for (const p of series[n]) {
      if (!Number.isFinite(p.v) || !Number.isFinite(p.t)) continue;
      const slot = Math.round(p.t / stepMs);
      const acc = sums.get(slot);
      if (acc) ((acc[0] += p.v), acc[1]++);
      else sums.set(slot, [p.v, 1]);
    }
    return sums;
  });
  const slots = [...slotted[0].keys()].filter((s) => slotted.every((m) => m.has(s))).sort((a, b) => a - b);
  const raw = slots.map((s) => slotted.map((m) => m.get(s)![0] / m.get(s)![1]));

  const used = scaling ?? scalingOf(names, raw, stepSeconds);
  const rows = raw.map((r) => project(used, r));
  return { t: slots.map((s) => s * stepMs), rows, scaling: used };
}

/** One new row, from the values of one grid slot by feature name. */
export function scaleRow(scaling: FeatureScaling, values: Record<string, number>): number[] {
  return project(
    scaling,
    scaling.names.map((n) => values[n]),
  );
}

function project(s: FeatureScaling, raw: number[]): number[] {
  const z = raw.map((v, i) => (v - s.centre[i]) / s.scale[i]);
  return s.axes.map((axis, k) => {
    let dot = 0;
    for (let i = 0; i < z.length; i++) dot += axis[i] * z[i];
    return dot / s.spread[k];
  });
}

/** Training rows a scaling (and the forest after it) needs: the baseline's six hours, and never fewer than twice
 *  the features plus one (a covariance of d features from fewer rows is degenerate). */
export function minimumFeatureRows(stepSeconds: number, features: number): number {
  return Math.max(minimumBaselinePoints(stepSeconds), 2 * (features + 1));
}

function scalingOf(names: string[], raw: number[][], stepSeconds: number): FeatureScaling {
  const needed = minimumFeatureRows(stepSeconds, names.length);
  if (raw.length < needed) throw new InsufficientHistory(needed, raw.length);
  const centre: number[] = [];
  const scale: number[] = [];
  names.forEach((_, i) => {
    const column = raw.map((r) => r[i]);
    const c = median(column);
    centre.push(Number.isNaN(c) ? 0 : c);
    const typical = median(column.map(Math.abs));
    scale.push(MAD_TO_SIGMA * flooredMad(mad(column, c), meanAbsDeviation(column, c), typical));
  });
  const z = raw.map((r) => r.map((v, i) => (v - centre[i]) / scale[i]));
  return { names, centre, scale, ...principalAxes(z) };
}
