// The platform's own operations: liveness and readiness, and the manual clock.
import { defineService } from '../platform/manifest.js';
import { clockOperations } from './clock.js';
import { healthOperations } from './health.js';

export const system = defineService('system', [healthOperations, clockOperations]);
