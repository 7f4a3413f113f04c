// The query string as the operations read it: decoded strictly (a percent-encoding that is not UTF-8 is refused,
// where node's querystring would quietly make it U+FFFD), `+` as a space, and a name given twice kept as an array
// so the pipeline can refuse it by name.

export interface ParsedQuery {
  params: Record<string, string | string[]>;
  /** the first name or value that is not valid percent-encoded UTF-8 */
  malformed?: string;
}

const decode = (s: string) => decodeURIComponent(s.includes('+') ? s.replace(/\+/g, ' ') : s);

export function parseQuery(url: string): ParsedQuery {
  const at = url.indexOf('?');
  const params: Record<string, string | string[]> = Object.create(null);
  if (at < 0 || at === url.length - 1) return { params };
  let malformed: string | undefined;
  for (const pair of url.slice(at + 1).split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    let name: string;
    let value: string;
    try {
      name = decode(rawName);
    } catch {
      malformed ??= rawName;
      continue;
    }
    try {
      value = decode(rawValue);
    } catch {
      malformed ??= name;
      continue;
    }
    const prior = params[name];
    params[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return malformed === undefined ? { params } : { params, malformed };
}
