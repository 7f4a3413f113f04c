// The dashboards' data access (the generic resource repo of the kind).
import { registry } from '../../generated/registry.js';
import { ResourceRepo, type Schemas } from '../../platform/resources/repo.js';

export const dashboards = new ResourceRepo<Schemas['Dashboard']>(registry.dashboard);
