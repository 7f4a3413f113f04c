// What both ways of serving share: the socket in a private directory, and the gRPC server with the runtime's codec.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGrpcServer, type GrpcServer, type GrpcServerOptions } from './grpc-server.js';
import type { Logger } from './logger.js';
import { ProtoCodec } from './protobuf-codec.js';
import { protoTables } from './proto-tables.js';

/** Same limit as HashiCorp's Go SDK: grpc's 4 MiB default fails on large configurations. */
const MAX_MESSAGE_BYTES = 256 << 20;
/** Socket dirs are named tfplugin-<pid>-*: a launched provider sweeps those of dead pids (see serve.ts). */
export const DIR_PREFIX = 'tfplugin-';

/** A socket path inside a new 0700 dir (mkdtemp's mode), removed when the process exits. */
export function socketInPrivateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'plugin.sock');
}

export function startPluginServer(
  log: Logger,
  opts: Pick<GrpcServerOptions, 'socketPath' | 'tls' | 'handlers'>,
): Promise<GrpcServer> {
  const tables = protoTables();
  return startGrpcServer({
    ...opts,
    maxMessageBytes: MAX_MESSAGE_BYTES,
    tables,
    codec: new ProtoCodec(tables),
    onTransportError: (error) => log.debug('transport error', { error: error.message }),
  });
}

/** Milliseconds since the process started; process.uptime() avoids loading perf_hooks on the start-up path. */
export const uptimeMs = (): number => process.uptime() * 1000;
