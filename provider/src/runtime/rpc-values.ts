// What the RPCs of provider-service.ts share beside the calls themselves: values decoded from and encoded to the
// wire by schema, the rule that state holds no unknowns, and the small conversions of capabilities and maps.
import { DiagnosticsError, errorDiagnostic, toProtoDiagnostic, type Diagnostic } from './diagnostics.js';
import type * as P from './protocol-types.js';
import type { ClientCapabilities } from './provider-interface.js';
import { completeObject, impliedType, nullWriteOnly, type Block } from './schema.js';
import { decodeJsonValue } from './json-value.js';
import { decodeMsgpackValue, encodeMsgpackValue } from './msgpack-codec.js';
import { formatPath } from './value-shape.js';
import { findUnknown, type ObjectValue } from './values.js';

/** Refuses an RPC with one error diagnostic. */
export function fail(summary: string, detail: string): never {
  throw new DiagnosticsError(errorDiagnostic(summary, detail));
}

export function decodeObject(dv: P.DynamicValue | undefined, block: Block): ObjectValue | null {
  if (dv?.msgpack && dv.msgpack.length > 0)
    return decodeMsgpackValue(dv.msgpack, impliedType(block)) as ObjectValue | null;
  if (dv?.json && dv.json.length > 0) return decodeJsonValue(dv.json, impliedType(block)) as ObjectValue | null;
  return null;
}

/** Every object the provider returns: complete (every attribute a key) and with write-only attributes null. */
export function encodeObject(value: ObjectValue | null, block: Block): P.DynamicValue {
  return {
    msgpack: encodeMsgpackValue(
      value === null ? null : nullWriteOnly(block, completeObject(block, value)),
      impliedType(block),
    ),
  };
}

/** Results stored in state must be wholly known; otherwise answer with the fallback (prior state) and say why. */
export function known(rpc: string, value: ObjectValue | null, diagnostics: readonly Diagnostic[] = []): Diagnostic[] {
  const path = value === null ? undefined : findUnknown(value);
  if (!path) return [...diagnostics];
  throw new DiagnosticsError([
    ...diagnostics,
    errorDiagnostic(
      'Provider returned an unknown value',
      `${rpc} returned an unknown value at ${formatPath(path) || 'the top level'}; only plans may hold unknown values. This is a bug in the provider.`,
    ),
  ]);
}

export function protoDiags(diagnostics: readonly Diagnostic[] | void | undefined): P.Diagnostic[] {
  return (diagnostics ?? []).map(toProtoDiagnostic);
}

export function toCapabilities(caps: P.ClientCapabilities | undefined): ClientCapabilities {
  return {
    deferralAllowed: caps?.deferral_allowed ?? false,
    writeOnlyAttributesAllowed: caps?.write_only_attributes_allowed ?? false,
  };
}

export function toMap<T>(entries: ReadonlyMap<string, T> | Readonly<Record<string, T>>): ReadonlyMap<string, T> {
  return entries instanceof Map ? entries : new Map(Object.entries(entries));
}
