// Data sources written by hand, served beside the generic ones the generated schema defines: those that compute
// their answer instead of looking a resource up. Their schemas reach the docs and the CDKTF bindings through
// `npm run generate` (scripts/lib/cdktf-schema.ts).
import type { DataSourceType } from '../runtime/index.js';
import { iamPolicyDocument } from './iam-policy-document-data-source.js';

export const dataSources: Readonly<Record<string, DataSourceType>> = {
  atonix_iam_policy_document: iamPolicyDocument,
};
