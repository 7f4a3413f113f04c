// Backup vaults: where recovery points are kept. Plain CRUD; a vault's key is a symmetric key of the owner's,
// checked on create, and a vault is deleted only empty (409 naming the recovery points it holds). Points still
// `deleting` (a DELETE answered, its release under way or cut short) are finished first: they no longer count.
import type { Deps } from '../../platform/deps.js';
import { defineKind, type KindHandlers } from '../../platform/manifest.js';
import { problems } from '../../platform/problems.js';
import { deleteHandler, getHandler, listHandler, patchHandler } from '../../platform/resources/crud.js';
import { withDefaults } from '../../platform/resources/repo.js';
import { keyFor } from '../../security/kms/key-store.js';
import { finishDeletion } from './recovery-points.js';
import { points, vaults, type PointRow } from './repos.js';

const vaultHandlers = (deps: Deps): KindHandlers<'backup_vault'> => ({
  listBackupVaults: listHandler(vaults, ['name']),
  getBackupVault: getHandler(vaults),
  updateBackupVault: patchHandler(vaults),
  async deleteBackupVault(ctx) {
    const vault = await vaults.get(ctx.db, ctx.principal, ctx.params.id);
    const going: PointRow[] = await deps.db(points.table).where({ vault_id: vault.id, status: 'deleting' });
    for (const p of going) await finishDeletion(deps, p);
    return deleteHandler(vaults, [{ kind: 'recovery_point', column: 'vault_id' }])(ctx);
  },
  async createBackupVault(ctx) {
    const values = withDefaults(vaults.meta, ctx.body);
    if (ctx.body.kms_key_id) {
      const key = await keyFor(ctx.db, ctx.principal, ctx.body.kms_key_id).catch(() => {
        throw problems.referenceNotFound('kms_key_id', ctx.body.kms_key_id);
      });
      if (key.key_spec !== 'SYMMETRIC_DEFAULT' || key.key_usage !== 'ENCRYPT_DECRYPT')
        throw problems.invalidField(
          'kms_key_id',
          `key ${key.id} is ${key.key_spec}; a vault needs a SYMMETRIC_DEFAULT key`,
        );
      if (key.key_state !== 'enabled')
        throw problems.kmsInvalidState(key.id, 'protect a vault', key.key_state, ['enabled']);
      values.kms_key_id = key.id;
    }
    const row = await vaults.insert(ctx.db, { ...values, owner: ctx.principal.userId });
    ctx.audit = { resource_type: 'backup_vault', resource_id: row.id };
    return {
      status: 201,
      body: vaults.present(row),
      headers: { Location: vaults.location(row.id), ETag: `"r${row.rev}"` },
    };
  },
});

export const backupVaultKind = defineKind('backup_vault', { handlers: vaultHandlers });
