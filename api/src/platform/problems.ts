// The one error catalogue: services throw these; the HTTP error handler renders them as RFC 9457.
export type FieldError = { pointer: string; detail: string; code?: string };

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail?: string,
    readonly errors?: FieldError[],
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }
  get detail(): string {
    return this.message;
  }
}

const kebab = (code: string) => code.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
export const problemType = (code: string) => `https://atonixcorp.com/problems/${kebab(code)}`;

export const problems = {
  malformedBody: (detail: string) => new Problem(400, 'MalformedBody', 'The request body is not valid JSON', detail),
  unsupportedMediaType: (type: string) =>
    new Problem(
      415,
      'UnsupportedMediaType',
      'Unsupported media type',
      `Content-Type ${type || '(none)'} is not accepted here; send application/json.`,
    ),
  validation: (errors: FieldError[]) =>
    new Problem(
      422,
      'ValidationFailed',
      'The request is not valid',
      errors.map((e) => `${e.pointer || '/'}: ${e.detail}`).join('; '),
      errors,
    ),
  invalidParameter: (errors: FieldError[]) =>
    new Problem(
      400,
      'InvalidParameter',
      'A parameter is not valid',
      errors.map((e) => `${e.pointer}: ${e.detail}`).join('; '),
      errors,
    ),
  fieldImmutable: (field: string) =>
    new Problem(
      422,
      'FieldImmutable',
      'A field may not be changed',
      `${field} is immutable; create a new resource instead.`,
      [{ pointer: `/${field}`, detail: 'is immutable', code: 'FieldImmutable' }],
    ),
  invalidField: (field: string, detail: string, code = 'InvalidValue') =>
    new Problem(422, 'ValidationFailed', 'The request is not valid', `${field}: ${detail}`, [
      { pointer: `/${field}`, detail, code },
    ]),
  referenceNotFound: (field: string, id: unknown) =>
    new Problem(
      422,
      'ReferenceNotFound',
      'A referenced resource does not exist',
      `${field}: ${String(id)} does not exist.`,
      [{ pointer: `/${field}`, detail: `${String(id)} does not exist`, code: 'ReferenceNotFound' }],
    ),
  notFound: (kind: string, id: string) =>
    new Problem(404, 'NotFound', 'Resource not found', `${kind} ${id} does not exist.`),
  routeNotFound: (method: string, path: string) =>
    new Problem(404, 'RouteNotFound', 'No such endpoint', `${method} ${path} is not an endpoint of this API.`),
  methodNotAllowed: (method: string, path: string, allow: string[]) =>
    new Problem(
      405,
      'MethodNotAllowed',
      'Method not allowed',
      `${method} is not allowed on ${path}; allowed: ${allow.join(', ')}.`,
      undefined,
      {},
      { Allow: allow.join(', ') },
    ),
  unauthenticated: (detail = 'Send a valid token as `Authorization: Bearer <token>`.') =>
    new Problem(
      401,
      'Unauthenticated',
      'Authentication required',
      detail,
      undefined,
      {},
      { 'WWW-Authenticate': 'Bearer realm="atonix"' },
    ),
  forbidden: (action: string) =>
    new Problem(403, 'Forbidden', 'Not allowed', `You are not allowed to perform ${action}.`, undefined, { action }),
  accessDenied: (d: {
    action: string;
    resource: string;
    decision: 'explicit_deny' | 'implicit_deny';
    deciding_statement?: { policy_id: string; policy_name?: string; sid?: string; index: number };
    simulate: string;
  }) =>
    new Problem(
      403,
      'AccessDenied',
      'Access denied',
      d.decision === 'explicit_deny'
        ? `${d.action} on ${d.resource} is denied explicitly by statement ${d.deciding_statement!.sid ?? `#${d.deciding_statement!.index}`} of policy ${d.deciding_statement!.policy_name ?? d.deciding_statement!.policy_id}.`
        : `No policy allows ${d.action} on ${d.resource}. ${d.simulate} shows how your policies decide.`,
      undefined,
      {
        action: d.action,
        resource: d.resource,
        decision: d.decision,
        ...(d.deciding_statement ? { deciding_statement: d.deciding_statement } : {}),
        simulate: d.simulate,
      },
    ),
  inUse: (kind: string, id: string, blockers: { kind: string; id: string }[]) =>
    new Problem(
      409,
      'ResourceInUse',
      'The resource is in use',
      `${kind} ${id} is still used by ${blockers.map((b) => `${b.kind} ${b.id}`).join(', ')}${blockers.length >= 10 ? ' and possibly more' : ''}.`,
      undefined,
      { blocked_by: blockers },
    ),
  /** The same thing exists already under another id (a rule, a route): the 409 names it. */
  duplicate: (kind: string, existingId: string, detail: string, pointer = '') =>
    new Problem(
      409,
      'Duplicate',
      'The same thing already exists',
      `${detail}: it duplicates ${kind} ${existingId}.`,
      [{ pointer, detail: `duplicates ${kind} ${existingId}`, code: 'Duplicate' }],
      { conflicts_with: existingId },
    ),
  /** A VPC's default security group or main route table: it lives and dies with the VPC. */
  defaultResource: (kind: string, id: string, vpcId: string) =>
    new Problem(
      409,
      'DefaultResource',
      'The resource belongs to its VPC',
      `${kind} ${id} is the default of vpc ${vpcId}; it is deleted with the VPC.`,
      undefined,
      { vpc_id: vpcId },
    ),
  conflict: (detail: string, errors?: FieldError[], extra: Record<string, unknown> = {}) =>
    new Problem(409, 'Conflict', 'The request conflicts with existing state', detail, errors, extra),
  alreadyExists: (kind: string, field: string, value: string) =>
    new Problem(
      409,
      'AlreadyExists',
      'The resource already exists',
      `A ${kind} with ${field} ${value} already exists.`,
      [{ pointer: `/${field}`, detail: 'is already taken', code: 'AlreadyExists' }],
    ),
  invalidTransition: (kind: string, id: string, action: string, current: string, allowed: string[]) =>
    new Problem(
      409,
      'InvalidStateTransition',
      'The resource is not in a state that allows this',
      `Cannot ${action} ${kind} ${id}: its status is ${current}; ${action} is allowed from: ${allowed.join(', ') || 'no status'}.`,
      undefined,
      { current_status: current, allowed_statuses: allowed },
    ),
  // Keys (security/keys.ts): the KMS errors, by AWS's names where AWS has one.
  kmsInvalidState: (id: string, action: string, state: string, allowed: string[]) =>
    new Problem(
      409,
      'KMSInvalidState',
      'The key is not in a state that allows this',
      `Cannot ${action} with key ${id}: its key_state is ${state}; ${action} needs a key that is ${allowed.join(' or ')}.`,
      undefined,
      { key_state: state, allowed_states: allowed },
    ),
  invalidKeyUsage: (id: string, usage: string, action: string, needed: string) =>
    new Problem(
      422,
      'InvalidKeyUsage',
      'The key is not for this operation',
      `Key ${id} is a ${usage} key; ${action} needs a ${needed} key.`,
      undefined,
      { key_usage: usage },
    ),
  unsupportedKeyOperation: (id: string, spec: string, action: string, supportedBy = 'SYMMETRIC_DEFAULT') =>
    new Problem(
      422,
      'UnsupportedOperation',
      'The key does not support this operation',
      `Key ${id} is ${spec}; ${action} is supported by ${supportedBy} keys only.`,
      undefined,
      { key_spec: spec },
    ),
  invalidCiphertext: (detail: string, field = 'ciphertext_blob') =>
    new Problem(422, 'InvalidCiphertext', 'The ciphertext cannot be decrypted', `${field}: ${detail}.`, [
      { pointer: `/${field}`, detail, code: 'InvalidCiphertext' },
    ]),
  incorrectKey: (id: string, blobKey: string) =>
    new Problem(
      422,
      'IncorrectKey',
      'The ciphertext was made with another key',
      `ciphertext_blob was encrypted under key ${blobKey}, not ${id}; decrypt it with that key, or with POST /api/security/keys/decrypt.`,
      [{ pointer: '/ciphertext_blob', detail: `was encrypted under another key`, code: 'IncorrectKey' }],
    ),
  insufficientCapacity: (detail: string) =>
    new Problem(409, 'InsufficientCapacity', 'The region has not enough free capacity', detail),
  limitExceeded: (detail: string) => new Problem(409, 'LimitExceeded', 'A limit was reached', detail),
  preconditionFailed: (expected: string, actual: string) =>
    new Problem(
      412,
      'PreconditionFailed',
      'The resource has changed',
      `If-Match ${expected} does not match the current ETag ${actual}.`,
      undefined,
      { current_etag: actual },
    ),
  idempotencyKeyReused: () =>
    new Problem(
      422,
      'IdempotencyKeyReused',
      'The idempotency key was used with a different request',
      'Use a new Idempotency-Key for a different request.',
    ),
  idempotencyKeyInFlight: () =>
    new Problem(
      409,
      'IdempotencyKeyInFlight',
      'A request with this idempotency key is still in progress',
      'Retry after the first request has finished.',
      undefined,
      {},
      { 'Retry-After': '1' },
    ),
  headersTooLarge: () =>
    new Problem(
      431,
      'HeadersTooLarge',
      'Request header fields too large',
      'The request headers are larger than the server accepts (16 KiB in all).',
    ),
  requestTimeout: () => new Problem(408, 'RequestTimeout', 'Request timeout', 'The request did not arrive in time.'),
  malformedRequest: () =>
    new Problem(400, 'MalformedRequest', 'Malformed request', 'The request is not valid HTTP/1.1.'),
  rateLimited: (retryAfterSeconds: number, headers: Record<string, string> = {}) =>
    new Problem(
      429,
      'RateLimited',
      'Too many requests',
      `Slow down; retry after ${retryAfterSeconds} s.`,
      undefined,
      {},
      { 'Retry-After': String(retryAfterSeconds), ...headers },
    ),
  /**
   * Object storage (storage/): the refusals S3 clients branch on, by S3's own code, so the S3 door renders them as
   * S3 XML with the same code and REST renders them as problem+json. `extra` members become XML elements too.
   */
  s3: (
    code: S3Code,
    detail: string,
    extra: Record<string, string | number> = {},
    headers: Record<string, string> = {},
  ) => new Problem(S3_CODES[code][0], code, S3_CODES[code][1], detail, undefined, extra, headers),
  // Forecasts (ai/predictions): what was asked of a metric's series that the series cannot give.
  noSeries: (detail: string) => new Problem(404, 'NoSeries', 'No series matches', detail),
  tooManySeries: (detail: string) =>
    new Problem(422, 'TooManySeries', 'Too many series match', detail, [
      { pointer: 'labels', detail: 'matches too many series', code: 'TooManySeries' },
    ]),
  insufficientHistory: (detail: string, extra: Record<string, unknown>) =>
    new Problem(422, 'InsufficientHistory', 'Not enough history to forecast', detail, undefined, extra),
  unavailable: (detail: string) => new Problem(503, 'Unavailable', 'Service unavailable', detail),
  internal: () =>
    new Problem(
      500,
      'InternalError',
      'Internal error',
      'Something went wrong on our side; the request id identifies it in our logs.',
    ),
};

/** S3's error codes: the HTTP status and a title for each (docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses). */
const S3_CODES = {
  AccessDenied: [403, 'Access denied'],
  AuthorizationHeaderMalformed: [400, 'The authorization header is malformed'],
  AuthorizationQueryParametersError: [400, 'The query authentication parameters are malformed'],
  BadDigest: [400, 'The checksum does not match the body'],
  BucketAlreadyExists: [409, 'The bucket name is taken'],
  BucketAlreadyOwnedByYou: [409, 'You already own this bucket'],
  BucketNotEmpty: [409, 'The bucket is not empty'],
  ConditionalRequestConflict: [409, 'A concurrent conditional write conflicted'],
  EntityTooLarge: [400, 'The object is too large'],
  EntityTooSmall: [400, 'A part is too small'],
  IncompleteBody: [400, 'The body ended early or is not well framed'],
  InvalidAccessKeyId: [403, 'The access key does not exist'],
  InvalidArgument: [400, 'An argument is not valid'],
  InvalidBucketName: [400, 'The bucket name is not valid'],
  InvalidBucketState: [409, 'The bucket is not in a state that allows this'],
  InvalidDigest: [400, 'The checksum is not well formed'],
  InvalidObjectState: [403, 'The object is not in a state that allows this'],
  InvalidPart: [400, 'A part is missing or its ETag does not match'],
  InvalidPartOrder: [400, 'The parts are not in ascending order'],
  InvalidPartNumber: [416, 'The part number cannot be satisfied'],
  InvalidRange: [416, 'The range cannot be satisfied'],
  InvalidRequest: [400, 'The request is not valid'],
  InvalidStorageClass: [400, 'The storage class is not offered'],
  KeyTooLongError: [400, 'The key is too long'],
  KMSDisabledException: [400, "The object's key is disabled"],
  KMSInvalidStateException: [400, "The object's key is not in a state that allows this"],
  MalformedXML: [400, 'The XML body is not well formed'],
  MethodNotAllowed: [405, 'The method is not allowed on this resource'],
  MissingContentLength: [411, 'Content-Length is required'],
  NoSuchBucket: [404, 'The bucket does not exist'],
  NoSuchKey: [404, 'The key does not exist'],
  NoSuchLifecycleConfiguration: [404, 'The bucket has no lifecycle configuration'],
  NoSuchTagSet: [404, 'The object has no tags'],
  NoSuchUpload: [404, 'The multipart upload does not exist'],
  NoSuchVersion: [404, 'The version does not exist'],
  NotImplemented: [501, 'Not implemented'],
  NotModified: [304, 'Not modified'],
  PreconditionFailed: [412, 'A precondition failed'],
  QuotaExceeded: [409, "The bucket's quota would be exceeded"],
  RestoreAlreadyInProgress: [409, 'A restore of the object is already in progress'],
  RequestTimeTooSkewed: [403, "The request's time is too far from the server's"],
  ServerSideEncryptionConfigurationNotFoundError: [404, 'The bucket has no encryption configuration'],
  SignatureDoesNotMatch: [403, 'The signature does not match'],
  XAmzContentSHA256Mismatch: [400, 'The body does not match x-amz-content-sha256'],
} as const satisfies Record<string, readonly [number, string]>;
export type S3Code = keyof typeof S3_CODES;

/** The RFC 9457 body for a problem. */
export function renderProblem(p: Problem, requestId: string | undefined, instance: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: problemType(p.code),
    title: p.title,
    status: p.status,
    detail: p.detail,
    instance,
    code: p.code,
    ...p.extra,
  };
  if (requestId) body.request_id = requestId;
  if (p.errors?.length) body.errors = p.errors;
  return body;
}
