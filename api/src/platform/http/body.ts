// The JSON body of an operation's request, read by the operations layer itself. express.json (body-parser,
// raw-body, type-is, iconv-lite) cost ~0.04 ms of CPU per request on these machines, a twentieth of a create's
// whole API cost, for what is here a read, a size check and JSON.parse. It also parsed bodies before the
// caller was authenticated; these are read after.
import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import { Problem, problems } from '../problems.js';
import { parseQuery, type ParsedQuery } from './query.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Strict: a byte sequence that is not UTF-8 is refused, not turned into U+FFFD (ignoreBOM: the code below drops it). */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// The connection closes after this answer: the rest of an oversized upload is not worth reading through.
const tooLarge = (limit: number) =>
  new Problem(
    413,
    'PayloadTooLarge',
    'The request body is too large',
    `The limit is ${limit} bytes.`,
    undefined,
    {},
    { Connection: 'close' },
  );
const aborted = () => problems.malformedBody('The request was aborted before its body ended.');

const DECODERS: Record<string, (buf: Buffer, opts: zlib.ZlibOptions) => Buffer> = {
  gzip: zlib.gunzipSync,
  'x-gzip': zlib.gunzipSync,
  deflate: zlib.inflateSync,
  br: (buf, opts) => zlib.brotliDecompressSync(buf, opts as zlib.BrotliOptions),
};

/** The body as sent (identity, gzip, deflate or br), at most `limit` bytes once decoded. */
function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  const decode = encoding === 'identity' ? undefined : DECODERS[encoding];
  if (encoding !== 'identity' && !decode) {
    return Promise.reject(
      new Problem(
        415,
        'UnsupportedMediaType',
        'Unsupported content encoding',
        `Content-Encoding ${encoding} is not accepted; send identity, gzip, deflate or br.`,
      ),
    );
  }
  const declared = Number(req.headers['content-length']);
  if (!decode && declared > limit) return Promise.reject(tooLarge(limit));
  // The client may have gone while the caller was authenticated: no 'data' or 'end' would ever come.
  if (req.destroyed || req.readableAborted) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const fail = (p: Problem) => {
      if (failed) return;
      failed = true;
      chunks.length = 0;
      reject(p);
    };
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      // Compressed, the body counts against the limit as sent and again once decoded (below).
      if (size > limit) {
        fail(tooLarge(limit));
        req.pause(); // the answer closes the connection; nothing more is read
      } else chunks.push(chunk);
    });
    req.on('aborted', () => fail(aborted()));
    req.on('close', () => {
      if (!req.complete) fail(aborted());
    });
    req.on('error', () => fail(problems.malformedBody('The request body could not be read.')));
    req.on('end', () => {
      if (failed) return;
      const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      if (!decode) {
        resolve(raw);
        return;
      }
      try {
        resolve(decode(raw, { maxOutputLength: limit }));
      } catch (e) {
        fail(
          (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError
            ? tooLarge(limit)
            : problems.malformedBody(`The ${encoding} body could not be decoded.`),
        );
      }
    });
  });
}

/**
 * Reads an application/x-www-form-urlencoded body (what Prometheus clients such as Grafana POST to the query API) as
 * parameters, decoded as strictly as a query string; a name given twice is an array.
 */
export async function readFormBody(req: IncomingMessage, limit = BODY_LIMIT_BYTES): Promise<ParsedQuery> {
  let text: string;
  try {
    text = UTF8.decode(await readRaw(req, limit));
  } catch (e) {
    if (e instanceof Problem) throw e;
    throw problems.malformedBody('The body is not valid UTF-8.');
  }
  return parseQuery(`?${text}`);
}

/**
 * Reads and parses a JSON request body: UTF-8 only (RFC 8259; express.json also took UTF-16), an object or
 * array at the top (as express.json's strict mode), a leading byte-order mark ignored, an empty body undefined.
 * Failures are problems: 400 malformed, 413 too large, 415 charset or encoding.
 */
export async function readJsonBody(req: IncomingMessage, limit = BODY_LIMIT_BYTES): Promise<unknown> {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(String(req.headers['content-type'] ?? ''))?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    req.resume();
    throw new Problem(
      415,
      'UnsupportedMediaType',
      'Unsupported charset',
      `charset ${charset} is not accepted; send UTF-8.`,
    );
  }
  let text: string;
  try {
    text = UTF8.decode(await readRaw(req, limit));
  } catch (e) {
    if (e instanceof Problem) throw e;
    throw problems.malformedBody('The body is not valid UTF-8.');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) return undefined; // an empty body (chunked, say) is no body, as with Content-Length: 0
  if (first !== '{' && first !== '[') throw problems.malformedBody('The body must be a JSON object or array.');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw problems.malformedBody((e as Error).message);
  }
}
