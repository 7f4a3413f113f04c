// Shared by the S3 wire tests: an access-key table, a bare HTTP server that records what real clients send, and a
// helper that expects an S3 problem.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Problem } from '../../../api/src/platform/problems.js';
import type { AccessKeyLookup, SigV4Request } from '../../../api/src/storage/s3/sigv4.js';

export const KEY_ID = 'AKIATESTKEY0000001';
export const SECRET = 'test/secret+key=with/odd+chars';
export const INACTIVE_KEY_ID = 'AKIAINACTIVE000001';

export const lookup: AccessKeyLookup = async (id) =>
  id === KEY_ID
    ? { secret: SECRET, userId: 'user-1', active: true }
    : id === INACTIVE_KEY_ID
      ? { secret: SECRET, userId: 'user-2', active: false }
      : undefined;

/** A lookup that knows KEY_ID under another secret: the request is signed with the wrong one. */
export const wrongSecret: AccessKeyLookup = async (id) =>
  id === KEY_ID ? { secret: 'not-the-secret', userId: 'user-1', active: true } : undefined;

export type Captured = SigV4Request & { url: string; body: Buffer };

/** Splits a request target the way the S3 door will: the raw path, and the raw query after the first '?'. */
export function requestParts(url: string): { rawPath: string; rawQuery: string } {
  const q = url.indexOf('?');
  return q < 0 ? { rawPath: url, rawQuery: '' } : { rawPath: url.slice(0, q), rawQuery: url.slice(q + 1) };
}

/** A server that records each request and answers with just enough for the SDK to parse. */
export async function captureServer() {
  const requests: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method!,
        url: req.url!,
        ...requestParts(req.url!),
        headers: req.headers as IncomingHttpHeaders,
        body: Buffer.concat(chunks),
      });
      const xml = req.url!.includes('list-type=2')
        ? '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated></ListBucketResult>'
        : req.url!.includes('?delete')
          ? '<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>'
          : '';
      res.writeHead(200, { 'content-type': 'application/xml', etag: '"x"' });
      res.end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Expects `fn` to throw (or reject with) the S3 problem `code`, and returns it for further checks. */
export async function expectS3Error(fn: () => unknown, code: string): Promise<Problem> {
  try {
    await fn();
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(Problem);
    expect((e as Problem).code, (e as Problem).detail).to.equal(code);
    return e as Problem;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}
