// The conformance fixtures of the CDN kinds: a cache policy, a distribution over an HTTP origin (disabled, so the
// shared delete checks may delete it) and an invalidation of such a distribution.
import type { Caller, KindFixture } from '../support/conformance.js';

export const distributionBody = (n: number) => ({
  name: `cdist-${n}`,
  enabled: false,
  origins: [{ id: 'web', url: 'http://127.0.0.1:9' }],
  default_cache_behavior: { target_origin_id: 'web', cache_policy_id: 'cp-cachingoptimized' },
});

const distributionFor = async (c: Caller, n: number) =>
  (
    await c.agent
      .post('/api/networking/cdn/distributions')
      .send(distributionBody(1000 + n))
      .expect(202)
  ).body.id as string;

export const cdnFixtures: Record<'cdn_cache_policy' | 'cdn_distribution' | 'cdn_invalidation', KindFixture> = {
  cdn_cache_policy: {
    creator: 'owner',
    create: async (_app, _c, n) => ({ body: { name: `ccp-${n}` } }),
  },
  cdn_distribution: {
    creator: 'owner',
    create: async (_app, _c, n) => ({ body: distributionBody(n) }),
    bodies: { createCdnInvalidation: { paths: ['/x'], caller_reference: 'conformance' } },
    params: { invalidation_id: 'inv-none00000000' },
  },
  cdn_invalidation: {
    creator: 'owner',
    create: async (_app, c, n) => ({
      params: { distribution_id: await distributionFor(c, n) },
      body: { paths: ['/index.html', '/img/*'], caller_reference: `ref-${n}` },
    }),
    immutable: { distribution_id: 'dist-other0000', paths: ['/other'], caller_reference: 'other' },
  },
};
