// The storage service: buckets and their objects, over REST here and over the S3 protocol (storage/s3/), and NFS/SMB
// file shares with their mount targets (storage/file-shares/; the data path is emulated).
import { defineService } from '../platform/manifest.js';
import { bucketKind } from './buckets.js';
import { mountTargetKind } from './file-shares/mount-targets.js';
import { fileShareKind } from './file-shares/shares.js';

export const storage = defineService('storage', [bucketKind, fileShareKind, mountTargetKind]);
