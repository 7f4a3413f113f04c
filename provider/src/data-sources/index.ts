// Data sources written by hand, served beside the generic ones the generated schema defines: those that compute
// their answer instead of looking a resource up, and those of things that are no registry kind (an object). Their
// schemas reach the docs and the CDKTF bindings through `npm run generate` (scripts/lib/cdktf-schema.ts).
import type { HandWritten } from '../framework/hand-written.js';
import type { DataSourceType } from '../runtime/index.js';
import { bucketObjectDataSource } from './bucket-object.js';
import { iamPolicyDocument } from './iam-policy-document-data-source.js';
import { predictionDataSource } from './prediction.js';

export const dataSources: Readonly<Record<string, HandWritten<DataSourceType>>> = {
  atonix_bucket_object: bucketObjectDataSource,
  atonix_iam_policy_document: iamPolicyDocument,
  atonix_prediction: predictionDataSource,
};
