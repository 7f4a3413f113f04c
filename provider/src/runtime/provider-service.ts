// The tfplugin6.Provider RPCs: decode values by schema, call the ProviderDefinition, check and encode what it returns.
// Every failure becomes diagnostics in an OK answer; core renders gRPC errors as "Plugin error" without context.
import {
  diagnosticsFromError,
  errorDiagnostic,
  toProtoDiagnostic,
  toProtoPath,
  type Diagnostic,
} from './diagnostics.js';
import type { Logger } from './logger.js';
import type * as P from './protocol-types.js';
import type { DataSourceType, ProviderDefinition, RequestContext, ResourceType } from './provider-interface.js';
import { impliedType } from './schema.js';
import { checkSchema, schemaToProto } from './schema-proto.js';
import { fromJsonTree } from './json-value.js';
import { ValueTypeError } from './value-shape.js';
import { parseJsonLossless } from './json-lossless.js';
import type { ObjectValue } from './values.js';
import { decodeObject, encodeObject, fail, known, protoDiags, toCapabilities, toMap } from './rpc-values.js';

export interface ProviderServiceOptions {
  load: () => ProviderDefinition | Promise<ProviderDefinition>;
  log: Logger;
  /** Aborted by StopProvider; every request context's signal follows it. */
  stop: AbortController;
}

interface Loaded {
  def: ProviderDefinition;
  resources: ReadonlyMap<string, ResourceType>;
  dataSources: ReadonlyMap<string, DataSourceType>;
  schemaResponse?: P.GetProviderSchemaResponse;
}

const EMPTY = new Uint8Array(0);
const CAPABILITIES: P.ServerCapabilities = { plan_destroy: true, get_provider_schema_optional: true };
const EMPTY_SCHEMA = { block: {} };

/** Where an RPC's own cancellation comes from; read only by RPCs that can wait (a gRPC call's context). */
export interface CallSignal {
  readonly signal: AbortSignal;
}

/** The RPC implementations by method name, on decoded messages (usable in-process, without gRPC). */
export function createProviderService(opts: ProviderServiceOptions) {
  let loading: Promise<Loaded> | undefined;
  const loaded = (): Promise<Loaded> =>
    (loading ??= Promise.resolve()
      .then(opts.load)
      .then((def) => ({ def, resources: toMap(def.resources), dataSources: toMap(def.dataSources) })));

  // The signal and the logger are made on first use: most RPCs never touch them, and terraform sends hundreds.
  const context = (
    rpc: string,
    typeName: string | undefined,
    caps: P.ClientCapabilities | undefined,
    call?: CallSignal,
  ): RequestContext => {
    let combined: AbortSignal | undefined;
    let log: Logger | undefined;
    return {
      get signal() {
        return (combined ??= call ? AbortSignal.any([opts.stop.signal, call.signal]) : opts.stop.signal);
      },
      get log() {
        return (log ??= opts.log.with(typeName ? { rpc, type_name: typeName } : { rpc }));
      },
      clientCapabilities: toCapabilities(caps),
    };
  };

  const tracing = opts.log.enabled('trace');
  /** Runs one RPC body; whatever it throws becomes diagnostics next to `fallback` fields. */
  const guard = async <T extends { diagnostics: P.Diagnostic[] }>(
    rpc: string,
    typeName: string | undefined,
    fallback: Omit<T, 'diagnostics'>,
    body: (l: Loaded) => Promise<T>,
  ): Promise<T> => {
    const started = tracing ? process.hrtime.bigint() : 0n;
    try {
      const result = await body(await loaded());
      if (tracing)
        opts.log.trace('rpc served', {
          rpc,
          type_name: typeName,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          diagnostics: result.diagnostics.length,
        });
      return result;
    } catch (error) {
      opts.log.debug('rpc failed', { rpc, type_name: typeName, error });
      const diagnostics =
        error instanceof ValueTypeError
          ? [
              errorDiagnostic(
                'Provider produced an invalid value',
                `${rpc}${typeName ? ` for ${typeName}` : ''}: ${error.message}. This is a bug in the provider.`,
              ),
            ]
          : diagnosticsFromError(error, `${rpc} failed`);
      return { ...fallback, diagnostics: diagnostics.map(toProtoDiagnostic) } as T;
    }
  };

  const resource = (l: Loaded, typeName: string): ResourceType => {
    const r = l.resources.get(typeName);
    if (!r) fail(`Unknown resource type`, `This provider has no resource type "${typeName}".`);
    return r;
  };
  const dataSource = (l: Loaded, typeName: string): DataSourceType => {
    const d = l.dataSources.get(typeName);
    if (!d) fail(`Unknown data source type`, `This provider has no data source "${typeName}".`);
    return d;
  };
  const meta = (l: Loaded, dv: P.DynamicValue | undefined): ObjectValue | null =>
    decodeObject(dv, (l.def.providerMetaSchema ?? EMPTY_SCHEMA).block);

  return {
    GetMetadata: (_req: unknown) =>
      guard<P.GetMetadataResponse>(
        'GetMetadata',
        undefined,
        { server_capabilities: CAPABILITIES, resources: [], data_sources: [] },
        async (l) => ({
          server_capabilities: CAPABILITIES,
          resources: [...l.resources.keys()].map((type_name) => ({ type_name })),
          data_sources: [...l.dataSources.keys()].map((type_name) => ({ type_name })),
          diagnostics: [],
        }),
      ),

    GetProviderSchema: (_req: unknown) =>
      guard<P.GetProviderSchemaResponse>(
        'GetProviderSchema',
        undefined,
        {
          provider: schemaToProto(EMPTY_SCHEMA),
          resource_schemas: {},
          data_source_schemas: {},
          provider_meta: schemaToProto(EMPTY_SCHEMA),
          server_capabilities: CAPABILITIES,
        },
        async (l) => (l.schemaResponse ??= providerSchemaResponse(l)),
      ),

    GetResourceIdentitySchemas: (_req: unknown) => Promise.resolve<P.DiagnosticsResponse>({ diagnostics: [] }),

    ValidateProviderConfig: (req: P.ValidateProviderConfigRequest) =>
      guard<P.DiagnosticsResponse>('ValidateProviderConfig', undefined, {}, async (l) => {
        const config = decodeObject(req.config, l.def.providerSchema.block) ?? {};
        return {
          diagnostics: protoDiags(
            await l.def.validateProviderConfig?.({ config }, context('ValidateProviderConfig', undefined, undefined)),
          ),
        };
      }),

    ValidateResourceConfig: (req: P.ValidateResourceConfigRequest) =>
      guard<P.DiagnosticsResponse>('ValidateResourceConfig', req.type_name, {}, async (l) => {
        const r = resource(l, req.type_name);
        const config = decodeObject(req.config, r.schema.block) ?? {};
        return {
          diagnostics: protoDiags(
            await r.validate?.({ config }, context('ValidateResourceConfig', req.type_name, req.client_capabilities)),
          ),
        };
      }),

    ValidateDataResourceConfig: (req: P.ValidateDataResourceConfigRequest) =>
      guard<P.DiagnosticsResponse>('ValidateDataResourceConfig', req.type_name, {}, async (l) => {
        const d = dataSource(l, req.type_name);
        const config = decodeObject(req.config, d.schema.block) ?? {};
        return {
          diagnostics: protoDiags(
            await d.validate?.({ config }, context('ValidateDataResourceConfig', req.type_name, undefined)),
          ),
        };
      }),

    UpgradeResourceState: (req: P.UpgradeResourceStateRequest) =>
      guard<P.UpgradeResourceStateResponse>('UpgradeResourceState', req.type_name, {}, async (l) => {
        const r = resource(l, req.type_name);
        const block = r.schema.block;
        const json = req.raw_state?.json ?? EMPTY;
        if (json.length === 0) {
          if (Object.keys(req.raw_state?.flatmap ?? {}).length > 0) {
            fail(
              'Unsupported state format',
              'This state was written in the legacy flatmap format, which this provider cannot read.',
            );
          }
          return { upgraded_state: encodeObject(null, block), diagnostics: [] };
        }
        const raw = parseJsonLossless(Buffer.from(json).toString('utf8'));
        if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
          fail('Invalid stored state', 'The stored state is not a JSON object.');
        if (!r.upgradeState)
          return {
            upgraded_state: encodeObject(fromJsonTree(raw, impliedType(block)) as ObjectValue, block),
            diagnostics: [],
          };
        const out = await r.upgradeState(
          { version: req.version, rawState: raw },
          context('UpgradeResourceState', req.type_name, undefined),
        );
        const diagnostics = known('UpgradeResourceState', out.state, out.diagnostics);
        return { upgraded_state: encodeObject(out.state, block), diagnostics: protoDiags(diagnostics) };
      }),

    ConfigureProvider: (req: P.ConfigureProviderRequest) =>
      guard<P.DiagnosticsResponse>('ConfigureProvider', undefined, {}, async (l) => {
        const config = decodeObject(req.config, l.def.providerSchema.block) ?? {};
        const ctx = context('ConfigureProvider', undefined, req.client_capabilities);
        return {
          diagnostics: protoDiags(await l.def.configure({ config, terraformVersion: req.terraform_version }, ctx)),
        };
      }),

    ReadResource: (req: P.ReadResourceRequest, call?: CallSignal) =>
      guard<P.ReadResourceResponse>(
        'ReadResource',
        req.type_name,
        { new_state: req.current_state, private: req.private },
        async (l) => {
          const r = resource(l, req.type_name);
          const block = r.schema.block;
          const state = decodeObject(req.current_state, block);
          if (state === null) return { new_state: encodeObject(null, block), private: req.private, diagnostics: [] };
          const out = await r.read(
            { state, private: req.private, providerMeta: meta(l, req.provider_meta) },
            context('ReadResource', req.type_name, req.client_capabilities, call),
          );
          const diagnostics = known('ReadResource', out.state, out.diagnostics);
          return {
            new_state: encodeObject(out.state, block),
            private: out.private ?? req.private,
            diagnostics: protoDiags(diagnostics),
          };
        },
      ),

    PlanResourceChange: (req: P.PlanResourceChangeRequest, call?: CallSignal) =>
      guard<P.PlanResourceChangeResponse>('PlanResourceChange', req.type_name, { requires_replace: [] }, async (l) => {
        const r = resource(l, req.type_name);
        const block = r.schema.block;
        const out = await r.plan(
          {
            priorState: decodeObject(req.prior_state, block),
            proposedState: decodeObject(req.proposed_new_state, block),
            config: decodeObject(req.config, block),
            priorPrivate: req.prior_private,
            providerMeta: meta(l, req.provider_meta),
          },
          context('PlanResourceChange', req.type_name, req.client_capabilities, call),
        );
        return {
          planned_state: encodeObject(out.plannedState, block),
          requires_replace: (out.requiresReplace ?? []).map(toProtoPath),
          planned_private: out.plannedPrivate ?? req.prior_private,
          diagnostics: protoDiags(out.diagnostics),
        };
      }),

    ApplyResourceChange: (req: P.ApplyResourceChangeRequest, call?: CallSignal) =>
      guard<P.ApplyResourceChangeResponse>(
        'ApplyResourceChange',
        req.type_name,
        { new_state: req.prior_state, private: req.planned_private },
        async (l) => {
          const r = resource(l, req.type_name);
          const block = r.schema.block;
          const plannedState = decodeObject(req.planned_state, block);
          const out = await r.apply(
            {
              priorState: decodeObject(req.prior_state, block),
              plannedState,
              config: decodeObject(req.config, block),
              plannedPrivate: req.planned_private,
              providerMeta: meta(l, req.provider_meta),
            },
            context('ApplyResourceChange', req.type_name, undefined, call),
          );
          const diagnostics = known('ApplyResourceChange', out.newState, out.diagnostics);
          if (plannedState === null && out.newState !== null)
            diagnostics.push(
              errorDiagnostic(
                'Provider returned a state after delete',
                'A delete must return a null state. This is a bug in the provider.',
              ),
            );
          return {
            new_state: encodeObject(out.newState, block),
            private: out.private ?? req.planned_private,
            diagnostics: protoDiags(diagnostics),
          };
        },
      ),

    ImportResourceState: (req: P.ImportResourceStateRequest, call?: CallSignal) =>
      guard<P.ImportResourceStateResponse>(
        'ImportResourceState',
        req.type_name,
        { imported_resources: [] },
        async (l) => {
          const r = resource(l, req.type_name);
          if (!r.importState)
            fail('Resource import not supported', `The resource type "${req.type_name}" cannot be imported.`);
          const out = await r.importState(
            { id: req.id },
            context('ImportResourceState', req.type_name, req.client_capabilities, call),
          );
          const diagnostics = known('ImportResourceState', out.state, out.diagnostics);
          const state = encodeObject(out.state, r.schema.block);
          return {
            imported_resources: [{ type_name: req.type_name, state, private: out.private ?? EMPTY }],
            diagnostics: protoDiags(diagnostics),
          };
        },
      ),

    ReadDataSource: (req: P.ReadDataSourceRequest, call?: CallSignal) =>
      guard<P.ReadDataSourceResponse>('ReadDataSource', req.type_name, {}, async (l) => {
        const d = dataSource(l, req.type_name);
        const config = decodeObject(req.config, d.schema.block) ?? {};
        const out = await d.read(
          { config, providerMeta: meta(l, req.provider_meta) },
          context('ReadDataSource', req.type_name, req.client_capabilities, call),
        );
        const diagnostics = known('ReadDataSource', out.state, out.diagnostics);
        return { state: encodeObject(out.state, d.schema.block), diagnostics: protoDiags(diagnostics) };
      }),

    MoveResourceState: (_req: unknown) =>
      Promise.resolve<P.DiagnosticsResponse>({
        diagnostics: [
          toProtoDiagnostic(
            errorDiagnostic(
              'Moving resource state is not supported',
              'This provider cannot move state between resource types.',
            ),
          ),
        ],
      }),

    GetFunctions: (_req: unknown) => Promise.resolve<P.DiagnosticsResponse>({ diagnostics: [] }),

    CallFunction: (_req: unknown) =>
      Promise.resolve<P.CallFunctionResponse>({ error: { text: 'This provider defines no functions.' } }),

    StopProvider: async (_req: unknown): Promise<P.StopProviderResponse> => {
      opts.log.info('stop requested: cancelling in-flight operations');
      opts.stop.abort();
      try {
        if (loading) await (await loading).def.stop?.();
        return { Error: '' };
      } catch (error) {
        return { Error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}

export type ProviderService = ReturnType<typeof createProviderService>;

function providerSchemaResponse(l: Loaded): P.GetProviderSchemaResponse {
  const diagnostics: Diagnostic[] = [...checkSchema(l.def.providerSchema, 'provider')];
  const resource_schemas: Record<string, P.ProtoSchema> = {};
  const data_source_schemas: Record<string, P.ProtoSchema> = {};
  for (const [name, r] of l.resources) {
    diagnostics.push(...checkSchema(r.schema, name));
    resource_schemas[name] = schemaToProto(r.schema);
  }
  for (const [name, d] of l.dataSources) {
    diagnostics.push(...checkSchema(d.schema, `data.${name}`));
    data_source_schemas[name] = schemaToProto(d.schema);
  }
  return {
    provider: schemaToProto(l.def.providerSchema),
    resource_schemas,
    data_source_schemas,
    provider_meta: schemaToProto(l.def.providerMetaSchema ?? EMPTY_SCHEMA),
    server_capabilities: CAPABILITIES,
    diagnostics: diagnostics.map(toProtoDiagnostic),
  };
}
