// What alerts need of the PromQL engine: a check of an expression at create and patch (a 422 at /expr with the
// engine's own message), and an instant query in the rule owner's scope at an evaluation time, as the series and
// values a rule's alerts are made of (a scalar is one series without labels, as Prometheus's rules treat it).
import type { Deps } from '../../platform/deps.js';
import { problems } from '../../platform/problems.js';
import { typeName, typeOf } from '../promql/ast.js';
import { PromQLError, instantQuery, parse } from '../promql/index.js';
import { tsdb } from '../tsdb/index.js';
import type { Labels, Scope } from '../types.js';

export type InstantEvaluator = (scope: Scope, expr: string, timeMs: number) => Promise<{ labels: Labels; v: number }[]>;

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

/** The instant queries of rules, through the PromQL engine over the metrics store. */
export function engineEvaluator(deps: Deps): InstantEvaluator {
  const { source } = tsdb(deps);
  return async (scope, expr, timeMs) => {
    const value = await instantQuery(source, scope, expr, timeMs);
    if (value.type === 'vector') return value.samples.map((s) => ({ labels: s.labels, v: s.v }));
    if (value.type === 'scalar') return [{ labels: {}, v: value.v }];
    throw new PromQLError('execution', `rule result is a ${value.type}, not an instant vector or a scalar`);
  };
}
