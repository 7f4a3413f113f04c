// The storage service: buckets and their objects, over REST here and over the S3 protocol (storage/s3/), and the
// buckets' lifecycle configurations (storage/tiering/).
import { defineService } from '../platform/manifest.js';
import { bucketKind } from './buckets.js';
import { lifecycleKind } from './tiering/lifecycle-configs.js';

export const storage = defineService('storage', [bucketKind, lifecycleKind]);
