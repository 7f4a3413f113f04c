// AWS SDK S3 clients (default settings: checksums on) for a test app's S3 door, and the helpers S3 tests share.
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { TestApp } from './app.js';

export interface S3User {
  id: string;
  token: string;
  accessKeyId: string;
  secretAccessKey: string;
  s3: S3Client;
}

/** An access key for `user` (through REST) and an S3 client with it, path style against `${app.url}/s3`. */
export async function s3As(
  app: TestApp,
  user: { id: string; token: string },
  endpoint = `${app.url}/s3`,
): Promise<S3User> {
  const key = await app.as(user.token).post(`/api/security/users/${user.id}/access-keys`).send({}).expect(201);
  const credentials = { accessKeyId: key.body.access_key_id, secretAccessKey: key.body.secret_access_key };
  return {
    ...user,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    s3: s3Client(app, credentials),
  };
}

/** A client with other credentials or settings (a wrong secret, a skewed clock), path style at the door. */
export function s3Client(
  app: TestApp,
  credentials: { accessKeyId: string; secretAccessKey: string },
  config: Partial<S3ClientConfig> = {},
): S3Client {
  return new S3Client({ endpoint: `${app.url}/s3`, region: 'us-east-1', forcePathStyle: true, credentials, ...config });
}

export interface S3Failure {
  name: string;
  message: string;
  $metadata: { httpStatusCode?: number; requestId?: string; attempts?: number };
  $response?: { headers: Record<string, string> };
  Code?: string;
  [extra: string]: unknown;
}

/** The error a call fails with; the test fails if the call succeeds. */
export async function failure(p: Promise<unknown>): Promise<S3Failure> {
  try {
    await p;
  } catch (err) {
    return err as S3Failure;
  }
  throw new Error('expected the call to fail');
}

/** A GetObject body's bytes. */
export const bodyBytes = async (body: unknown) =>
  Buffer.from(await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());

export interface Exchange {
  request: { method: string; path: string; query: Record<string, unknown>; headers: Record<string, string> };
  statusCode: number;
  headers: Record<string, string>;
}

const recorded = new WeakMap<S3Client, Exchange[]>();

/** Records every HTTP exchange `client` makes from now on (errors too, each retry apart), newest last. */
export function recordExchanges(client: S3Client): Exchange[] {
  const known = recorded.get(client);
  if (known) {
    known.length = 0; // a second call starts the record afresh
    return known;
  }
  const seen: Exchange[] = [];
  recorded.set(client, seen);
  client.middlewareStack.add(
    (next) => async (args) => {
      const req = args.request as Exchange['request'];
      const request = { method: req.method, path: req.path, query: { ...req.query }, headers: { ...req.headers } };
      const out = await next(args);
      const r = out.response as { statusCode: number; headers: Record<string, string> };
      seen.push({ request, statusCode: r.statusCode, headers: { ...r.headers } });
      return out;
    },
    // Below the deserializer: the raw response, before an error status becomes an exception.
    { step: 'deserialize', priority: 'low', name: 'recordExchanges' },
  );
  return seen;
}

/** A bucket's usage as REST reports it. */
export async function usageOf(app: TestApp, user: { token: string }, bucket: string) {
  const b = (await app.as(user.token).get(`/api/storage/buckets/${bucket}`).expect(200)).body;
  return { used_bytes: b.used_bytes as number, object_count: b.object_count as number };
}
