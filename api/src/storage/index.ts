// The storage service: buckets and their objects, over REST here and over the S3 protocol (storage/s3/); block
// volumes, their attachments to instances and their snapshots.
import { defineService } from '../platform/manifest.js';
import { bucketKind } from './buckets.js';
import { snapshotKind } from './snapshots.js';
import { volumeAttachmentKind } from './volume-attachments.js';
import { volumeKind } from './volumes.js';

export const storage = defineService('storage', [bucketKind, volumeKind, volumeAttachmentKind, snapshotKind]);
