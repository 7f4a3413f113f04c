// The cache key of a viewer request under a behaviour's cache policy: the distribution and its config version, the
// path, and the query strings, headers and cookies the policy names, with Accept-Encoding normalised to br / gzip /
// identity. Pure. The same parts are what the edge forwards to the origin, so the key always names what was fetched.
import type { CachePolicy, KeyParts } from '../model.js';

export interface ViewerRequest {
  method: string;
  /** the path within the distribution, starting with `/`, without the query */
  path: string;
  /** the raw query string, without `?` ('' when none) */
  query: string;
  /** lower-case header names */
  headers: Record<string, string | string[] | undefined>;
}

const picks = (parts: KeyParts, name: string): boolean => {
  switch (parts.behavior) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'allow':
      return parts.names.includes(name);
    case 'deny':
      return !parts.names.includes(name);
  }
};

/** The query string's parameters the policy keeps, sorted so `?b=1&a=2` and `?a=2&b=1` are one object. */
export function keyQuery(query: string, parts: KeyParts): string {
  if (!query || parts.behavior === 'none') return '';
  const kept = query
    .split('&')
    .filter((p) => p && picks(parts, decodeURIComponent(p.split('=')[0]!.replace(/\+/g, ' '))));
  return kept.sort().join('&');
}

/** Header names (lower case) the policy puts in the key. `all` is refused by CloudFront for headers: the allow list only. */
export function keyHeaders(headers: ViewerRequest['headers'], parts: KeyParts): [string, string][] {
  if (parts.behavior === 'none') return [];
  const names =
    parts.behavior === 'allow'
      ? parts.names.map((n) => n.toLowerCase())
      : Object.keys(headers).filter((n) => picks(parts, n));
  return names
    .filter((n) => n !== 'accept-encoding' && headers[n] !== undefined)
    .sort()
    .map((n) => [n, String(headers[n])]);
}

export function keyCookies(cookieHeader: string | undefined, parts: KeyParts): [string, string][] {
  if (!cookieHeader || parts.behavior === 'none') return [];
  const out: [string, string][] = [];
  for (const c of cookieHeader.split(';')) {
    const eq = c.indexOf('=');
    const name = (eq < 0 ? c : c.slice(0, eq)).trim();
    if (name && picks(parts, name)) out.push([name, eq < 0 ? '' : c.slice(eq + 1).trim()]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** A coding the viewer accepts with q > 0 (`*` counts; `identity` is always acceptable). */
function accepts(acceptEncoding: string, coding: string): boolean {
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (name !== coding && name !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  }
  return false;
}

/** The viewer's Accept-Encoding reduced to the one coding the edge will ask for and store: br, gzip or identity. */
export function normaliseEncoding(acceptEncoding: string | string[] | undefined, policy: CachePolicy): string {
  const ae = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : (acceptEncoding ?? '');
  if (policy.enable_brotli && accepts(ae, 'br')) return 'br';
  if (policy.enable_gzip && accepts(ae, 'gzip')) return 'gzip';
  return 'identity';
}

export interface KeyedRequest {
  /** the primary key: variants of it (Vary) are told apart by the store */
  key: string;
  /** what the origin is asked for: the path with the kept query */
  originPath: string;
  /** the kept headers and cookies, forwarded to the origin */
  forward: Record<string, string>;
  encoding: string;
}

export function cacheKey(
  distributionId: string,
  configVersion: number,
  req: ViewerRequest,
  policy: CachePolicy,
): KeyedRequest {
  const query = keyQuery(req.query, policy.query_strings);
  const headers = keyHeaders(req.headers, policy.headers);
  const cookies = keyCookies(req.headers['cookie'] as string | undefined, policy.cookies);
  const encoding = normaliseEncoding(req.headers['accept-encoding'], policy);
  const originPath = query ? `${req.path}?${query}` : req.path;
  const forward: Record<string, string> = Object.fromEntries(headers);
  if (cookies.length) forward['cookie'] = cookies.map(([n, v]) => `${n}=${v}`).join('; ');
  if (encoding !== 'identity') forward['accept-encoding'] = encoding;
  const key = [
    distributionId,
    configVersion,
    originPath,
    headers.map(([n, v]) => `${n}:${v}`).join('\n'),
    forward['cookie'] ?? '',
    encoding,
  ].join('\u0000');
  return { key, originPath, forward, encoding };
}
