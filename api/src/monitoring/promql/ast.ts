// The engine's own small syntax tree: what the parser (parse.ts) makes of lezer's concrete tree and the evaluator runs.
import type { Matcher } from '../types.js';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export interface VectorSelector {
  kind: 'vector';
  /** numbers the selectors of one query, so each is fetched once */
  id: number;
  matchers: Matcher[];
  offsetMs: number;
}

export interface MatrixSelector {
  kind: 'matrix';
  vector: VectorSelector;
  rangeMs: number;
}

export interface VectorMatching {
  /** `on(...)` when true, `ignoring(...)` (or no clause) when false */
  on: boolean;
  labels: string[];
}

export type Expr =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | VectorSelector
  | MatrixSelector
  | { kind: 'call'; func: string; args: Expr[] }
  | { kind: 'aggregate'; op: string; param: Expr | null; expr: Expr; grouping: string[]; without: boolean }
  | { kind: 'binary'; op: string; lhs: Expr; rhs: Expr; bool: boolean; matching: VectorMatching | null }
  | { kind: 'unary'; op: '-' | '+'; expr: Expr }
  | { kind: 'paren'; expr: Expr };

/** The type an expression evaluates to (Prometheus's `Type()` of a node). */
export function typeOf(e: Expr): ValueType {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vector':
    case 'aggregate':
      return 'vector';
    case 'matrix':
      return 'matrix';
    case 'call':
      return e.func === 'time' || e.func === 'scalar' ? 'scalar' : 'vector';
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary':
    case 'paren':
      return typeOf(e.expr);
  }
}

export const typeName: Record<ValueType, string> = {
  scalar: 'scalar',
  vector: 'instant vector',
  matrix: 'range vector',
  string: 'string',
};
