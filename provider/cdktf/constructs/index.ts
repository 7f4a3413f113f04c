// Hand-written CDKTF constructs over the generated atonix bindings.
export { ComputeFleet, type ComputeFleetProps } from './compute-fleet.js';
export { Network, VPC_PREFIX, networkLayout, type NetworkLayout, type NetworkProps } from './network.js';
