// The platform's own log lines, started where workers run: a resource's status moving (from the change-event
// stream, which every process hears: the line's origin makes it one line however many processes write it), a job's
// outcome (in the process that ran it), the audit trail (followed from its committed rows), and the upkeep of the
// logs' partitions and retention, all on the platform clock. The load balancers' access lines come through the same
// writer (networking/lb/access-log.ts); the monitoring service is listed after networking, so this part stops (and
// stores what is buffered) after their data plane has stopped.
import { kindMeta, registry } from '../../generated/registry.js';
import type { Deps } from '../../platform/deps.js';
import type { ChangeEvent } from '../../platform/events/bus.js';
import type { JobOutcome } from '../../platform/jobs/queue.js';
import { followAudit } from './follower.js';
import { sweepLogs } from './retention.js';
import { platformLog, type PlatformLine } from './writer.js';

/** How often the audit trail is followed with a real clock (a manual one follows it whenever it is moved). */
const FOLLOW_MS = 1000;

const kindByPrefix = new Map(Object.values(registry).map((m) => [m.idPrefix, m.kind]));

/**
 * The line of a change event that moves a resource's status (a create is the audit trail's line, and its first
 * status is in the resource; only moves are state lines).
 */
export function stateLine(ev: ChangeEvent): PlatformLine | undefined {
  const meta = kindMeta(ev.kind);
  if (ev.type !== 'status_changed' || !meta?.statusField || !ev.owner) return undefined;
  const status = ev.status ?? null;
  return {
    owner: ev.owner,
    level: status !== null && meta.failedStatus.includes(status) ? 'error' : 'info',
    source: 'state',
    resource_id: ev.id,
    kind: ev.kind,
    message: `${ev.kind} ${ev.id} is now ${status}`,
    fields: { event: ev.type, status },
    // The event as every process heard it: the first to record this origin writes the line.
    origin: `state:${ev.kind}:${ev.id}:${status}:${ev.at}`,
  };
}

/** The line of a job's outcome, when the job is about a resource (its data names the resource's id). */
export function jobLine(o: JobOutcome): PlatformLine | undefined {
  const id = (o.data as { id?: unknown } | null)?.id;
  if (typeof id !== 'string') return undefined;
  const kind = kindByPrefix.get(id.slice(0, id.indexOf('-')));
  if (!kind) return undefined;
  const error = o.ok ? undefined : o.error instanceof Error ? o.error.message : String(o.error);
  return {
    owner: null,
    level: o.ok ? 'info' : 'error',
    source: 'job',
    resource_id: id,
    kind,
    message: o.ok ? `job ${o.queue} succeeded` : `job ${o.queue} failed: ${error}`,
    fields: { queue: o.queue, outcome: o.ok ? 'succeeded' : 'failed', ...(error ? { error } : {}) },
  };
}

export async function startPlatformLines(deps: Deps): Promise<{ stop(): Promise<void> }> {
  const writer = platformLog(deps);
  const { db, clock, log, config } = deps;
  let following: Promise<void> | undefined;
  // One follow at a time in this process; a call while one runs waits for it and then follows again.
  const follow = async (): Promise<void> => {
    while (following) await following;
    following = followAudit(db).finally(() => (following = undefined));
    return following;
  };
  const undo = [
    deps.events.subscribe((ev) => {
      const line = stateLine(ev);
      if (line) writer.write(line);
    }),
    deps.jobs.onOutcome((o) => {
      const line = jobLine(o);
      if (line) writer.write(line);
    }),
    // Each part on its own: a sweep that fails (a lock held elsewhere) does not hold up the audit lines.
    clock.onTick(async (now) => {
      await sweepLogs(db, now, config.logRetentionDays).catch((err) => log.warn({ err }, 'the log sweep failed'));
      await follow().catch((err) => log.warn({ err }, 'following the audit trail failed'));
      await writer.flush();
    }),
  ];
  // Partitions for today and the days ahead before any line arrives (a failure is retried at the next tick).
  await sweepLogs(db, clock.now(), config.logRetentionDays).catch((err) => log.warn({ err }, 'the log sweep failed'));
  const interval = clock.manual
    ? undefined
    : setInterval(
        () => void follow().catch((err) => log.warn({ err }, 'following the audit trail failed')),
        FOLLOW_MS,
      ).unref();
  return {
    async stop() {
      clearInterval(interval);
      for (const u of undo) u();
      await following?.catch(() => {});
      await writer.flush();
    },
  };
}
