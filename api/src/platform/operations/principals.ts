// Who an operation runs as: the principal type and the built-in principals, defined once.
export interface Principal {
  userId: string;
  isAdmin: boolean;
  tokenId: string | null;
  /** the user's name (the atx:PrincipalName condition key), when known */
  name?: string;
  /** when the token stops being valid (ms since the epoch), if it expires; an open event stream closes then */
  expiresAt?: number | null;
}

/** The caller of an operation that needs no token (the probes); never an owner. */
export const ANONYMOUS: Principal = { userId: 'anonymous', isAdmin: false, tokenId: null };

/** The platform itself, reading across owners on a user's behalf (placement reading a flavor, say). */
export const SYSTEM: Principal = { userId: 'system', isAdmin: true, tokenId: null };
