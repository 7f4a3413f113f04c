// Verifies an S3 request's AWS Signature V4, in the Authorization header or in a presigned URL's query, and says
// what the signature promises about the body (x-amz-content-sha256): the caller hashes or decodes the body to match.
// Pure: the access keys come from a lookup, the time from the caller.
import type { IncomingHttpHeaders } from 'node:http';
import { Problem, problems } from '../../platform/problems.js';
import {
  ALGORITHM,
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  decodeQuery,
  hmac,
  signaturesEqual,
  signingKey,
  stringToSign,
} from './sigv4-canonical.js';

export type SigV4Request = {
  method: string;
  /** the path exactly as sent, percent-encoded, without the query */
  rawPath: string;
  /** everything after '?', as sent ('' for none) */
  rawQuery: string;
  headers: IncomingHttpHeaders;
};
export type AccessKey = { secret: string; userId: string; active: boolean };
export type AccessKeyLookup = (accessKeyId: string) => Promise<AccessKey | undefined>;
export type SigV4Options = { region: string };

/** What aws-chunked signed chunks chain from: the request's own signature, key, date and scope. */
export type StreamingSeed = { signature: string; signingKey: Buffer; amzDate: string; scope: string };
export type PayloadClaim =
  | { kind: 'unsigned' }
  | { kind: 'sha256'; hex: string }
  | { kind: 'streaming'; signed: boolean; trailer: boolean; seed?: StreamingSeed };
export type SigV4Identity = { accessKeyId: string; userId: string; presigned: boolean; payload: PayloadClaim };

/** Header signatures must be this close to the server's clock (as AWS and MinIO: 15 minutes). */
export const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_EXPIRES_S = 604800;
const ECDSA = 'AWS4-ECDSA-P256-SHA256';
const STREAMING: Record<string, { signed: boolean; trailer: boolean }> = {
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD': { signed: true, trailer: false },
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER': { signed: true, trailer: true },
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER': { signed: false, trailer: true },
};

/** How a request authenticates: the door serves 'anonymous' (or refuses it) without calling verifySigV4. */
export function authStyle(req: Pick<SigV4Request, 'rawQuery' | 'headers'>): 'header' | 'query' | 'anonymous' {
  const names = new Set(decodeQuery(req.rawQuery).map(([n]) => n));
  const query = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'AWSAccessKeyId'].some((n) => names.has(n));
  if (req.headers.authorization !== undefined) {
    if (query)
      throw problems.s3(
        'InvalidArgument',
        'Only one auth mechanism allowed; send the Authorization header or a presigned query, not both.',
      );
    return 'header';
  }
  return query ? 'query' : 'anonymous';
}

/** The signed request's parts, however they arrived. */
type Claim = {
  presigned: boolean;
  accessKeyId: string;
  date: string;
  region: string;
  amzDate: string;
  signedHeaders: string;
  signature: string;
  payloadHash: string;
};

export async function verifySigV4(
  req: SigV4Request,
  lookup: AccessKeyLookup,
  nowMs: number,
  opts: SigV4Options,
): Promise<SigV4Identity> {
  const style = authStyle(req);
  if (style === 'anonymous') throw problems.s3('AccessDenied', 'The request is not signed.');
  const claim = style === 'header' ? headerClaim(req, nowMs, opts) : queryClaim(req, nowMs, opts);
  const key = await lookup(claim.accessKeyId);
  // An inactive key is refused as if it did not exist, as AWS does, so a revoked key learns nothing.
  if (!key || !key.active)
    throw problems.s3('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', {
      AWSAccessKeyId: claim.accessKeyId,
    });

  const scope = `${claim.date}/${claim.region}/s3/aws4_request`;
  const kSigning = signingKey(key.secret, claim.date, claim.region);
  const sign = (uri: string) => {
    const canonical = canonicalRequest({
      method: req.method.toUpperCase(),
      uri,
      query: canonicalQuery(req.rawQuery, claim.presigned ? 'X-Amz-Signature' : undefined),
      headers: canonicalHeaders(req.headers, claim.signedHeaders.split(';')),
      signedHeaders: claim.signedHeaders,
      payloadHash: claim.payloadHash,
    });
    const toSign = stringToSign(claim.amzDate, scope, canonical);
    return { canonical, toSign, signature: hmac(kSigning, toSign).toString('hex') };
  };
  let signed = sign(canonicalUri(req.rawPath));
  // Clients sign the path as they send it. Most send every reserved byte encoded, which is the form above; the AWS SDK
  // for Go v2 behind an endpoint with a path (`http://host:8000/s3`) drops its escaped path and sends and signs
  // characters such as ':' bare (Terraform's s3 backend: workspace states under `env:/`), so the path exactly as it
  // arrived is the second candidate. Both spell the same key, which is what the door then serves.
  if (!signaturesEqual(signed.signature, claim.signature) && req.rawPath && req.rawPath !== canonicalUri(req.rawPath)) {
    const asSent = sign(req.rawPath);
    if (signaturesEqual(asSent.signature, claim.signature)) signed = asSent;
  }
  const expected = signed.signature;
  if (!signaturesEqual(expected, claim.signature))
    throw problems.s3(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      {
        AWSAccessKeyId: claim.accessKeyId,
        StringToSign: signed.toSign,
        SignatureProvided: claim.signature,
        CanonicalRequest: signed.canonical,
      },
    );

  return {
    accessKeyId: claim.accessKeyId,
    userId: key.userId,
    presigned: claim.presigned,
    payload: payloadClaim(claim, { signature: expected, signingKey: kSigning, amzDate: claim.amzDate, scope }),
  };
}

function headerClaim(req: SigV4Request, nowMs: number, opts: SigV4Options): Claim {
  const malformed = (detail: string, extra: Record<string, string> = {}) =>
    problems.s3('AuthorizationHeaderMalformed', `The authorization header is malformed; ${detail}`, extra);
  const header = String(req.headers.authorization).trim();
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm === ECDSA) throw problems.s3('NotImplemented', 'SigV4a (AWS4-ECDSA-P256-SHA256) is not supported.');
  if (algorithm === 'AWS')
    throw problems.s3(
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    );
  if (algorithm !== ALGORITHM) throw problems.s3('InvalidArgument', `Unsupported Authorization Type ${algorithm}.`);

  const fields: Record<string, string> = {};
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw malformed(`'${part.trim()}' is not of the form Name=Value.`);
    fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  for (const name of ['Credential', 'SignedHeaders', 'Signature'])
    if (!fields[name]) throw malformed(`it has no ${name}.`);

  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const dateMs = parseAmzDate(amzDate);
  if (dateMs === undefined)
    throw problems.s3('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header.');
  const credential = parseCredential(fields.Credential, amzDate, opts, malformed);
  const signedHeaders = parseSignedHeaders(fields.SignedHeaders, malformed);
  if (!/^[0-9a-f]{64}$/.test(fields.Signature)) throw malformed('the Signature is not 64 lowercase hex digits.');

  const payloadHash = req.headers['x-amz-content-sha256'];
  if (typeof payloadHash !== 'string' || !payloadHash)
    throw problems.s3('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256.');
  checkPayloadHash(payloadHash);

  if (Math.abs(nowMs - dateMs) > MAX_SKEW_MS)
    throw problems.s3(
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
      { RequestTime: amzDate, ServerTime: isoSeconds(nowMs), MaxAllowedSkewMilliseconds: MAX_SKEW_MS },
      { Date: new Date(nowMs).toUTCString() },
    );
  return { presigned: false, ...credential, amzDate, signedHeaders, signature: fields.Signature, payloadHash };
}

function queryClaim(req: SigV4Request, nowMs: number, opts: SigV4Options): Claim {
  const malformed = (detail: string, extra: Record<string, string> = {}) =>
    problems.s3('AuthorizationQueryParametersError', detail, extra);
  const params = new Map<string, string>();
  for (const [name, value] of decodeQuery(req.rawQuery)) {
    if (name.startsWith('X-Amz-') && params.has(name)) throw malformed(`${name} is given more than once.`);
    params.set(name, value);
  }
  if (params.has('AWSAccessKeyId') && !params.has('X-Amz-Algorithm'))
    throw problems.s3('InvalidRequest', 'Signature Version 2 is not supported; please use AWS4-HMAC-SHA256.');
  const algorithm = params.get('X-Amz-Algorithm');
  if (algorithm === ECDSA) throw problems.s3('NotImplemented', 'SigV4a (AWS4-ECDSA-P256-SHA256) is not supported.');
  const required = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders'];
  if (![...required, 'X-Amz-Expires'].every((n) => params.get(n)))
    throw malformed(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  if (algorithm !== ALGORITHM) throw malformed(`X-Amz-Algorithm only supports "${ALGORITHM}".`);

  const amzDate = params.get('X-Amz-Date')!;
  const dateMs = parseAmzDate(amzDate);
  if (dateMs === undefined) throw malformed(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'".`);
  const expiresRaw = params.get('X-Amz-Expires')!;
  const expires = /^\d{1,7}$/.test(expiresRaw) ? Number(expiresRaw) : NaN;
  if (!(expires >= 1)) throw malformed('X-Amz-Expires should be a number of seconds, at least 1.');
  if (expires > MAX_EXPIRES_S)
    throw malformed(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_S}.`);
  const credential = parseCredential(params.get('X-Amz-Credential')!, amzDate, opts, malformed);
  const signedHeaders = parseSignedHeaders(params.get('X-Amz-SignedHeaders')!, malformed);
  const signature = params.get('X-Amz-Signature')!;
  if (!/^[0-9a-f]{64}$/.test(signature)) throw malformed('X-Amz-Signature is not 64 lowercase hex digits.');

  // A presigned URL lives for X-Amz-Expires with no skew window; one dated in the future is tolerated only as far
  // as a header signature's skew, for a signer whose clock runs ahead.
  if (nowMs > dateMs + expires * 1000)
    throw problems.s3('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': expiresRaw,
      Expires: isoSeconds(dateMs + expires * 1000),
      ServerTime: isoSeconds(nowMs),
    });
  if (dateMs - nowMs > MAX_SKEW_MS)
    throw problems.s3('AccessDenied', 'Request is not valid yet', {
      'X-Amz-Date': amzDate,
      ServerTime: isoSeconds(nowMs),
    });
  const payloadHash = params.get('X-Amz-Content-Sha256') || 'UNSIGNED-PAYLOAD';
  checkPayloadHash(payloadHash);
  if (STREAMING[payloadHash])
    throw problems.s3('InvalidRequest', 'A presigned request cannot carry an aws-chunked streaming body.');
  return { presigned: true, ...credential, amzDate, signedHeaders, signature, payloadHash };
}

function parseCredential(
  value: string,
  amzDate: string,
  opts: SigV4Options,
  malformed: (detail: string, extra?: Record<string, string>) => Problem,
): Pick<Claim, 'accessKeyId' | 'date' | 'region'> {
  const parts = value.split('/');
  if (parts.length !== 5 || !parts[0])
    throw malformed('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  const [accessKeyId, date, region, service, terminator] = parts;
  if (date !== amzDate.slice(0, 8)) throw malformed('Invalid credential date. Date is not the same as X-Amz-Date.');
  if (region !== opts.region && region !== 'us-east-1' && region !== 'auto')
    throw malformed(`the region '${region}' is wrong; expecting '${opts.region}'.`, { Region: opts.region });
  if (service !== 's3') throw malformed(`incorrect service '${service}'; this endpoint is 's3'.`);
  if (terminator !== 'aws4_request') throw malformed(`incorrect terminal '${terminator}'; expecting 'aws4_request'.`);
  return { accessKeyId, date, region };
}

function parseSignedHeaders(value: string, malformed: (detail: string) => Problem): string {
  const names = value.split(';');
  if (!names.every((n) => /^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(n)))
    throw malformed('SignedHeaders must be lowercase header names separated by ";".');
  // The host is what ties a signature to this server; a request that did not sign it could be replayed anywhere.
  if (!names.includes('host')) throw malformed('SignedHeaders must include host.');
  return value;
}

function checkPayloadHash(value: string): void {
  if (value === 'UNSIGNED-PAYLOAD' || STREAMING[value] || /^[0-9a-fA-F]{64}$/.test(value)) return;
  if (value.startsWith('STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD'))
    throw problems.s3('NotImplemented', `x-amz-content-sha256 ${value} (SigV4a chunk signatures) is not supported.`);
  throw problems.s3(
    'InvalidArgument',
    'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER), STREAMING-UNSIGNED-PAYLOAD-TRAILER, or a valid sha256 value.',
  );
}

function payloadClaim(claim: Claim, seed: StreamingSeed): PayloadClaim {
  const streaming = STREAMING[claim.payloadHash];
  if (streaming) return { kind: 'streaming', ...streaming, ...(streaming.signed ? { seed } : {}) };
  if (claim.payloadHash === 'UNSIGNED-PAYLOAD') return { kind: 'unsigned' };
  return { kind: 'sha256', hex: claim.payloadHash.toLowerCase() };
}

/** YYYYMMDD'T'HHMMSS'Z' to epoch ms, or undefined when it is not a real UTC instant in that form. */
export function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  return back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? ms : undefined;
}

/** AWS's form of an instant in errors: ISO 8601 without milliseconds. */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
