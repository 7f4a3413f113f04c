// The runner: advances running executions one pass at a time. A pass holds the execution's session lock (so one
// process advances it; a process that dies frees it at once), replays the journal, does what is new, and then ends
// the execution or records when it is due again. Due executions are found on every clock tick, so after a kill -9
// any process resumes them from their last completed step.
import { createHash } from 'node:crypto';
import type { Deps } from '../../platform/deps.js';
import { SessionLocks } from '../../platform/db/session-locks.js';
import type { Principal } from '../../platform/operations/principals.js';
import { Problem } from '../../platform/problems.js';
import { registry } from '../../generated/registry.js';
import { ResourceCalls, StepError } from '../stacks/api-calls.js';
import { ownerPrincipal, problemOf } from '../acting-as.js';
import { Interpreter } from './interpreter.js';
import type { Effects, HistoryEvent } from './journal.js';
import { Aborted, Failure, Suspend, type Machine } from './model.js';
import type { Json } from './paths.js';
import { EXECUTIONS, appendEvent, loadJournal, versions, type ExecutionRow } from './store.js';

const LOCK_CLASS = 7320;
/** Executions advanced per sweep, and at once. */
const SWEEP_BATCH = 200;
const SWEEP_CONCURRENCY = 16;

const kindByPrefix = new Map(Object.values(registry).map((m) => [m.idPrefix, m.kind]));

/** The kind of a resource an answer describes (by its id's prefix), for waiting until it is ready. */
function kindOf(body: Json): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof body.id !== 'string') return undefined;
  return kindByPrefix.get(body.id.split('-')[0]!);
}

/** A failed call as the ASL error a Retry or Catch matches: the problem's code (States.Permissions for a denial). */
function failureOf(e: unknown): Failure {
  if (e instanceof Failure) return e;
  if (e instanceof StepError) return new Failure('States.TaskFailed', e.message);
  if (e instanceof Problem)
    return new Failure(e.status === 403 ? 'States.Permissions' : e.code, JSON.stringify(problemOf(e)));
  return new Failure('States.TaskFailed', e instanceof Error ? e.message : String(e));
}

export class WorkflowRunner {
  private locks: SessionLocks;
  private inFlight = new Map<string, Promise<void>>();
  private again = new Set<string>();
  private timers = new Map<string, { cancel(): void }>();
  private undo: (() => void)[] = [];
  private stopped = false;

  constructor(private deps: Deps) {
    this.locks = new SessionLocks(deps.db, LOCK_CLASS, () =>
      deps.log.warn('workflow runner: its lock connection was lost; executions resume on the next tick'),
    );
  }

  start(): void {
    this.undo.push(this.deps.clock.onTick((now) => this.sweep(now)));
    // An execution started or redriven by any process (an API-only one too) is heard here by its change event.
    this.undo.push(
      this.deps.events.subscribe((ev) => {
        if (ev.kind === 'workflow_execution' && ev.status === 'running' && ev.type !== 'updated') void this.kick(ev.id);
      }),
    );
    void this.sweep(this.deps.clock.now()).catch((err) => this.deps.log.error({ err }, 'workflow sweep failed'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const u of this.undo) u();
    for (const t of this.timers.values()) t.cancel();
    await Promise.allSettled([...this.inFlight.values()]);
    await this.locks.close();
  }

  /** Advances `id` now (again after the current pass, if one is going). */
  kick(id: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const going = this.inFlight.get(id);
    if (going) {
      this.again.add(id);
      return going;
    }
    const run = (async () => {
      do {
        this.again.delete(id);
        try {
          await this.pass(id);
        } catch (err) {
          this.deps.log.error({ err, execution: id }, 'workflow pass failed; it is tried again on the next tick');
        }
      } while (this.again.has(id) && !this.stopped);
      this.inFlight.delete(id);
    })();
    this.inFlight.set(id, run);
    return run;
  }

  /** Every execution due at `now`, a bounded number at once. */
  async sweep(now: number): Promise<void> {
    if (this.stopped) return;
    const ids: string[] = await this.deps
      .db(EXECUTIONS)
      .where('status', 'running')
      .where('wake_at', '<=', new Date(now))
      .orderBy('wake_at')
      .limit(SWEEP_BATCH)
      .pluck('id');
    // A pass already going (a slow task) is asked to go again, not waited for: a tick never waits on a call.
    const fresh = ids.filter((id) => {
      if (!this.inFlight.has(id)) return true;
      this.again.add(id);
      return false;
    });
    let next = 0;
    const worker = async () => {
      while (next < fresh.length) await this.kick(fresh[next++]!);
    };
    const all = Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, fresh.length) }, worker));
    // A manual clock's move answers once the passes it made due have run (tests and demos see their effect at once).
    if (this.deps.clock.manual) await all;
  }

  /** In real time an execution wakes by its own timer; a manual clock wakes it on the tick that passes its time. */
  private arm(id: string, at: number) {
    if (this.deps.clock.manual) return;
    this.timers.get(id)?.cancel();
    this.timers.set(
      id,
      this.deps.clock.at(at, () => {
        this.timers.delete(id);
        void this.kick(id);
      }),
    );
  }

  private async pass(id: string): Promise<void> {
    if (!(await this.locks.tryLock(id))) return; // another process is advancing it
    try {
      const { db, clock } = this.deps;
      const row: ExecutionRow | undefined = await db(EXECUTIONS).where({ id }).first();
      if (!row || row.status !== 'running') return;
      const now = clock.now();
      if (row.wake_at && new Date(row.wake_at).getTime() > now) return this.arm(id, new Date(row.wake_at).getTime());
      const version = await versions.get(db, row.workflow_id, row.version);
      if (!version) return;
      const machine = version.definition as unknown as Machine;
      const since = new Date(row.redriven_at ?? row.started_at).getTime();
      const deadline = machine.TimeoutSeconds ? since + machine.TimeoutSeconds * 1000 : Infinity;
      if (now >= deadline)
        return await this.end(row, 'timed_out', {
          error: 'States.Timeout',
          cause: `the execution ran longer than ${machine.TimeoutSeconds} seconds`,
        });
      const journal = await loadJournal(db, id, () => clock.now());
      const interpreter = new Interpreter(journal, this.effects(row), {
        executionId: row.id,
        input: row.input,
        startTime: new Date(row.started_at).toISOString(),
        redriveCount: row.redrive_count,
      });
      try {
        const output = await interpreter.run(machine, row.input);
        await this.end(row, 'succeeded', { output: JSON.stringify(output) }, { output });
      } catch (e) {
        if (e instanceof Suspend) {
          const wake = Math.min(e.wakeAt, deadline);
          await db(EXECUTIONS)
            .where({ id, status: 'running' })
            .update({ wake_at: new Date(wake) });
          this.arm(id, wake);
        } else if (e instanceof Failure) await this.end(row, 'failed', { error: e.error, cause: e.cause });
        else if (!(e instanceof Aborted)) throw e;
      }
    } finally {
      await this.locks.unlock(id);
    }
  }

  private async end(
    row: ExecutionRow,
    status: ExecutionRow['status'],
    fields: Record<string, unknown>,
    details?: Record<string, Json>,
  ) {
    const { db, clock } = this.deps;
    const type = { succeeded: 'ExecutionSucceeded', failed: 'ExecutionFailed', timed_out: 'ExecutionTimedOut' }[
      status as 'failed'
    ];
    await db.transaction(async (trx) => {
      const n = await trx(EXECUTIONS)
        .where({ id: row.id, status: 'running' })
        .update({ status, ...fields, ended_at: new Date(clock.now()), wake_at: null });
      const ev: HistoryEvent = {
        type,
        details: details ?? { error: fields.error as string, cause: fields.cause as string },
      };
      if (n) await appendEvent(trx, row.id, ev, clock.now());
    });
  }

  private effects(row: ExecutionRow): Effects {
    const { db, clock, pipeline, events } = this.deps;
    let principal: Promise<Principal> | undefined;
    return {
      now: () => clock.now(),
      aborted: async () => (await db(EXECUTIONS).where({ id: row.id }).first('status'))?.status !== 'running',
      call: async (c) => {
        if (!pipeline.byId.has(c.operationId))
          throw new Failure('States.Runtime', `${c.operationId} is no longer an operation of this API`);
        const as = await (principal ??= ownerPrincipal(db, row.owner));
        // One key per attempt (and redrive): an attempt cut off after its call committed replays that answer when
        // the execution resumes, instead of acting twice.
        const key = createHash('sha256').update(`${row.id}\n${row.redrive_count}\n${c.key}`).digest('hex');
        let timer: { cancel(): void } | undefined;
        const timedOut = new Promise<never>((_, fail) => {
          timer = clock.at(clock.now() + c.timeoutSeconds * 1000, () =>
            fail(new Failure('States.Timeout', `the task did not end within ${c.timeoutSeconds} seconds`)),
          );
        });
        const work = (async () => {
          const r = await pipeline.invoke(c.operationId, as, {
            params: c.params,
            body: c.body,
            hasBody: c.body !== undefined,
            requestId: `wf-${row.id}`,
            idempotencyKey: `wf-${key}`,
            idempotencyTtlSeconds: null,
          });
          const body = (r.stream ? null : (r.body ?? null)) as Json;
          const kind = c.waitForReady ? kindOf(body) : undefined;
          if (!kind) return body;
          return (await new ResourceCalls(pipeline, as, events).waitReady(
            kind,
            body as Record<string, Json>,
            c.timeoutSeconds * 1000,
          )) as Json;
        })();
        try {
          return await Promise.race([work, timedOut]);
        } catch (e) {
          throw failureOf(e);
        } finally {
          timer?.cancel();
          work.catch(() => {});
        }
      },
    };
  }
}

const runners = new WeakMap<Deps, WorkflowRunner>();

/** The runner of this process, if it runs workers (an API-only process leaves executions to the workers' sweeps). */
export const runnerOf = (deps: Deps) => runners.get(deps);

export async function startRunner(deps: Deps): Promise<{ stop(): Promise<void> }> {
  const r = new WorkflowRunner(deps);
  runners.set(deps, r);
  r.start();
  return {
    stop: async () => {
      runners.delete(deps);
      await r.stop();
    },
  };
}
