// Idempotency-Key on POST: a replay returns the first response; a different body is 422; a key in flight is 409.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { problems } from './problems.js';
import type { Result } from './http/context.js';

export const requestHash = (method: string, path: string, body: unknown) =>
  createHash('sha256').update(`${method} ${path}\n${JSON.stringify(body ?? null)}`).digest('hex');

/**
 * Claims the key inside the caller's transaction. The advisory lock makes a concurrent request with the same
 * key fail fast (409) instead of running twice; the stored row, committed with the change itself, makes a
 * later replay return the first response even after a crash.
 */
export async function claim(trx: Knex.Transaction, owner: string, key: string, hash: string): Promise<Result | undefined> {
  const { rows } = await trx.raw('select pg_try_advisory_xact_lock(hashtextextended(?, 0)) as ok', [`${owner}\n${key}`]);
  if (!rows[0].ok) throw problems.idempotencyKeyInFlight();
  const prior = await trx('idempotency_keys').where({ owner, key }).first();
  if (!prior) return undefined;
  if (prior.request_hash !== hash) throw problems.idempotencyKeyReused();
  return { status: prior.response_status, body: prior.response_body ?? undefined, headers: { ...prior.response_headers, 'Idempotent-Replayed': 'true' } };
}

export async function remember(trx: Knex.Transaction, owner: string, key: string, hash: string, result: Result): Promise<void> {
  await trx('idempotency_keys').insert({
    owner, key, request_hash: hash, response_status: result.status,
    response_body: result.body === undefined ? null : JSON.stringify(result.body), response_headers: result.headers ?? {},
  });
}
