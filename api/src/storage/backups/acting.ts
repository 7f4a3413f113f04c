// Calls the backup engines make as the owner of a plan, job or restore: through the operation pipeline, so IAM,
// validation, tenancy and audit apply to them exactly as to the owner's own calls.
import type { Readable } from 'node:stream';
import { ownerPrincipal, problemOf } from '../../automation/acting-as.js';
import type { Deps } from '../../platform/deps.js';
import type { Result } from '../../platform/operations/context.js';
import { Problem } from '../../platform/problems.js';

export interface ActInput {
  params?: Record<string, unknown>;
  body?: unknown;
  idempotencyKey?: string;
  stream?: Readable;
  headers?: Record<string, string>;
  /** Prefer: wait=N on a create */
  waitSeconds?: number;
}

export type Act = (operationId: string, input?: ActInput) => Promise<Result>;

/** The owner's calls; an answer of 400 or more is thrown as its problem. */
export async function actingAs(deps: Deps, owner: string, requestId: string): Promise<Act> {
  const principal = await ownerPrincipal(deps.db, owner);
  return async (operationId, input = {}) => {
    const r = await deps.pipeline.invoke(operationId, principal, {
      params: input.params ?? {},
      body: input.body,
      hasBody: input.body !== undefined || input.stream !== undefined,
      idempotencyKey: input.idempotencyKey,
      stream: input.stream,
      headers: input.headers,
      waitSeconds: input.waitSeconds,
      requestId,
    });
    if (r.status >= 400) {
      const p = (r.body ?? {}) as { title?: string; detail?: string; code?: string };
      throw new Problem(r.status, p.code ?? 'Failed', p.title ?? 'Failed', p.detail ?? `answered ${r.status}`);
    }
    return r;
  };
}

/** Why a call failed, in a sentence for a job's status_reason. */
export function reasonOf(e: unknown): string {
  const p = problemOf(e);
  return `${p.code ?? 'InternalError'}: ${p.detail ?? p.title}`;
}
