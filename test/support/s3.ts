// An S3 client of the AWS SDK (default settings: checksums on) pointed at a test app's S3 door, as a given user.
import { S3Client } from '@aws-sdk/client-s3';
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
    s3: new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials }),
  };
}
