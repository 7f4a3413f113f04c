// The webhook deliverer, on the platform clock's ticks: claims due deliveries (pending, or retrying whose backoff has
// passed) under FOR UPDATE SKIP LOCKED with a lease, POSTs the stored payload signed with the channel's secret, and
// records the attempt: delivered on a 2xx, else retried after retryBaseSeconds * 2^(attempt-1) of platform time until
// maxAttempts, then failed. A delivery whose sender died (its lease ran out) is retried by a later pass.
import type { Knex } from 'knex';
import type { Deps } from '../../platform/deps.js';
import { SIGNATURE_HEADER, signature } from './payload.js';
import { DELIVERIES, channels, type ChannelRow } from './repos.js';

const CLAIM_BATCH = 50;
/** Requests in flight per pass. */
const CONCURRENCY = 4;
/** How much of a receiver's answer the log keeps. */
const ERROR_CHARS = 300;

interface Claimed {
  id: string;
  channel_id: string;
  payload: unknown;
  attempts: number;
}

interface Attempt {
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** The wait before attempt `attempts + 1`, in ms of platform time. */
export const backoffMs = (baseSeconds: number, attempts: number) => baseSeconds * 1000 * 2 ** (attempts - 1);

export function deliveryPass(deps: Deps) {
  const { db, clock, config, log } = deps;
  const { webhookTimeoutMs, retryBaseSeconds, maxAttempts } = config.alerts;
  // The lease outlives the request's timeout by a margin of platform time, so a live sender is never taken over.
  const leaseMs = webhookTimeoutMs + 60_000;

  /**
   * Sending rows whose lease ran out (the process sending died mid-request): the attempt is logged as abandoned and
   * the delivery is due again at once, or failed when it was the last attempt.
   */
  async function recoverAbandoned(now: number) {
    const entry = (attempt: string) =>
      `jsonb_build_array(jsonb_build_object('attempt', ${attempt}, 'at', ?::text, 'status_code', null,
         'error', 'abandoned: the process sending it stopped', 'duration_ms', 0))`;
    await db.raw(
      `update ${DELIVERIES} set status = case when attempts >= ? then 'failed' else 'retrying' end,
              next_attempt_at = case when attempts >= ? then null else ?::timestamptz end, lease_until = null,
              last_status_code = null, last_error = 'abandoned: the process sending it stopped',
              log = log || ${entry('attempts')}
        where status = 'sending' and lease_until < ?`,
      [maxAttempts, maxAttempts, new Date(now), new Date(now).toISOString(), new Date(now)],
    );
  }

  async function claim(now: number): Promise<Claimed[]> {
    const { rows } = await db.raw(
      `update ${DELIVERIES} d set status = 'sending', attempts = d.attempts + 1, lease_until = ?
        where d.id in (select id from ${DELIVERIES} where status in ('pending', 'retrying') and next_attempt_at <= ?
                       order by next_attempt_at limit ${CLAIM_BATCH} for update skip locked)
        returning d.id, d.channel_id, d.payload, d.attempts`,
      [new Date(now + leaseMs), new Date(now)],
    );
    return rows;
  }

  /** One POST: the payload as stored, its signature over exactly the bytes sent. */
  async function post(ch: ChannelRow, d: Claimed): Promise<Attempt> {
    const body = JSON.stringify(d.payload);
    const started = Date.now();
    try {
      const res = await fetch(ch.url!, {
        method: 'POST',
        headers: {
          ...(ch.headers ?? {}),
          'Content-Type': 'application/json',
          'User-Agent': 'AtonixCorp-Alerts/1',
          'X-Atonix-Delivery': d.id,
          ...(ch.secret ? { [SIGNATURE_HEADER]: signature(ch.secret, body) } : {}),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(webhookTimeoutMs),
      });
      const text = res.ok ? '' : (await res.text().catch(() => '')).slice(0, ERROR_CHARS);
      await res.body?.cancel().catch(() => {});
      return {
        status_code: res.status,
        error: res.ok ? null : `the receiver answered ${res.status}${text ? `: ${text}` : ''}`,
        duration_ms: Date.now() - started,
      };
    } catch (e) {
      const err = e as Error;
      const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
      return {
        status_code: null,
        error: timedOut ? `no answer within ${webhookTimeoutMs} ms` : `${err.message}${causeOf(err)}`,
        duration_ms: Date.now() - started,
      };
    }
  }

  async function record(trx: Knex | Knex.Transaction, d: Claimed, a: Attempt) {
    const now = clock.now();
    const ok = a.status_code !== null && a.status_code >= 200 && a.status_code < 300;
    const last = d.attempts >= maxAttempts;
    const entry = { attempt: d.attempts, at: new Date(now).toISOString(), ...a };
    await trx.raw(
      `update ${DELIVERIES} set status = ?, next_attempt_at = ?, lease_until = null, last_status_code = ?,
              last_error = ?, delivered_at = ?, log = log || ?::jsonb
        where id = ? and status = 'sending' and attempts = ?`,
      [
        ok ? 'delivered' : last ? 'failed' : 'retrying',
        ok || last ? null : new Date(now + backoffMs(retryBaseSeconds, d.attempts)),
        a.status_code,
        a.error,
        ok ? new Date(now) : null,
        JSON.stringify([entry]),
        d.id,
        d.attempts,
      ],
    );
  }

  async function attempt(d: Claimed, byId: Map<string, ChannelRow>) {
    const ch = byId.get(d.channel_id);
    const a: Attempt =
      ch?.type === 'webhook' && ch.url
        ? await post(ch, d)
        : { status_code: null, error: 'the channel has no webhook URL', duration_ms: 0 };
    await record(db, d, a);
    if (a.error) log.info({ delivery: d.id, attempt: d.attempts, error: a.error }, 'webhook delivery failed');
  }

  return async function deliverDue(now: number): Promise<void> {
    await recoverAbandoned(now);
    for (;;) {
      const claimed = await claim(now);
      if (!claimed.length) return;
      const ids = [...new Set(claimed.map((d) => d.channel_id))];
      const byId = new Map<string, ChannelRow>(
        (await db(channels.table).whereIn('id', ids)).map((c: ChannelRow) => [c.id, c]),
      );
      const queue = [...claimed];
      const lane = async () => {
        for (let d = queue.shift(); d; d = queue.shift())
          await attempt(d, byId).catch((err) => log.error({ err, delivery: d!.id }, 'recording a delivery failed'));
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, lane));
      if (claimed.length < CLAIM_BATCH) return;
    }
  };
}

/** fetch's "fetch failed" says nothing; its cause (ECONNREFUSED 127.0.0.1:9) does. */
function causeOf(e: Error): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause ? `: ${cause.code ?? ''} ${cause.message ?? ''}`.trimEnd() : '';
}
