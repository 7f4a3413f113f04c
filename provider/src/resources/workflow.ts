// atonix_workflow: a new definition (by meaning, not spelling) is a new version, so latest_version moves with it.
import type { ResourceHooks } from '../framework/resource.js';

export const workflowHooks: ResourceHooks = {
  unknownAfterUpdate: (changed) => (changed.includes('definition') ? ['latest_version'] : []),
};
