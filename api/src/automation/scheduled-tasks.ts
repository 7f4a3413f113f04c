// Scheduled tasks: one API operation called as the task's owner on a schedule. The target is checked against the
// contract at create; the runner (scheduler.ts) claims due tasks on the platform clock's ticks, records each due run
// once, calls the operation through the pipeline (validation, IAM, audit) and moves next_run_at on. Schedules and
// their DST rules are in schedule.ts.
import type { Deps } from '../platform/deps.js';
import type { OpContext } from '../platform/operations/context.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { deleteHandler, getHandler, listHandler } from '../platform/resources/crud.js';
import { page } from '../platform/resources/pagination.js';
import { checkIfMatch, mergePatch, withDefaults } from '../platform/resources/repo.js';
import { ScheduleError, nextAfter, parseSchedule, type Schedule } from './schedule.js';
import { callProblems } from './operation-call.js';
import { RUNS, ms, scheduler, tasks, windowOf, type Target, type TaskRow } from './scheduler.js';

function scheduleOf(expr: string, tz: string): Schedule {
  try {
    return parseSchedule(expr, tz);
  } catch (e) {
    if (e instanceof ScheduleError) throw problems.validation([e.error]);
    throw e;
  }
}

/** 422 with a pointer unless the target is an operation whose parameters and body the contract accepts. */
function checkTarget(deps: Deps, target: Target): void {
  const errors = callProblems(deps.pipeline, target, {
    operation: '/target/operation_id',
    params: '/target/params',
    body: '/target/body',
  });
  if (errors.length) throw problems.validation(errors);
}

const presentRun = (r: Record<string, any>) => ({
  id: r.id,
  task_id: r.task_id,
  due_at: new Date(r.due_at).toISOString(),
  attempt: r.attempt,
  status: r.status,
  started_at: r.started_at ? new Date(r.started_at).toISOString() : null,
  ended_at: r.ended_at ? new Date(r.ended_at).toISOString() : null,
  retry_at: r.retry_at ? new Date(r.retry_at).toISOString() : null,
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

export const scheduledTaskKind = defineKind('scheduled_task', {
  handlers: taskHandlers,
  // Runs come due with platform time: swept on every tick (on an interval where workers run, at once when a manual
  // clock moves). A manual clock's move answers once the runs it made due have ended (tests and demos see them at
  // once); a real tick never waits on a call, so a slow target holds up neither the next tick nor the other sweepers.
  workers(deps) {
    const sweep = scheduler(deps);
    deps.clock.onTick((now) => {
      const done = sweep(now);
      if (deps.clock.manual) return done;
      done.catch((err) => deps.log.error({ err }, 'scheduled tasks sweep failed'));
    });
    return {};
  },
});
