// A definition checked before it is stored: every problem found at once, each a FieldError pointing into the
// request body (/definition/States/Stop/Next), so a user fixes them all in one round.
import type { FieldError } from '../../platform/problems.js';
import type { CallPointers, Dynamic, PlannedCall } from '../operation-call.js';
import { checkChoiceRule } from './choice.js';
import { FIELDS, TERMINAL, type Catcher, type Machine, type Retrier, type State, type StateType } from './model.js';
import { checkPath, checkResultPath, type Json } from './paths.js';
import { checkTemplate } from './templates.js';

/** What the checker asks of the API: every reason a Task's call could never run. */
export type OperationLookup = (call: PlannedCall, at: CallPointers, dynamic: Dynamic) => FieldError[];

/** Whether a payload template takes any value from a path (a key ending in `.$`, at any depth). */
const hasPaths = (v: unknown): boolean =>
  Array.isArray(v)
    ? v.some(hasPaths)
    : isObject(v) && Object.entries(v).some(([k, x]) => k.endsWith('.$') || hasPaths(x));

const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;

class Checker {
  readonly errors: FieldError[] = [];
  constructor(private operation: OperationLookup) {}

  err(pointer: string, detail: string, code = 'InvalidDefinition') {
    this.errors.push({ pointer, detail, code });
  }

  machine(m: unknown, at: string, top: boolean): void {
    if (!isObject(m)) return this.err(at, 'must be an object with StartAt and States');
    for (const k of Object.keys(m))
      if (!['StartAt', 'States', 'Comment', ...(top ? ['TimeoutSeconds', 'Version'] : [])].includes(k))
        this.err(`${at}/${esc(k)}`, `is not a field of a state machine`, 'UnknownField');
    if (top && m.TimeoutSeconds !== undefined && !isInt(m.TimeoutSeconds, 1))
      this.err(`${at}/TimeoutSeconds`, 'must be a whole number of seconds, at least 1');
    if (!isObject(m.States) || !Object.keys(m.States).length)
      return this.err(`${at}/States`, 'must be an object with at least one state');
    const states = m.States as Record<string, unknown>;
    if (typeof m.StartAt !== 'string') this.err(`${at}/StartAt`, 'must name the first state', 'Required');
    else if (!(m.StartAt in states)) this.err(`${at}/StartAt`, `names no state of this machine: ${m.StartAt}`);
    for (const [name, s] of Object.entries(states)) {
      const p = `${at}/States/${esc(name)}`;
      if (name.length > 80) this.err(p, 'a state name has at most 80 characters');
      this.state(s, p, states);
    }
    if (typeof m.StartAt === 'string' && m.StartAt in states) this.reachable(m as unknown as Machine, at);
  }

  private reachable(m: Machine, at: string) {
    const seen = new Set<string>();
    const todo = [m.StartAt];
    while (todo.length) {
      const name = todo.pop()!;
      if (seen.has(name) || !(name in m.States)) continue;
      seen.add(name);
      const s = m.States[name]!;
      if (!isObject(s)) continue;
      for (const n of [
        s.Next,
        s.Default,
        ...(Array.isArray(s.Choices) ? s.Choices.map((c) => (c as any)?.Next) : []),
        ...(Array.isArray(s.Catch) ? s.Catch.map((c) => (c as any)?.Next) : []),
      ])
        if (typeof n === 'string') todo.push(n);
    }
    for (const name of Object.keys(m.States))
      if (!seen.has(name))
        this.err(`${at}/States/${esc(name)}`, `is unreachable from StartAt (${m.StartAt})`, 'UnreachableState');
  }

  private target(states: Record<string, unknown>, v: unknown, p: string) {
    if (typeof v !== 'string') return this.err(p, 'must name a state', 'Required');
    if (!(v in states)) this.err(p, `names no state of this machine: ${v}`, 'UnknownState');
  }

  private state(s: unknown, p: string, states: Record<string, unknown>): void {
    if (!isObject(s)) return this.err(p, 'must be an object with a Type');
    const type = s.Type as StateType;
    if (!(type in FIELDS))
      return this.err(
        `${p}/Type`,
        `must be one of ${Object.keys(FIELDS).join(', ')}`,
        s.Type ? 'InvalidValue' : 'Required',
      );
    const allowed = new Set(['Type', 'Comment', ...FIELDS[type]]);
    for (const k of Object.keys(s))
      if (!allowed.has(k)) this.err(`${p}/${esc(k)}`, `is not a field of a ${type} state`, 'UnknownField');
    const st = s as unknown as State;
    if (type !== 'Choice' && !TERMINAL.has(type)) {
      if (st.End !== undefined && st.End !== true) this.err(`${p}/End`, 'must be true when given');
      if (st.Next !== undefined && st.End) this.err(`${p}/End`, 'a state has Next or End, not both');
      else if (st.Next === undefined && !st.End)
        this.err(`${p}/Next`, 'is required (or End: true): a state must say what comes after it', 'Required');
      else if (st.Next !== undefined) this.target(states, st.Next, `${p}/Next`);
    }
    for (const k of ['InputPath', 'OutputPath'] as const)
      if (st[k] !== undefined && st[k] !== null) this.path(st[k], `${p}/${k}`, true);
    if (st.ResultPath !== undefined) {
      const why =
        typeof st.ResultPath === 'string' || st.ResultPath === null
          ? checkResultPath(st.ResultPath)
          : 'must be a path or null';
      if (why) this.err(`${p}/ResultPath`, why, 'InvalidPath');
    }
    for (const k of ['Parameters', 'ResultSelector', 'ItemSelector'] as const)
      if (st[k] !== undefined) this.errors.push(...checkTemplate(st[k] as Json, `${p}/${k}`));
    if (st.Retry !== undefined) this.retry(st.Retry, `${p}/Retry`);
    if (st.Catch !== undefined) this.catchers(st.Catch, `${p}/Catch`, states);
    this[type](st, p, states);
  }

  private path(v: unknown, p: string, allowContext: boolean) {
    const why = typeof v === 'string' ? checkPath(v, { allowContext }) : 'must be a path such as $.items';
    if (why) this.err(p, why, 'InvalidPath');
  }

  private errorEquals(v: unknown, p: string) {
    if (!Array.isArray(v) || !v.length || v.some((e) => typeof e !== 'string' || !e))
      return this.err(p, 'must be a non-empty list of error names (States.ALL matches every error)');
    if (v.includes('States.ALL') && v.length > 1) this.err(p, 'States.ALL must be the only name in its list');
  }

  private retry(v: unknown, p: string) {
    if (!Array.isArray(v)) return this.err(p, 'must be a list of retriers');
    v.forEach((r: unknown, i) => {
      const q = `${p}/${i}`;
      if (!isObject(r)) return this.err(q, 'must be an object with ErrorEquals');
      for (const k of Object.keys(r))
        if (!['ErrorEquals', 'IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds', 'Comment'].includes(k))
          this.err(`${q}/${esc(k)}`, 'is not a field of a retrier', 'UnknownField');
      const x = r as unknown as Retrier;
      this.errorEquals(x.ErrorEquals, `${q}/ErrorEquals`);
      if (x.ErrorEquals?.includes?.('States.ALL') && i !== v.length - 1)
        this.err(`${q}/ErrorEquals`, 'a retrier with States.ALL must be the last');
      if (x.IntervalSeconds !== undefined && !isInt(x.IntervalSeconds, 1))
        this.err(`${q}/IntervalSeconds`, 'must be a whole number, at least 1');
      if (x.MaxAttempts !== undefined && !isInt(x.MaxAttempts, 0))
        this.err(`${q}/MaxAttempts`, 'must be a whole number, at least 0');
      if (x.MaxDelaySeconds !== undefined && !isInt(x.MaxDelaySeconds, 1))
        this.err(`${q}/MaxDelaySeconds`, 'must be a whole number, at least 1');
      if (x.BackoffRate !== undefined && !(typeof x.BackoffRate === 'number' && x.BackoffRate >= 1))
        this.err(`${q}/BackoffRate`, 'must be a number, at least 1.0');
    });
  }

  private catchers(v: unknown, p: string, states: Record<string, unknown>) {
    if (!Array.isArray(v)) return this.err(p, 'must be a list of catchers');
    v.forEach((c: unknown, i) => {
      const q = `${p}/${i}`;
      if (!isObject(c)) return this.err(q, 'must be an object with ErrorEquals and Next');
      for (const k of Object.keys(c))
        if (!['ErrorEquals', 'Next', 'ResultPath', 'Comment'].includes(k))
          this.err(`${q}/${esc(k)}`, 'is not a field of a catcher', 'UnknownField');
      const x = c as unknown as Catcher;
      this.errorEquals(x.ErrorEquals, `${q}/ErrorEquals`);
      this.target(states, x.Next, `${q}/Next`);
      if (x.ResultPath !== undefined) {
        const why =
          typeof x.ResultPath === 'string' || x.ResultPath === null
            ? checkResultPath(x.ResultPath)
            : 'must be a path or null';
        if (why) this.err(`${q}/ResultPath`, why, 'InvalidPath');
      }
    });
  }

  Task(s: State, p: string) {
    if (typeof s.Resource !== 'string')
      return this.err(`${p}/Resource`, 'must name an API operation (stopInstance)', 'Required');
    if (s.TimeoutSeconds !== undefined && !isInt(s.TimeoutSeconds, 1))
      this.err(`${p}/TimeoutSeconds`, 'must be a whole number, at least 1');
    if (s.WaitForReady !== undefined && typeof s.WaitForReady !== 'boolean')
      this.err(`${p}/WaitForReady`, 'must be true or false');
    const given = s.Parameters ?? {};
    if (!isObject(given)) return this.err(`${p}/Parameters`, 'must be an object: {params, body}');
    for (const k of Object.keys(given))
      if (!['params', 'params.$', 'body', 'body.$'].includes(k))
        this.err(
          `${p}/Parameters/${esc(k)}`,
          'a Task takes params (path and query parameters) and body',
          'UnknownField',
        );
    if (given.params !== undefined && !isObject(given.params))
      return this.err(`${p}/Parameters/params`, 'must be an object of parameters by name');
    // Parts made from paths are known only when the task runs: their names are checked now, their values then.
    const params = Object.fromEntries(
      Object.entries(given.params ?? {}).map(([k, v]) => (k.endsWith('.$') ? [k.slice(0, -2), ''] : [k, v])),
    );
    const dynamic = {
      params: 'params.$' in given || Object.keys(given.params ?? {}).some((k) => k.endsWith('.$')),
      body: 'body.$' in given || hasPaths(given.body),
    };
    const body = 'body.$' in given ? undefined : given.body;
    const at = { operation: `${p}/Resource`, params: `${p}/Parameters/params`, body: `${p}/Parameters/body` };
    this.errors.push(...this.operation({ operation_id: s.Resource, params, body }, at, dynamic));
  }

  Choice(s: State, p: string, states: Record<string, unknown>) {
    if (!Array.isArray(s.Choices) || !s.Choices.length)
      this.err(`${p}/Choices`, 'must be a non-empty list of rules', 'Required');
    else
      s.Choices.forEach((r, i) => {
        this.errors.push(...checkChoiceRule(r, `${p}/Choices/${i}`, true));
        if (isObject(r) && typeof r.Next === 'string') this.target(states, r.Next, `${p}/Choices/${i}/Next`);
      });
    if (s.Default !== undefined) this.target(states, s.Default, `${p}/Default`);
  }

  Wait(s: State, p: string) {
    const given = (['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'] as const).filter((k) => s[k] !== undefined);
    if (given.length !== 1)
      return this.err(
        p,
        `a Wait has exactly one of Seconds, SecondsPath, Timestamp, TimestampPath (this has ${given.length})`,
        'InvalidWait',
      );
    if (s.Seconds !== undefined && !isInt(s.Seconds, 0)) this.err(`${p}/Seconds`, 'must be a whole number, at least 0');
    if (
      s.Timestamp !== undefined &&
      (typeof s.Timestamp !== 'string' ||
        Number.isNaN(Date.parse(s.Timestamp)) ||
        !/T.*(Z|[+-]\d\d:\d\d)$/.test(s.Timestamp))
    )
      this.err(`${p}/Timestamp`, 'must be an RFC 3339 timestamp with a zone (2027-01-01T09:00:00Z)');
    for (const k of ['SecondsPath', 'TimestampPath'] as const)
      if (s[k] !== undefined) this.path(s[k], `${p}/${k}`, true);
  }

  Parallel(s: State, p: string) {
    if (!Array.isArray(s.Branches) || !s.Branches.length)
      return this.err(`${p}/Branches`, 'must be a non-empty list of state machines', 'Required');
    s.Branches.forEach((b, i) => this.machine(b, `${p}/Branches/${i}`, false));
  }

  Map(s: State, p: string) {
    if (s.ItemsPath !== undefined) this.path(s.ItemsPath, `${p}/ItemsPath`, true);
    if (s.MaxConcurrency !== undefined && !isInt(s.MaxConcurrency, 0))
      this.err(`${p}/MaxConcurrency`, 'must be a whole number, at least 0 (0: as many as allowed)');
    if (s.ItemProcessor === undefined)
      return this.err(`${p}/ItemProcessor`, 'is required: the state machine each item runs', 'Required');
    this.machine(s.ItemProcessor, `${p}/ItemProcessor`, false);
  }

  Pass() {}
  Succeed() {}
  Fail(s: State, p: string) {
    for (const k of ['Error', 'Cause'] as const)
      if (s[k] !== undefined && typeof s[k] !== 'string') this.err(`${p}/${k}`, 'must be a string');
  }
}

/** Every problem of `definition`, pointers prefixed by `at` (/definition). */
export function checkDefinition(definition: unknown, operation: OperationLookup, at = '/definition'): FieldError[] {
  const c = new Checker(operation);
  c.machine(definition, at, true);
  return c.errors;
}
