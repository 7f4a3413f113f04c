// The compute service: instances and the catalogue they are built from, and the region's capacity.
import { defineService } from '../platform/manifest.js';
import { capacityOperations } from './capacity.js';
import { flavorKind } from './flavors.js';
import { imageKind } from './images.js';
import { instanceKind } from './instances.js';

export const compute = defineService('compute', [flavorKind, imageKind, instanceKind, capacityOperations]);
