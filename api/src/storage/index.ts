// The storage service: buckets and their objects, over REST here and over the S3 protocol (storage/s3/), with the
// buckets' lifecycle configurations (storage/tiering/); block volumes, their attachments to instances and their
// snapshots; NFS/SMB file shares with their mount targets (storage/file-shares/; the data path is emulated); backups
// of volumes and buckets (storage/backups/).
import { defineService } from '../platform/manifest.js';
import { backupKinds } from './backups/index.js';
import { bucketKind } from './buckets.js';
import { mountTargetKind } from './file-shares/mount-targets.js';
import { fileShareKind } from './file-shares/shares.js';
import { snapshotKind } from './snapshots.js';
import { lifecycleKind } from './tiering/lifecycle-configs.js';
import { volumeAttachmentKind } from './volume-attachments.js';
import { volumeKind } from './volumes.js';

export const storage = defineService('storage', [
  bucketKind,
  lifecycleKind,
  volumeKind,
  volumeAttachmentKind,
  snapshotKind,
  fileShareKind,
  mountTargetKind,
  ...backupKinds,
]);
