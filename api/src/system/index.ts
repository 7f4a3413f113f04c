// The platform's own operations: liveness and readiness.
import { defineService } from '../platform/manifest.js';
import { healthOperations } from './health.js';

export const system = defineService('system', [healthOperations]);
