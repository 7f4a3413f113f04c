// The data access of snapshots. `progress` is stored once completed (100) and computed from the platform clock while
// pending, so a read between two ticks still counts up.
import { registry } from '../generated/registry.js';
import { ResourceRepo, type Schemas, type StoredRow } from '../platform/resources/repo.js';

type Hidden = { completed_at: Date | null };
export type SnapshotRow = StoredRow<Schemas['Snapshot'], Hidden>;

let now: () => number = Date.now;
/** The process's platform clock, set where snapshots are served (a representation is computed without deps). */
export function useSnapshotClock(clock: { now(): number }) {
  now = () => clock.now();
}

function progressOf(row: SnapshotRow): number {
  if (row.status !== 'pending') return row.progress;
  const start = new Date(row.created_at).getTime();
  const end = row.completed_at ? new Date(row.completed_at).getTime() : start;
  if (end <= start) return 99;
  return Math.max(0, Math.min(99, Math.floor(((now() - start) / (end - start)) * 100)));
}

export const snapshots = new ResourceRepo<Schemas['Snapshot'], Hidden>(registry.snapshot, { progress: progressOf });
