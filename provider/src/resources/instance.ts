// atonix_instance: changing power_state starts or stops the machine, so its status is unknown until applied.
import type { ResourceHooks } from '../framework/resource.js';

export const instanceHooks: ResourceHooks = {
  unknownAfterUpdate: (changed) => (changed.includes('power_state') ? ['status', 'status_reason'] : []),
};
