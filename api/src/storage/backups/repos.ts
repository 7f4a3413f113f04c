// The data access of backups: one repo per kind, and the runs of plans (rows, not a kind: they are read only through
// their plan). Shared by the kinds, the plan runner and the retention sweep.
import { join } from 'node:path';
import type { Knex } from 'knex';
import { registry } from '../../generated/registry.js';
import type { Config } from '../../platform/config.js';
import { ResourceRepo, type Schemas, type StoredRow } from '../../platform/resources/repo.js';
import { FileStore } from '../objects/file-store.js';

export type Rule = Schemas['BackupRule'];
/** One copied object: its file, what it was uploaded with, and its data key (wrapped) and IV base. */
export type ManifestEntry = {
  key: string;
  file: string;
  size: number;
  content_type: string | null;
  metadata?: Record<string, string>;
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  /** absent only on copies made before copies were encrypted */
  encryption?: { kms_key_id: string; data_key: string; iv: string };
};

export const vaults = new ResourceRepo<Schemas['BackupVault']>(registry.backup_vault);
type PlanHidden = { next_runs: Record<string, number | null>; next_run_at: Date | null };
export type PlanRow = StoredRow<Schemas['BackupPlan'], PlanHidden>;
export const plans = new ResourceRepo<Schemas['BackupPlan'], PlanHidden>(registry.backup_plan);
export const selections = new ResourceRepo<Schemas['BackupSelection']>(registry.backup_selection);
type PointHidden = { manifest: ManifestEntry[] | null; name: string };
export type PointRow = StoredRow<Schemas['RecoveryPoint'], PointHidden>;
export const points = new ResourceRepo<Schemas['RecoveryPoint'], PointHidden>(registry.recovery_point);
type JobHidden = { retention_count: number | null; name: string };
export type BackupJobRow = StoredRow<Schemas['BackupJob'], JobHidden>;
export const backupJobs = new ResourceRepo<Schemas['BackupJob'], JobHidden>(registry.backup_job);
export type RestoreRow = StoredRow<Schemas['RestoreJob']>;
export const restores = new ResourceRepo<Schemas['RestoreJob']>(registry.restore_job);

export const RUNS = 'backup_plan_runs';

export const presentRun = (r: Record<string, any>) => ({
  id: r.id,
  plan_id: r.plan_id,
  rule_name: r.rule_name,
  due_at: new Date(r.due_at).toISOString(),
  status: r.status,
  job_ids: r.job_ids,
  errors: r.errors,
  created_at: new Date(r.created_at).toISOString(),
});

/** Records on a run the job it started for a resource, or why it could not. */
export async function recordOnRun(
  db: Knex,
  runId: string,
  outcome: { jobId: string } | { resource_id: string; detail: string },
) {
  const [col, v] = 'jobId' in outcome ? ['job_ids', outcome.jobId] : ['errors', outcome];
  const item = JSON.stringify([v]);
  // A run started again after its process died replays its jobs' keys: each is recorded once.
  await db(RUNS)
    .where({ id: runId })
    .whereRaw(`not ${col} @> ?::jsonb`, [item])
    .update({ [col]: db.raw(`${col} || ?::jsonb`, [item]) });
}

const stores = new WeakMap<Config, FileStore>();
/**
 * The vaults' own storage: bucket copies' bytes as files under the data dir's backups/, apart from the object
 * store's directory, so its sweep of files no object names never takes a copy.
 */
export function vaultFiles(config: Config): FileStore {
  let s = stores.get(config);
  if (!s) stores.set(config, (s = new FileStore(join(config.dataDir, 'backups'))));
  return s;
}
