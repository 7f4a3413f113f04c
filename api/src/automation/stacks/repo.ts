// The stacks table's generic repository.
import { registry } from '../../generated/registry.js';
import { ResourceRepo } from '../../platform/resources/repo.js';

export const stacks = new ResourceRepo(registry.stack);
