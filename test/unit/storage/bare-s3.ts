// A bare node:http server standing in for S3, with a real S3Client pointed at it: it records request bodies and
// answers with canned XML, so tests see bytes exactly as the AWS SDK writes and reads them.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';

/** Keys S3 allows and XML makes hard: markup characters, non-ASCII, CR and LF, a control character, spaces. */
export const NASTY = ' a&b<c>"d\'é\r\n\tz\u0001 ';

/** A bare HTTP server that records each request body and answers with the canned response of the moment. */
export async function bareS3() {
  const bodies: { method: string; url: string; body: Buffer }[] = [];
  let answer: (req: IncomingMessage, res: ServerResponse) => void = (_q, res) => res.end();
  const server: Server = createServer(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    bodies.push({ method: req.method!, url: req.url!, body: Buffer.concat(parts) });
    answer(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
  return {
    client,
    bodies,
    /** Answers with this status and XML body from now on. */
    reply(status: number, xml = '') {
      answer = (_q, res) => {
        res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': 'req-1' });
        res.end(xml);
      };
    },
    close: () => {
      client.destroy();
      server.close();
    },
  };
}

export type BareS3 = Awaited<ReturnType<typeof bareS3>>;
