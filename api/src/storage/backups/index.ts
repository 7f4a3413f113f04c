// Backups (storage/backup.py): vaults, plans with their selections and runs, recovery points, backup and restore
// jobs. The tick's settle sweep (settle.ts) runs where the plans' runner does.
import type { Deps } from '../../platform/deps.js';
import { backupJobKind } from './backup-jobs.js';
import { backupPlanKind } from './plans.js';
import { recoveryPointKind } from './recovery-points.js';
import { restoreJobKind } from './restores.js';
import { backupSelectionKind } from './selections.js';
import { backupSettler } from './settle.js';
import { backupVaultKind } from './vaults.js';

const settled = {
  ...recoveryPointKind,
  workers(deps: Deps) {
    deps.clock.onTick(backupSettler(deps));
    return {};
  },
};

export const backupKinds = [
  backupVaultKind,
  backupPlanKind,
  backupSelectionKind,
  settled,
  backupJobKind,
  restoreJobKind,
];
