// The history a forecast reads: the range query of the question over the window that ends at the last complete step
// of platform time, read through the PromQL engine in the caller's scope exactly as the Prometheus API reads it, and
// what the cache needs to know that nothing changed (the newest raw sample and how many were read, per series).
import { PromQLError, rangeQuery } from '../../monitoring/promql/index.js';
import type { Labels, Matcher, SampleSource, Scope, SeriesData } from '../../monitoring/types.js';
import { problems } from '../../platform/problems.js';
import type { Question } from './params.js';

/** More series than this is a 422 asking for narrower labels. */
export const MAX_SERIES = 10;
/** The engine's deadline for reading the history (the Prometheus API's default is 2 minutes; this is a read). */
const READ_TIMEOUT_MS = 30_000;

export interface SeriesHistory {
  labels: Labels;
  /** one value per step from `firstMs` to `endMs`, NaN where the step had no samples */
  values: number[];
  firstMs: number;
}

export interface History {
  endMs: number;
  series: SeriesHistory[];
  /** the raw samples read: per matching series its newest sample's time and how many there were */
  fingerprint: string;
}

/** A source that passes reads through and notes, per series read, its newest sample and how many it had. */
function observing(source: SampleSource, seen: Map<string, { newest: number; count: number }>): SampleSource {
  return {
    series: (...a) => source.series(...a),
    labelNames: (...a) => source.labelNames(...a),
    labelValues: (...a) => source.labelValues(...a),
    metadata: (...a) => source.metadata(...a),
    async select(scope: Scope, ms: Matcher[], start: number, end: number): Promise<SeriesData[]> {
      const found = await source.select(scope, ms, start, end);
      for (const s of found) {
        const key = JSON.stringify(Object.entries(s.labels).sort());
        const last = s.samples[s.samples.length - 1];
        seen.set(key, { newest: last ? last.t : NaN, count: s.samples.length });
      }
      return found;
    },
  };
}

export async function readHistory(source: SampleSource, scope: Scope, q: Question, nowMs: number): Promise<History> {
  const endMs = Math.floor(nowMs / q.stepMs) * q.stepMs;
  const startMs = endMs - (q.historySteps - 1) * q.stepMs;
  const seen = new Map<string, { newest: number; count: number }>();
  let value;
  try {
    value = await rangeQuery(observing(source, seen), scope, q.expr, startMs, endMs, q.stepMs, {
      deadline: performance.now() + READ_TIMEOUT_MS,
    });
  } catch (e) {
    if (e instanceof PromQLError && e.errorType === 'timeout')
      throw problems.unavailable(`reading ${q.expr}: ${e.message}`);
    throw e;
  }
  if (value.type !== 'matrix') throw new Error(`range query answered ${value.type}`);
  if (value.series.length === 0)
    throw problems.noSeries(
      `No series of ${q.metric}${q.labels} has samples you can read between ${iso(startMs - q.stepMs)} and ${iso(endMs)}.`,
    );
  if (value.series.length > MAX_SERIES)
    throw problems.tooManySeries(
      `${value.series.length} series of ${q.metric}${q.labels} match; at most ${MAX_SERIES} are forecast at once. Narrow \`labels\` (for example {instance_id="..."}).`,
    );
  const series = value.series.map((s) => {
    const first = s.samples[0]!.t;
    const values = new Array<number>(Math.round((endMs - first) / q.stepMs) + 1).fill(NaN);
    for (const p of s.samples) values[Math.round((p.t - first) / q.stepMs)] = p.v;
    return { labels: s.labels, values, firstMs: first };
  });
  const fingerprint = JSON.stringify([...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { endMs, series, fingerprint };
}

export const iso = (ms: number) => new Date(ms).toISOString();
