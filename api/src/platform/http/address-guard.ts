// Authentication as the HTTP API and the event stream both do it: a source address that keeps sending bad tokens
// is rate limited as such, and once its bucket is empty it is refused before any lookup, so a flood costs the
// database nothing (a token this process has already verified still passes).
import type { Authenticator } from '../operations/authentication.js';
import type { Principal } from '../operations/principals.js';
import { Problem } from '../problems.js';
import type { RateLimiter } from './rate-limit.js';

/** Thrown for a source address spending its bucket on bad tokens: `problem` is its 429. */
export class AddressLimited extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

/** Takes from the address's bucket; an empty one is an AddressLimited. */
function spend(addresses: RateLimiter, address: string): void {
  try {
    addresses.take(`address:${address}`);
  } catch (e) {
    throw e instanceof Problem ? new AddressLimited(e) : e;
  }
}

/** The principal of `header`; a 401 spends from `address`'s bucket, and a spent bucket refuses without a lookup. */
export async function authenticateFrom(
  auth: Authenticator,
  addresses: RateLimiter,
  header: string | undefined,
  address: string,
): Promise<Principal> {
  if (addresses.exhausted(`address:${address}`) && !auth.knows(header)) spend(addresses, address);
  try {
    return await auth.authenticate(header);
  } catch (e) {
    if (e instanceof Problem && e.status === 401) spend(addresses, address);
    throw e;
  }
}
