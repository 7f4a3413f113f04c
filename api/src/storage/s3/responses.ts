// How the S3 door answers: the headers every S3 response carries (Date, x-amz-request-id), XML bodies, and errors
// as S3's `<Error>` document with the codes clients branch on (HEAD answers carry no body, as S3's do).
import type { ServerResponse } from 'node:http';
import { Problem } from '../../platform/problems.js';
import { toXml, type XmlValue } from './xml.js';

/** The platform's own problem codes, as the S3 code a client expects in their place. */
const S3_NAMES: Record<string, string> = {
  NotFound: 'NoSuchBucket',
  ValidationFailed: 'InvalidArgument',
  InvalidParameter: 'InvalidArgument',
  ReferenceNotFound: 'InvalidArgument',
  Unauthenticated: 'AccessDenied',
  AccessDenied: 'AccessDenied',
  Forbidden: 'AccessDenied',
  PayloadTooLarge: 'EntityTooLarge',
  RateLimited: 'SlowDown',
  LimitExceeded: 'TooManyBuckets',
  KMSInvalidState: 'KMSInvalidStateException',
  MalformedBody: 'MalformedXML',
  InternalError: 'InternalError',
  Unavailable: 'ServiceUnavailable',
};

/**
 * `now` is platform time: SDKs set their clock offset from every answer's Date (AwsSdkSigV4Signer.successHandler),
 * so a Date from another clock than the one SigV4 is checked against undoes their skew correction on each call.
 */
export function baseHeaders(res: ServerResponse, requestId: string, now: Date) {
  res.setHeader('x-amz-request-id', requestId);
  res.setHeader('x-amz-id-2', requestId);
  res.setHeader('Date', now.toUTCString());
  res.setHeader('Server', 'AtonixCorp');
}

export function sendXml(res: ServerResponse, status: number, root: string, body: XmlValue) {
  const xml = toXml(root, body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/xml');
  res.setHeader('Content-Length', Buffer.byteLength(xml));
  res.end(xml);
}

/** The S3 code and status a problem is answered with. */
export function s3Error(p: Problem): { code: string; status: number } {
  // A refused bucket name keeps S3's own code (the REST door names the field instead).
  if (p.errors?.some((e) => e.code === 'InvalidBucketName')) return { code: 'InvalidBucketName', status: 400 };
  const code = S3_NAMES[p.code] ?? p.code;
  const status = code === 'InvalidArgument' || code === 'MalformedXML' ? 400 : code === 'SlowDown' ? 503 : p.status;
  return { code, status };
}

export function sendError(
  res: ServerResponse,
  p: Problem,
  opts: { requestId: string; resource: string; head: boolean },
) {
  if (res.headersSent) {
    res.destroy(); // mid-body: the client sees a short body, which its length check reports
    return;
  }
  const { code, status } = s3Error(p);
  for (const [k, v] of Object.entries(p.headers)) res.setHeader(k, v);
  if (status === 304 || opts.head) {
    res.statusCode = status;
    res.end();
    return;
  }
  const extra: Record<string, XmlValue> = {};
  for (const [k, v] of Object.entries(p.extra)) if (/^[A-Z]/.test(k)) extra[k] = v as XmlValue;
  sendXml(res, status, 'Error', {
    Code: code,
    Message: p.detail,
    Resource: opts.resource,
    ...extra,
    RequestId: opts.requestId,
    HostId: opts.requestId,
  });
}
