// PromQL text to the engine's syntax tree: lezer-promql parses, this walks its tree, refuses what the engine does not
// evaluate by name, and type-checks as Prometheus's parser does (promql/parser/parse.go checkAST).
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import type { Matcher } from '../types.js';
import { typeName, typeOf, type Expr, type VectorSelector } from './ast.js';
import { badData, unsupported } from './errors.js';
import { matcherFn } from './labels.js';
import { parseDuration, parseGoNumber, unquote } from './literals.js';
import { aggregations, signatures } from './signatures.js';

const comparisons = new Set(['==', '!=', '>', '<', '>=', '<=']);
const setOps = new Set(['and', 'or', 'unless']);
const arithmetic = new Set(['+', '-', '*', '/', '%', '^']);

/** Nodes lezer-promql knows that are PromQL beyond this engine (or beyond Prometheus 2.42). */
const unsupportedNodes: Record<string, string> = {
  SubqueryExpr: 'subquery',
  StepInvariantExpr: '@ modifier',
  AnchoredExpr: 'anchored modifier',
  SmoothedExpr: 'smoothed modifier',
  FillModifier: 'fill modifier',
};

/** Prometheus 2.42 functions that the newer lezer grammar no longer knows by that name. */
const removedFunctions = new Set(['holt_winters']);

export function parse(query: string): Expr {
  if (query.trim() === '') throw badData('parse error: no expression found in input');
  const tree = parser.parse(query);
  const state = { query, nextId: 0 };
  let bad: SyntaxNode | null = null;
  tree.iterate({
    enter: (n) => {
      if (bad) return false;
      const what = unsupportedNodes[n.name];
      if (what) throw unsupported(what);
      if (n.type.isError) bad = n.node;
      return undefined;
    },
  });
  if (bad) throw syntaxError(query, bad);
  const top = tree.topNode.firstChild;
  if (!top) throw badData('parse error: no expression found in input');
  return build(top, state);
}

interface State {
  query: string;
  nextId: number;
}

function syntaxError(query: string, node: SyntaxNode): Error {
  // lezer reads an unknown function as a selector followed by junk: name the function as Prometheus does.
  const prev = node.prevSibling;
  if (prev?.name === 'Identifier' && query.slice(node.from).trimStart().startsWith('(')) {
    const name = query.slice(prev.from, prev.to);
    if (removedFunctions.has(name)) return unsupported(`function ${name}`);
    return badData(`parse error: unknown function with name ${JSON.stringify(name)}`);
  }
  const near = query.slice(node.from, node.from + 20);
  return badData(
    near
      ? `parse error at char ${node.from + 1}: unexpected ${JSON.stringify(near)}`
      : 'parse error: unexpected end of input',
  );
}

const text = (s: State, n: SyntaxNode): string => s.query.slice(n.from, n.to);

function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

function build(n: SyntaxNode, s: State): Expr {
  switch (n.name) {
    case 'NumberDurationLiteral': {
      const v = parseGoNumber(text(s, n));
      if (v === null) throw badData(`parse error: bad number or duration syntax: ${JSON.stringify(text(s, n))}`);
      return { kind: 'number', value: v };
    }
    case 'StringLiteral':
      return { kind: 'string', value: unquote(text(s, n)) };
    case 'ParenExpr':
      return { kind: 'paren', expr: build(n.firstChild!, s) };
    case 'UnaryExpr': {
      const [op, operand] = children(n) as [SyntaxNode, SyntaxNode];
      return unary(text(s, op), build(operand, s));
    }
    case 'VectorSelector':
      return selector(n, s, 0);
    case 'MatrixSelector':
      return matrix(n, s, 0);
    case 'OffsetExpr':
      return offset(n, s);
    case 'FunctionCall':
      return call(n, s);
    case 'AggregateExpr':
      return aggregate(n, s);
    case 'BinaryExpr':
      return binary(n, s);
    default:
      throw unsupported(`expression ${n.name}`);
  }
}

function selector(n: SyntaxNode, s: State, offsetMs: number): VectorSelector {
  const matchers: Matcher[] = [];
  let name: string | null = null;
  for (const c of children(n)) {
    if (c.name === 'Identifier' || c.name === 'MetricName') name = text(s, c);
    else if (c.name === 'LabelMatchers') {
      for (const m of children(c)) {
        if (m.name === 'QuotedLabelName') {
          const quoted = unquote(text(s, m.firstChild!));
          if (name !== null)
            throw badData(`metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(quoted)}`);
          name = quoted;
          continue;
        }
        const [ln, op, value] = children(m) as [SyntaxNode, SyntaxNode, SyntaxNode];
        const labelName = ln.name === 'StringLiteral' ? unquote(text(s, ln)) : text(s, ln);
        matchers.push({ name: labelName, op: text(s, op) as Matcher['op'], value: unquote(text(s, value)) });
      }
    }
  }
  if (name !== null) {
    if (matchers.some((m) => m.name === '__name__')) {
      const other = matchers.find((m) => m.name === '__name__')!.value;
      throw badData(`metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(other)}`);
    }
    matchers.unshift({ name: '__name__', op: '=', value: name });
  }
  for (const m of matchers) matcherFn(m); // refuses a bad regular expression now, as a parse error
  if (matchers.every((m) => matcherFn(m)(''))) {
    throw badData('vector selector must contain at least one non-empty matcher');
  }
  return { kind: 'vector', id: s.nextId++, matchers, offsetMs };
}

function duration(n: SyntaxNode, s: State): number {
  const inner = n.name === 'DurationExpr' ? n.firstChild : n;
  if (!inner || inner.name !== 'NumberDurationLiteralInDurationContext') throw unsupported('duration expression');
  const ms = parseDuration(text(s, inner));
  if (ms === null) throw badData(`parse error: bad duration syntax: ${JSON.stringify(text(s, inner))}`);
  return ms;
}

function matrix(n: SyntaxNode, s: State, offsetMs: number): Expr {
  const [vs, range] = children(n) as [SyntaxNode, SyntaxNode];
  if (vs.name !== 'VectorSelector') throw badData('ranges only allowed for vector selectors');
  const rangeMs = duration(range, s);
  if (rangeMs <= 0) throw badData('range must be greater than zero');
  return { kind: 'matrix', vector: selector(vs, s, offsetMs), rangeMs };
}

function offset(n: SyntaxNode, s: State): Expr {
  const [target, , amount] = children(n) as [SyntaxNode, SyntaxNode, SyntaxNode];
  let sign = 1;
  let d = amount;
  while (d.name === 'OffsetDurationExpr' && d.firstChild?.name === 'UnaryOp') {
    if (text(s, d.firstChild) === '-') sign = -sign;
    d = d.firstChild.nextSibling!;
  }
  return withOffset(target, s, sign * duration(d.name === 'OffsetDurationExpr' ? d.firstChild! : d, s));
}

/**
 * lezer-promql hangs `offset` on a whole binary or unary expression (`a - b offset 5m`); Prometheus's grammar binds it
 * to the selector just before it, so it goes down to the rightmost operand.
 */
function withOffset(target: SyntaxNode, s: State, ms: number): Expr {
  if (target.name === 'VectorSelector') return selector(target, s, ms);
  if (target.name === 'MatrixSelector') return matrix(target, s, ms);
  if (target.name === 'BinaryExpr') return binary(target, s, (rhs) => withOffset(rhs, s, ms));
  if (target.name === 'UnaryExpr') {
    const [op, operand] = children(target) as [SyntaxNode, SyntaxNode];
    return unary(text(s, op), withOffset(operand, s, ms));
  }
  throw badData(
    'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
  );
}

function unary(op: string, expr: Expr): Expr {
  const t = typeOf(expr);
  if (t !== 'scalar' && t !== 'vector') {
    throw badData(
      `unary expression only allowed on expressions of type scalar or instant vector, got "${typeName[t]}"`,
    );
  }
  return { kind: 'unary', op: op as '-' | '+', expr };
}

function call(n: SyntaxNode, s: State): Expr {
  const [ident, body] = children(n) as [SyntaxNode, SyntaxNode];
  const func = text(s, ident);
  const sig = signatures[func];
  if (!sig) throw unsupported(`function ${func}`);
  const args = children(body).map((c) => build(c, s));
  const min = sig.args.length - (sig.optional ?? 0);
  if (args.length < min || args.length > sig.args.length) {
    const want = sig.optional ? `at most ${sig.args.length}` : String(sig.args.length);
    throw badData(`expected ${want} argument(s) in call to ${JSON.stringify(func)}, got ${args.length}`);
  }
  args.forEach((a, i) => {
    const want = sig.args[i]!;
    const got = typeOf(a);
    if (got !== want) {
      throw badData(
        `expected type ${typeName[want]} in call to function ${JSON.stringify(func)}, got ${typeName[got]}`,
      );
    }
  });
  return { kind: 'call', func, args };
}

function grouping(n: SyntaxNode, s: State): string[] {
  const labels = children(n).find((c) => c.name === 'GroupingLabels');
  return labels
    ? children(labels).map((l) => (l.name === 'QuotedLabelName' ? unquote(text(s, l.firstChild!)) : text(s, l)))
    : [];
}

function aggregate(n: SyntaxNode, s: State): Expr {
  const parts = children(n);
  const op = text(s, parts[0]!).toLowerCase();
  if (!(op in aggregations)) throw unsupported(`aggregation ${op}`);
  const modifier = parts.find((c) => c.name === 'AggregateModifier');
  const body = parts.find((c) => c.name === 'FunctionCallBody')!;
  const args = children(body).map((c) => build(c, s));
  const paramType = aggregations[op]!;
  if (args.length !== (paramType ? 2 : 1)) {
    throw badData(
      `wrong number of arguments for aggregate expression provided, expected ${paramType ? 2 : 1}, got ${args.length}`,
    );
  }
  const expr = args[args.length - 1]!;
  if (typeOf(expr) !== 'vector') {
    throw badData(`expected type instant vector in aggregation expression, got ${typeName[typeOf(expr)]}`);
  }
  const param = paramType ? args[0]! : null;
  if (param && typeOf(param) !== paramType) {
    throw badData(`expected type ${typeName[paramType]} in aggregation parameter, got ${typeName[typeOf(param)]}`);
  }
  const without = modifier?.firstChild?.name === 'Without';
  return { kind: 'aggregate', op, param, expr, grouping: modifier ? grouping(modifier, s) : [], without };
}

function binary(n: SyntaxNode, s: State, buildRhs: (rhs: SyntaxNode) => Expr = (r) => build(r, s)): Expr {
  const parts = children(n);
  const lhs = build(parts[0]!, s);
  const rhs = buildRhs(parts[parts.length - 1]!);
  const op = text(s, parts[1]!).toLowerCase();
  if (op === 'atan2') throw unsupported('operator atan2');
  const bool = parts.some((c) => c.name === 'BoolModifier');
  const clause = parts.find((c) => c.name === 'MatchingModifierClause');
  let matching = null;
  if (clause) {
    const kids = children(clause);
    if (kids.some((c) => c.name === 'GroupLeft')) throw unsupported('group_left');
    if (kids.some((c) => c.name === 'GroupRight')) throw unsupported('group_right');
    matching = { on: kids[0]!.name === 'On', labels: grouping(clause, s) };
  }
  const lt = typeOf(lhs);
  const rt = typeOf(rhs);
  if ((lt !== 'scalar' && lt !== 'vector') || (rt !== 'scalar' && rt !== 'vector')) {
    throw badData('binary expression must contain only scalar and instant vector types');
  }
  if (bool && !comparisons.has(op)) throw badData('bool modifier can only be used on comparison operators');
  if (comparisons.has(op) && lt === 'scalar' && rt === 'scalar' && !bool) {
    throw badData('comparisons between scalars must use BOOL modifier');
  }
  if (setOps.has(op) && (lt === 'scalar' || rt === 'scalar')) {
    throw badData(`set operator ${JSON.stringify(op)} not allowed in binary scalar expression`);
  }
  if (matching && (lt !== 'vector' || rt !== 'vector'))
    throw badData('vector matching only allowed between instant vectors');
  if (!comparisons.has(op) && !setOps.has(op) && !arithmetic.has(op)) throw unsupported(`operator ${op}`);
  return { kind: 'binary', op, lhs, rhs, bool, matching };
}

/** A series selector (`match[]` of the series, labels and label values endpoints): its matchers. */
export function parseSelector(text: string): Matcher[] {
  const e = parse(text);
  if (e.kind !== 'vector' || e.offsetMs !== 0)
    throw badData(`parse error: ${JSON.stringify(text)} is not a series selector`);
  return e.matchers;
}
