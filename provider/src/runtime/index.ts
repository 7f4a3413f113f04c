// The protocol runtime's public surface: serve() plus the types and helpers a provider implementation works with.
export { serve, type ServeOptions } from './serve.js';
export type {
  ApplyRequest,
  ApplyResult,
  ClientCapabilities,
  ConfigureRequest,
  DataSourceType,
  DiagnosticsResult,
  ImportResult,
  MaybePromise,
  PlanRequest,
  PlanResult,
  ProviderDefinition,
  ReadRequest,
  ReadResult,
  RequestContext,
  ResourceType,
} from './provider-interface.js';
export {
  attributeType,
  completeObject,
  impliedType,
  nullWriteOnly,
  type Attribute,
  type Block,
  type NestedAttributes,
  type NestedBlock,
  type Schema,
  type StringKind,
} from './schema.js';
export { objectType, type CtyPrimitive, type CtyType, type ObjectType } from './cty-types.js';
export {
  UNKNOWN,
  TypedValue,
  findUnknown,
  isUnknown,
  isWhollyKnown,
  type NumberValue,
  type ObjectValue,
  type Unknown,
  type Value,
} from './values.js';
export {
  DiagnosticsError,
  diagnosticsFromError,
  errorDiagnostic,
  hasErrors,
  warningDiagnostic,
  type AttributePath,
  type Diagnostic,
  type PathStep,
} from './diagnostics.js';
export { decodeMsgpackValue, encodeMsgpackValue } from './msgpack-codec.js';
export { decodeJsonValue, fromJsonTree } from './json-value.js';
export { ValueTypeError, formatPath, inferType } from './value-shape.js';
export { parseJsonLossless, type JsonValue } from './json-lossless.js';
export { normalizeNumber } from './numbers.js';
export { createLogger, type LogFields, type Logger, type LogLevel } from './logger.js';
export { createProviderService, type ProviderService } from './provider-service.js';
