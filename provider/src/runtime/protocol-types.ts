// TypeScript shapes of the tfplugin6 messages as the protobuf codec decodes and encodes them (field names as in the .proto).
// Requests are as decoded (zero values filled in, absent sub-messages undefined); responses may leave fields out.

export interface DynamicValue {
  msgpack?: Uint8Array;
  json?: Uint8Array;
}

export interface AttributePath {
  steps: { attribute_name?: string; element_key_string?: string; element_key_int?: number }[];
}

export interface Diagnostic {
  severity: 'INVALID' | 'ERROR' | 'WARNING';
  summary: string;
  detail?: string;
  attribute?: AttributePath;
}

export interface RawState {
  json: Uint8Array;
  flatmap: Record<string, string>;
}

export type ProtoStringKind = 'PLAIN' | 'MARKDOWN';

export interface ProtoAttribute {
  name: string;
  type?: Uint8Array;
  nested_type?: { attributes: ProtoAttribute[]; nesting: 'SINGLE' | 'LIST' | 'SET' | 'MAP' };
  description?: string;
  description_kind?: ProtoStringKind;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  deprecated?: boolean;
  write_only?: boolean;
}

export interface ProtoBlock {
  version?: number;
  attributes: ProtoAttribute[];
  block_types: ProtoNestedBlock[];
  description?: string;
  description_kind?: ProtoStringKind;
  deprecated?: boolean;
}

export interface ProtoNestedBlock {
  type_name: string;
  block: ProtoBlock;
  nesting: 'SINGLE' | 'LIST' | 'SET' | 'MAP' | 'GROUP';
  min_items?: number;
  max_items?: number;
}

export interface ProtoSchema {
  version?: number;
  block: ProtoBlock;
}

export interface ServerCapabilities {
  plan_destroy?: boolean;
  get_provider_schema_optional?: boolean;
  move_resource_state?: boolean;
}

export interface ClientCapabilities {
  deferral_allowed: boolean;
  write_only_attributes_allowed: boolean;
}

type Diags = { diagnostics: Diagnostic[] };

export interface GetMetadataResponse extends Diags {
  server_capabilities: ServerCapabilities;
  data_sources: { type_name: string }[];
  resources: { type_name: string }[];
}

export interface GetProviderSchemaResponse extends Diags {
  provider: ProtoSchema;
  resource_schemas: Record<string, ProtoSchema>;
  data_source_schemas: Record<string, ProtoSchema>;
  provider_meta: ProtoSchema;
  server_capabilities: ServerCapabilities;
}

export interface ValidateProviderConfigRequest {
  config?: DynamicValue;
}
export interface ValidateResourceConfigRequest {
  type_name: string;
  config?: DynamicValue;
  client_capabilities?: ClientCapabilities;
}
export interface ValidateDataResourceConfigRequest {
  type_name: string;
  config?: DynamicValue;
}

export interface UpgradeResourceStateRequest {
  type_name: string;
  version: number;
  raw_state?: RawState;
}
export interface UpgradeResourceStateResponse extends Diags {
  upgraded_state?: DynamicValue;
}

export interface ConfigureProviderRequest {
  terraform_version: string;
  config?: DynamicValue;
  client_capabilities?: ClientCapabilities;
}

export interface ReadResourceRequest {
  type_name: string;
  current_state?: DynamicValue;
  private: Uint8Array;
  provider_meta?: DynamicValue;
  client_capabilities?: ClientCapabilities;
}
export interface ReadResourceResponse extends Diags {
  new_state?: DynamicValue;
  private?: Uint8Array;
}

export interface PlanResourceChangeRequest {
  type_name: string;
  prior_state?: DynamicValue;
  proposed_new_state?: DynamicValue;
  config?: DynamicValue;
  prior_private: Uint8Array;
  provider_meta?: DynamicValue;
  client_capabilities?: ClientCapabilities;
}
export interface PlanResourceChangeResponse extends Diags {
  planned_state?: DynamicValue;
  requires_replace: AttributePath[];
  planned_private?: Uint8Array;
}

export interface ApplyResourceChangeRequest {
  type_name: string;
  prior_state?: DynamicValue;
  planned_state?: DynamicValue;
  config?: DynamicValue;
  planned_private: Uint8Array;
  provider_meta?: DynamicValue;
}
export interface ApplyResourceChangeResponse extends Diags {
  new_state?: DynamicValue;
  private?: Uint8Array;
}

export interface ImportResourceStateRequest {
  type_name: string;
  id: string;
  client_capabilities?: ClientCapabilities;
}
export interface ImportResourceStateResponse extends Diags {
  imported_resources: { type_name: string; state?: DynamicValue; private?: Uint8Array }[];
}

export interface ReadDataSourceRequest {
  type_name: string;
  config?: DynamicValue;
  provider_meta?: DynamicValue;
  client_capabilities?: ClientCapabilities;
}
export interface ReadDataSourceResponse extends Diags {
  state?: DynamicValue;
}

export interface StopProviderResponse {
  Error: string;
}
export interface CallFunctionResponse {
  result?: DynamicValue;
  error?: { text: string; function_argument?: number };
}
export interface DiagnosticsResponse extends Diags {}
