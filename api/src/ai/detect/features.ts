// Feature rows for the multivariate detector: a resource's series (CPU, memory, network rates, disk operation
// rates, as the caller names them) aligned on the step grid and standardised robustly, so that no feature weighs
// more in the forest's cuts for being counted in bytes rather than percent.

import { MAD_TO_SIGMA, flooredMad, mad, meanAbsDeviation, median } from './robust.js';
import type { TimedValue } from './types.js';

/** How rows were standardised: feature i is (value − centre[i]) / scale[i], names in column order. */
export interface FeatureScaling {
  names: string[];
  centre: number[];
  scale: number[];
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
 * averaged), keeps the slots where every series has a finite value, and standardises each column by its median and
 * floored MAD (robust.ts), those of `scaling` when given. Columns are in the order of the names, sorted.
 */
export function jointFeatures(
  series: Record<string, TimedValue[]>,
  stepSeconds: number,
  scaling?: FeatureScaling,
): JointFeatures {
  if (!(stepSeconds > 0)) throw new RangeError('stepSeconds must be positive');
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

  const used = scaling ?? scalingOf(names, raw);
  const rows = raw.map((r) => r.map((v, i) => (v - used.centre[i]) / used.scale[i]));
  return { t: slots.map((s) => s * stepMs), rows, scaling: used };
}

/** One new row, in the scaling's column order, from the values of one grid slot. */
export function scaleRow(scaling: FeatureScaling, values: Record<string, number>): number[] {
  return scaling.names.map((n, i) => (values[n] - scaling.centre[i]) / scaling.scale[i]);
}

function scalingOf(names: string[], raw: number[][]): FeatureScaling {
  const centre: number[] = [];
  const scale: number[] = [];
  names.forEach((_, i) => {
    const column = raw.map((r) => r[i]);
    const c = median(column);
    centre.push(Number.isNaN(c) ? 0 : c);
    const typical = median(column.map(Math.abs));
    scale.push(MAD_TO_SIGMA * flooredMad(mad(column, c), meanAbsDeviation(column, c), typical));
  });
  return { names, centre, scale };
}
