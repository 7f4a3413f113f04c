// Per-type hooks, only where the generic engine is not enough; and the resources written by hand, for what is no
// registry kind (an object in a bucket). Their schemas reach the docs and the CDKTF bindings through
// `npm run generate` (scripts/lib/cdktf-schema.ts).
import type { ResourceHooks } from '../framework/resource.js';
import type { HandWritten } from '../framework/hand-written.js';
import type { ResourceType } from '../runtime/index.js';
import { bucketHooks } from './bucket.js';
import { bucketObjectResource } from './bucket-object.js';
import { cdnDistributionHooks } from './cdn-distribution.js';
import { instanceHooks } from './instance.js';
import { kmsKeyHooks } from './kms-key.js';
import { stackHooks } from './stack.js';
import { volumeHooks } from './volume.js';
import { workflowHooks } from './workflow.js';

export const hooks: Record<string, ResourceHooks> = {
  atonix_bucket: bucketHooks,
  atonix_cdn_distribution: cdnDistributionHooks,
  atonix_instance: instanceHooks,
  atonix_kms_key: kmsKeyHooks,
  atonix_stack: stackHooks,
  atonix_volume: volumeHooks,
  atonix_workflow: workflowHooks,
};

export const resources: Readonly<Record<string, HandWritten<ResourceType>>> = {
  atonix_bucket_object: bucketObjectResource,
};
