// Public ids: a kind prefix and 16 lowercase base-32 characters (80 random bits).
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function randomToken(chars: number): string {
  const bytes = randomBytes(chars);
  let out = '';
  for (let i = 0; i < chars; i++) out += ALPHABET[bytes[i]! & 31];
  return out;
}

export const newId = (prefix: string) => `${prefix}-${randomToken(16)}`;
// Request ids: a random per-process prefix and a counter; unique enough to find a request in the logs, and
// free of a random-bytes call per request.
const REQUEST_PREFIX = `req-${randomToken(6)}`;
let requestCounter = 0;
export const newRequestId = () => `${REQUEST_PREFIX}${(++requestCounter).toString(36).padStart(6, '0')}`;
