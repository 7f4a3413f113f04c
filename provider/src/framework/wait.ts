// Waiting for asynchronous resources: poll GET until a ready or failed status, within the user's timeout.
import { DiagnosticsError, errorDiagnostic } from '../runtime/index.js';
import { ApiError, sleep, type ApiClient } from './client.js';
import type { TfResource } from './schema-types.js';

export type Phase = 'create' | 'update' | 'delete';

export async function waitReady(
  client: ApiClient,
  def: TfResource,
  path: string,
  first: any,
  timeoutMs: number,
  phase: Phase,
  signal: AbortSignal,
): Promise<{ body: any; failed: boolean }> {
  const field = def.api.statusField;
  if (!def.api.async || !field) return { body: first, failed: false };
  const deadline = Date.now() + timeoutMs;
  let body = first;
  // Short first polls: most transitions finish within milliseconds; the back-off keeps long ones cheap.
  for (let delay = 10; ; delay = Math.min(delay * 1.5, 2000)) {
    const status = body[field];
    if (def.api.readyStatus.includes(status)) return { body, failed: false };
    if (def.api.failedStatus.includes(status)) return { body, failed: true };
    if (Date.now() + delay > deadline) {
      throw new DiagnosticsError(
        errorDiagnostic(
          `Timed out waiting for ${def.typeName} ${body.id}`,
          `It was still ${status} after ${Math.round(timeoutMs / 1000)} s (the ${phase} timeout; raise it in a timeouts block).`,
        ),
      );
    }
    await sleep(delay, signal);
    body = (await client.request('GET', path, { signal })).body;
  }
}

/**
 * After DELETE: poll until the API answers 404 (synchronous deletes answer it at once), or an answer `gone` says is
 * as good as deleted.
 */
export async function waitGone(
  client: ApiClient,
  def: TfResource,
  path: string,
  timeoutMs: number,
  signal: AbortSignal,
  gone?: (body: Record<string, unknown>) => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 1.5, 2000)) {
    try {
      const { body } = await client.request('GET', path, { signal });
      if (gone?.(body)) return;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return;
      throw e;
    }
    if (Date.now() + delay > deadline)
      throw new DiagnosticsError(errorDiagnostic(`Timed out deleting ${def.typeName}`, `${path} still exists.`));
    await sleep(delay, signal);
  }
}
