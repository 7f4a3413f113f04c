// The generic resource engine: one implementation of plan/apply/read/import for every generated resource type.
// Like the plugin framework's fwserver, framework/ sees only the runtime's values and diagnostics (ObjectValue,
// Diagnostic), never protocol messages, and never anything about one kind: per-kind behaviour is a hook.
import { randomUUID } from 'node:crypto';
import {
  DiagnosticsError,
  UNKNOWN,
  diagnosticsFromError,
  errorDiagnostic,
  type AttributePath,
  type Diagnostic,
  type ObjectValue,
  type ResourceType,
} from '../runtime/index.js';
import { ApiError, problemDiagnostics, sleep, type ApiClient } from './client.js';
import { createBody, defaultValue, fromApi, patchBody, sameJson, unchanged } from './convert.js';
import { planNested } from './nested-plan.js';
import { enumDiagnostics } from './validate-values.js';
import { parseDuration } from './duration.js';
import type { TfResource } from './schema-types.js';
import { PHASES, resourceSchema } from './schemas.js';
import { waitGone, waitReady, type Phase } from './wait.js';

/**
 * Per-kind behaviour the generic engine cannot infer (provider/src/resources/), as named optional capabilities in
 * the manner of the plugin framework's `ResourceWith...` interfaces. A type implements only what it needs:
 *
 * - `importId`: turns the id a user gives `terraform import` (or an `import {}` block) into the state to read, for
 *   ids that are not the resource's own (a composite `bucket/key`); a string is refused as that diagnostic.
 * - `validateConfig`: diagnostics on a configuration beyond what the schema says (exactly one of two attributes).
 * - `modifyPlan`: the last word on a plan for an existing or new resource: change planned values, or require a
 *   replacement the schema cannot express (a listener replaced only when its protocol changes).
 * - `unknownAfterUpdate`: the computed attributes an in-place update may change, given the attributes it changes
 *   (they are planned unknown instead of kept from state).
 * - `gone`: whether an answer the API still gives describes a resource that is as good as deleted (a key pending
 *   deletion, whose DELETE only schedules its end): a read drops it from state, and a destroy is done once the API
 *   answers so, without waiting for a 404.
 * - `beforeDelete`: what must happen before a DELETE is accepted (a CDN distribution is disabled first, as the AWS
 *   provider does for CloudFront, whose API refuses to delete an enabled one).
 */
export interface ResourceHooks {
  importId?(id: string): ObjectValue | string;
  validateConfig?(config: ObjectValue): Diagnostic[];
  modifyPlan?(plan: PlanToModify): void;
  unknownAfterUpdate?(changed: string[]): string[];
  gone?(body: Record<string, unknown>): boolean;
  beforeDelete?(c: ApiClient, path: string, prior: ObjectValue, signal: AbortSignal): Promise<void>;
}

/** What `modifyPlan` may change: `planned` and `requiresReplace` in place. `prior` is null for a create. */
export interface PlanToModify {
  prior: ObjectValue | null;
  config: ObjectValue;
  planned: ObjectValue;
  requiresReplace: AttributePath[];
}

const DEFAULT_TIMEOUT_MS = 20 * 60_000;

function itemPath(def: TfResource, id: string) {
  return def.api.item.replace('{id}', encodeURIComponent(id));
}

function timeoutOf(state: ObjectValue | null, phase: Phase): number {
  const t = (state?.timeouts as ObjectValue | null | undefined)?.[phase];
  return typeof t === 'string' ? (parseDuration(t) ?? DEFAULT_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS;
}

export function genericResource(def: TfResource, client: () => ApiClient, hooks: ResourceHooks = {}): ResourceType {
  const attributes = def.attributes;
  const schema = resourceSchema(def);

  /** API representation -> state, keeping what the API never returns (timeouts, write-only values). */
  const toState = (body: any, carry: ObjectValue | null): ObjectValue => {
    const state = fromApi(attributes, body);
    for (const a of attributes) {
      if (a.sensitive && state[a.name] === null && carry) state[a.name] = carry[a.name] ?? null;
      // A JSON attribute keeps the spelling it was written in while the API's value means the same.
      if (a.json && carry && sameJson(carry[a.name], state[a.name])) state[a.name] = carry[a.name] ?? null;
    }
    state.timeouts = (carry?.timeouts as ObjectValue | null | undefined) ?? null;
    return state;
  };

  const fail = (e: unknown, summary: string): never => {
    throw new DiagnosticsError(problemDiagnostics(e, summary));
  };

  return {
    schema,

    validate({ config }) {
      const diags: Diagnostic[] = [];
      const t = config.timeouts as ObjectValue | null;
      for (const p of PHASES) {
        const v = t?.[p];
        if (typeof v === 'string' && parseDuration(v) === undefined) {
          diags.push(
            errorDiagnostic('Invalid timeout', `"${v}" is not a duration such as "30s", "20m" or "1h30m".`, [
              'timeouts',
              p,
            ]),
          );
        }
      }
      for (const a of attributes) {
        const v = config[a.name];
        if (!a.json || typeof v !== 'string') continue;
        try {
          const parsed: unknown = JSON.parse(v);
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) !== Boolean(a.jsonList))
            throw new Error('not of its shape');
        } catch {
          diags.push(
            errorDiagnostic(
              `Invalid JSON in ${a.name}`,
              a.jsonList
                ? `${a.name} must be a JSON list (jsonencode([...]) writes one).`
                : `${a.name} must be a JSON object (jsonencode({...}) writes one).`,
              [a.name],
            ),
          );
        }
      }
      diags.push(...enumDiagnostics(attributes, config));
      if (hooks.validateConfig) diags.push(...hooks.validateConfig(config));
      return diags;
    },

    plan({ priorState, proposedState, config }) {
      if (!proposedState || !config) return { plannedState: null };
      const planned: ObjectValue = { ...proposedState };
      // Fields left unset inside nested objects plan the API's defaults (what it will fill in).
      const planDefaults = () => {
        for (const a of attributes)
          if (a.nested && (a.required || a.optional)) planned[a.name] = planNested(a, planned[a.name]!, config[a.name]);
      };
      if (!priorState) {
        for (const a of attributes) {
          if (a.computed && config[a.name] === null) planned[a.name] = defaultValue(a) ?? UNKNOWN;
        }
        planDefaults();
        const created: PlanToModify = { prior: null, config, planned, requiresReplace: [] };
        hooks.modifyPlan?.(created);
        return { plannedState: created.planned };
      }
      // Terraform proposes null for an optional+computed nested attribute left out of the configuration (it keeps
      // the prior value only for plain attributes): the API keeps what it has (a group's rules), so the plan does.
      for (const a of attributes)
        if (a.nested && a.computed && config[a.name] === null) planned[a.name] = priorState[a.name] ?? null;
      planDefaults();
      const requiresReplace: AttributePath[] = [];
      const changed: string[] = [];
      for (const a of attributes) {
        if (!(a.required || a.optional)) continue;
        const v = planned[a.name]!;
        if (v !== UNKNOWN && unchanged(a, v, priorState[a.name] ?? null)) continue;
        if (a.forceNew) requiresReplace.push([a.name]);
        else changed.push(a.name);
      }
      if (changed.length && !requiresReplace.length) {
        for (const name of hooks.unknownAfterUpdate?.(changed) ?? []) planned[name] = UNKNOWN;
      }
      const update: PlanToModify = { prior: priorState, config, planned, requiresReplace };
      hooks.modifyPlan?.(update);
      return { plannedState: update.planned, requiresReplace: update.requiresReplace };
    },

    async apply({ priorState, plannedState, config }, { signal }) {
      const c = client();
      if (!plannedState) {
        if (def.api.deletable === false) return { newState: null };
        const path = itemPath(def, String(priorState!.id));
        await hooks.beforeDelete?.(c, path, priorState!, signal);
        await deleteWithRetry(c, def, path, timeoutOf(priorState, 'delete'), signal, hooks.gone);
        return { newState: null };
      }
      if (!priorState) {
        const parent = def.api.parent;
        const path = parent
          ? def.api.create.replace(`{${parent.field}}`, encodeURIComponent(String(plannedState[parent.field])))
          : def.api.create;
        const body = createBody(attributes, plannedState, parent ? [parent.field] : []);
        const idempotencyKey = randomUUID();
        const timeout = timeoutOf(plannedState, 'create');
        const started = Date.now();
        let created: any;
        try {
          // Prefer: wait — the API answers when the resource is ready, so most creates need no polling at all.
          const prefer = def.api.async ? `wait=${Math.max(1, Math.min(60, Math.floor(timeout / 1000)))}` : undefined;
          created = (await c.request('POST', path, { body, signal, idempotencyKey, prefer })).body;
        } catch (e) {
          // Stopped while the API held the answer: the create may have committed. The same key replays its answer at
          // once, so the resource goes into state (tainted, with the error) instead of being left behind unrecorded.
          const replay =
            (e as Error).name === 'AbortError'
              ? await c.request('POST', path, { body, idempotencyKey }).catch(() => undefined)
              : undefined;
          if (replay) return { newState: toState(replay.body, plannedState), diagnostics: diagnosticsFromError(e) };
          fail(e, `Cannot create ${def.typeName}`);
        }
        try {
          const { body: ready, failed } = await waitReady(
            c,
            def,
            itemPath(def, created.id),
            created,
            Math.max(0, timeout - (Date.now() - started)),
            'create',
            signal,
          );
          const newState = toState(ready, plannedState);
          if (failed) return { newState, diagnostics: [failure(def, ready)] };
          return { newState };
        } catch (e) {
          // A timeout or a stop while waiting: keep what was created (tainted) rather than lose track of it.
          return { newState: toState(created, plannedState), diagnostics: diagnosticsFromError(e) };
        }
      }
      const id = String(priorState.id);
      const patch = patchBody(attributes, priorState, plannedState);
      let body: any;
      try {
        body = Object.keys(patch).length
          ? (await c.request('PATCH', itemPath(def, id), { body: patch, signal })).body
          : (await c.request('GET', itemPath(def, id), { signal })).body;
      } catch (e) {
        fail(e, `Cannot update ${def.typeName} ${id}`);
      }
      const waited = await waitReady(
        c,
        def,
        itemPath(def, id),
        body,
        timeoutOf(plannedState, 'update'),
        'update',
        signal,
      );
      const newState = toState(waited.body, {
        ...plannedState,
        timeouts: config?.timeouts ?? plannedState.timeouts ?? null,
      });
      return waited.failed ? { newState, diagnostics: [failure(def, waited.body)] } : { newState };
    },

    async read({ state }, { signal }) {
      try {
        const { body } = await client().request('GET', itemPath(def, String(state.id)), { signal });
        if (hooks.gone?.(body)) return { state: null };
        return { state: toState(body, state) };
      } catch (e) {
        // Deleted outside Terraform: drop it from state so the next plan creates it again.
        if (e instanceof ApiError && e.status === 404) return { state: null };
        return fail(e, `Cannot read ${def.typeName} ${String(state.id)}`);
      }
    },

    importState({ id }) {
      if (!hooks.importId) return { state: { id } };
      const state = hooks.importId(id);
      if (typeof state === 'string')
        throw new DiagnosticsError([errorDiagnostic(`Cannot import ${def.typeName} "${id}"`, state)]);
      return { state };
    },
  };
}

function failure(def: TfResource, body: any): Diagnostic {
  const reason = body.status_reason ?? 'no reason given';
  return errorDiagnostic(`${def.typeName} ${body.id} failed: ${body[def.api.statusField!]}`, String(reason));
}

/** A 409 "in use" right after a dependent was deleted is usually the API catching up; retry for a while. */
async function deleteWithRetry(
  c: ApiClient,
  def: TfResource,
  path: string,
  timeoutMs: number,
  signal: AbortSignal,
  gone?: ResourceHooks['gone'],
) {
  const deadline = Date.now() + Math.min(timeoutMs, 120_000);
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    try {
      await c.request('DELETE', path, { signal });
      break;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return;
      if (
        e instanceof ApiError &&
        e.status === 409 &&
        e.problem.code === 'ResourceInUse' &&
        Date.now() + delay < deadline
      ) {
        await sleep(delay, signal);
        continue;
      }
      throw new DiagnosticsError(problemDiagnostics(e, `Cannot delete ${def.typeName}`));
    }
  }
  await waitGone(c, def, path, timeoutMs, signal, gone);
}
