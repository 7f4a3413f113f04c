// CloudFront's path patterns and invalidation paths: `*` matches any run of characters (slashes too), `?` exactly one;
// matching is case-sensitive, on the path without its query string.

const cache = new Map<string, RegExp>();

export function wildcardRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, 's');
    if (cache.size > 10_000) cache.clear(); // patterns come from configurations: bounded only in theory
    cache.set(pattern, re);
  }
  return re;
}

/** Whether `path` matches `pattern`; a pattern without a leading slash is matched as if it had one. */
export function matchesPath(pattern: string, path: string): boolean {
  if (pattern === '*') return true;
  const p = pattern.startsWith('/') || pattern.startsWith('*') ? pattern : `/${pattern}`;
  return wildcardRegExp(p).test(path);
}
