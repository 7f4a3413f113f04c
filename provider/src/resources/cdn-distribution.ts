// atonix_cdn_distribution: a change the edge must apply (anything but name and comment) is a new deployment, so
// config_version (and status, and with price_class the edge locations) move with it.
import type { ResourceHooks } from '../framework/resource.js';

const QUIET = new Set(['name', 'comment']);

export const cdnDistributionHooks: ResourceHooks = {
  unknownAfterUpdate: (changed) =>
    changed.some((c) => !QUIET.has(c))
      ? ['config_version', 'status', ...(changed.includes('price_class') ? ['edge_locations'] : [])]
      : [],
};
