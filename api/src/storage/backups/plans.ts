// Backup plans: rules that back up the plan's selections on a schedule (the scheduled tasks' parser: cron or rate in
// an IANA zone) into a vault, with retention by days and/or count. Each rule's next due time is kept per rule; the
// runner (plan-runner.ts) claims what is due. Rules are replaced whole by a patch, and their next times recomputed.
import type { Clock } from '../../platform/clock.js';
import type { Deps } from '../../platform/deps.js';
import { defineKind, type KindHandlers } from '../../platform/manifest.js';
import type { OpContext } from '../../platform/operations/context.js';
import { problems, type FieldError } from '../../platform/problems.js';
import { deleteHandler, getHandler, listHandler } from '../../platform/resources/crud.js';
import { page } from '../../platform/resources/pagination.js';
import { checkIfMatch, mergePatch } from '../../platform/resources/repo.js';
import { ScheduleError, nextAfter, parseSchedule, type Schedule } from '../../automation/schedule.js';
import { plans, presentRun, RUNS, vaults, type PlanRow, type Rule } from './repos.js';
import { backupScheduler } from './plan-runner.js';

/** A rule's schedule; a one-time at() is refused (a backup rule repeats). */
export function ruleSchedule(rule: Rule): Schedule {
  const s = parseSchedule(rule.schedule, rule.timezone ?? 'UTC');
  if (s.kind === 'at')
    throw new ScheduleError({
      pointer: '/schedule',
      detail: 'must repeat: a cron expression or rate(N unit)',
      code: 'InvalidSchedule',
    });
  return s;
}

/** 422 naming every rule field that is wrong: schedule, zone, a repeated name, a vault that is not the caller's. */
async function checkRules(ctx: OpContext, rules: Rule[]) {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const [i, rule] of rules.entries()) {
    try {
      ruleSchedule(rule);
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
      errors.push({ ...e.error, pointer: `/rules/${i}${e.error.pointer}` });
    }
    if (seen.has(rule.name))
      errors.push({ pointer: `/rules/${i}/name`, detail: `${rule.name} names two rules`, code: 'Duplicate' });
    seen.add(rule.name);
    const vault = await vaults.get(ctx.db, ctx.principal, rule.target_vault_id).catch(() => null);
    if (!vault)
      errors.push({
        pointer: `/rules/${i}/target_vault_id`,
        detail: `${rule.target_vault_id} is not a backup vault of yours`,
        code: 'ReferenceNotFound',
      });
  }
  if (errors.length) throw problems.validation(errors);
}

/** Each rule's first due time after `after` (rates count from the plan's creation), and the earliest of them. */
export function nextRuns(rules: Rule[], createdAt: number, after: number) {
  const next: Record<string, number | null> = {};
  for (const r of rules) next[r.name] = nextAfter(ruleSchedule(r), { anchor: createdAt }, after);
  const times = Object.values(next).filter((t): t is number => t !== null);
  return { next_runs: next, next_run_at: times.length ? new Date(Math.min(...times)) : null };
}

function planHandlers({ clock }: { clock: Clock }): KindHandlers<'backup_plan'> {
  return {
    listBackupPlans: listHandler(plans, ['name']),
    getBackupPlan: getHandler(plans),
    deleteBackupPlan: deleteHandler(plans),
    async createBackupPlan(ctx) {
      await checkRules(ctx, ctx.body.rules);
      const now = clock.now();
      const row = await plans.insert(ctx.db, {
        name: ctx.body.name,
        rules: ctx.body.rules,
        ...nextRuns(ctx.body.rules, now, now),
        owner: ctx.principal.userId,
        created_at: new Date(now),
        updated_at: new Date(now),
      } as Partial<PlanRow>);
      ctx.audit = { resource_type: 'backup_plan', resource_id: row.id };
      return {
        status: 201,
        body: plans.present(row),
        headers: { Location: plans.location(row.id), ETag: `"r${row.rev}"` },
      };
    },
    async updateBackupPlan(ctx) {
      const row = await plans.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const changes = mergePatch(plans.meta, ctx.body, plans.present(row)) as Partial<PlanRow>;
      if (changes.rules) {
        await checkRules(ctx, changes.rules);
        Object.assign(changes, nextRuns(changes.rules, new Date(row.created_at).getTime(), clock.now()));
      }
      const updated = await plans.update(ctx.db, row, changes);
      ctx.audit = { resource_type: 'backup_plan', resource_id: row.id, details: { changed: Object.keys(changes) } };
      return { status: 200, body: plans.present(updated), headers: { ETag: `"r${updated.rev}"` } };
    },
    async listBackupPlanRuns(ctx) {
      const plan = await plans.get(ctx.db, ctx.principal, ctx.params.id);
      const q = ctx.db(RUNS).where({ plan_id: plan.id }).select('*');
      const { rows, next_cursor } = await page<any>(q, ctx.query.limit, ctx.query.cursor, 'seq');
      return { status: 200, body: { items: rows.map(presentRun), next_cursor } };
    },
  };
}

export const backupPlanKind = defineKind('backup_plan', {
  handlers: planHandlers,
  // Runs come due with platform time: swept on every tick, as scheduled tasks are.
  workers(deps: Deps) {
    deps.clock.onTick(backupScheduler(deps));
    return {};
  },
});
