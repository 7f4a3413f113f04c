// The networking service: VPCs and their subnets, security groups and their rules, routing, and reachability.
import { defineService } from '../platform/manifest.js';
import { internetGatewayKind } from './internet-gateways.js';
import { reachabilityOperations } from './reachability/operations.js';
import { routeTableAssociationKind } from './route-table-associations.js';
import { routeTableKind } from './route-tables.js';
import { routeKind } from './routes.js';
import { securityGroupRuleKind } from './security-group-rules.js';
import { securityGroupKind } from './security-groups.js';
import { subnetKind } from './subnets.js';
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
]);
