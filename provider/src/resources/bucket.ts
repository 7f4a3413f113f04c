// atonix_bucket: its usage figures are live (any upload moves them, one in the same apply included), so an update
// plans them unknown rather than promising the refreshed values; versioning_enabled moves versioning_status.
import type { ResourceHooks } from '../framework/resource.js';

export const bucketHooks: ResourceHooks = {
  unknownAfterUpdate: (changed) => [
    'used_bytes',
    'used_gb',
    'object_count',
    ...(changed.includes('versioning_enabled') ? ['versioning_status'] : []),
  ],
};
