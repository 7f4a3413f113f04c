// Every service's handlers and background workers, gathered for the HTTP layer and the job runner.
import { buildingInstances, instanceHandlers, instanceWorkers } from './compute/instances.js';
import { flavorHandlers } from './compute/flavors.js';
import { imageHandlers } from './compute/images.js';
import { subnetHandlers } from './networking/subnets.js';
import { pendingVpcs, vpcHandlers, vpcWorkers } from './networking/vpcs.js';
import type { Deps, Workers } from './platform/deps.js';
import type { Handlers } from './platform/http/context.js';
import { platformHandlers } from './platform/health.js';
import { auditHandlers } from './security/audit-logs.js';
import { stackHandlers, stackWorkers, unfinishedStacks } from './automation/stacks/routes.js';
import { templateHandlers } from './automation/templates.js';
import { tokenHandlers } from './security/tokens.js';
import { userHandlers } from './security/users.js';

export function handlers(deps: Deps): Handlers {
  return {
    ...platformHandlers(deps),
    ...flavorHandlers(), ...imageHandlers(), ...instanceHandlers(deps),
    ...vpcHandlers(deps), ...subnetHandlers(deps),
    ...userHandlers(deps), ...tokenHandlers(deps), ...auditHandlers(),
    ...stackHandlers(deps), ...templateHandlers(),
  };
}

export function workers(deps: Deps): Workers {
  return { ...instanceWorkers(deps), ...vpcWorkers(deps), ...stackWorkers(deps) };
}

/** Resources caught mid-transition by a crash: their jobs are sent again (the workers are idempotent). */
export async function unfinished(deps: Deps) {
  return [...(await buildingInstances(deps.db)), ...(await pendingVpcs(deps.db)), ...(await unfinishedStacks(deps.db))];
}
