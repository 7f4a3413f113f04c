// The storage service: buckets and their objects, over REST here and over the S3 protocol (storage/s3/).
import { defineService } from '../platform/manifest.js';
import { bucketKind } from './buckets.js';

export const storage = defineService('storage', [bucketKind]);
