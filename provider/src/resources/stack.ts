// atonix_stack: any change re-runs the stack, so its status and outputs are known only after apply.
import type { ResourceHooks } from '../framework/resource.js';

export const stackHooks: ResourceHooks = {
  unknownAfterUpdate: () => ['status', 'status_reason', 'outputs'],
};
