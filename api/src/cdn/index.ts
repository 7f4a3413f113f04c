// The CDN service: distributions (served by the edge, cdn/edge/), their invalidations, and cache policies.
import { defineService } from '../platform/manifest.js';
import { cachePolicyKind } from './cache-policies.js';
import { distributionKind } from './distributions.js';
import { invalidationKind } from './invalidations.js';
import { edgeManifest } from './edge/sync.js';

export const cdn = defineService('cdn', [cachePolicyKind, distributionKind, invalidationKind, edgeManifest]);
