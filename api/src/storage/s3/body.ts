// An S3 request's body as the operations read it: aws-chunked framing removed (its chunk signatures checked, its
// trailer kept), with what the bytes must hash to (a signed x-amz-content-sha256, the client's checksum).
import type { IncomingMessage } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { checksumPlan } from '../objects/checksums.js';
import type { Expectations } from '../objects/intake.js';
import { awsChunkedDecoder } from './aws-chunked.js';
import type { SigV4Identity } from './sigv4.js';

export interface Body {
  stream: Readable;
  /** the decoded length, when the client declared it */
  length?: number;
  expect: Expectations;
}

export function decodedBody(req: IncomingMessage, auth: SigV4Identity): Body {
  const plan = checksumPlan(req.headers);
  const declared = (name: string) => {
    const v = req.headers[name];
    return v === undefined || !/^\d+$/.test(String(v)) ? undefined : Number(v);
  };
  const p = auth.payload;
  if (p.kind === 'streaming') {
    const decoder = awsChunkedDecoder(p, req.headers);
    pipeline(req, decoder, () => {}); // an error reaches the reader through the decoder
    return {
      stream: decoder,
      length: declared('x-amz-decoded-content-length'),
      expect: { plan, trailers: () => decoder.trailers },
    };
  }
  return {
    stream: req,
    length: declared('content-length'),
    expect: { plan, sha256Hex: p.kind === 'sha256' ? p.hex : undefined },
  };
}
