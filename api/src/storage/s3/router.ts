// Which S3 operation a request is: by method, by whether it names a bucket and a key, and by its subresource
// query keys (`?uploads`, `?versioning`, ...). A subresource this door does not serve is 501 NotImplemented.
import { problems } from '../../platform/problems.js';
import type { S3Request } from './request.js';

export type S3Operation =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'HeadBucket'
  | 'DeleteBucket'
  | 'GetBucketLocation'
  | 'GetBucketVersioning'
  | 'PutBucketVersioning'
  | 'GetBucketEncryption'
  | 'PutBucketEncryption'
  | 'DeleteBucketEncryption'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'ListObjectVersions'
  | 'ListMultipartUploads'
  | 'DeleteObjects'
  | 'PutObject'
  | 'CopyObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'GetObjectTagging'
  | 'PutObjectTagging'
  | 'DeleteObjectTagging'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'PutBucketLifecycleConfiguration'
  | 'GetBucketLifecycleConfiguration'
  | 'DeleteBucketLifecycle'
  | 'RestoreObject';

/** The IAM action each operation is decided (and audited) as. */
export const ACTION: Record<S3Operation, string> = {
  ListBuckets: 'storage:ListBuckets',
  CreateBucket: 'storage:CreateBucket',
  HeadBucket: 'storage:GetBucket',
  DeleteBucket: 'storage:DeleteBucket',
  GetBucketLocation: 'storage:GetBucket',
  GetBucketVersioning: 'storage:GetBucketVersioning',
  PutBucketVersioning: 'storage:PutBucketVersioning',
  GetBucketEncryption: 'storage:GetEncryptionConfiguration',
  PutBucketEncryption: 'storage:PutEncryptionConfiguration',
  DeleteBucketEncryption: 'storage:PutEncryptionConfiguration',
  ListObjects: 'storage:ListBucket',
  ListObjectsV2: 'storage:ListBucket',
  ListObjectVersions: 'storage:ListBucketVersions',
  ListMultipartUploads: 'storage:ListBucketMultipartUploads',
  DeleteObjects: 'storage:DeleteObject',
  PutObject: 'storage:PutObject',
  CopyObject: 'storage:PutObject',
  GetObject: 'storage:GetObject',
  HeadObject: 'storage:GetObject',
  DeleteObject: 'storage:DeleteObject',
  GetObjectTagging: 'storage:GetObjectTagging',
  PutObjectTagging: 'storage:PutObjectTagging',
  DeleteObjectTagging: 'storage:PutObjectTagging',
  CreateMultipartUpload: 'storage:PutObject',
  UploadPart: 'storage:PutObject',
  UploadPartCopy: 'storage:PutObject',
  CompleteMultipartUpload: 'storage:PutObject',
  AbortMultipartUpload: 'storage:AbortMultipartUpload',
  ListParts: 'storage:ListMultipartUploadParts',
  PutBucketLifecycleConfiguration: 'storage:PutLifecycleConfiguration',
  GetBucketLifecycleConfiguration: 'storage:GetLifecycleConfiguration',
  DeleteBucketLifecycle: 'storage:PutLifecycleConfiguration',
  RestoreObject: 'storage:RestoreObject',
};

/** Query keys that are parameters of an operation, not subresources (never a reason for 501). */
const PARAMETERS = new Set([
  'x-id',
  'versionId',
  'partNumber',
  'uploadId',
  'max-keys',
  'prefix',
  'delimiter',
  'marker',
  'continuation-token',
  'start-after',
  'encoding-type',
  'fetch-owner',
  'list-type',
  'key-marker',
  'version-id-marker',
  'upload-id-marker',
  'max-uploads',
  'max-parts',
  'part-number-marker',
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'x-amz-expected-bucket-owner',
]);
/** Subresources this door serves. */
const SUBRESOURCES = new Set([
  'location',
  'versioning',
  'encryption',
  'versions',
  'uploads',
  'delete',
  'tagging',
  'lifecycle',
  'restore',
]);

export function routeOf(r: S3Request, headers: Record<string, string | string[] | undefined>): S3Operation {
  for (const name of r.query.keys()) {
    if (PARAMETERS.has(name) || SUBRESOURCES.has(name) || /^x-amz-/i.test(name)) continue;
    throw problems.s3('NotImplemented', `The ${name} subresource is not implemented.`, { Subresource: name });
  }
  const q = (k: string) => r.query.has(k);
  const m = r.method;
  if (!r.bucket) {
    if (m === 'GET') return 'ListBuckets';
    throw notAllowed(m);
  }
  if (r.key === undefined) {
    switch (m) {
      case 'PUT':
        if (q('versioning')) return 'PutBucketVersioning';
        if (q('encryption')) return 'PutBucketEncryption';
        if (q('lifecycle')) return 'PutBucketLifecycleConfiguration';
        if (q('tagging')) break;
        return 'CreateBucket';
      case 'GET':
        if (q('location')) return 'GetBucketLocation';
        if (q('versioning')) return 'GetBucketVersioning';
        if (q('encryption')) return 'GetBucketEncryption';
        if (q('lifecycle')) return 'GetBucketLifecycleConfiguration';
        if (q('versions')) return 'ListObjectVersions';
        if (q('uploads')) return 'ListMultipartUploads';
        if (q('tagging')) break;
        return r.query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
      case 'HEAD':
        return 'HeadBucket';
      case 'DELETE':
        if (q('encryption')) return 'DeleteBucketEncryption';
        if (q('lifecycle')) return 'DeleteBucketLifecycle';
        if (q('tagging')) break;
        return 'DeleteBucket';
      case 'POST':
        if (q('delete')) return 'DeleteObjects';
        break;
      default:
        throw notAllowed(m);
    }
    throw problems.s3('NotImplemented', 'Bucket tagging is not implemented.');
  }
  const copy = headers['x-amz-copy-source'] !== undefined;
  switch (m) {
    case 'PUT':
      if (q('tagging')) return 'PutObjectTagging';
      if (q('uploadId') || q('partNumber')) return copy ? 'UploadPartCopy' : 'UploadPart';
      return copy ? 'CopyObject' : 'PutObject';
    case 'GET':
      if (q('tagging')) return 'GetObjectTagging';
      if (q('uploadId')) return 'ListParts';
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'DELETE':
      if (q('tagging')) return 'DeleteObjectTagging';
      if (q('uploadId')) return 'AbortMultipartUpload';
      return 'DeleteObject';
    case 'POST':
      if (q('uploads')) return 'CreateMultipartUpload';
      if (q('uploadId')) return 'CompleteMultipartUpload';
      if (q('restore')) return 'RestoreObject';
      throw problems.s3('NotImplemented', 'POST object (browser form uploads) is not implemented.');
    default:
      throw notAllowed(m);
  }
}

const notAllowed = (method: string) =>
  problems.s3('MethodNotAllowed', `${method} is not allowed on this resource.`, { Method: method });
