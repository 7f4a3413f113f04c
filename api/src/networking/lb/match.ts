// Listener rule conditions, as ALB evaluates them: every condition given must match, and within one any value may;
// `*` and `?` are wildcards; host names ignore case; header names ignore case; query values are URL-decoded.
import type { IncomingMessage } from 'node:http';

export interface Conditions {
  path_patterns?: string[];
  host_headers?: string[];
  http_headers?: { name: string; values: string[] }[];
  query_strings?: { key?: string; value: string }[];
}

const compiled = new Map<string, RegExp>();
/** A wildcard pattern as an anchored regular expression (cached: the same few patterns match every request). */
function wildcard(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = compiled.get(key);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    compiled.set(key, (re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's')));
  }
  return re;
}

export function matches(c: Conditions, req: IncomingMessage, url: URL): boolean {
  if (c.path_patterns && !c.path_patterns.some((p) => wildcard(p, false).test(url.pathname))) return false;
  if (c.host_headers) {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!c.host_headers.some((p) => wildcard(p, true).test(host))) return false;
  }
  for (const h of c.http_headers ?? []) {
    const raw = req.headers[h.name.toLowerCase()];
    const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    if (!values.some((v) => h.values.some((p) => wildcard(p, true).test(v)))) return false;
  }
  if (c.query_strings) {
    const pairs = [...url.searchParams.entries()];
    const ok = c.query_strings.some((q) =>
      pairs.some(([k, v]) => (q.key === undefined || wildcard(q.key, true).test(k)) && wildcard(q.value, true).test(v)),
    );
    if (!ok) return false;
  }
  return true;
}
