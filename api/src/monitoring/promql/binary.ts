// Binary operators as Prometheus 2.42 applies them: scalar/scalar, vector/scalar and one-to-one vector matching with
// on/ignoring, comparisons that filter (or answer 0/1 with `bool`), and the set operators and/or/unless.
import type { Labels } from '../types.js';
import type { VectorMatching } from './ast.js';
import { execution } from './errors.js';
import { dropName, formatLabels, labelsKey, pick } from './labels.js';
import type { VSample } from './values.js';

const comparisons = new Set(['==', '!=', '>', '<', '>=', '<=']);
export const isComparison = (op: string): boolean => comparisons.has(op);
const dropsName = (op: string): boolean => ['+', '-', '*', '/', '%', '^'].includes(op);

/** Go's math.Pow where it differs from JavaScript's (1 to any power, and -1 to an infinite power, are 1). */
function pow(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return Math.pow(x, y);
}

/** [value, keep]: the arithmetic result, or for comparisons the left value and whether the comparison holds. */
export function scalarOp(op: string, l: number, r: number): [number, boolean] {
  switch (op) {
    case '+':
      return [l + r, true];
    case '-':
      return [l - r, true];
    case '*':
      return [l * r, true];
    case '/':
      return [l / r, true];
    case '%':
      return [l % r, true];
    case '^':
      return [pow(l, r), true];
    case '==':
      return [l, l === r];
    case '!=':
      return [l, l !== r];
    case '>':
      return [l, l > r];
    case '<':
      return [l, l < r];
    case '>=':
      return [l, l >= r];
    case '<=':
      return [l, l <= r];
  }
  throw execution(`operator ${op} not allowed between scalars`);
}

/** A scalar operator between scalars (comparisons always carry `bool` here: the parser insists). */
export function scalarScalar(op: string, l: number, r: number): number {
  const [v, keep] = scalarOp(op, l, r);
  return isComparison(op) ? (keep ? 1 : 0) : v;
}

export function vectorScalar(op: string, vec: VSample[], scalar: number, swap: boolean, bool: boolean): VSample[] {
  const out: VSample[] = [];
  for (const s of vec) {
    const [l, r] = swap ? [scalar, s.v] : [s.v, scalar];
    let [v, keep] = scalarOp(op, l, r);
    // A comparison keeps the vector's own value even when the scalar is on the left.
    if (isComparison(op) && swap) v = r;
    if (bool) {
      v = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    out.push({ labels: dropsName(op) || bool ? dropName(s.labels) : s.labels, v });
  }
  return out;
}

function signature(matching: VectorMatching | null): (l: Labels) => string {
  if (!matching) return (l) => labelsKey(dropName(l));
  return (l) => labelsKey(pick(l, matching.labels, matching.on));
}

export function vectorVector(
  op: string,
  lhs: VSample[],
  rhs: VSample[],
  matching: VectorMatching | null,
  bool: boolean,
): VSample[] {
  if (op === 'and' || op === 'or' || op === 'unless') return setOperation(op, lhs, rhs, matching);
  const sig = signature(matching);
  const right = new Map<string, VSample>();
  for (const r of rhs) {
    const k = sig(r.labels);
    const dupl = right.get(k);
    if (dupl) {
      const group = matching ? pick(r.labels, matching.labels, matching.on) : dropName(r.labels);
      throw execution(
        `found duplicate series for the match group ${formatLabels(group)} on the right hand-side of the operation: ` +
          `[${formatLabels(r.labels)}, ${formatLabels(dupl.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    right.set(k, r);
  }
  const matched = new Set<string>();
  const out: VSample[] = [];
  for (const l of lhs) {
    const k = sig(l.labels);
    const r = right.get(k);
    if (!r) continue;
    let [v, keep] = scalarOp(op, l.v, r.v);
    if (bool) {
      v = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    if (matched.has(k)) {
      throw execution('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
    }
    matched.add(k);
    let labels = dropsName(op) || bool ? dropName(l.labels) : l.labels;
    if (matching?.on) labels = pick(labels, matching.labels, true);
    else if (matching)
      labels = Object.fromEntries(Object.entries(labels).filter(([n]) => !matching.labels.includes(n)));
    out.push({ labels, v });
  }
  return out;
}

function setOperation(op: string, lhs: VSample[], rhs: VSample[], matching: VectorMatching | null): VSample[] {
  const sig = signature(matching);
  const rightSigs = new Set(rhs.map((r) => sig(r.labels)));
  if (op === 'and') return lhs.filter((l) => rightSigs.has(sig(l.labels)));
  if (op === 'unless') return lhs.filter((l) => !rightSigs.has(sig(l.labels)));
  const leftSigs = new Set(lhs.map((l) => sig(l.labels)));
  return [...lhs, ...rhs.filter((r) => !leftSigs.has(sig(r.labels)))];
}
