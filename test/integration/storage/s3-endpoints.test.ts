// Where the S3 protocol answers besides /s3: at the root of ATONIX_S3_PORT, and for virtual-host names
// `<bucket>.<ATONIX_S3_DOMAIN>` (on the API port and on the S3 port), with the AWS SDK addressing them itself.
import { Agent } from 'node:http';
import type { LookupFunction } from 'node:net';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { s3As, type S3User } from '../../support/s3.js';

const DOMAIN = 's3.test';

/** Resolves every name under DOMAIN to loopback, as a wildcard DNS record would (nothing else is resolved). */
const lookup = ((hostname: string, options: { all?: boolean }, cb: (...a: unknown[]) => void) => {
  if (hostname !== DOMAIN && !hostname.endsWith(`.${DOMAIN}`))
    return cb(Object.assign(new Error(`not resolved in tests: ${hostname}`), { code: 'ENOTFOUND' }));
  if (options.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;

/** An SDK client in its default (virtual-host) addressing against `http://s3.test:<port>`; records the hosts used. */
function vhostClient(user: S3User, port: string) {
  const hosts: string[] = [];
  const s3 = new S3Client({
    endpoint: `http://${DOMAIN}:${port}`,
    region: 'us-east-1',
    forcePathStyle: false,
    credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
    requestHandler: { httpAgent: new Agent({ keepAlive: true, lookup }) },
  });
  s3.middlewareStack.add(
    (next) => async (args) => {
      const r = args.request as { hostname: string; path: string };
      hosts.push(`${r.hostname} ${r.path}`);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordHost' },
  );
  return { s3, hosts };
}

const body = async (out: { Body?: unknown }) =>
  Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).toString();

describe('S3 door: its own port and virtual-host names', function () {
  this.timeout(60_000);
  let app: TestApp;
  let user: S3User;

  before(async () => {
    app = await startApp({ ATONIX_S3_PORT: '0', ATONIX_S3_DOMAIN: DOMAIN });
    user = await s3As(app, await newUser(app, 'endpoints'), app.s3Url);
  });
  after(() => app.close());

  it('answers at the root of ATONIX_S3_PORT (path style, no /s3 prefix)', async () => {
    expect(app.s3Url).to.be.a('string');
    await user.s3.send(new CreateBucketCommand({ Bucket: 'port-root' }));
    await user.s3.send(new PutObjectCommand({ Bucket: 'port-root', Key: 'a/b.txt', Body: 'at the root' }));
    expect(await body(await user.s3.send(new GetObjectCommand({ Bucket: 'port-root', Key: 'a/b.txt' })))).to.equal(
      'at the root',
    );
    const buckets = await user.s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets!.map((b) => b.Name)).to.include('port-root');
    // The same object through /s3 on the API port: one store behind both.
    const viaApi = await s3As(app, user, `${app.url}/s3`);
    expect(await body(await viaApi.s3.send(new GetObjectCommand({ Bucket: 'port-root', Key: 'a/b.txt' })))).to.equal(
      'at the root',
    );
  });

  for (const where of ['the API port', 'the S3 port'] as const)
    it(`reaches the bucket named by Host <bucket>.${DOMAIN}:<port> on ${where}`, async () => {
      const port = new URL(where === 'the API port' ? app.url : app.s3Url!).port;
      const bucket = where === 'the API port' ? 'vhost-api' : 'vhost-s3port';
      const { s3, hosts } = vhostClient(user, port);
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'dir/v host.txt', Body: `via ${where}` }));
      expect(await body(await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dir/v host.txt' })))).to.equal(
        `via ${where}`,
      );
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'dir/' }));
      expect(listed.Contents!.map((c) => c.Key)).to.deep.equal(['dir/v host.txt']);
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'dir/v host.txt' }));
      // The SDK named the bucket in the Host, never in the path.
      expect(hosts).to.have.length(5);
      for (const h of hosts) {
        expect(h.startsWith(`${bucket}.${DOMAIN} /`), h).to.equal(true);
        expect(h, h).to.not.contain(`/${bucket}`);
      }
      // And the path-style client sees the same bucket.
      const keys = await user.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      expect(keys.KeyCount).to.equal(0);
    });
});
