// The engine's calls to the public API: every one through the operation pipeline as the stack's owner, so
// permissions, tenancy, validation and audit apply exactly as to a direct call.
import type { Principal } from '../../platform/operations/principals.js';
import type { EventBus } from '../../platform/events/bus.js';
import type { Result } from '../../platform/operations/context.js';
import { MAX_WAIT_SECONDS, settle } from '../../platform/operations/settle.js';
import type { Pipeline } from '../../platform/operations/pipeline.js';
import { Problem } from '../../platform/problems.js';
import type { Json } from './template-model.js';
import { metaOf } from './type-names.js';

export class StepError extends Error {}

/** "compute:CreateFlavor: Forbidden - You are not allowed ..." for the stack's status_reason. */
export function reasonOf(e: unknown): string {
  if (e instanceof Problem) {
    const fields = e.errors?.map((f) => `${f.pointer} ${f.detail}`).join('; ');
    return `${e.code}: ${fields || e.detail}`;
  }
  return e instanceof Error ? e.message : String(e);
}

export class ResourceCalls {
  constructor(
    private pipeline: Pipeline,
    private principal: Principal,
    private events: EventBus,
  ) {}

  async create(kind: string, props: Record<string, Json>, idempotencyKey: string): Promise<Record<string, Json>> {
    const meta = metaOf(kind);
    const body: Record<string, Json> = {};
    const params: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props)) {
      if (meta.paths.parent && k === meta.paths.parent.field) params[meta.paths.parent.param] = v;
      else if (v !== null) body[k] = v;
    }
    // Prefer: wait — the answer comes once the resource settles, so waitReady usually has nothing left to wait for.
    // The key never expires: a run resumed after a crash, however late, finds by it what it had already made.
    const r = await this.pipeline.invoke(meta.operations.create!, this.principal, {
      params,
      body,
      idempotencyKey,
      waitSeconds: MAX_WAIT_SECONDS,
      idempotencyTtlSeconds: null,
    });
    // A secret shown once (x-secret: an access key's) is kept out of the stack's stored attributes and outputs.
    const created = { ...(r.body as Record<string, Json>) };
    for (const [p, prop] of Object.entries(meta.properties)) if (prop.secret) delete created[p];
    return created;
  }

  async get(kind: string, id: string): Promise<Record<string, Json> | undefined> {
    try {
      return (await this.pipeline.invoke(metaOf(kind).operations.get!, this.principal, { params: { id } }))
        .body as Record<string, Json>;
    } catch (e) {
      if (e instanceof Problem && e.status === 404) return undefined;
      throw e;
    }
  }

  async update(kind: string, id: string, patch: Record<string, Json>): Promise<Record<string, Json>> {
    const op = metaOf(kind).operations.update;
    if (!op) throw new StepError(`${kind} cannot be updated in place`);
    return (await this.pipeline.invoke(op, this.principal, { params: { id }, body: patch })).body as Record<
      string,
      Json
    >;
  }

  async remove(kind: string, id: string): Promise<void> {
    // A create-only kind (a CDN invalidation) is never deleted: removing it from the stack only forgets it.
    if (!metaOf(kind).operations.delete) return;
    try {
      await this.pipeline.invoke(metaOf(kind).operations.delete!, this.principal, { params: { id } });
    } catch (e) {
      if (!(e instanceof Problem && e.status === 404)) throw e;
    }
  }

  /** A data lookup: exactly one resource must match the given fields. */
  async lookup(kind: string, by: Record<string, Json>): Promise<Record<string, Json>> {
    const meta = metaOf(kind);
    if (by.id) {
      const found = await this.get(kind, String(by.id));
      if (!found) throw new StepError(`no ${kind} with id ${String(by.id)}`);
      return found;
    }
    const query: Record<string, unknown> = { limit: '2' };
    for (const [k, v] of Object.entries(by)) if (v !== null) query[k] = String(v);
    const items = (
      (await this.pipeline.invoke(meta.operations.list!, this.principal, { params: query })).body as {
        items: Record<string, Json>[];
      }
    ).items;
    if (items.length !== 1)
      throw new StepError(`${items.length ? 'more than one' : 'no'} ${kind} matches ${JSON.stringify(by)}`);
    return items[0]!;
  }

  /** Waits, on the resource's change events, until an asynchronous resource is ready (or failed: a StepError with its reason). */
  async waitReady(kind: string, first: Record<string, Json>, timeoutMs = 30 * 60_000): Promise<Record<string, Json>> {
    const meta = metaOf(kind);
    const field = meta.statusField;
    if (!meta.async || !field) return first;
    let body = first;
    const id = String(body.id);
    const deadline = Date.now() + timeoutMs;
    const current = async (): Promise<Result> => {
      const b = await this.get(kind, id);
      return b ? { status: 200, body: b } : { status: 404 };
    };
    for (;;) {
      const status = String(body[field]);
      if (meta.readyStatus.includes(status)) return body;
      if (meta.failedStatus.includes(status))
        throw new StepError(`${kind} ${id} is ${status}: ${String(body.status_reason ?? 'no reason given')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new StepError(`${kind} ${id} was still ${status} after ${timeoutMs / 1000} s`);
      const next = await settle(this.events, meta, id, Math.min(MAX_WAIT_SECONDS, Math.ceil(left / 1000)), current);
      if (next.status !== 200) throw new StepError(`${kind} ${id} disappeared while it was being made`);
      body = next.body as Record<string, Json>;
    }
  }
}
