// The automation service: stacks (templates made real) and stored templates.
import { defineService } from '../platform/manifest.js';
import { stackKind } from './stacks/handlers.js';
import { templateKind } from './templates.js';

export const automation = defineService('automation', [stackKind, templateKind]);
