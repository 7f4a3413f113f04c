// atonix_cdn_distribution: a change the edge must apply (anything but name and comment) is a new deployment, so
// config_version (and status, and with price_class the edge locations) move with it; and a destroy disables the
// distribution first, as the AWS provider does for CloudFront (the API refuses to delete an enabled one).
import { ApiError } from '../framework/client.js';
import type { ResourceHooks } from '../framework/resource.js';

const QUIET = new Set(['name', 'comment']);

export const cdnDistributionHooks: ResourceHooks = {
  unknownAfterUpdate: (changed) =>
    changed.some((c) => !QUIET.has(c))
      ? ['config_version', 'status', ...(changed.includes('price_class') ? ['edge_locations'] : [])]
      : [],
  async beforeDelete(c, path, _prior, signal) {
    try {
      // A no-op for a disabled one (a merge patch that changes nothing).
      await c.request('PATCH', path, { body: { enabled: false }, signal });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
  },
};
