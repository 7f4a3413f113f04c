// Multipart uploads over S3 (Create, UploadPart, UploadPartCopy, Complete, Abort, ListParts, ListMultipartUploads).
import { problems } from '../../platform/problems.js';
import type { S3Handler } from './door.js';

type MultipartOperation =
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'ListMultipartUploads';

export function multipartOps(): Record<MultipartOperation, S3Handler> {
  const pending: S3Handler = async () => {
    throw problems.s3('NotImplemented', 'Multipart uploads are being built.');
  };
  return {
    CreateMultipartUpload: pending,
    UploadPart: pending,
    UploadPartCopy: pending,
    CompleteMultipartUpload: pending,
    AbortMultipartUpload: pending,
    ListParts: pending,
    ListMultipartUploads: pending,
  };
}
