// Scheduled tasks: one API operation called as the task's owner on a schedule. The target is checked against the
// contract at create; a worker on the platform clock's ticks claims due tasks (FOR UPDATE SKIP LOCKED), records each
// due run once (unique task and due time), calls the operation through the pipeline (validation, IAM, audit) and
// moves next_run_at on. Schedules and their DST rules are in schedule.ts.
import { registry } from '../generated/registry.js';
import type { Deps } from '../platform/deps.js';
import type { OpContext, Result } from '../platform/operations/context.js';
import { checkParameters } from '../platform/operations/input-rules.js';
import { fieldErrors } from '../platform/operations/validation.js';
import type { Principal } from '../platform/operations/principals.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { Problem, problemType, problems, type FieldError } from '../platform/problems.js';
import { deleteHandler, getHandler, listHandler } from '../platform/resources/crud.js';
import { newId } from '../platform/resources/ids.js';
import { page } from '../platform/resources/pagination.js';
import { ResourceRepo, checkIfMatch, mergePatch, withDefaults, type Schemas } from '../platform/resources/repo.js';
import { inTransaction } from '../platform/resources/row-cache.js';
import { users } from '../security/users.js';
import { ScheduleError, dueBetween, nextAfter, parseSchedule, type Schedule, type Window } from './schedule.js';

export const tasks = new ResourceRepo<Schemas['ScheduledTask']>(registry.scheduled_task);
type TaskRow = Awaited<ReturnType<typeof tasks.get>>;
type Target = Schemas['ScheduledTaskTarget'];

const RUNS = 'scheduled_task_runs';
/** A run due less than this long ago is on time; older ones were missed (the platform was down) and catch_up decides. */
const GRACE_MS = 60_000;
/** Tasks claimed per tick and per claim transaction. */
const CLAIM_BATCH = 100;
/** A run still `running` this long after it started was abandoned by a process that died. */
const abandonedAfter = (task: { timeout_seconds: number }) => task.timeout_seconds * 1000 + GRACE_MS;

const ms = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).getTime());
const windowOf = (t: Pick<TaskRow, 'start_at' | 'end_at' | 'created_at'>): Window => ({
  anchor: ms(t.start_at) ?? ms(t.created_at)!,
  startAt: ms(t.start_at),
  endAt: ms(t.end_at),
});

function scheduleOf(expr: string, tz: string): Schedule {
  try {
    return parseSchedule(expr, tz);
  } catch (e) {
    if (e instanceof ScheduleError) throw problems.validation([e.error]);
    throw e;
  }
}

/** Path and query parameters as a URL carries them (the pipeline coerces them as it does a request's). */
const asStrings = (params: Record<string, unknown> | undefined) =>
  Object.fromEntries(Object.entries(params ?? {}).map(([k, v]) => [k, String(v)]));

/** 422 with a pointer unless the target is an operation whose parameters and body the contract accepts. */
function checkTarget(deps: Deps, target: Target): void {
  const op = deps.pipeline.byId.get(target.operation_id);
  const at = (pointer: string, detail: string, code: string): FieldError => ({
    pointer: `/target${pointer}`,
    detail,
    code,
  });
  if (!op || op.meta.anonymous)
    throw problems.validation([
      at('/operation_id', `${target.operation_id} is not an operation of this API`, 'UnknownOperation'),
    ]);
  if (op.raw)
    throw problems.validation([
      at('/operation_id', `${target.operation_id} streams its body and cannot be scheduled`, 'UnsupportedOperation'),
    ]);
  const params = asStrings(target.params);
  try {
    checkParameters(params, op.parameterNames);
  } catch (e) {
    if (e instanceof Problem && e.errors)
      throw problems.validation(e.errors.map((x) => at(`/params/${x.pointer}`, x.detail, x.code ?? 'InvalidValue')));
    throw e;
  }
  if (!op.v.params(params)) throw problems.validation(fieldErrors(op.v.params.errors, '/target/params'));
  if (!op.v.body) {
    if (target.body !== undefined)
      throw problems.validation([at('/body', `${target.operation_id} takes no body`, 'UnexpectedBody')]);
    return;
  }
  if (target.body === undefined) {
    if (op.v.bodyRequired)
      throw problems.validation([at('/body', `${target.operation_id} requires a body`, 'Required')]);
    return;
  }
  if (!op.v.body(structuredClone(target.body)))
    throw problems.validation(fieldErrors(op.v.body.errors, '/target/body'));
}

/** The problem a run records, as the API would have rendered it. */
function problemOf(e: unknown): Record<string, unknown> {
  if (e instanceof Problem)
    return {
      type: problemType(e.code),
      title: e.title,
      status: e.status,
      detail: e.detail,
      code: e.code,
      ...(e.errors ? { errors: e.errors } : {}),
    };
  return { type: problemType('InternalError'), title: 'Internal error', status: 500, detail: String(e) };
}

const presentRun = (r: Record<string, any>) => ({
  id: r.id,
  task_id: r.task_id,
  due_at: new Date(r.due_at).toISOString(),
  attempt: r.attempt,
  status: r.status,
  started_at: r.started_at ? new Date(r.started_at).toISOString() : null,
  ended_at: r.ended_at ? new Date(r.ended_at).toISOString() : null,
  response_status: r.response_status ?? null,
  ...(r.response_body !== null && r.response_body !== undefined ? { response_body: r.response_body } : {}),
  problem: r.problem ?? null,
});

function taskHandlers(deps: Deps): KindHandlers<'scheduled_task'> {
  const { clock } = deps;
  const next = (row: Pick<TaskRow, 'schedule' | 'timezone' | 'start_at' | 'end_at' | 'created_at'>, after: number) => {
    const at = nextAfter(scheduleOf(row.schedule, row.timezone), windowOf(row), after);
    return at === null ? null : new Date(at);
  };

  async function setState(ctx: OpContext, state: 'enabled' | 'paused') {
    const row = await tasks.get(ctx.db, ctx.principal, ctx.params.id, true);
    checkIfMatch(ctx.ifMatch, row);
    const changes =
      row.state === state ? {} : { state, next_run_at: state === 'paused' ? null : next(row, clock.now()) };
    const updated = await tasks.update(ctx.db, row, changes as Partial<TaskRow>);
    ctx.audit = {
      resource_type: 'scheduled_task',
      resource_id: row.id,
      details: { action: state === 'paused' ? 'pause' : 'resume' },
    };
    return { status: 200, body: tasks.present(updated), headers: { ETag: `"r${updated.rev}"` } };
  }

  return {
    listScheduledTasks: listHandler(tasks, ['name', 'state']),
    getScheduledTask: getHandler(tasks),
    deleteScheduledTask: deleteHandler(tasks),
    async createScheduledTask(ctx) {
      const values = withDefaults(tasks.meta, ctx.body) as Partial<TaskRow>;
      const target: Target = ctx.body.target;
      const s = scheduleOf(values.schedule!, values.timezone!);
      checkTarget(deps, target);
      const now = clock.now();
      if (values.start_at && values.end_at && ms(values.end_at)! < ms(values.start_at)!)
        throw problems.invalidField('end_at', 'must not be before start_at');
      if (s.kind === 'at' && (s.at === null || s.at <= now))
        throw problems.invalidField(
          'schedule',
          'is in the past; a one-time task must be due after now',
          'InvalidSchedule',
        );
      const created = new Date(now);
      const w = windowOf({ start_at: values.start_at ?? null, end_at: values.end_at ?? null, created_at: created });
      const first = nextAfter(s, w, now);
      const row = await tasks.insert(ctx.db, {
        ...values,
        target,
        state: 'enabled',
        next_run_at: first === null ? null : new Date(first),
        last_run_at: null,
        owner: ctx.principal.userId,
        created_at: created,
        updated_at: created,
      } as Partial<TaskRow>);
      ctx.audit = { resource_type: 'scheduled_task', resource_id: row.id };
      return {
        status: 201,
        body: tasks.present(row),
        headers: { Location: tasks.location(row.id), ETag: `"r${row.rev}"` },
      };
    },
    // A merge patch; a new schedule, zone or window moves next_run_at to its first due time after now.
    async updateScheduledTask(ctx) {
      const row = await tasks.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const changes = mergePatch(tasks.meta, ctx.body, tasks.present(row)) as Partial<TaskRow>;
      const merged = { ...row, ...changes };
      if (changes.schedule !== undefined || changes.timezone !== undefined)
        scheduleOf(merged.schedule, merged.timezone);
      if (changes.target !== undefined) {
        checkTarget(deps, changes.target);
      }
      if (['schedule', 'timezone', 'start_at', 'end_at'].some((k) => k in changes) && row.state === 'enabled')
        changes.next_run_at = next(merged, clock.now()) as never;
      const updated = await tasks.update(ctx.db, row, changes);
      ctx.audit = { resource_type: 'scheduled_task', resource_id: row.id, details: { changed: Object.keys(changes) } };
      return { status: 200, body: tasks.present(updated), headers: { ETag: `"r${updated.rev}"` } };
    },
    pauseScheduledTask: (ctx) => setState(ctx, 'paused'),
    resumeScheduledTask: (ctx) => setState(ctx, 'enabled'),
    async listScheduledTaskRuns(ctx) {
      const task = await tasks.get(ctx.db, ctx.principal, ctx.params.id);
      const q = ctx.db(RUNS).where({ task_id: task.id }).select('*');
      const { rows, next_cursor } = await page<any>(q, ctx.query.limit, ctx.query.cursor, 'seq');
      return { status: 200, body: { items: rows.map(presentRun), next_cursor } };
    },
  };
}

interface Claimed {
  run: Record<string, any>;
  task: TaskRow;
}

/** The runner: claims what is due at `now`, records the runs, calls their targets. */
export function scheduler(deps: Deps) {
  const { db, clock, log } = deps;

  async function ownerOf(userId: string): Promise<Principal> {
    const user = await db(users.table).where({ id: userId }).first('is_admin', 'name');
    return { userId, isAdmin: Boolean(user?.is_admin), tokenId: null, name: user?.name };
  }

  /** Due tasks, locked so another process skips them: their runs inserted (once each) and next_run_at moved on. */
  async function claimDue(now: number): Promise<Claimed[]> {
    return inTransaction(db, async (trx) => {
      const due: TaskRow[] = await trx(tasks.table)
        .where('state', 'enabled')
        .where('next_run_at', '<=', new Date(now))
        .orderBy('next_run_at')
        .limit(CLAIM_BATCH)
        .forUpdate()
        .skipLocked();
      const claimed: Claimed[] = [];
      for (const task of due) {
        const s = parseSchedule(task.schedule, task.timezone);
        const w = windowOf(task);
        const times = dueBetween(s, w, ms(task.next_run_at)!, now);
        const onTime = times.filter((t) => now - t < GRACE_MS);
        const missed = times.filter((t) => now - t >= GRACE_MS);
        const chosen =
          task.catch_up === 'all' ? times : task.catch_up === 'latest' ? [...missed.slice(-1), ...onTime] : onTime;
        const busy =
          task.overlap === 'skip' &&
          Boolean(
            await trx(RUNS)
              .where({ task_id: task.id })
              .whereIn('status', ['running', 'retrying'])
              .where((q) =>
                q.where('status', 'retrying').orWhere('started_at', '>', new Date(now - abandonedAfter(task))),
              )
              .first('id'),
          );
        for (const [i, t] of chosen.entries()) {
          const skip = busy && i === 0;
          const [run] = await trx(RUNS)
            .insert({
              id: newId('run'),
              task_id: task.id,
              due_at: new Date(t),
              status: skip ? 'skipped' : 'running',
              started_at: skip ? null : new Date(now),
              ended_at: skip ? new Date(now) : null,
              problem: skip
                ? JSON.stringify({ title: 'Skipped', detail: 'the previous run was still going (overlap: skip)' })
                : null,
            })
            .onConflict(['task_id', 'due_at'])
            .ignore()
            .returning('*');
          if (run && !skip) claimed.push({ run, task });
        }
        const after = nextAfter(s, w, Math.max(now, times[times.length - 1] ?? now));
        await tasks.update(trx, task, {
          next_run_at: after === null ? null : new Date(after),
          last_run_at: chosen.length ? new Date(chosen[chosen.length - 1]!) : task.last_run_at,
        } as Partial<TaskRow>);
      }
      return claimed;
    });
  }

  /** Failed runs whose retry is due, moved back to running under SKIP LOCKED so one process retries each. */
  async function claimRetries(now: number): Promise<Claimed[]> {
    const { rows } = await db.raw(
      `update ${RUNS} r set status = 'running', attempt = r.attempt + 1, started_at = ?, ended_at = null, retry_at = null
        where r.id in (select id from ${RUNS} where status = 'retrying' and retry_at <= ? order by retry_at
                       limit ${CLAIM_BATCH} for update skip locked)
        returning r.*`,
      [new Date(now), new Date(now)],
    );
    if (!rows.length) return [];
    const byId = new Map<string, TaskRow>(
      (await db(tasks.table).whereIn('id', [...new Set<string>(rows.map((r: any) => r.task_id))])).map((t: TaskRow) => [
        t.id,
        t,
      ]),
    );
    return rows.flatMap((run: any) => (byId.has(run.task_id) ? [{ run, task: byId.get(run.task_id)! }] : []));
  }

  /** One attempt: the call as the owner, bounded by timeout_seconds on the platform clock, and its outcome recorded. */
  async function attempt({ run, task }: Claimed): Promise<void> {
    const target = task.target as Target;
    const principal = await ownerOf(task.owner);
    const started = clock.now();
    let timer: { cancel(): void } | undefined;
    const timedOut = new Promise<'timeout'>((ok) => {
      timer = clock.at(started + task.timeout_seconds * 1000, () => ok('timeout'));
    });
    const call = deps.pipeline
      .invoke(target.operation_id, principal, {
        params: asStrings(target.params),
        body: target.body,
        hasBody: target.body !== undefined,
        requestId: `sched-${run.id}`,
        // One key per due run, the same for its every attempt: an attempt cut off after its call committed (a kill
        // -9) replays that answer when it is tried again, instead of acting twice; a failed call stored nothing.
        idempotencyKey: `sched-${task.id}-${new Date(run.due_at).getTime()}`,
      })
      .then(
        (r: Result) => ({ ok: true as const, r }),
        (e: unknown) => ({ ok: false as const, e }),
      );
    const outcome = await Promise.race([call, timedOut]);
    timer?.cancel();
    const ended = new Date(clock.now());
    let status: string;
    let record: Record<string, unknown>;
    let retryable: boolean;
    if (outcome === 'timeout') {
      status = 'timed_out';
      retryable = true;
      record = {
        response_status: null,
        problem: JSON.stringify({
          title: 'Timed out',
          detail: `the call did not answer within ${task.timeout_seconds} seconds`,
        }),
      };
    } else if (outcome.ok) {
      status = outcome.r.status < 400 ? 'succeeded' : 'failed';
      retryable = outcome.r.status >= 500;
      const body = outcome.r.stream ? null : (outcome.r.body ?? null);
      record = { response_status: outcome.r.status, response_body: body === null ? null : JSON.stringify(body) };
    } else {
      const p = problemOf(outcome.e);
      const code = p.status as number;
      status = 'failed';
      retryable = code >= 500 || code === 409 || code === 429;
      record = { response_status: code, problem: JSON.stringify(p) };
    }
    const retry = status !== 'succeeded' && retryable && run.attempt <= task.retries;
    // A run given up as abandoned meanwhile (a clock moved far past it) keeps that outcome.
    await db(RUNS)
      .where({ id: run.id, status: 'running', attempt: run.attempt })
      .update({
        ...record,
        status: retry ? 'retrying' : status,
        ended_at: ended,
        retry_at: retry ? new Date(ended.getTime() + task.retry_backoff_seconds * 1000 * 2 ** (run.attempt - 1)) : null,
      });
    if (status !== 'succeeded')
      log.info({ task: task.id, run: run.id, status, retry }, 'scheduled task run did not succeed');
  }

  /**
   * Runs left `running` by a process that died (kill -9) past their timeout and a grace minute: retried while
   * `retries` allow, timed out otherwise, so they neither block the task (overlap: skip) nor vanish.
   */
  async function recoverAbandoned(now: number): Promise<void> {
    await db.raw(
      `update ${RUNS} r
          set status = case when r.attempt <= t.retries then 'retrying' else 'timed_out' end,
              retry_at = case when r.attempt <= t.retries then ?::timestamptz else null end,
              ended_at = ?, problem = ?::jsonb
         from scheduled_tasks t
        where r.task_id = t.id and r.status = 'running'
          and r.started_at < ?::timestamptz - make_interval(secs => t.timeout_seconds + ${GRACE_MS / 1000})`,
      [
        new Date(now),
        new Date(now),
        JSON.stringify({ title: 'Abandoned', detail: 'the process running it stopped before it ended' }),
        new Date(now),
      ],
    );
  }

  /** Everything due at `now`: a task's runs one after another (oldest first), tasks side by side. */
  return async function sweep(now: number): Promise<void> {
    await recoverAbandoned(now);
    const claimed = [...(await claimDue(now)), ...(await claimRetries(now))];
    const byTask = new Map<string, Claimed[]>();
    for (const c of claimed) byTask.set(c.task.id, [...(byTask.get(c.task.id) ?? []), c]);
    await Promise.all(
      [...byTask.values()].map(async (list) => {
        for (const c of list)
          await attempt(c).catch((e) => log.error({ err: e, run: c.run.id }, 'scheduled run failed'));
      }),
    );
  };
}

export const scheduledTaskKind = defineKind('scheduled_task', {
  handlers: taskHandlers,
  // Runs come due with platform time: swept on every tick (on an interval where workers run, at once when a manual
  // clock moves).
  workers(deps) {
    const sweep = scheduler(deps);
    deps.clock.onTick(sweep);
    return {};
  },
});
