// serve(): turns this process into a Terraform provider plugin (go-plugin handshake, AutoMTLS, gRPC on a unix socket).
// Start-up order matters for speed: only what the handshake needs runs before the line is written; the provider
// definition loads right after, while core is still dialling.
// With --attach, the process is instead a long-lived provider that terraform reattaches to through
// TF_REATTACH_PROVIDERS (go-plugin's unmanaged mode): no launch per command, and a V8 that stays warm.
import { mkdtempSync, readdir, rm, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from './certificate.js';
import { startGrpcServer, type GrpcServer, type GrpcServerOptions } from './grpc-server.js';
import { createLogger, type Logger } from './logger.js';
import { guardStdout, handshakeLine, PROTOCOL_VERSION, readPluginEnv } from './plugin-env.js';
import { goPluginHandlers, providerHandlers } from './plugin-services.js';
import type { ProviderDefinition } from './provider-interface.js';
import { createProviderService } from './provider-service.js';
import { ProtoCodec } from './protobuf-codec.js';
import { protoTables } from './proto-tables.js';

export interface ServeOptions {
  /** Short provider name, e.g. "atonix": the log module and part of the temp dir name. */
  name: string;
  /** Source address, e.g. registry.terraform.io/atonixcorp/atonix: the key an attached provider announces. */
  address: string;
  version?: string;
  /**
   * The definition, or a function that builds/imports it: called once, right after the handshake, or once per
   * terraform connection when attached (each connection is its own provider instance, configured on its own).
   */
  provider: ProviderDefinition | (() => ProviderDefinition | Promise<ProviderDefinition>);
}

export const ATTACH_FLAG = '--attach';

/** Same limit as HashiCorp's Go SDK: grpc's 4 MiB default fails on large configurations. */
const MAX_MESSAGE_BYTES = 256 << 20;
const DIR_PREFIX = 'tfplugin-';
const WATCHDOG_MS = 500;
const SHUTDOWN_GRACE_MS = 500;

export async function serve(options: ServeOptions): Promise<void> {
  const entered = uptimeMs(); // since process start: node boot plus loading the bundle
  if (process.argv.slice(2).includes(ATTACH_FLAG)) return serveAttached(options);
  guardStdout();
  const env = readPluginEnv(process.env);
  if (!env.ok) {
    process.stderr.write(env.message);
    process.exit(1);
  }
  const log = createLogger(options.name);
  process.stderr.on('error', () => {}); // core may close our stderr pipe first; that must not crash a shutdown
  // Ctrl-C reaches the whole process group; core answers it with StopProvider, so the signal itself is ignored.
  process.on('SIGINT', () => log.debug('SIGINT ignored: Terraform stops providers through StopProvider'));
  watchParent(log);

  const socketPath = socketInPrivateDir();
  process.once('SIGTERM', () => process.exit(143)); // same exit as the default, but through the dir's cleanup
  const cert = env.clientCertPem ? createSelfSignedCertificate({ organization: options.name }) : undefined;
  const certified = uptimeMs();

  const source = options.provider;
  let loading: Promise<ProviderDefinition> | undefined;
  const load = (): Promise<ProviderDefinition> => (loading ??= Promise.resolve().then(() => (typeof source === 'function' ? source() : source)));
  const service = createProviderService({ load, log, stop: new AbortController() });
  let server: GrpcServer | undefined;
  const shutdown = (): void => {
    log.debug('shutdown requested by core');
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS);
    void (server ? server.close() : Promise.resolve()).then(() => process.exit(0));
  };
  server = await startServer(log, {
    socketPath,
    tls: cert && env.clientCertPem ? { key: cert.keyPem, cert: cert.certPem, clientCa: env.clientCertPem } : undefined,
    handlers: { ...providerHandlers(service), ...goPluginHandlers({ shutdown }) },
  });

  writeSync(1, handshakeLine(socketPath, cert?.der));
  const ms = (t: number): number => Math.round(t * 10) / 10;
  log.info('provider serving', {
    version: options.version,
    socket: socketPath,
    tls: Boolean(cert),
    startup_ms: ms(uptimeMs()),
    loaded_ms: ms(entered),
    certificate_ms: ms(certified - entered),
    listen_ms: ms(uptimeMs() - certified),
  });

  setImmediate(() => {
    // Warm up: load the definition now instead of inside the first RPC, and sweep leftovers of killed providers.
    load().catch((error: unknown) => log.error('provider definition failed to load', { error }));
    removeStaleDirs(log);
  });
}

/**
 * The attached mode: serves until interrupted, in plaintext on a socket only this user can reach (go-plugin's
 * reattach dials without TLS). Prints one line for a shell, `export TF_REATTACH_PROVIDERS='...'`, on stdout.
 */
async function serveAttached(options: ServeOptions): Promise<void> {
  const log = createLogger(options.name);
  const socketPath = socketInPrivateDir();
  let server: GrpcServer | undefined;
  // The first Ctrl-C (or SIGTERM) drains: no new connections, while the open ones (terraform commands running now)
  // finish their calls, so no resource is left created but unrecorded. A second signal stops at once.
  let draining = false;
  const stopServing = (signal: NodeJS.Signals): void => {
    if (draining || !server?.connections) {
      log.info('stopping', { signal });
      process.exit(draining ? 1 : 0);
    }
    draining = true;
    log.info('draining', { signal, connections: server!.connections });
    process.stderr.write(`Stopping: no new terraform commands; waiting for the ${server!.connections} running to end. ${signal} again stops now.\n`);
    void server!.drain().then(() => process.exit(0));
  };
  process.on('SIGINT', stopServing);
  process.on('SIGTERM', stopServing);
  const source = options.provider;
  const build = (): Promise<ProviderDefinition> => Promise.resolve().then(() => (typeof source === 'function' ? source() : source));
  let connections = 0;
  server = await startServer(log, {
    socketPath,
    handlers: (connection) => {
      const connectionLog = log.with({ connection: ++connections });
      const stop = new AbortController();
      // A terraform that went away (Ctrl-C twice, killed) must not leave its waits polling the API.
      connection.onClose(() => {
        connectionLog.debug('terraform disconnected');
        stop.abort();
      });
      connectionLog.debug('terraform connected');
      const service = createProviderService({ load: build, log: connectionLog, stop });
      const shutdown = (): void => connectionLog.debug('Shutdown ignored: an attached provider runs until it is interrupted');
      return { ...providerHandlers(service), ...goPluginHandlers({ shutdown }) };
    },
  });
  const reattach = JSON.stringify({
    [options.address]: { Protocol: 'grpc', ProtocolVersion: PROTOCOL_VERSION, Pid: process.pid, Test: true, Addr: { Network: 'unix', String: socketPath } },
  });
  process.stdout.write(`export TF_REATTACH_PROVIDERS=${shellQuote(reattach)}\n`);
  process.stderr.write(
    `${options.address} ${options.version ?? ''} is attached and serving. Terraform commands use it, instead of launching\n` +
      `the provider, where TF_REATTACH_PROVIDERS holds the line above. Settings the provider reads from the environment\n` +
      `come from this process's environment, not terraform's. Stop it with Ctrl-C.\n`,
  );
  log.info('provider attached', { version: options.version, socket: socketPath, startup_ms: Math.round(uptimeMs()) });
  setImmediate(() => build().catch((error: unknown) => log.error('provider definition failed to load', { error }))); // warm up
}

/** A socket path inside a new 0700 dir (mkdtemp's mode), removed when the process exits. */
function socketInPrivateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'plugin.sock');
}

function startServer(log: Logger, opts: Pick<GrpcServerOptions, 'socketPath' | 'tls' | 'handlers'>): Promise<GrpcServer> {
  const tables = protoTables();
  return startGrpcServer({
    ...opts,
    maxMessageBytes: MAX_MESSAGE_BYTES,
    tables,
    codec: new ProtoCodec(tables),
    onTransportError: (error) => log.debug('transport error', { error: error.message }),
  });
}

const shellQuote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

/** Milliseconds since the process started; process.uptime() avoids loading perf_hooks on the start-up path. */
const uptimeMs = (): number => process.uptime() * 1000;

/** Exec'd launchers make core our parent; if it dies (SIGKILL), we are re-parented and must not linger holding its pipes. */
function watchParent(log: Logger): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid === parent) return;
    log.warn('parent process is gone; exiting');
    process.exit(1);
  }, WATCHDOG_MS).unref();
}

/** Socket dirs of providers that were SIGKILLed (core's fallback after 2 s) are never cleaned by their owner. */
function removeStaleDirs(log: Logger): void {
  // Asynchronous, so a large temp dir never delays the RPCs core is about to send.
  readdir(tmpdir(), (error, entries) => {
    if (error) return log.trace('stale socket dir sweep failed', { error });
    for (const entry of entries) {
      const pid = Number(/^tfplugin-(\d+)-/.exec(entry)?.[1]);
      if (!pid || pid === process.pid || isAlive(pid)) continue;
      rm(join(tmpdir(), entry), { recursive: true, force: true }, () => log.trace('removed stale socket dir', { dir: entry }));
    }
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
