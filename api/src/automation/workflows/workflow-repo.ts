// The workflow kind's repository (its table is the kind's; versions and executions are in store.ts).
import { registry } from '../../generated/registry.js';
import { ResourceRepo, type Schemas } from '../../platform/resources/repo.js';

export const workflows = new ResourceRepo<Schemas['Workflow']>(registry.workflow);
export type WorkflowRow = Awaited<ReturnType<typeof workflows.get>>;
