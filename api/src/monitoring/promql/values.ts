// What an expression evaluates to at one step, and the query results the engine hands out (PromValue).
import type { Labels, SeriesData } from '../types.js';
import { execution } from './errors.js';
import { labelsKey } from './labels.js';

/** One element of an instant vector at the step being evaluated. */
export interface VSample {
  labels: Labels;
  v: number;
}

export type StepValue =
  | { type: 'vector'; samples: VSample[] }
  | { type: 'scalar'; v: number }
  | { type: 'string'; v: string }
  | { type: 'matrix'; series: SeriesData[] };

export type PromValue =
  | { type: 'vector'; samples: { labels: Labels; t: number; v: number }[] }
  | { type: 'matrix'; series: SeriesData[] }
  | { type: 'scalar'; t: number; v: number }
  | { type: 'string'; t: number; v: string };

/** Prometheus refuses a vector in which two elements have one label set (after a function dropped the name). */
export function assertUniqueLabelsets(samples: VSample[]): VSample[] {
  if (samples.length < 2) return samples;
  const seen = new Set<string>();
  for (const s of samples) {
    const k = labelsKey(s.labels);
    if (seen.has(k)) throw execution('vector cannot contain metrics with the same labelset');
    seen.add(k);
  }
  return samples;
}
