// The automation service: stacks (templates made real), stored templates, scheduled tasks and workflows.
import { defineService } from '../platform/manifest.js';
import { stackKind } from './stacks/handlers.js';
import { scheduledTaskKind } from './scheduled-tasks.js';
import { templateKind } from './templates.js';
import { workflowKind } from './workflows/workflows.js';

export const automation = defineService('automation', [stackKind, templateKind, scheduledTaskKind, workflowKind]);
