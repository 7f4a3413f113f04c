// The runner of scheduled tasks, on the platform clock's ticks: claims due tasks (FOR UPDATE SKIP LOCKED, a batch
// per transaction and a few statements per batch), records each due run once (unique task and due time), calls the
// target through the pipeline as the owner (a bounded number at a time), and retries, times out or recovers runs.
// The handlers are in scheduled-tasks.ts; schedules and their DST rules in schedule.ts.
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import type { Deps } from '../platform/deps.js';
import type { Result } from '../platform/operations/context.js';
import type { Principal } from '../platform/operations/principals.js';
import { newId } from '../platform/resources/ids.js';
import { ResourceRepo, type Schemas } from '../platform/resources/repo.js';
import { inTransaction, touch } from '../platform/resources/row-cache.js';
import { ownerPrincipal, problemOf } from './acting-as.js';
import { asStrings } from './operation-call.js';
import { outcomeOf, outcomeWriter, type CallOutcome } from './run-outcomes.js';
import { dueBetween, nextAfter, parseSchedule, type Window } from './schedule.js';

export const tasks = new ResourceRepo<Schemas['ScheduledTask']>(registry.scheduled_task);
export type TaskRow = Awaited<ReturnType<typeof tasks.get>>;
export type Target = Schemas['ScheduledTaskTarget'];
type CatchUp = TaskRow['catch_up'];

export const RUNS = 'scheduled_task_runs';
/** The least grace: a run due less than this long ago is on time, older ones were missed (the platform was down). */
export const MIN_GRACE_MS = 60_000;
/** Tasks (or retries) claimed per claim transaction; the next batch is claimed while this one's calls run. */
const CLAIM_BATCH = 100;
/** Calls in flight per sweep: enough to keep the database busy, few enough to leave the pool to the API. */
export const SWEEP_CONCURRENCY = 8;

/**
 * The grace of a process ticking every `tickSeconds`: a run is seen up to a tick after it fell due (and a sweep may
 * take a while), so a grace shorter than two ticks would call on-time runs missed and abandon live ones.
 */
export const graceMs = (tickSeconds: number) => Math.max(MIN_GRACE_MS, 2 * tickSeconds * 1000);

export const ms = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).getTime());
export const windowOf = (t: Pick<TaskRow, 'start_at' | 'end_at' | 'created_at'>): Window => ({
  anchor: ms(t.start_at) ?? ms(t.created_at)!,
  startAt: ms(t.start_at),
  endAt: ms(t.end_at),
});

/**
 * How long a run's idempotency key must replay: until its last attempt can have been made (each attempt up to its
 * timeout and, if its process died, the grace before another takes it over; the backoffs between them), and an hour
 * more; never less than the configured TTL. A retry after the key expired would act again.
 */
export function keyTtlSeconds(
  task: { retries: number; retry_backoff_seconds: number; timeout_seconds: number },
  graceSeconds: number,
  configured: number,
): number {
  const attempts = task.retries + 1;
  const horizon =
    attempts * (task.timeout_seconds + graceSeconds) + task.retry_backoff_seconds * (2 ** task.retries - 1);
  return Math.max(configured, horizon + 3600);
}

/** Which of the due instants `times` run at `now`: the on-time ones, and the missed ones as catch_up says. */
export function chooseRuns(times: number[], now: number, catchUp: CatchUp, grace: number): number[] {
  if (catchUp === 'all') return times;
  const onTime = times.filter((t) => now - t < grace);
  const missed = times.filter((t) => now - t >= grace);
  return catchUp === 'latest' ? [...missed.slice(-1), ...onTime] : onTime;
}

interface Claimed {
  run: Record<string, any>;
  task: TaskRow;
}

/** The runner: claims what is due at `now`, records the runs, calls their targets. */
export function scheduler(deps: Deps) {
  const { db, clock, log } = deps;
  const grace = graceMs(deps.config.clockTickSeconds);
  const graceSeconds = grace / 1000;
  const record = outcomeWriter(db);

  /** Due tasks, locked so another process skips them: their runs inserted (once each) and next_run_at moved on. */
  async function claimDue(now: number): Promise<{ tasks: number; claimed: Claimed[] }> {
    return inTransaction(db, async (trx) => {
      const due: TaskRow[] = await trx(tasks.table)
        .where('state', 'enabled')
        .where('next_run_at', '<=', new Date(now))
        .orderBy('next_run_at')
        .limit(CLAIM_BATCH)
        .forUpdate()
        .skipLocked();
      if (!due.length) return { tasks: 0, claimed: [] };
      const busy = await stillGoing(
        trx,
        due.filter((t) => t.overlap === 'skip').map((t) => t.id),
        now,
      );
      const inserts: Record<string, unknown>[] = [];
      const moves: { id: string; next_run_at: string | null; last_run_at: string | null }[] = [];
      for (const task of due) {
        const s = parseSchedule(task.schedule, task.timezone);
        const w = windowOf(task);
        const times = dueBetween(s, w, ms(task.next_run_at)!, now);
        const chosen = chooseRuns(times, now, task.catch_up, grace);
        // overlap: skip — every run due while the previous one is still going is recorded as skipped, not started.
        const skip = busy.has(task.id);
        for (const t of chosen)
          inserts.push({
            id: newId('run'),
            task_id: task.id,
            due_at: new Date(t),
            status: skip ? 'skipped' : 'running',
            started_at: skip ? null : new Date(now),
            ended_at: skip ? new Date(now) : null,
            problem: skip
              ? JSON.stringify({ title: 'Skipped', detail: 'the previous run was still going (overlap: skip)' })
              : null,
          });
        const after = nextAfter(s, w, Math.max(now, times[times.length - 1] ?? now));
        moves.push({
          id: task.id,
          next_run_at: after === null ? null : new Date(after).toISOString(),
          last_run_at: chosen.length
            ? new Date(chosen[chosen.length - 1]!).toISOString()
            : task.last_run_at && new Date(task.last_run_at).toISOString(),
        });
      }
      const runs: Record<string, any>[] = inserts.length
        ? await trx(RUNS)
            .insert(inserts)
            .onConflict(['task_id', 'due_at'])
            .ignore()
            .returning(['id', 'task_id', 'due_at', 'attempt', 'status', 'started_at'])
        : [];
      await trx.raw(tasks.updateManyStatement(moves, { next_run_at: 'timestamptz', last_run_at: 'timestamptz' }));
      for (const m of moves) touch(trx, m.id);
      const byId = new Map(due.map((t) => [t.id, t]));
      return {
        tasks: due.length,
        claimed: runs.filter((r) => r.status === 'running').map((run) => ({ run, task: byId.get(run.task_id)! })),
      };
    });
  }

  /** Which of `ids` have a run still going (retrying, or running and not yet abandoned). */
  async function stillGoing(trx: Knex.Transaction, ids: string[], now: number): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const { rows } = await trx.raw(
      `select distinct r.task_id from ${RUNS} r join scheduled_tasks t on t.id = r.task_id
        where r.task_id = any(?) and (r.status = 'retrying' or (r.status = 'running'
          and r.started_at > ?::timestamptz - make_interval(secs => t.timeout_seconds + ${graceSeconds})))`,
      [ids, new Date(now)],
    );
    return new Set(rows.map((r: { task_id: string }) => r.task_id));
  }

  /** Failed runs whose retry is due, moved back to running under SKIP LOCKED so one process retries each. */
  async function claimRetries(now: number): Promise<{ tasks: number; claimed: Claimed[] }> {
    const { rows } = await db.raw(
      `update ${RUNS} r set status = 'running', attempt = r.attempt + 1, started_at = ?, ended_at = null, retry_at = null
        where r.id in (select id from ${RUNS} where status = 'retrying' and retry_at <= ? order by retry_at
                       limit ${CLAIM_BATCH} for update skip locked)
        returning r.*`,
      [new Date(now), new Date(now)],
    );
    if (!rows.length) return { tasks: 0, claimed: [] };
    const byId = new Map<string, TaskRow>(
      (await db(tasks.table).whereIn('id', [...new Set<string>(rows.map((r: any) => r.task_id))])).map((t: TaskRow) => [
        t.id,
        t,
      ]),
    );
    return {
      tasks: rows.length,
      claimed: rows.flatMap((run: any) => (byId.has(run.task_id) ? [{ run, task: byId.get(run.task_id)! }] : [])),
    };
  }

  /** One attempt: the call as the owner, bounded by timeout_seconds on the platform clock, and its outcome recorded. */
  async function attempt({ run, task }: Claimed, ownerOf: (id: string) => Promise<Principal>): Promise<void> {
    // A run that waited for a lane past its timeout and the grace may have been taken over as abandoned by another
    // process: it is left to that recovery rather than called twice.
    if (clock.now() > ms(run.started_at)! + task.timeout_seconds * 1000 + grace) return;
    const target = task.target as Target;
    const principal = await ownerOf(task.owner);
    const started = clock.now();
    let timer: { cancel(): void } | undefined;
    const timedOut = new Promise<'timeout'>((ok) => {
      timer = clock.at(started + task.timeout_seconds * 1000, () => ok('timeout'));
    });
    const call: Promise<Exclude<CallOutcome, 'timeout'>> = deps.pipeline
      .invoke(target.operation_id, principal, {
        params: asStrings(target.params),
        body: target.body,
        hasBody: target.body !== undefined,
        requestId: `sched-${run.id}`,
        // One key per due run, the same for its every attempt: an attempt cut off after its call committed (a kill
        // -9, a timeout) replays that answer when it is tried again, instead of acting twice; a failed call stored
        // nothing; a retry while the first call still runs waits for it or is told 409 (and retried in turn).
        idempotencyKey: `sched-${task.id}-${new Date(run.due_at).getTime()}`,
        idempotencyTtlSeconds: keyTtlSeconds(task, graceSeconds, deps.config.idempotencyTtlSeconds),
      })
      .then(
        (r: Result) => ({ ok: true as const, r }),
        (e: unknown) => ({ ok: false as const, e }),
      );
    const outcome = await Promise.race([call, timedOut]);
    timer?.cancel();
    if (outcome === 'timeout')
      // The pipeline cannot cancel a call midway; it is abandoned: its answer, when it comes, is only logged.
      void call.then((late) =>
        log.warn(
          { task: task.id, run: run.id, status: late.ok ? late.r.status : problemOf(late.e).status },
          'a scheduled call answered after its run had timed out',
        ),
      );
    const o = outcomeOf(run as { id: string; attempt: number }, task, outcome, clock.now());
    await record(o);
    if (o.status !== 'succeeded')
      log.info(
        { task: task.id, run: run.id, status: o.status, retry_at: o.retry_at },
        'scheduled task run did not succeed',
      );
  }

  /**
   * Runs left `running` by a process that died (kill -9) past their timeout and the grace: retried while `retries`
   * allow, timed out otherwise, so they neither block the task (overlap: skip) nor vanish.
   */
  async function recoverAbandoned(now: number): Promise<void> {
    await db.raw(
      `update ${RUNS} r
          set status = case when r.attempt <= t.retries then 'retrying' else 'timed_out' end,
              retry_at = case when r.attempt <= t.retries then ?::timestamptz else null end,
              ended_at = ?, problem = ?::jsonb
         from scheduled_tasks t
        where r.task_id = t.id and r.status = 'running'
          and r.started_at < ?::timestamptz - make_interval(secs => t.timeout_seconds + ${graceSeconds})`,
      [
        new Date(now),
        new Date(now),
        JSON.stringify({ title: 'Abandoned', detail: 'the process running it stopped before it ended' }),
        new Date(now),
      ],
    );
  }

  /**
   * Claims batch after batch until nothing is left, a task's runs one after another (oldest first), tasks side by
   * side in SWEEP_CONCURRENCY lanes. The next batch is claimed once half of this one has started, so a slow call
   * holds its own lane only, never the runs behind it (and claimed runs never wait long for a lane).
   */
  async function drain(
    claim: () => Promise<{ tasks: number; claimed: Claimed[] }>,
    ownerOf: (id: string) => Promise<Principal>,
  ) {
    const queue: Claimed[][] = [];
    let more = true;
    let claiming: Promise<void> | undefined;
    const refill = () =>
      (claiming ??= claim()
        .then((batch) => {
          more = batch.tasks === CLAIM_BATCH;
          const byTask = new Map<string, Claimed[]>();
          for (const c of batch.claimed) byTask.set(c.task.id, [...(byTask.get(c.task.id) ?? []), c]);
          for (const list of byTask.values()) queue.push(list.sort((x, y) => ms(x.run.due_at)! - ms(y.run.due_at)!));
        })
        .finally(() => (claiming = undefined)));
    await refill();
    const lane = async () => {
      for (;;) {
        if (more && queue.length < CLAIM_BATCH / 2) void refill().catch(() => {}); // its failure is the awaiter's
        const list = queue.shift();
        if (list) {
          for (const c of list)
            await attempt(c, ownerOf).catch((e) => log.error({ err: e, run: c.run.id }, 'scheduled run failed'));
        } else if (claiming) await claiming;
        else if (!more) return;
      }
    };
    await Promise.all(Array.from({ length: SWEEP_CONCURRENCY }, lane));
  }

  /** Everything due at `now`. */
  return async function sweep(now: number): Promise<void> {
    // The owners, looked up once per sweep (a sweep of many runs of few owners would otherwise ask for each).
    const owners = new Map<string, Promise<Principal>>();
    const ownerOf = (userId: string) => {
      let p = owners.get(userId);
      if (!p) {
        p = ownerPrincipal(db, userId);
        p.catch(() => owners.delete(userId));
        owners.set(userId, p);
      }
      return p;
    };
    await recoverAbandoned(now);
    await drain(() => claimDue(now), ownerOf);
    await drain(() => claimRetries(now), ownerOf);
  };
}
