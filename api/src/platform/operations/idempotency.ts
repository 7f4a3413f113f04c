// Idempotency-Key on POST: a replay returns the first response; a different body is 422; a key in flight is 409.
// A key is remembered for a time (ATONIX_IDEMPOTENCY_TTL_SECONDS, a day by default), as clouds do: after that the
// same key starts a new request, and workers purge expired keys.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { insertRows, sqlLiteral } from '../db/bulk.js';
import { problems } from '../problems.js';
import type { Result } from './context.js';

export const requestHash = (method: string, path: string, body: unknown) =>
  createHash('sha256')
    .update(`${method} ${path}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');

export interface IdempotencyClaim {
  owner: string;
  key: string;
  hash: string;
  /** how long the stored key replays; after that the request runs afresh. Null: as long as the data lasts */
  ttlSeconds: number | null;
  /** response fields that are secrets (x-secret): never stored, so a replay answers without them */
  secrets?: readonly string[];
}

/** The response as stored for replays: a secret is shown once, by the first answer, and kept nowhere else. */
function storedBody(body: unknown, secrets: readonly string[] | undefined): unknown {
  if (!secrets?.length || !body || typeof body !== 'object' || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([k]) => !secrets.includes(k)));
}

const lockKey = (c: IdempotencyClaim) => `${c.owner}\n${c.key}`;

/**
 * The group commit's claim, as a statement for a message sent whole: takes every key's lock, `ok` false when another
 * request holds one. A key already stored is left to the unique index, which fails the group so each create is
 * retried through claim().
 */
export function lockKeysStatement(claims: IdempotencyClaim[]): string {
  const keys = claims.map((c) => sqlLiteral(lockKey(c))).join(', ');
  return `select bool_and(pg_try_advisory_xact_lock(hashtextextended(k, 0))) as ok from unnest(array[${keys}]::text[]) k`;
}

/**
 * Claims the key inside the caller's transaction. The advisory lock makes a concurrent request with the same
 * key fail fast (409) instead of running twice; the stored row, committed with the change itself, makes a
 * later replay return the first response even after a crash.
 */
export async function claim(trx: Knex.Transaction, c: IdempotencyClaim): Promise<Result | undefined> {
  const { owner, key, hash } = c;
  const { rows } = await trx.raw('select pg_try_advisory_xact_lock(hashtextextended(?, 0)) as ok', [lockKey(c)]);
  if (!rows[0].ok) throw problems.idempotencyKeyInFlight();
  const prior = await trx('idempotency_keys')
    .where({ owner, key })
    .first(
      'request_hash',
      'response_status',
      'response_body',
      'response_headers',
      trx.raw('expires_at < now() as expired'),
    );
  if (!prior) return undefined;
  if (prior.expired) {
    // Forgotten, as if the purge had already run; the lock above keeps a concurrent request with it out.
    await trx('idempotency_keys').where({ owner, key }).delete();
    return undefined;
  }
  if (prior.request_hash !== hash) throw problems.idempotencyKeyReused();
  return {
    status: prior.response_status,
    body: prior.response_body ?? undefined,
    headers: { ...prior.response_headers, 'Idempotent-Replayed': 'true' },
  };
}

/** The stored first response of a key: a row of idempotency_keys. */
// created_at is written from the same reading of the clock as expires_at: a group commit prepares its rows
// before its transaction starts, so the column's default (the transaction's now()) could fall after it.
export const rememberedRow = ({ claim: c, result }: { claim: IdempotencyClaim; result: Result }) => {
  const now = Date.now();
  return {
    owner: c.owner,
    key: c.key,
    request_hash: c.hash,
    response_status: result.status,
    response_body: result.body === undefined ? null : storedBody(result.body, c.secrets),
    response_headers: result.headers ?? {},
    created_at: new Date(now).toISOString(),
    expires_at: c.ttlSeconds === null ? null : new Date(now + c.ttlSeconds * 1000).toISOString(),
  };
};

/** Stores the first response of each key, in the transaction that made it (one statement for many). */
export async function remember(
  trx: Knex.Transaction,
  entries: { claim: IdempotencyClaim; result: Result }[],
): Promise<void> {
  await insertRows(trx, 'idempotency_keys', entries.map(rememberedRow), false);
}

/** Deletes expired keys; returns how many went. */
export async function purgeExpiredKeys(db: Knex): Promise<number> {
  return db('idempotency_keys').where('expires_at', '<', db.fn.now()).delete();
}

const PURGE_EVERY_MS = 15 * 60_000;

/** A worker's periodic purge of expired keys (harmless when several workers run it); returns its stop. */
export function startKeyPurge(db: Knex, onError: (err: unknown) => void): () => void {
  const run = () => {
    purgeExpiredKeys(db).catch(onError);
  };
  run();
  const timer = setInterval(run, PURGE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
