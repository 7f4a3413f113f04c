// The networking service: VPCs and their subnets; load balancers with their target groups, targets, listeners and rules.
import { defineService } from '../platform/manifest.js';
import { listenerRuleKind } from './listener-rules.js';
import { listenerKind } from './listeners.js';
import { loadBalancerKind } from './load-balancers.js';
import { subnetKind } from './subnets.js';
import { targetGroupKind } from './target-groups.js';
import { targetKind } from './targets.js';
import { vpcKind } from './vpcs.js';

export const networking = defineService('networking', [
  vpcKind,
  subnetKind,
  loadBalancerKind,
  targetGroupKind,
  targetKind,
  listenerKind,
  listenerRuleKind,
]);
