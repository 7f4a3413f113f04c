// The networking service: VPCs and their subnets, security groups and their rules, routing, reachability, and load
// balancers with their target groups, targets, listeners and rules.
import { defineService } from '../platform/manifest.js';
import { internetGatewayKind } from './internet-gateways.js';
import { listenerRuleKind } from './listener-rules.js';
import { listenerKind } from './listeners.js';
import { loadBalancerKind } from './load-balancers.js';
import { reachabilityOperations } from './reachability/operations.js';
import { routeTableAssociationKind } from './route-table-associations.js';
import { routeTableKind } from './route-tables.js';
import { routeKind } from './routes.js';
import { securityGroupRuleKind } from './security-group-rules.js';
import { securityGroupKind } from './security-groups.js';
import { subnetKind } from './subnets.js';
import { targetGroupKind } from './target-groups.js';
import { targetKind } from './targets.js';
import { vpcKind } from './vpcs.js';

export const networking = defineService('networking', [
  vpcKind,
  subnetKind,
  securityGroupKind,
  securityGroupRuleKind,
  internetGatewayKind,
  routeTableKind,
  routeKind,
  routeTableAssociationKind,
  reachabilityOperations,
  loadBalancerKind,
  targetGroupKind,
  targetKind,
  listenerKind,
  listenerRuleKind,
]);
