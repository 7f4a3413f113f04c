// The store's read path (SampleSource): candidate series narrowed in SQL by owner, name and fixed labels, every
// matcher applied in JS, then the raw samples of the survivors in one ordered scan.
import type { Knex } from 'knex';
import type { Labels, Matcher, MetricMetadata, SampleSource, Scope, SeriesData } from '../types.js';
import { matchesAll, narrowing } from './matchers.js';

export interface SeriesRow {
  id: number;
  labels: Labels;
}

export class Reader implements SampleSource {
  constructor(private db: Knex) {}

  /** The series of `scope` matching all of `ms`, labels with `__name__`. */
  async candidates(scope: Scope, ms: Matcher[]): Promise<SeriesRow[]> {
    const { name, contains } = narrowing(ms);
    const q = this.db('metric_series').select('id', 'name', 'labels');
    if (scope.owner !== null) q.where('owner', scope.owner);
    if (name !== undefined) q.where('name', name);
    if (Object.keys(contains).length) q.whereRaw('labels @> ?::jsonb', [JSON.stringify(contains)]);
    const rows: { id: number; name: string; labels: Labels }[] = await q;
    const out: SeriesRow[] = [];
    for (const r of rows) {
      const labels = { __name__: r.name, ...r.labels };
      if (matchesAll(labels, ms)) out.push({ id: r.id, labels });
    }
    return out;
  }

  async select(scope: Scope, ms: Matcher[], start: number, end: number): Promise<SeriesData[]> {
    const found = await this.candidates(scope, ms);
    if (!found.length) return [];
    const rows: { series_id: number; t: number; v: number }[] = (
      await this.db.raw(
        `select series_id, t, v from metric_samples where series_id = any(?::bigint[]) and t between ? and ?
         order by series_id, t`,
        [found.map((f) => f.id), start, end],
      )
    ).rows;
    const byId = new Map<number, SeriesData>();
    for (const f of found) byId.set(f.id, { labels: f.labels, samples: [] });
    for (const r of rows) byId.get(r.series_id)!.samples.push({ t: r.t, v: r.v });
    return [...byId.values()].filter((s) => s.samples.length > 0);
  }

  /** The matching series (union over the sets; all of scope's when there are none) with a sample in [start, end]. */
  async present(scope: Scope, sets: Matcher[][], start: number, end: number): Promise<SeriesRow[]> {
    const byId = new Map<number, SeriesRow>();
    for (const ms of sets.length ? sets : [[]]) for (const s of await this.candidates(scope, ms)) byId.set(s.id, s);
    if (!byId.size) return [];
    const live: { id: number }[] = (
      await this.db.raw(
        `select id from unnest(?::bigint[]) id
         where exists (select 1 from metric_samples s where s.series_id = id and s.t between ? and ?)`,
        [[...byId.keys()], start, end],
      )
    ).rows;
    return live.map((r) => byId.get(r.id)!);
  }

  async series(scope: Scope, sets: Matcher[][], start: number, end: number): Promise<Labels[]> {
    return (await this.present(scope, sets, start, end)).map((s) => s.labels);
  }

  async labelNames(scope: Scope, sets: Matcher[][], start: number, end: number): Promise<string[]> {
    const names = new Set<string>();
    for (const s of await this.present(scope, sets, start, end)) for (const k of Object.keys(s.labels)) names.add(k);
    return [...names].sort();
  }

  async labelValues(scope: Scope, name: string, sets: Matcher[][], start: number, end: number): Promise<string[]> {
    const values = new Set<string>();
    for (const s of await this.present(scope, sets, start, end)) {
      const v = s.labels[name];
      if (v !== undefined) values.add(v);
    }
    return [...values].sort();
  }

  async metadata(scope: Scope, name?: string): Promise<Record<string, MetricMetadata[]>> {
    const q = this.db('metric_metadata').select('name', 'type', 'help', 'unit').orderBy('name');
    if (scope.owner !== null) q.where('owner', scope.owner);
    if (name !== undefined) q.where('name', name);
    const out: Record<string, MetricMetadata[]> = {};
    for (const r of await q) {
      const list = (out[r.name] ??= []);
      if (!list.some((m) => m.type === r.type && m.help === r.help && m.unit === r.unit))
        list.push({ type: r.type, help: r.help, unit: r.unit });
    }
    return out;
  }
}
