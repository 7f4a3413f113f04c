// The contract between the protocol runtime and a provider implementation (provider/src/framework/ implements it).
//
// serve({ name, address, version, provider }) turns the process into a Terraform plugin (see serve.ts) and resolves once the
// handshake is written; `provider` is a ProviderDefinition or a function returning one (sync or async). Pass a
// function that import()s the heavy modules: it runs right after the handshake, while core is still connecting.
//
// Values: handlers receive and return plain JS values shaped by their schema (values.ts): objects carry every
// attribute (null when unset; list/set blocks [] when absent), UNKNOWN marks "known after apply", numbers are exact.
// Returned objects are completed the same way (missing keys become null), so handlers may omit unset attributes;
// write-only attributes are always returned as null. Results of read/apply/import/readData must be wholly known;
// the runtime reports a clear error otherwise.
//
// Errors: a handler may return diagnostics or throw. A thrown DiagnosticsError becomes its diagnostics, any other
// throw one error diagnostic. Terraform never sees a transport error for a provider failure.
//
// Cancellation: ctx.signal aborts when Terraform calls StopProvider (Ctrl-C) or abandons the call; pass it to fetch().
//
// Lifecycle per process (Terraform starts 3-5 per command, see shared/research/provider-spike.md): nothing
// survives between processes except state and the private bytes; configure() runs in every process that reads,
// plans, applies or imports, and RPCs may arrive concurrently and without a prior GetProviderSchema.
import type { AttributePath, Diagnostic } from './diagnostics.js';
import type { JsonValue } from './json-lossless.js';
import type { Logger } from './logger.js';
import type { Schema } from './schema.js';
import type { ObjectValue } from './values.js';

export type MaybePromise<T> = T | Promise<T>;
/** Validation-style handlers return their diagnostics, or nothing when all is well. */
export type DiagnosticsResult = MaybePromise<readonly Diagnostic[] | void>;

export interface ClientCapabilities {
  /** Core accepts deferred actions (experimental; never set by OpenTofu). */
  deferralAllowed: boolean;
  /** Core understands write-only attributes (Terraform 1.11+). */
  writeOnlyAttributesAllowed: boolean;
}

export interface RequestContext {
  /** Aborted on StopProvider or when core cancels the call. */
  signal: AbortSignal;
  /** Logs to stderr as hclog JSON, tagged with the RPC and type name. */
  log: Logger;
  clientCapabilities: ClientCapabilities;
}

export interface ProviderDefinition {
  /** The `provider "<name>" { ... }` configuration block. */
  providerSchema: Schema;
  /** `provider_meta` in modules; an empty block is advertised when omitted. */
  providerMetaSchema?: Schema;
  /** Managed resource types by full type name, e.g. "atonix_vpc". */
  resources: ReadonlyMap<string, ResourceType> | Readonly<Record<string, ResourceType>>;
  /** Data source types by full type name. */
  dataSources: ReadonlyMap<string, DataSourceType> | Readonly<Record<string, DataSourceType>>;
  /** Config may hold UNKNOWN values here (e.g. an endpoint computed from another resource). */
  validateProviderConfig?(request: { config: ObjectValue }, ctx: RequestContext): DiagnosticsResult;
  /** Called once per process before any read, plan, apply, import or data read; config may hold UNKNOWN values. */
  configure(request: ConfigureRequest, ctx: RequestContext): DiagnosticsResult;
  /** StopProvider: in-flight calls see ctx.signal abort; use this to stop anything else (timers, polling loops). */
  stop?(): MaybePromise<void>;
}

export interface ConfigureRequest {
  config: ObjectValue;
  /** e.g. "1.11.4". */
  terraformVersion: string;
}

export interface ResourceType {
  schema: Schema;
  /** Config may hold UNKNOWN values; never call remote APIs here. */
  validate?(request: { config: ObjectValue }, ctx: RequestContext): DiagnosticsResult;
  /**
   * Bring stored state (written under schema version `version`) to the current schema. Called for every instance on
   * every plan, even when versions match. Default: the stored attributes, shaped to the current schema (attributes
   * the schema no longer has are dropped, new ones are null). `rawState` keeps big numbers exact.
   */
  upgradeState?(
    request: { version: number; rawState: { [name: string]: JsonValue } },
    ctx: RequestContext,
  ): MaybePromise<{
    state: ObjectValue;
    diagnostics?: readonly Diagnostic[];
  }>;
  /** Refresh. Return state null when the remote object is gone (a 404): core then plans to create it again. */
  read(request: ReadRequest, ctx: RequestContext): MaybePromise<ReadResult>;
  /**
   * Plan a create (priorState null), update, or destroy (proposedState and config null: return plannedState null).
   * Unset computed attributes must be UNKNOWN (or final values) on create; every known planned value must be
   * returned unchanged by apply. requiresReplace lists attributes whose change forces a replacement.
   */
  plan(request: PlanRequest, ctx: RequestContext): MaybePromise<PlanResult>;
  /** Create, update or delete (plannedState null: return newState null). On failure, return the state that now exists. */
  apply(request: ApplyRequest, ctx: RequestContext): MaybePromise<ApplyResult>;
  /** `terraform import` / import blocks: return a stub state (usually just the id); core calls read() next. */
  importState?(request: { id: string }, ctx: RequestContext): MaybePromise<ImportResult>;
}

export interface DataSourceType {
  schema: Schema;
  validate?(request: { config: ObjectValue }, ctx: RequestContext): DiagnosticsResult;
  /** Config is wholly known here; the result must be too. */
  read(
    request: { config: ObjectValue; providerMeta: ObjectValue | null },
    ctx: RequestContext,
  ): MaybePromise<{
    state: ObjectValue;
    diagnostics?: readonly Diagnostic[];
  }>;
}

export interface ReadRequest {
  state: ObjectValue;
  /** Opaque bytes the resource returned last time (empty when none). */
  private: Uint8Array;
  providerMeta: ObjectValue | null;
}

export interface ReadResult {
  state: ObjectValue | null;
  /** Defaults to the private bytes received. */
  private?: Uint8Array;
  diagnostics?: readonly Diagnostic[];
}

export interface PlanRequest {
  priorState: ObjectValue | null;
  /** Core's merge of config and prior state: config values, prior values for unset computed attributes. */
  proposedState: ObjectValue | null;
  config: ObjectValue | null;
  priorPrivate: Uint8Array;
  providerMeta: ObjectValue | null;
}

export interface PlanResult {
  plannedState: ObjectValue | null;
  requiresReplace?: readonly AttributePath[];
  /** Handed to apply(); defaults to priorPrivate. */
  plannedPrivate?: Uint8Array;
  diagnostics?: readonly Diagnostic[];
}

export interface ApplyRequest {
  priorState: ObjectValue | null;
  plannedState: ObjectValue | null;
  config: ObjectValue | null;
  plannedPrivate: Uint8Array;
  providerMeta: ObjectValue | null;
}

export interface ApplyResult {
  newState: ObjectValue | null;
  /** Stored with the state; defaults to plannedPrivate. */
  private?: Uint8Array;
  diagnostics?: readonly Diagnostic[];
}

export interface ImportResult {
  state: ObjectValue;
  private?: Uint8Array;
  diagnostics?: readonly Diagnostic[];
}
