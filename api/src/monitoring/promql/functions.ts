// Function calls at one step: range-vector functions over each series' window (dropping the metric name, except
// last_over_time), element-wise math, sorting, label_replace, absent, and the scalar/vector conversions.
import type { Labels, SeriesData } from '../types.js';
import type { Expr, MatrixSelector } from './ast.js';
import { badData } from './errors.js';
import { histogramQuantile } from './histogram.js';
import { dropName } from './labels.js';
import { rangeFunctions } from './range-functions.js';
import type { StepValue, VSample } from './values.js';

export interface CallContext {
  t: number;
  /** evaluates an argument at this step */
  arg(e: Expr): StepValue;
  /** a range selector's windows at this step */
  windows(ms: MatrixSelector): SeriesData[];
}

const elementWise: Record<string, (v: number, a: number[]) => number> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  sqrt: Math.sqrt,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sgn: (v) => (v < 0 ? -1 : v > 0 ? 1 : v),
  round: (v, [toNearest = 1]) => Math.floor(v * (1 / toNearest!) + 0.5) / (1 / toNearest!),
  clamp: (v, [min, max]) => Math.max(min!, Math.min(max!, v)),
  clamp_min: (v, [min]) => Math.max(v, min!),
  clamp_max: (v, [max]) => Math.min(v, max!),
};

const vectorOf = (v: StepValue): VSample[] => (v.type === 'vector' ? v.samples : []);
const scalarOf = (v: StepValue): number => (v.type === 'scalar' ? v.v : NaN);
const stringOf = (v: StepValue): string => (v.type === 'string' ? v.v : '');

/** The labels absent() gives its one element: the selector's equality matchers, unless a label is matched twice. */
function absentLabels(e: Expr): Labels {
  const vs = e.kind === 'vector' ? e : e.kind === 'matrix' ? e.vector : null;
  if (!vs) return {};
  const out: Labels = {};
  const drop = new Set<string>();
  for (const m of vs.matchers) {
    if (m.name === '__name__') continue;
    if (m.op === '=' && !(m.name in out)) out[m.name] = m.value;
    else drop.add(m.name);
  }
  for (const n of drop) delete out[n];
  return out;
}

/** Go's regexp.Expand for a replacement template: $1, ${1}, $name, ${name} and $$. */
function expand(template: string, match: RegExpExecArray): string {
  return template.replace(/\$(?:\$|\{([^}]*)\}|([A-Za-z0-9_]+))/g, (whole, braced?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const name = braced ?? bare!;
    if (/^\d+$/.test(name)) return match[Number(name)] ?? '';
    return match.groups?.[name] ?? '';
  });
}

function labelReplace(vec: VSample[], dst: string, repl: string, src: string, regex: string): VSample[] {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${regex})$`);
  } catch {
    throw badData(`invalid regular expression in label_replace(): ${regex}`);
  }
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(dst)) throw badData(`invalid destination label name in label_replace(): ${dst}`);
  return vec.map((s) => {
    const m = re.exec(s.labels[src] ?? '');
    if (!m) return s;
    const value = expand(repl, m);
    const { [dst]: _, ...rest } = s.labels;
    return { labels: value ? { ...rest, [dst]: value } : rest, v: s.v };
  });
}

export function evalCall(func: string, args: Expr[], ctx: CallContext): StepValue {
  const range = rangeFunctions[func];
  if (range) {
    const matrixArg = args.find((a) => a.kind === 'matrix') as MatrixSelector;
    const param =
      func === 'quantile_over_time' || func === 'predict_linear'
        ? scalarOf(ctx.arg(args[func === 'quantile_over_time' ? 0 : 1]!))
        : NaN;
    const end = ctx.t - matrixArg.vector.offsetMs;
    const out: VSample[] = [];
    for (const s of ctx.windows(matrixArg)) {
      const v = range({
        samples: s.samples,
        start: end - matrixArg.rangeMs,
        end,
        rangeMs: matrixArg.rangeMs,
        t: ctx.t,
        param,
      });
      if (v !== null) out.push({ labels: func === 'last_over_time' ? s.labels : dropName(s.labels), v });
    }
    return { type: 'vector', samples: out };
  }
  const element = elementWise[func];
  if (element) {
    const vec = vectorOf(ctx.arg(args[0]!));
    const extra = args.slice(1).map((a) => scalarOf(ctx.arg(a)));
    if (func === 'clamp' && extra[1]! < extra[0]!) return { type: 'vector', samples: [] };
    return { type: 'vector', samples: vec.map((s) => ({ labels: dropName(s.labels), v: element(s.v, extra) })) };
  }
  switch (func) {
    case 'time':
      return { type: 'scalar', v: ctx.t / 1000 };
    case 'vector':
      return { type: 'vector', samples: [{ labels: {}, v: scalarOf(ctx.arg(args[0]!)) }] };
    case 'scalar': {
      const vec = vectorOf(ctx.arg(args[0]!));
      return { type: 'scalar', v: vec.length === 1 ? vec[0]!.v : NaN };
    }
    case 'sort':
    case 'sort_desc': {
      const vec = [...vectorOf(ctx.arg(args[0]!))];
      // NaN goes to the bottom in both orders, as Prometheus sorts.
      const nanLast = (a: VSample, b: VSample): number | null =>
        Number.isNaN(a.v) ? (Number.isNaN(b.v) ? 0 : 1) : Number.isNaN(b.v) ? -1 : null;
      vec.sort((a, b) => nanLast(a, b) ?? (func === 'sort' ? a.v - b.v : b.v - a.v));
      return { type: 'vector', samples: vec };
    }
    case 'histogram_quantile':
      return { type: 'vector', samples: histogramQuantile(scalarOf(ctx.arg(args[0]!)), vectorOf(ctx.arg(args[1]!))) };
    case 'absent': {
      const vec = vectorOf(ctx.arg(args[0]!));
      return { type: 'vector', samples: vec.length ? [] : [{ labels: absentLabels(args[0]!), v: 1 }] };
    }
    case 'absent_over_time': {
      const present = ctx.windows(args[0] as MatrixSelector).length > 0;
      return { type: 'vector', samples: present ? [] : [{ labels: absentLabels(args[0]!), v: 1 }] };
    }
    case 'label_replace': {
      const [dst, repl, src, regex] = args.slice(1).map((a) => stringOf(ctx.arg(a))) as [
        string,
        string,
        string,
        string,
      ];
      return { type: 'vector', samples: labelReplace(vectorOf(ctx.arg(args[0]!)), dst, repl, src, regex) };
    }
  }
  throw badData(`unsupported: function ${func}`);
}
