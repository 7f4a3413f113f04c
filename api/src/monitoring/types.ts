// The monitoring service's shared vocabulary: series, samples, matchers, the tenant scope a query runs in, and the
// two faces of the time-series store (what writes points, what reads samples). The store (tsdb/), the PromQL engine
// (promql/), alerts, dashboards, the platform's collectors and the AI service all speak these types, never tables.

/** A series' identity: its labels, `__name__` among them (Prometheus's data model). */
export type Labels = Record<string, string>;

/** One sample: milliseconds since the epoch and a float (NaN and infinities allowed, as in Prometheus). */
export interface Sample {
  t: number;
  v: number;
}

export interface SeriesData {
  labels: Labels;
  /** ascending by time */
  samples: Sample[];
}

/** A label matcher, as in PromQL selectors (`=~`/`!~` are fully anchored RE2-style regular expressions). */
export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** A point to write: a sample of the series named `name` with `labels` (without `__name__`). */
export interface Point {
  name: string;
  labels: Labels;
  value: number;
  /** milliseconds since the epoch */
  timestamp: number;
}

/**
 * Whose series a query sees: a user sees only the series they own; `owner: null` is the admin's view of all.
 * Writes are always owned by one user (platform-observed series by the owner of the resource they describe).
 */
export interface Scope {
  owner: string | null;
}

/** Reads of the store. Every call is confined to `scope`; times are inclusive milliseconds. */
export interface SampleSource {
  /** the samples in [start, end] of every series matching all `matchers` */
  select(scope: Scope, matchers: Matcher[], start: number, end: number): Promise<SeriesData[]>;
  /** the label sets of the series matching any of the matcher sets, seen in [start, end] */
  series(scope: Scope, matcherSets: Matcher[][], start: number, end: number): Promise<Labels[]>;
  /** label names, or one label's values, of the series matching any of the matcher sets (all series when none) */
  labelNames(scope: Scope, matcherSets: Matcher[][], start: number, end: number): Promise<string[]>;
  labelValues(scope: Scope, name: string, matcherSets: Matcher[][], start: number, end: number): Promise<string[]>;
  /** what is known of each metric name (from remote-write metadata, custom points, the platform's own series) */
  metadata(scope: Scope, name?: string): Promise<Record<string, MetricMetadata[]>>;
}

/** Prometheus's per-metric metadata. */
export interface MetricMetadata {
  type: 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';
  help: string;
  unit: string;
}

/**
 * Writes to the store: one owner's points, stored together (all or none). The store gives every series an `owner`
 * label of its own; a point that brings a different `owner` label keeps it as `exported_owner` (Prometheus's rule for
 * a scraped label that clashes with a target label).
 */
export interface MetricSink {
  write(owner: string, points: Point[], metadata?: Record<string, MetricMetadata>): Promise<void>;
}
