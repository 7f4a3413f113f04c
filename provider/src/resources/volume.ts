// atonix_volume: a new type re-defaults the volume's iops and throughput (an hdd has neither), so those the
// configuration leaves to the server are unknown until applied instead of kept from state.
import { UNKNOWN } from '../runtime/index.js';
import type { ResourceHooks } from '../framework/resource.js';

export const volumeHooks: ResourceHooks = {
  modifyPlan({ prior, config, planned }) {
    if (!prior || prior.type === planned.type) return;
    for (const name of ['iops', 'throughput']) if (config[name] === null) planned[name] = UNKNOWN;
  },
};
