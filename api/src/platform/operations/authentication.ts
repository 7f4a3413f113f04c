// Bearer tokens: verification (hashed lookup, cached, invalidated by events), issuing, and the first-start admin.
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Db } from '../db/knex.js';
import { newId, randomToken } from '../resources/ids.js';
import { problems } from '../problems.js';

import type { Principal } from './principals.js';

export const hashToken = (secret: string) => createHash('sha256').update(secret).digest('hex');
export const newSecret = () => `atx_${randomToken(40)}`;

type Entry = { principal: Principal; expiresAt: number | null; cachedAt: number };
const CACHE_MS = 30_000;
const TOUCH_MS = 60_000;

export class Authenticator {
  private cache = new Map<string, Entry>();
  private touched = new Map<string, number>();
  constructor(
    private db: Db,
    private clock: Clock,
  ) {}

  /** Whether `header` is a token verified within the cache's life (and not expired): no lookup needed. */
  knows(header: string | undefined, now = this.clock.now()): boolean {
    const entry = header ? this.cache.get(header) : undefined;
    return !!entry && now - entry.cachedAt <= CACHE_MS && (entry.expiresAt === null || entry.expiresAt > now);
  }

  async authenticate(header: string | undefined): Promise<Principal> {
    if (!header) throw problems.unauthenticated();
    const now = this.clock.now();
    // Keyed by the header itself, so a cached token costs no hashing.
    let entry = this.cache.get(header);
    if (!entry || now - entry.cachedAt > CACHE_MS) {
      const token = tokenOf(header);
      if (!token) throw problems.unauthenticated('The Authorization header must be `Bearer <token>`.');
      const hash = hashToken(token);
      const row = await this.db('tokens')
        .join('users', 'users.id', 'tokens.user_id')
        .where('tokens.token_hash', hash)
        .first('tokens.id as token_id', 'tokens.expires_at', 'users.id as user_id', 'users.is_admin', 'users.name');
      if (!row) {
        this.cache.delete(header);
        throw problems.unauthenticated(
          /^Basic\s/i.test(header)
            ? 'The Basic password is not a valid token (unknown or revoked): send `Bearer <token>`, or a token as the password.'
            : 'The token is not valid (unknown or revoked).',
        );
      }
      entry = {
        principal: {
          userId: row.user_id,
          isAdmin: row.is_admin,
          tokenId: row.token_id,
          name: row.name,
          expiresAt: row.expires_at ? +row.expires_at : null,
        },
        expiresAt: row.expires_at ? +row.expires_at : null,
        cachedAt: now,
      };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(header, entry);
    }
    if (entry.expiresAt !== null && entry.expiresAt <= now) throw problems.unauthenticated('The token has expired.');
    this.touch(entry.principal.tokenId!, now);
    return entry.principal;
  }

  /** last_used_at is advisory: written at most once a minute per token, off the request path. */
  private touch(tokenId: string, now: number) {
    if (now - (this.touched.get(tokenId) ?? 0) < TOUCH_MS) return;
    this.touched.set(tokenId, now);
    this.db('tokens')
      .where('id', tokenId)
      .update({ last_used_at: new Date(now) })
      .catch(() => {});
  }

  /** Drops cached principals of a user (role change, token revoked, user deleted). */
  forgetUser(userId: string) {
    for (const [k, v] of this.cache) if (v.principal.userId === userId) this.cache.delete(k);
  }
}

/** Creates the admin on first start; ATONIX_ADMIN_TOKEN, when set, is (made) one of the admin's tokens. */
export async function ensureAdmin(
  db: Db,
  adminToken: string | undefined,
): Promise<{ created: boolean; secret?: string }> {
  return db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(7301)');
    let admin = await trx('users').where({ name: 'admin' }).first('id');
    const created = !admin;
    if (!admin) {
      admin = { id: newId('usr') };
      await trx('users').insert({ id: admin.id, name: 'admin', is_admin: true });
    }
    if (adminToken) {
      const hash = hashToken(adminToken);
      await trx('tokens')
        .insert({
          id: newId('tok'),
          name: 'ATONIX_ADMIN_TOKEN',
          user_id: admin.id,
          token_hash: hash,
          prefix: adminToken.slice(0, 8),
        })
        .onConflict('token_hash')
        .ignore();
      return { created };
    }
    if (!created) return { created };
    const secret = newSecret();
    await trx('tokens').insert({
      id: newId('tok'),
      name: 'initial admin token',
      user_id: admin.id,
      token_hash: hashToken(secret),
      prefix: secret.slice(0, 8),
    });
    return { created, secret };
  });
}

/**
 * The token an Authorization header carries: `Bearer <token>`, or HTTP Basic with the token as the password (any
 * user name), for clients that can send only Basic credentials (promtool 2.42's queries, a URL's user info).
 */
function tokenOf(header: string): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
}
