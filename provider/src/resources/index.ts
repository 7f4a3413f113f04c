// Per-type hooks, only where the generic engine is not enough.
import type { ResourceHooks } from '../framework/resource.js';
import { bucketHooks } from './bucket.js';
import { instanceHooks } from './instance.js';
import { kmsKeyHooks } from './kms-key.js';
import { stackHooks } from './stack.js';

export const hooks: Record<string, ResourceHooks> = {
  atonix_bucket: bucketHooks,
  atonix_instance: instanceHooks,
  atonix_kms_key: kmsKeyHooks,
  atonix_stack: stackHooks,
};
