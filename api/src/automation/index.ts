// The automation service: stacks (templates made real), stored templates, and scheduled tasks.
import { defineService } from '../platform/manifest.js';
import { stackKind } from './stacks/handlers.js';
import { scheduledTaskKind } from './scheduled-tasks.js';
import { templateKind } from './templates.js';

export const automation = defineService('automation', [stackKind, templateKind, scheduledTaskKind]);
