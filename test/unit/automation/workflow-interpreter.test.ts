// The interpreter on its own: a journal in memory and effects that count calls, so replay, retry counting, Map's
// concurrency bound and error propagation are checked exactly (the integration tests run it on PostgreSQL).
import { expect } from 'chai';
import { Interpreter } from '../../../api/src/automation/workflows/interpreter.js';
import type { Effects, Journal, Step, TaskCall } from '../../../api/src/automation/workflows/journal.js';
import { Failure, Suspend, type Machine } from '../../../api/src/automation/workflows/model.js';
import type { Json } from '../../../api/src/automation/workflows/paths.js';

function memoryJournal() {
  const steps = new Map<string, Step>();
  const events: { type: string; path?: string }[] = [];
  const journal: Journal = {
    get: (k) => steps.get(k),
    async put(step, ev) {
      steps.set(step.key, structuredClone(step));
      if (ev) events.push({ type: ev.type, path: ev.path });
    },
  };
  return { journal, steps, events };
}

function world(answer: (c: TaskCall) => Promise<Json> | Json) {
  let now = 1_000_000;
  let active = 0;
  const calls: TaskCall[] = [];
  const stats = { maxActive: 0 };
  const fx: Effects = {
    now: () => now,
    aborted: async () => false,
    async call(c) {
      calls.push(c);
      active++;
      stats.maxActive = Math.max(stats.maxActive, active);
      try {
        await new Promise((r) => setImmediate(r));
        return await answer(c);
      } finally {
        active--;
      }
    },
  };
  return { fx, calls, stats, advance: (ms: number) => (now += ms), now: () => now };
}

const info = { executionId: 'exe-test', input: {}, startTime: '2027-01-01T00:00:00Z', redriveCount: 0 };
const run = (j: Journal, fx: Effects, m: Machine, input: Json = {}) => new Interpreter(j, fx, info).run(m, input);
const task = (extra: object = {}) => ({ Type: 'Task' as const, Resource: 'op', End: true, ...extra });

describe('workflow interpreter', () => {
  it('replays what a pass already did: a second pass over the same journal calls nothing again', async () => {
    const { journal } = memoryJournal();
    const w = world((c) => ({ got: c.params.n ?? null }));
    const m: Machine = {
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: 'op', Parameters: { params: { n: '1' } }, ResultPath: '$.a', Next: 'B' },
        B: task({ Parameters: { params: { n: '2' } }, ResultPath: '$.b' }),
      },
    };
    const first = await run(journal, w.fx, m);
    const again = await run(journal, w.fx, m);
    expect(first).to.deep.equal({ a: { got: '1' }, b: { got: '2' } });
    expect(again).to.deep.equal(first);
    expect(w.calls).to.have.length(2);
    expect(w.calls.map((c) => c.key)).to.deep.equal(['A.1/attempt.1', 'B.1/attempt.1']);
  });

  it('suspends at a Wait and, once time passes, goes on from there without repeating the task before it', async () => {
    const { journal } = memoryJournal();
    const w = world(() => 'ok');
    const m: Machine = {
      StartAt: 'A',
      States: { A: task({ End: undefined, Next: 'W' }), W: { Type: 'Wait', Seconds: 10, Next: 'B' }, B: task() },
    };
    const e = await run(journal, w.fx, m).catch((x) => x);
    expect(e).to.be.instanceOf(Suspend);
    expect((e as Suspend).wakeAt).to.equal(w.now() + 10_000);
    w.advance(9_999);
    expect(await run(journal, w.fx, m).catch((x) => x)).to.be.instanceOf(Suspend);
    w.advance(1);
    expect(await run(journal, w.fx, m)).to.equal('ok');
    expect(w.calls).to.have.length(2);
  });

  it('waits until a Timestamp or TimestampPath, or for SecondsPath; a bad value is States.Runtime', async () => {
    const w = world(() => null);
    const at = new Date(w.now() + 90_000).toISOString();
    for (const [wait, input, ms] of [
      [{ Timestamp: at }, {}, 90_000],
      [{ TimestampPath: '$.when' }, { when: at }, 90_000],
      [{ SecondsPath: '$.s' }, { s: 7 }, 7_000],
    ] as const) {
      const m = { StartAt: 'W', States: { W: { Type: 'Wait', ...wait, End: true } } } as Machine;
      const e = await run(memoryJournal().journal, w.fx, m, input).catch((x) => x);
      expect(e, JSON.stringify(wait)).to.be.instanceOf(Suspend);
      expect(e.wakeAt - w.now()).to.equal(ms);
    }
    const m = { StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.s', End: true } } } as Machine;
    const e = await run(memoryJournal().journal, w.fx, m, { s: 'soon' }).catch((x) => x);
    expect(e).to.be.instanceOf(Failure);
    expect(e.error).to.equal('States.Runtime');
  });

  it('counts attempts per retrier, backs off by BackoffRate and caps the delay at MaxDelaySeconds', async () => {
    const { journal, events } = memoryJournal();
    const w = world(() => {
      throw new Failure('Busy', 'try later');
    });
    const m: Machine = {
      StartAt: 'A',
      States: {
        A: task({
          Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 3, MaxDelaySeconds: 10 }],
        }),
      },
    };
    const waits: number[] = [];
    for (;;) {
      const e = await run(journal, w.fx, m).catch((x) => x);
      if (!(e instanceof Suspend)) {
        expect(e).to.be.instanceOf(Failure);
        expect(e.error).to.equal('Busy');
        break;
      }
      waits.push((e.wakeAt - w.now()) / 1000);
      w.advance(e.wakeAt - w.now());
    }
    expect(waits).to.deep.equal([2, 6, 10]);
    expect(w.calls).to.have.length(4);
    expect(events.filter((x) => x.type === 'TaskFailed')).to.have.length(4);
  });

  it('States.ALL matches a task failure but not States.Runtime; Catch takes the first matching catcher', async () => {
    const w = world(() => {
      throw new Failure('Conflict', '{}');
    });
    const m: Machine = {
      StartAt: 'A',
      States: {
        A: task({
          End: undefined,
          Catch: [
            { ErrorEquals: ['NotFound'], Next: 'X' },
            { ErrorEquals: ['States.ALL'], Next: 'Y' },
          ],
        }),
        X: { Type: 'Pass', Result: 'x', End: true },
        Y: { Type: 'Pass', Result: 'y', End: true },
      },
    };
    expect(await run(memoryJournal().journal, w.fx, m)).to.equal('y');
    const bad: Machine = {
      StartAt: 'P',
      States: {
        P: { Type: 'Pass', InputPath: '$.missing', Next: 'Z' },
        Z: { Type: 'Succeed' },
      },
    };
    const e = await run(memoryJournal().journal, w.fx, bad).catch((x) => x);
    expect(e).to.be.instanceOf(Failure);
    expect(e.error).to.equal('States.Runtime');
  });

  it('keeps at most MaxConcurrency Map iterations calling at once, and returns results in item order', async () => {
    const w = world((c) => Number(c.params.i) * 10);
    const m: Machine = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          MaxConcurrency: 3,
          ItemProcessor: {
            StartAt: 'T',
            States: { T: task({ Parameters: { params: { 'i.$': 'States.JsonToString($)' } } }) },
          },
          End: true,
        },
      },
    };
    const out = await run(memoryJournal().journal, w.fx, m, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(out).to.deep.equal([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(w.stats.maxActive).to.equal(3);
  });

  it('holds a Map slot for an iteration parked in a Wait, so MaxConcurrency bounds iterations in flight', async () => {
    const { journal } = memoryJournal();
    const w = world(() => 'done');
    const m: Machine = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          MaxConcurrency: 2,
          ItemProcessor: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 5, Next: 'T' }, T: task() } },
          End: true,
        },
      },
    };
    expect(await run(journal, w.fx, m, ['a', 'b', 'c']).catch((x) => x)).to.be.instanceOf(Suspend);
    expect(w.calls).to.have.length(0);
    w.advance(5_000);
    // a and b finish; c starts its wait only now that a slot is free.
    expect(await run(journal, w.fx, m, ['a', 'b', 'c']).catch((x) => x)).to.be.instanceOf(Suspend);
    expect(w.calls).to.have.length(2);
    w.advance(5_000);
    expect(await run(journal, w.fx, m, ['a', 'b', 'c'])).to.deep.equal(['done', 'done', 'done']);
    expect(w.calls).to.have.length(3);
  });

  it('fails a Parallel when a branch fails, with that branch error', async () => {
    const w = world(() => 'ok');
    const m: Machine = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: task() } },
            { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Broken', Cause: 'branch 2' } } },
          ],
          End: true,
        },
      },
    };
    const e = await run(memoryJournal().journal, w.fx, m).catch((x) => x);
    expect(e).to.be.instanceOf(Failure);
    expect(e).to.include({ error: 'Broken', cause: 'branch 2' });
  });

  it('counts visits, so a loop through a Choice makes distinct steps and ends', async () => {
    const w = world(() => 'tick');
    const m: Machine = {
      StartAt: 'Count',
      States: {
        Count: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'Poll' },
        Poll: { Type: 'Task', Resource: 'op', ResultPath: null, Next: 'Enough' },
        Enough: {
          Type: 'Choice',
          Choices: [{ Variable: '$.n', NumericGreaterThanEquals: 3, Next: 'Done' }],
          Default: 'Count',
        },
        Done: { Type: 'Succeed' },
      },
    };
    expect(await run(memoryJournal().journal, w.fx, m, { n: 0 })).to.deep.equal({ n: 3 });
    expect(w.calls.map((c) => c.key)).to.deep.equal(['Poll.1/attempt.1', 'Poll.2/attempt.1', 'Poll.3/attempt.1']);
  });
});
