// One pass of an execution: the machine walked from its start with every step it already took replayed from the
// journal (a state done, a task's answer, a wait's end), so a pass after a crash or a wait does only what is new.
// Keys name each visit deterministically (Map.1/attempt.1/3/Stop.1), which is what makes replay exact: the walk is
// a pure function of the input and the recorded answers.
import { chooseNext } from './choice.js';
import type { Effects, HistoryEvent, Journal, RunInfo } from './journal.js';
import { pool, runtime } from './passes.js';
import {
  Aborted,
  Failure,
  MAP_CONCURRENCY_CAP,
  MAX_TRANSITIONS,
  Suspend,
  matches,
  type Machine,
  type State,
} from './model.js';
import {
  PathError,
  applyInputPath,
  applyOutputPath,
  applyResultPath,
  readPath,
  type Context,
  type Json,
} from './paths.js';
import { renderTemplate } from './templates.js';

type Outcome = { next: string | undefined; output: Json };

const DEFAULT_TASK_TIMEOUT = 3600;
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class Interpreter {
  private transitions = 0;

  constructor(
    private j: Journal,
    private fx: Effects,
    private info: RunInfo,
  ) {}

  private ctx(state: string, item?: { Index: number; Value: Json }): Context {
    const { executionId, input, startTime, redriveCount } = this.info;
    return {
      Execution: { Id: executionId, Input: input, StartTime: startTime, RedriveCount: redriveCount },
      State: { Name: state },
      ...(item ? { Map: { Item: item } } : {}),
    };
  }

  /** Runs machine `m` on `input`; keys of its visits start with `prefix`. Resolves to the last state's output. */
  async run(m: Machine, input: Json, prefix = ''): Promise<Json> {
    const visits = new Map<string, number>();
    let name = m.StartAt;
    let doc = input;
    for (;;) {
      if (++this.transitions > MAX_TRANSITIONS)
        throw new Failure('States.Runtime', `more than ${MAX_TRANSITIONS} state transitions in one pass`);
      const n = (visits.get(name) ?? 0) + 1;
      visits.set(name, n);
      const { next, output } = await this.visit(m.States[name]!, name, `${prefix}${name}.${n}`, doc);
      if (next === undefined) return output;
      name = next;
      doc = output;
    }
  }

  private async visit(s: State, name: string, key: string, input: Json): Promise<Outcome> {
    const memo = this.j.get(key);
    if (memo?.status === 'done') return memo.output as unknown as Outcome;
    if (memo?.status === 'failed') throw new Failure(memo.error!, memo.cause ?? '');
    if (!memo)
      await this.j.put(
        { key, status: 'entered' },
        { type: 'StateEntered', state: name, path: key, details: { input } },
      );
    let outcome: Outcome;
    try {
      outcome = await this.execute(s, name, key, input);
    } catch (e) {
      if (!(e instanceof Failure)) throw e;
      const c = s.Catch?.find((x) => matches(x.ErrorEquals, e.error));
      if (!c) {
        await this.j.put(
          { key, status: 'failed', error: e.error, cause: e.cause },
          {
            type: 'StateFailed',
            state: name,
            path: key,
            details: { error: e.error, cause: e.cause },
          },
        );
        throw e;
      }
      const output = runtime(() => applyResultPath(input, { Error: e.error, Cause: e.cause }, c.ResultPath));
      outcome = { next: c.Next, output };
    }
    await this.j.put(
      { key, status: 'done', output: outcome as unknown as Json },
      {
        type: 'StateExited',
        state: name,
        path: key,
        details: { output: outcome.output, next: outcome.next ?? null },
      },
    );
    return outcome;
  }

  private next(s: State): string | undefined {
    return s.End ? undefined : s.Next;
  }

  /** ResultSelector, ResultPath and OutputPath: a state's result placed into its raw input. */
  private shape(s: State, input: Json, result: Json, name: string): Json {
    return runtime(() => {
      const selected =
        s.ResultSelector !== undefined ? renderTemplate(s.ResultSelector, result, this.ctx(name)) : result;
      return applyOutputPath(applyResultPath(input, selected, s.ResultPath), s.OutputPath);
    });
  }

  private async execute(s: State, name: string, key: string, input: Json): Promise<Outcome> {
    const ctx = this.ctx(name);
    const eff = runtime(() => applyInputPath(input, s.InputPath, ctx));
    switch (s.Type) {
      case 'Pass': {
        const params = s.Parameters !== undefined ? runtime(() => renderTemplate(s.Parameters!, eff, ctx)) : eff;
        const result = s.Result !== undefined ? s.Result : params;
        return {
          next: this.next(s),
          output: runtime(() => applyOutputPath(applyResultPath(input, result, s.ResultPath), s.OutputPath)),
        };
      }
      case 'Succeed':
        return { next: undefined, output: runtime(() => applyOutputPath(eff, s.OutputPath)) };
      case 'Fail':
        throw new Failure(s.Error ?? 'States.Fail', s.Cause ?? '');
      case 'Choice': {
        const next = runtime(() => chooseNext(s.Choices!, s.Default, eff, ctx));
        return { next, output: runtime(() => applyOutputPath(eff, s.OutputPath)) };
      }
      case 'Wait': {
        await this.sleep(`${key}/wait`, () => this.waitUntil(s, eff, ctx), {
          type: 'WaitStarted',
          state: name,
          path: key,
        });
        return { next: this.next(s), output: runtime(() => applyOutputPath(eff, s.OutputPath)) };
      }
      case 'Task':
        return { next: this.next(s), output: this.shape(s, input, await this.task(s, name, key, eff), name) };
      case 'Parallel': {
        const branchInput = s.Parameters !== undefined ? runtime(() => renderTemplate(s.Parameters!, eff, ctx)) : eff;
        const result = await this.retrying(s, name, key, async (akey) => {
          const out: Json[] = new Array(s.Branches!.length).fill(null);
          await pool([...out.keys()], out.length, async (b) => {
            out[b] = await this.run(s.Branches![b]!, branchInput, `${akey}/branch.${b}/`);
          });
          return out;
        });
        return { next: this.next(s), output: this.shape(s, input, result, name) };
      }
      case 'Map':
        return { next: this.next(s), output: this.shape(s, input, await this.map(s, name, key, eff), name) };
    }
  }

  private waitUntil(s: State, eff: Json, ctx: Context): number {
    return runtime(() => {
      if (s.Seconds !== undefined) return this.fx.now() + s.Seconds * 1000;
      if (s.Timestamp !== undefined) return Date.parse(s.Timestamp);
      if (s.SecondsPath !== undefined) {
        const v = readPath(eff, s.SecondsPath, ctx);
        if (!Number.isInteger(v) || (v as number) < 0)
          throw new PathError(
            `${s.SecondsPath} must be a whole number of seconds, at least 0 (it is ${JSON.stringify(v)})`,
            'InvalidPath',
          );
        return this.fx.now() + (v as number) * 1000;
      }
      const v = readPath(eff, s.TimestampPath!, ctx);
      const t = typeof v === 'string' ? Date.parse(v) : NaN;
      if (Number.isNaN(t))
        throw new PathError(
          `${s.TimestampPath} must be an RFC 3339 timestamp (it is ${JSON.stringify(v)})`,
          'InvalidPath',
        );
      return t;
    });
  }

  /** A durable sleep: its end is fixed at the first visit; until then every pass suspends here. */
  private async sleep(key: string, until: () => number, event: HistoryEvent): Promise<void> {
    const row = this.j.get(key);
    if (row?.status === 'done') return;
    let wakeAt = row?.wakeAt;
    if (wakeAt == null) {
      wakeAt = until();
      await this.j.put(
        { key, status: 'waiting', wakeAt },
        { ...event, details: { ...event.details, until: new Date(wakeAt).toISOString() } },
      );
    }
    if (this.fx.now() < wakeAt) throw new Suspend(wakeAt);
    await this.j.put({ key, status: 'done', wakeAt });
  }

  /** Attempts `work` as the state's Retry says: each retrier counts its own attempts; the interval grows by BackoffRate. */
  private async retrying(s: State, name: string, key: string, work: (akey: string) => Promise<Json>): Promise<Json> {
    const counts = new Map<number, number>();
    for (let n = 1; ; n++) {
      const akey = `${key}/attempt.${n}`;
      try {
        return await work(akey);
      } catch (e) {
        if (!(e instanceof Failure)) throw e;
        const i = (s.Retry ?? []).findIndex((r) => matches(r.ErrorEquals, e.error));
        const r = s.Retry?.[i];
        const used = counts.get(i) ?? 0;
        if (!r || used >= (r.MaxAttempts ?? 3)) throw e;
        counts.set(i, used + 1);
        const delay = Math.min((r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** used, r.MaxDelaySeconds ?? Infinity);
        await this.sleep(`${akey}/retry`, () => this.fx.now() + delay * 1000, {
          type: 'RetryScheduled',
          state: name,
          path: akey,
          details: { error: e.error, attempt: n, delay_seconds: delay },
        });
      }
    }
  }

  private async task(s: State, name: string, key: string, eff: Json): Promise<Json> {
    const rendered =
      s.Parameters !== undefined ? runtime(() => renderTemplate(s.Parameters!, eff, this.ctx(name))) : {};
    const args = isObject(rendered) ? rendered : {};
    const params: Record<string, string> = {};
    if (args.params !== undefined) {
      if (!isObject(args.params)) throw new Failure('States.Runtime', `${name}: Parameters.params must be an object`);
      for (const [k, v] of Object.entries(args.params)) params[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    return this.retrying(s, name, key, async (akey) => {
      const row = this.j.get(akey);
      if (row?.status === 'done') return row.output ?? null;
      if (row?.status === 'failed') throw new Failure(row.error!, row.cause ?? '');
      if (await this.fx.aborted()) throw new Aborted();
      if (!row)
        await this.j.put(
          { key: akey, status: 'entered' },
          {
            type: 'TaskScheduled',
            state: name,
            path: akey,
            details: { resource: s.Resource!, parameters: args },
          },
        );
      let output: Json;
      try {
        output = await this.fx.call({
          operationId: s.Resource!,
          params,
          body: args.body,
          key: akey,
          timeoutSeconds: s.TimeoutSeconds ?? DEFAULT_TASK_TIMEOUT,
          waitForReady: s.WaitForReady ?? true,
        });
      } catch (e) {
        if (e instanceof Failure)
          await this.j.put(
            { key: akey, status: 'failed', error: e.error, cause: e.cause },
            {
              type: 'TaskFailed',
              state: name,
              path: akey,
              details: { error: e.error, cause: e.cause },
            },
          );
        throw e;
      }
      await this.j.put(
        { key: akey, status: 'done', output },
        { type: 'TaskSucceeded', state: name, path: akey, details: { output } },
      );
      return output;
    });
  }

  private async map(s: State, name: string, key: string, eff: Json): Promise<Json> {
    const items = runtime(() => readPath(eff, s.ItemsPath ?? '$', this.ctx(name)));
    if (!Array.isArray(items))
      throw new Failure('States.Runtime', `${name}: ItemsPath ${s.ItemsPath ?? '$'} is not an array`);
    const limit = Math.min(s.MaxConcurrency || MAP_CONCURRENCY_CAP, MAP_CONCURRENCY_CAP);
    return this.retrying(s, name, key, async (akey) => {
      const out: Json[] = new Array(items.length).fill(null);
      const todo: number[] = [];
      items.forEach((_, i) => {
        const row = this.j.get(`${akey}/${i}`);
        if (row?.status === 'done') out[i] = row.output ?? null;
        else todo.push(i);
      });
      await pool(todo, limit, async (i) => {
        const ikey = `${akey}/${i}`;
        const row = this.j.get(ikey);
        if (row?.status === 'failed') throw new Failure(row.error!, row.cause ?? '');
        const item = { Index: i, Value: items[i]! };
        const itemInput =
          s.ItemSelector !== undefined
            ? runtime(() => renderTemplate(s.ItemSelector!, eff, this.ctx(name, item)))
            : items[i]!;
        if (!row)
          await this.j.put(
            { key: ikey, status: 'entered' },
            { type: 'MapIterationStarted', state: name, path: ikey, details: { index: i } },
          );
        try {
          out[i] = await this.run(s.ItemProcessor!, itemInput, `${ikey}/`);
        } catch (e) {
          if (e instanceof Failure)
            await this.j.put(
              { key: ikey, status: 'failed', error: e.error, cause: e.cause },
              {
                type: 'MapIterationFailed',
                state: name,
                path: ikey,
                details: { index: i, error: e.error },
              },
            );
          throw e;
        }
        await this.j.put(
          { key: ikey, status: 'done', output: out[i] },
          { type: 'MapIterationSucceeded', state: name, path: ikey, details: { index: i } },
        );
      });
      return out;
    });
  }
}
