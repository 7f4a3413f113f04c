// The networking service: VPCs and their subnets.
import { defineService } from '../platform/manifest.js';
import { subnetKind } from './subnets.js';
import { vpcKind } from './vpcs.js';

export const networking = defineService('networking', [vpcKind, subnetKind]);
