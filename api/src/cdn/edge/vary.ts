// Vary (RFC 9111 §4.1): a stored response is used for a request only when the headers its Vary names have the
// values they had on the request that fetched it. Accept-Encoding compares as the edge normalised it.
import type { Entry } from './entry.js';

export const varyNames = (headers: Record<string, string>): string[] =>
  (headers['vary'] ?? '')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean);

/** The value a request header counts as for Vary: list values joined, whitespace collapsed. */
export function varyValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
  encoding: string,
): string {
  if (name === 'accept-encoding') return encoding;
  const v = headers[name];
  return (Array.isArray(v) ? v.join(', ') : (v ?? '')).replace(/\s+/g, ' ').trim();
}

export function varyValuesOf(
  responseHeaders: Record<string, string>,
  reqHeaders: Record<string, string | string[] | undefined>,
  encoding: string,
): Record<string, string> {
  return Object.fromEntries(varyNames(responseHeaders).map((n) => [n, varyValue(reqHeaders, n, encoding)]));
}

export const variantMatches = (
  e: Entry,
  reqHeaders: Record<string, string | string[] | undefined>,
  encoding: string,
): boolean => Object.entries(e.varyValues).every(([n, v]) => varyValue(reqHeaders, n, encoding) === v);
