// The region's capacity report (an operation on no kind; with block storage's per volume type), and the capacity a
// fresh installation starts with.
import { defineOperations } from '../platform/manifest.js';
import { capacityOf, seedCapacity } from './placement.js';
import { volumeCapacityOf } from '../storage/volume-capacity.js';

export const capacityOperations = defineOperations('compute', {
  handlers: ({ db, config }) => ({
    getCapacity: async () => ({
      status: 200,
      body: { ...(await capacityOf(db, config.region)), volumes: await volumeCapacityOf(db, config.region) },
    }),
  }),
  seed: ({ db, config }) => seedCapacity(db, config.region, config.capacity),
});
