// What alerts need of the PromQL engine: a check of an expression at create and patch (a 422 at /expr with the
// engine's own message), and an instant query as the rule's owner at an evaluation time, as the series and values a
// rule's alerts are made of (a scalar is one series without labels, as Prometheus's rules treat it).
import type { Deps } from '../../platform/deps.js';
import type { Result } from '../../platform/operations/context.js';
import type { Principal } from '../../platform/operations/principals.js';
import { Problem, problems } from '../../platform/problems.js';
import { typeName, typeOf } from '../promql/ast.js';
import { PromQLError, parse } from '../promql/index.js';
import type { Labels } from '../types.js';

/** An instant query's result as alerts see it: one value per series (a scalar is one series without labels). */
export type InstantEvaluator = (
  owner: Principal,
  expr: string,
  timeMs: number,
) => Promise<{ labels: Labels; v: number }[]>;

/** 422 at `pointer` unless `expr` is PromQL the engine evaluates to an instant vector or a scalar. */
export function checkQuery(expr: string, pointer = '/expr'): void {
  let detail: string | null = null;
  try {
    const t = typeOf(parse(expr));
    if (t !== 'vector' && t !== 'scalar')
      detail = `evaluates to a ${typeName[t]}; an alert rule needs an instant vector or a scalar`;
  } catch (e) {
    if (!(e instanceof PromQLError)) throw e;
    detail = e.message;
  }
  if (detail !== null) throw problems.validation([{ pointer, detail, code: 'InvalidPromQL' }]);
}

/** Prometheus's sample values are strings (`"NaN"`, `"+Inf"` among them). */
const valueOf = (s: string) => (s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s));

interface QueryAnswer {
  status: 'success' | 'error';
  data?: { resultType: string; result: any };
  errorType?: string;
  error?: string;
}

/**
 * The instant queries of rules, made as the rule's owner through the operation pipeline (the Prometheus API's
 * `prometheusQuery`), so the owner's IAM permissions (monitoring:QueryMetrics) and tenancy apply exactly as to the
 * owner's own queries, and a denied evaluation is audited as theirs.
 */
export function pipelineEvaluator(deps: Deps): InstantEvaluator {
  return async (owner, expr, timeMs) => {
    let r: Result;
    try {
      r = await deps.pipeline.invoke('prometheusQuery', owner, {
        params: { query: expr, time: new Date(timeMs).toISOString() },
        requestId: `alert-eval-${timeMs}`,
      });
    } catch (e) {
      if (e instanceof Problem) throw new Error(`${e.code}: ${e.detail ?? e.title}`);
      throw e;
    }
    const body = r.body as QueryAnswer;
    if (r.status >= 400 || body.status !== 'success')
      throw new Error(`${body.errorType ?? r.status}: ${body.error ?? 'the query failed'}`);
    const { resultType, result } = body.data!;
    if (resultType === 'vector')
      return (result as { metric: Labels; value: [number, string] }[]).map((s) => ({
        labels: s.metric,
        v: valueOf(s.value[1]),
      }));
    if (resultType === 'scalar') return [{ labels: {}, v: valueOf((result as [number, string])[1]) }];
    throw new Error(`rule result is a ${resultType}, not an instant vector or a scalar`);
  };
}
