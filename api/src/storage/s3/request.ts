// What an S3 request addresses, read from the request line exactly as sent: the bucket (from the path, or from the
// Host for virtual-host style), the key (bytes as sent, percent-decoded once), and the query's subresources.
import type { IncomingMessage } from 'node:http';
import { problems } from '../../platform/problems.js';

export interface S3Request {
  method: string;
  /** the path as sent, still percent-encoded (what SigV4 signs) */
  rawPath: string;
  /** the query as sent, after `?` */
  rawQuery: string;
  /** query parameters, decoded; a valueless one (`?uploads`) maps to '' */
  query: Map<string, string>;
  bucket?: string;
  key?: string;
}

/** `%XX` decoding of one path or query component, strict (a malformed escape is a 400, not a guess). */
function decode(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw problems.s3('InvalidArgument', `The ${what} is not valid percent-encoding.`, { ArgumentName: what });
  }
}

/** Query parameters as S3 reads them: `+` is a literal plus in S3 keys signed by SDKs, so it is not a space. */
export function parseQuery(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq), 'query');
    out.set(name, eq < 0 ? '' : decode(part.slice(eq + 1), 'query'));
  }
  return out;
}

/**
 * The S3 request in `req`. `mount` is the path prefix the door is served under ('/s3', or '' on its own port);
 * `vhostBucket` the bucket a virtual-host name gave.
 */
export function parseS3Request(req: IncomingMessage, mount: string, vhostBucket?: string): S3Request {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const rest = rawPath.slice(mount.length); // '/bucket/key...' or '/key...' under a virtual host
  const out: S3Request = { method: req.method ?? 'GET', rawPath, rawQuery, query: parseQuery(rawQuery) };
  if (vhostBucket) {
    out.bucket = vhostBucket;
    if (rest.length > 1) out.key = decode(rest.slice(1), 'key');
    return out;
  }
  const slash = rest.indexOf('/', 1);
  const bucket = slash < 0 ? rest.slice(1) : rest.slice(1, slash);
  if (bucket) out.bucket = decode(bucket, 'bucket');
  if (slash >= 0 && slash < rest.length - 1) out.key = decode(rest.slice(slash + 1), 'key');
  return out;
}

/** The bucket a Host names under `domain` (`<bucket>.<domain>[:port]`), if any. */
export function vhostBucketOf(host: string | undefined, domain: string | undefined): string | undefined {
  if (!host || !domain) return undefined;
  const name = host.replace(/:\d+$/, '').toLowerCase();
  if (!name.endsWith(`.${domain}`)) return undefined;
  return name.slice(0, -domain.length - 1) || undefined;
}
