// The platform's log writer: lines the platform writes about resources (state changes, job outcomes, load balancer
// access) are buffered in memory and stored in batches, one statement per batch, off the request path: a caller's
// latency never includes a log insert. A line whose owner is not known where it is made (a job's outcome) names its
// resource; owners are looked up per batch, one query per table. Lines derived from committed rows (the audit trail)
// do not come here: follower.ts makes them from the rows themselves, so a crash loses none of them.
import type { Knex } from 'knex';
import { kindMeta } from '../../generated/registry.js';
import type { Deps } from '../../platform/deps.js';
import { storable, storableJson } from '../../platform/operations/audit-trail.js';
import { insertLines, type LineInput } from './store.js';

export type PlatformLine = Omit<LineInput, 'time' | 'owner'> & {
  time?: string;
  /** unknown: looked up from the row of `resource_id` in the table of `kind` (the line is dropped if it is gone) */
  owner: string | null;
};

/** Lines per statement; a full buffer is stored at once rather than after the delay. */
const BATCH = 500;
/** Real milliseconds a line may wait for others to share its statement. */
const DELAY_MS = 20;
/** Lines kept while the database does not answer; past this the oldest are dropped (and counted in the log). */
const MAX_BUFFER = 20_000;

export class LogWriter {
  private buffer: PlatformLine[] = [];
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private dropped = 0;
  /** lines handed to a batch not yet stored */
  private storing = 0;

  constructor(private deps: Pick<Deps, 'db' | 'clock' | 'log'>) {}

  write(line: PlatformLine): void {
    // Lines come faster than the database stores them (a busy load balancer): the newest are dropped, and counted,
    // rather than held without bound.
    if (this.buffer.length + this.storing >= MAX_BUFFER) return void this.dropped++;
    this.buffer.push({ ...line, time: line.time ?? this.deps.clock.date().toISOString() });
    if (this.buffer.length >= BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), DELAY_MS).unref();
  }

  /** Stores what is buffered (batches one after another); resolves once it is stored or given up. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.buffer.length) {
      const batch = this.buffer.splice(0, BATCH);
      this.storing += batch.length;
      this.chain = this.chain.then(() =>
        this.store(batch)
          .catch((err) => this.deps.log.warn({ err, lines: batch.length }, 'platform log lines lost'))
          .finally(() => (this.storing -= batch.length)),
      );
    }
    if (this.dropped) {
      this.deps.log.warn({ lines: this.dropped }, 'platform log lines came faster than they were stored; dropped');
      this.dropped = 0;
    }
    return this.chain;
  }

  private async store(batch: PlatformLine[]): Promise<void> {
    const owners = await ownersOf(
      this.deps.db,
      batch.filter((l) => l.owner === null),
    );
    const lines: LineInput[] = [];
    for (const l of batch) {
      const owner = l.owner ?? owners.get(l.resource_id ?? '');
      if (!owner) continue;
      lines.push({
        ...l,
        owner,
        time: l.time!,
        message: storable(l.message),
        fields: storableJson(l.fields ?? {}) as Record<string, unknown>,
      });
    }
    await insertLines(this.deps.db, lines);
  }
}

/** The owners of the resources the lines name, one query per kind's table. */
async function ownersOf(db: Knex, lines: PlatformLine[]): Promise<Map<string, string>> {
  const byTable = new Map<string, Set<string>>();
  for (const l of lines) {
    const meta = l.kind ? kindMeta(l.kind) : undefined;
    if (!meta || !l.resource_id) continue;
    let ids = byTable.get(meta.table);
    if (!ids) byTable.set(meta.table, (ids = new Set()));
    ids.add(l.resource_id);
  }
  const out = new Map<string, string>();
  for (const [table, ids] of byTable) {
    // A kind without owners (a flavor) has no lines of its own.
    const rows: { id: string; owner: string }[] = await db(table)
      .whereIn('id', [...ids])
      .select('id', 'owner')
      .catch(() => []);
    for (const r of rows) out.set(r.id, r.owner);
  }
  return out;
}

const writers = new WeakMap<Deps, LogWriter>();

/** The one writer of a platform (per Deps). */
export function platformLog(deps: Deps): LogWriter {
  let w = writers.get(deps);
  if (!w) writers.set(deps, (w = new LogWriter(deps)));
  return w;
}
