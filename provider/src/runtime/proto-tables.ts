// Where the protocol tables come from: baked into the bundle at build time, or parsed from the .proto files when run from source.
import { readFileSync } from 'node:fs';
import { parseProtoFiles, type ProtoTables } from './proto-parser.js';

/** The .proto files of the runtime, in the order they are parsed. */
export const PROTO_FILES = ['tfplugin6.proto', 'go-plugin.proto', 'health.proto'] as const;

// scripts/build-provider.ts replaces this identifier with the parsed tables, so a launched provider never reads or parses .proto text.
declare const __TFPLUGIN_PROTO_TABLES__: ProtoTables | undefined;

let cached: ProtoTables | undefined;

export function protoTables(): ProtoTables {
  if (cached) return cached;
  cached =
    typeof __TFPLUGIN_PROTO_TABLES__ !== 'undefined' ? __TFPLUGIN_PROTO_TABLES__ : parseProtoFiles(readProtoSources());
  return cached;
}

/** Reads the .proto sources next to this module (source mode and the build script). */
export function readProtoSources(): string[] {
  return PROTO_FILES.map((file) => readFileSync(new URL(`./proto/${file}`, import.meta.url), 'utf8'));
}
