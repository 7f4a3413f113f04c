// The conformance fixtures of the backup kinds: a vault, a plan on it, a selection, and jobs over an empty bucket (the
// quickest backup there is); a restore needs a completed recovery point, made by a backup job first.
import type { Caller, KindFixture } from '../support/conformance.js';

const stamp = () => Date.now().toString(36);
const vaultFor = async (c: Caller, n: number) =>
  (
    await c.agent
      .post('/api/storage/backup-vaults')
      .send({ name: `cbv-for-${n}` })
      .expect(201)
  ).body.id as string;
const planFor = async (c: Caller, n: number) =>
  (
    await c.agent
      .post('/api/storage/backup-plans')
      .send({
        name: `cbp-for-${n}`,
        rules: [{ name: 'daily', schedule: '0 5 * * *', target_vault_id: await vaultFor(c, n) }],
      })
      .expect(201)
  ).body.id as string;
const bucketFor = async (c: Caller, n: number) =>
  (
    await c.agent
      .post('/api/storage/buckets')
      .send({ name: `cbk-for-${n}-${stamp()}` })
      .expect(201)
  ).body.id as string;
async function pointFor(c: Caller, n: number) {
  const job = await c.agent
    .post('/api/storage/backup-jobs')
    .set('Prefer', 'wait=20')
    .send({ resource_id: await bucketFor(c, n), vault_id: await vaultFor(c, n) })
    .expect(202);
  if (job.body.status !== 'completed') throw new Error(`backup job ${job.body.id} is ${job.body.status}`);
  return job.body.recovery_point_id as string;
}

export const backupFixtures: Record<
  'backup_vault' | 'backup_plan' | 'backup_selection' | 'recovery_point' | 'backup_job' | 'restore_job',
  KindFixture
> = {
  backup_vault: {
    creator: 'owner',
    create: async (_app, _c, n) => ({ body: { name: `cbv-${n}` } }),
    immutable: { kms_key_id: 'key-other0000' },
  },
  backup_plan: {
    creator: 'owner',
    create: async (_app, c, n) => ({
      body: {
        name: `cbp-${n}`,
        rules: [{ name: 'nightly', schedule: '0 2 * * *', target_vault_id: await vaultFor(c, n) }],
      },
    }),
    bodies: { createBackupSelection: { name: 'sel' } },
  },
  backup_selection: {
    creator: 'owner',
    create: async (_app, c, n) => ({ params: { plan_id: await planFor(c, n) }, body: { name: `cbs-${n}` } }),
    immutable: { plan_id: 'bp-other0000' },
  },
  recovery_point: {
    // Made by backup jobs only: the kind has no create, so the suite's create-based checks do not apply.
    creator: 'owner',
    create: async () => {
      throw new Error('recovery points are made by backup jobs');
    },
  },
  backup_job: {
    creator: 'owner',
    create: async (_app, c, n) => ({ body: { resource_id: await bucketFor(c, n), vault_id: await vaultFor(c, n) } }),
    immutable: { resource_id: 'bkt-other0000', vault_id: 'bv-other0000', retention_days: 3 },
  },
  restore_job: {
    creator: 'owner',
    create: async (_app, c, n) => ({ body: { recovery_point_id: await pointFor(c, n), name: `crs-${n}-${stamp()}` } }),
    immutable: { recovery_point_id: 'rp-other0000', name: 'other-name', availability_zone: 'us-east-1b' },
  },
};
