// An in-memory SampleSource over fixed series, so PromQL tests can evaluate the engine on exactly the samples they
// also load into Debian's Prometheus. Scope follows the store's rule: a user sees series whose `owner` label is theirs.
import type {
  Labels,
  Matcher,
  MetricMetadata,
  SampleSource,
  Scope,
  SeriesData,
} from '../../api/src/monitoring/types.js';
import { matchesAll } from '../../api/src/monitoring/promql/index.js';

export class MemorySource implements SampleSource {
  /** every select() call, so tests can check that each selector is fetched once */
  readonly selects: Matcher[][] = [];

  constructor(
    private readonly data: SeriesData[],
    private readonly meta: Record<string, MetricMetadata[]> = {},
  ) {}

  private visible(scope: Scope): SeriesData[] {
    return this.data.filter((s) => scope.owner === null || s.labels.owner === scope.owner);
  }

  private matching(scope: Scope, sets: Matcher[][], start: number, end: number): SeriesData[] {
    return this.visible(scope).filter(
      (s) =>
        (sets.length === 0 || sets.some((ms) => matchesAll(s.labels, ms))) &&
        s.samples.some((p) => p.t >= start && p.t <= end),
    );
  }

  async select(scope: Scope, matchers: Matcher[], start: number, end: number): Promise<SeriesData[]> {
    this.selects.push(matchers);
    return this.visible(scope)
      .filter((s) => matchesAll(s.labels, matchers))
      .map((s) => ({ labels: s.labels, samples: s.samples.filter((p) => p.t >= start && p.t <= end) }))
      .filter((s) => s.samples.length > 0);
  }

  async series(scope: Scope, sets: Matcher[][], start: number, end: number): Promise<Labels[]> {
    return this.matching(scope, sets, start, end).map((s) => s.labels);
  }

  async labelNames(scope: Scope, sets: Matcher[][], start: number, end: number): Promise<string[]> {
    const names = new Set(this.matching(scope, sets, start, end).flatMap((s) => Object.keys(s.labels)));
    return [...names].sort();
  }

  async labelValues(scope: Scope, name: string, sets: Matcher[][], start: number, end: number): Promise<string[]> {
    const values = new Set(
      this.matching(scope, sets, start, end)
        .map((s) => s.labels[name])
        .filter((v): v is string => v !== undefined),
    );
    return [...values].sort();
  }

  async metadata(_scope: Scope, name?: string): Promise<Record<string, MetricMetadata[]>> {
    return name ? (this.meta[name] ? { [name]: this.meta[name]! } : {}) : this.meta;
  }
}
