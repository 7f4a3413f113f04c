// The owner's series through the monitoring query engine, in the owner's scope: instant vectors keyed by resource,
// and range results as per-resource sample lists.
import type { Deps } from '../../platform/deps.js';
import { tsdb } from '../../monitoring/tsdb/index.js';
import { instantQuery, rangeQuery } from '../../monitoring/promql/index.js';
import type { Sample } from '../../monitoring/types.js';

export interface SeriesReader {
  /** `expr` at `at`: its value per `resource_id` */
  instant(expr: string, at: number): Promise<Map<string, number>>;
  /** `expr` from `start` to `end` every `step`: samples per `resource_id` */
  range(expr: string, start: number, end: number, step: number): Promise<Map<string, Sample[]>>;
  /** the time of the last sample of `metric` for `resourceId` in [since, until], or null */
  lastSampleAt(metric: string, resourceId: string, since: number, until: number): Promise<number | null>;
}

export function seriesReader(deps: Deps, owner: string): SeriesReader {
  const { source } = tsdb(deps);
  const scope = { owner };
  return {
    async instant(expr, at) {
      const v = await instantQuery(source, scope, expr, at);
      const out = new Map<string, number>();
      if (v.type === 'vector') for (const s of v.samples) out.set(s.labels.resource_id ?? '', s.v);
      return out;
    },
    async range(expr, start, end, step) {
      const v = await rangeQuery(source, scope, expr, start, end, step);
      const out = new Map<string, Sample[]>();
      if (v.type === 'matrix') for (const s of v.series) out.set(s.labels.resource_id ?? '', s.samples);
      return out;
    },
    async lastSampleAt(metric, resourceId, since, until) {
      const series = await source.select(
        scope,
        [
          { name: '__name__', op: '=', value: metric },
          { name: 'resource_id', op: '=', value: resourceId },
        ],
        since,
        until,
      );
      const last = series.flatMap((s) => s.samples.slice(-1)).map((s) => s.t);
      return last.length ? Math.max(...last) : null;
    },
  };
}

export const CPU = 'atonix_instance_cpu_utilization_percent';
