// The evaluator: one expression at one step over samples fetched beforehand, checking Prometheus's rule that a
// vector never holds one label set twice.
import type { SeriesData } from '../types.js';
import type { Expr, MatrixSelector } from './ast.js';
import { aggregate } from './aggregations.js';
import { scalarScalar, vectorScalar, vectorVector } from './binary.js';
import { evalCall } from './functions.js';
import { dropName } from './labels.js';
import { instantAt, rangeAt } from './selectors.js';
import { assertUniqueLabelsets, type StepValue, type VSample } from './values.js';

export class Evaluator {
  constructor(private readonly data: Map<number, SeriesData[]>) {}

  private windows(ms: MatrixSelector, t: number): SeriesData[] {
    return rangeAt(ms, this.data.get(ms.vector.id) ?? [], t);
  }

  eval(e: Expr, t: number): StepValue {
    switch (e.kind) {
      case 'number':
        return { type: 'scalar', v: e.value };
      case 'string':
        return { type: 'string', v: e.value };
      case 'paren':
        return this.eval(e.expr, t);
      case 'vector':
        return { type: 'vector', samples: instantAt(e, this.data.get(e.id) ?? [], t) };
      case 'matrix':
        return { type: 'matrix', series: this.windows(e, t) };
      case 'unary': {
        const v = this.eval(e.expr, t);
        if (e.op === '+') return v;
        if (v.type === 'scalar') return { type: 'scalar', v: -v.v };
        if (v.type !== 'vector') return v;
        const samples = v.samples.map((s) => ({ labels: dropName(s.labels), v: -s.v }));
        return { type: 'vector', samples: assertUniqueLabelsets(samples) };
      }
      case 'call': {
        const out = evalCall(e.func, e.args, {
          t,
          arg: (a) => this.eval(a, t),
          windows: (ms) => this.windows(ms, t),
        });
        if (out.type === 'vector') assertUniqueLabelsets(out.samples);
        return out;
      }
      case 'aggregate': {
        const inner = this.eval(e.expr, t);
        const p = e.param ? this.eval(e.param, t) : null;
        const param = p === null ? null : p.type === 'scalar' || p.type === 'string' ? p.v : null;
        const samples = aggregate(e.op, inner.type === 'vector' ? inner.samples : [], e.grouping, e.without, param);
        return { type: 'vector', samples: assertUniqueLabelsets(samples) };
      }
      case 'binary': {
        const l = this.eval(e.lhs, t);
        const r = this.eval(e.rhs, t);
        if (l.type === 'scalar' && r.type === 'scalar') return { type: 'scalar', v: scalarScalar(e.op, l.v, r.v) };
        let samples: VSample[];
        if (l.type === 'vector' && r.type === 'scalar') samples = vectorScalar(e.op, l.samples, r.v, false, e.bool);
        else if (l.type === 'scalar' && r.type === 'vector') samples = vectorScalar(e.op, r.samples, l.v, true, e.bool);
        else if (l.type === 'vector' && r.type === 'vector') {
          samples = vectorVector(e.op, l.samples, r.samples, e.matching, e.bool);
        } else samples = [];
        return { type: 'vector', samples: assertUniqueLabelsets(samples) };
      }
    }
  }
}
