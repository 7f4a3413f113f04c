// Instant and range queries: parse, fetch each selector's samples once for the whole query, evaluate per step
// (range steps at start + k*step), and assemble the result as Prometheus's engine returns it.
import type { Labels, SampleSource, Scope, SeriesData } from '../types.js';
import { typeName, typeOf } from './ast.js';
import { badData, PromQLError } from './errors.js';
import { Evaluator } from './eval.js';
import { compareLabels, labelsKey } from './labels.js';
import { parse } from './parse.js';
import { fetchSelectors } from './selectors.js';
import type { PromValue } from './values.js';

export interface QueryOptions {
  /** give up (PromQLError timeout) once performance.now() passes this */
  deadline?: number;
}

function checkDeadline(opts: QueryOptions): void {
  if (opts.deadline !== undefined && performance.now() > opts.deadline) {
    throw new PromQLError('timeout', 'query timed out in expression evaluation');
  }
}

export async function instantQuery(
  source: SampleSource,
  scope: Scope,
  expr: string,
  timeMs: number,
  opts: QueryOptions = {},
): Promise<PromValue> {
  const ast = parse(expr);
  const data = await fetchSelectors(source, scope, ast, timeMs, timeMs);
  checkDeadline(opts);
  const v = new Evaluator(data).eval(ast, timeMs);
  switch (v.type) {
    case 'vector':
      return { type: 'vector', samples: v.samples.map((s) => ({ labels: s.labels, t: timeMs, v: s.v })) };
    case 'scalar':
      return { type: 'scalar', t: timeMs, v: v.v };
    case 'string':
      return { type: 'string', t: timeMs, v: v.v };
    case 'matrix':
      return { type: 'matrix', series: v.series };
  }
}

export async function rangeQuery(
  source: SampleSource,
  scope: Scope,
  expr: string,
  startMs: number,
  endMs: number,
  stepMs: number,
  opts: QueryOptions = {},
): Promise<PromValue> {
  const ast = parse(expr);
  const t = typeOf(ast);
  if (t !== 'vector' && t !== 'scalar') {
    throw badData(`invalid expression type "${typeName[t]}" for range query, must be Scalar or instant Vector`);
  }
  if (!(stepMs > 0))
    throw badData('zero or negative query resolution step widths are not accepted. Try a positive integer');
  if (endMs < startMs) throw badData('end timestamp must not be before start time');
  const data = await fetchSelectors(source, scope, ast, startMs, endMs);
  const ev = new Evaluator(data);
  const series = new Map<string, SeriesData>();
  const add = (labels: Labels, ts: number, v: number): void => {
    const k = labelsKey(labels);
    let s = series.get(k);
    if (!s) series.set(k, (s = { labels, samples: [] }));
    s.samples.push({ t: ts, v });
  };
  for (let ts = startMs, k = 0; ts <= endMs; ts = startMs + ++k * stepMs) {
    if (k % 64 === 0) checkDeadline(opts);
    const v = ev.eval(ast, ts);
    if (v.type === 'scalar') add({}, ts, v.v);
    else if (v.type === 'vector') for (const s of v.samples) add(s.labels, ts, s.v);
  }
  return { type: 'matrix', series: [...series.values()].sort((a, b) => compareLabels(a.labels, b.labels)) };
}
