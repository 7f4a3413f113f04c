// atonix_kms_key: destroy schedules the key's deletion (as the AWS provider's aws_kms_key does), so a key pending
// deletion reads as gone; is_enabled and the rotation settings move computed attributes the API decides.
import type { ResourceHooks } from '../framework/resource.js';

export const kmsKeyHooks: ResourceHooks = {
  gone: (body) => body.key_state === 'pending_deletion',
  unknownAfterUpdate: (changed) => [
    ...(changed.includes('is_enabled') ? ['key_state'] : []),
    ...(changed.some((c) => c === 'enable_key_rotation' || c === 'rotation_period_in_days')
      ? ['next_rotation_date']
      : []),
  ],
};
