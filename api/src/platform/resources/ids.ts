// Public ids: a kind prefix and 16 lowercase base-32 characters (80 random bits).
import { randomFillSync } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

// CSPRNG bytes drawn 4 KiB at a time (each byte used once): a call into the generator per id cost more than the
// rest of making the id. Node's randomUUID pools the same way.
const pool = Buffer.allocUnsafe(4096);
let used = pool.length;

export function randomToken(chars: number): string {
  if (chars > pool.length) throw new RangeError('randomToken: too many characters');
  if (used + chars > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  let out = '';
  for (let i = 0; i < chars; i++) out += ALPHABET[pool[used + i]! & 31];
  used += chars;
  return out;
}

export const newId = (prefix: string) => `${prefix}-${randomToken(16)}`;
// Request ids: a random per-process prefix and a counter; unique enough to find a request in the logs, and
// free of a random-bytes call per request.
const REQUEST_PREFIX = `req-${randomToken(6)}`;
let requestCounter = 0;
export const newRequestId = () => `${REQUEST_PREFIX}${(++requestCounter).toString(36).padStart(6, '0')}`;
