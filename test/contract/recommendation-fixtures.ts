// The conformance suite's fixtures for the price catalogue and recommendations (made by refreshes only).
import type { KindFixture } from '../support/conformance.js';

export const recommendationFixtures: Record<'price' | 'recommendation', KindFixture> = {
  price: {
    creator: 'admin',
    create: async (_app, _c, n) => ({
      body: { resource_type: 'flavor', name: `conformance.${n}.${Date.now()}`, unit: 'hour', price: 0.01 * n },
    }),
    immutable: { resource_type: 'volume_type', name: 'other-name', unit: 'GB-month' },
  },
  recommendation: {
    // Made by the refresh only: the kind has no create, so the suite's create-based checks do not apply.
    creator: 'owner',
    create: async () => {
      throw new Error('recommendations are made by refreshes');
    },
  },
};
