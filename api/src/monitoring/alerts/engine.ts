// What alerts need of the PromQL engine: a check of an expression at create and patch (a 422 at /expr naming what is
// wrong), and an instant query in the rule owner's scope at an evaluation time, as the list of series and values a
// rule's alerts are made of.
import { parser } from '@prometheus-io/lezer-promql';
import type { Deps } from '../../platform/deps.js';
import { problems } from '../../platform/problems.js';
import type { Labels, Scope } from '../types.js';

/** An instant query's result as alerts see it: one value per series (a scalar is one series without labels). */
export type InstantEvaluator = (scope: Scope, expr: string, timeMs: number) => Promise<{ labels: Labels; v: number }[]>;

/** 422 at `pointer` unless `expr` parses as PromQL. */
export function checkQuery(_deps: Deps, expr: string, pointer = '/expr'): void {
  const tree = parser.parse(expr);
  let bad: number | null = null;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError && bad === null) bad = n.from;
    },
  });
  if (bad !== null)
    throw problems.validation([
      { pointer, detail: `is not valid PromQL: unexpected input at position ${bad}`, code: 'InvalidPromQL' },
    ]);
}

/** The instant queries of rules, through the PromQL engine over the metrics store. */
export function engineEvaluator(_deps: Deps): InstantEvaluator {
  return async () => {
    throw new Error('the PromQL engine is not part of this build yet');
  };
}
