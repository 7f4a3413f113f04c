// The runner of backup plans, modelled on the scheduled tasks' (automation/scheduled-tasks.ts): on each tick of the
// platform clock it claims plans with a rule due (FOR UPDATE SKIP LOCKED, so concurrent sweeps in other processes
// take other plans), records each due run once (unique plan, rule and due time: a second sweep's insert is ignored),
// moves the rules' next times on, and after the claim commits starts one backup job per selected resource through the
// createBackupJob operation as the plan's owner (IAM, validation and audit apply). A run whose process died before it
// started all its jobs is taken again by a later sweep, and its jobs' keys make the restart replay what was made.
import { dueBetween, nextAfter } from '../../automation/schedule.js';
import { graceMs } from '../../automation/scheduler.js';
import type { Deps } from '../../platform/deps.js';
import { newId } from '../../platform/resources/ids.js';
import { inTransaction, rowCache } from '../../platform/resources/row-cache.js';
import { actingAs, reasonOf } from './acting.js';
import { ruleSchedule } from './plans.js';
import { backupJobs, plans, points, recordOnRun, RUNS, type PlanRow, type Rule } from './repos.js';
import { selectedResources } from './selections.js';

/** Plans claimed per tick and per claim transaction. */
const CLAIM_BATCH = 100;

interface Started {
  run: { id: string; due_at: Date };
  plan: PlanRow;
  rule: Rule;
}

export function backupScheduler(deps: Deps) {
  const { db, log } = deps;
  // Without a start window a run is on time for the scheduled tasks' grace: a run is seen up to a tick after it
  // fell due, so less would call on-time runs missed; one due longer ago (the platform was down) is recorded missed.
  const defaultWindowMs = graceMs(deps.config.clockTickSeconds);

  async function claimDue(now: number): Promise<Started[]> {
    return inTransaction(db, async (trx) => {
      const due: PlanRow[] = await trx(plans.table)
        .where('next_run_at', '<=', new Date(now))
        .orderBy('next_run_at')
        .limit(CLAIM_BATCH)
        .forUpdate()
        .skipLocked();
      const started: Started[] = [];
      for (const plan of due) {
        const next = { ...plan.next_runs };
        const anchor = { anchor: new Date(plan.created_at).getTime() };
        for (const rule of plan.rules) {
          const first = next[rule.name];
          if (first == null || first > now) continue;
          const s = ruleSchedule(rule);
          const times = dueBetween(s, anchor, first, now);
          const windowMs = rule.start_window_minutes ? rule.start_window_minutes * 60_000 : defaultWindowMs;
          for (const t of times) {
            const status = now - t < windowMs ? 'started' : 'missed';
            const [run] = await trx(RUNS)
              .insert({
                id: newId('bpr'),
                plan_id: plan.id,
                rule_name: rule.name,
                due_at: new Date(t),
                status,
                created_at: new Date(now),
                claimed_at: new Date(now),
              })
              .onConflict(['plan_id', 'rule_name', 'due_at'])
              .ignore()
              .returning('*');
            if (run && status === 'started') started.push({ run, plan, rule });
          }
          next[rule.name] = nextAfter(s, anchor, Math.max(now, times[times.length - 1] ?? now));
        }
        const times = Object.values(next).filter((t): t is number => t !== null);
        // Bookkeeping of the runner, not a change of the plan: no new revision (an If-Match of its owner still holds).
        await trx(plans.table)
          .where({ id: plan.id })
          .update({ next_runs: JSON.stringify(next), next_run_at: times.length ? new Date(Math.min(...times)) : null });
        rowCache.invalidate(plan.id);
      }
      return started;
    });
  }

  /** One backup job per selected resource, each under a key of its run and resource (a replay makes no second). */
  async function start({ run, plan, rule }: Started) {
    const act = await actingAs(deps, plan.owner, `bpr-${run.id}`);
    for (const resourceId of await selectedResources(db, plan.id, plan.owner)) {
      try {
        const r = await act('createBackupJob', {
          body: {
            resource_id: resourceId,
            vault_id: rule.target_vault_id,
            retention_days: rule.retention_days ?? null,
          },
          idempotencyKey: `${run.id}-${resourceId}`,
        });
        const jobId = (r.body as { id: string }).id;
        // The plan's own fields of the job (and of the recovery point, should the worker have made it already).
        const link = { plan_id: plan.id, rule_name: rule.name, retention_count: rule.retention_count ?? null };
        await db(backupJobs.table).where({ id: jobId }).update(link);
        await db(points.table).where({ job_id: jobId }).update(link);
        rowCache.invalidate(jobId);
        await recordOnRun(db, run.id, { jobId });
      } catch (e) {
        await recordOnRun(db, run.id, { resource_id: resourceId, detail: reasonOf(e) });
      }
    }
    await db(RUNS)
      .where({ id: run.id })
      .update({ dispatched_at: new Date(deps.clock.now()) });
  }

  /**
   * Runs whose process died before all their jobs were started (claimed a grace ago, not dispatched), taken again
   * under SKIP LOCKED by one sweep: starting them again replays the jobs already made (the same keys) and makes the rest.
   */
  async function claimAbandoned(now: number): Promise<Started[]> {
    const { rows } = await db.raw(
      `update ${RUNS} r set claimed_at = ? where r.id in (
         select id from ${RUNS} where status = 'started' and dispatched_at is null and claimed_at <= ?
          order by claimed_at limit ${CLAIM_BATCH} for update skip locked)
       returning r.*`,
      [new Date(now), new Date(now - defaultWindowMs)],
    );
    const out: Started[] = [];
    for (const run of rows) {
      const plan: PlanRow | undefined = await db(plans.table).where({ id: run.plan_id }).first();
      const rule = plan?.rules.find((r) => r.name === run.rule_name);
      if (plan && rule) out.push({ run, plan, rule });
      else
        await db(RUNS)
          .where({ id: run.id })
          .update({ dispatched_at: new Date(now) });
    }
    return out;
  }

  return async function sweep(now: number): Promise<void> {
    const started = [...(await claimDue(now)), ...(await claimAbandoned(now))];
    await Promise.all(
      started.map((s) => start(s).catch((e) => log.error({ err: e, run: s.run.id }, 'backup plan run failed'))),
    );
  };
}
