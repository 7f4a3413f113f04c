// serve(): turns this process into a Terraform provider plugin (go-plugin handshake, AutoMTLS, gRPC on a unix socket).
// Start-up order matters for speed: only what the handshake needs runs before the line is written; the provider
// definition loads right after, while core is still dialling.
// With --attach, the process is instead a long-lived provider that terraform reattaches to (see attach.ts).
import { readdir, rm, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from './certificate.js';
import { serveAttached } from './attach.js';
import type { GrpcServer } from './grpc-server.js';
import { createLogger, type Logger } from './logger.js';
import { guardStdout, handshakeLine, readPluginEnv } from './plugin-env.js';
import { goPluginHandlers, providerHandlers } from './plugin-services.js';
import { socketInPrivateDir, startPluginServer, uptimeMs } from './plugin-socket.js';
import type { ProviderDefinition } from './provider-interface.js';
import { createProviderService } from './provider-service.js';

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
  const load = (): Promise<ProviderDefinition> =>
    (loading ??= Promise.resolve().then(() => (typeof source === 'function' ? source() : source)));
  const service = createProviderService({ load, log, stop: new AbortController() });
  let server: GrpcServer | undefined;
  const shutdown = (): void => {
    log.debug('shutdown requested by core');
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS);
    void (server ? server.close() : Promise.resolve()).then(() => process.exit(0));
  };
  server = await startPluginServer(log, {
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
      rm(join(tmpdir(), entry), { recursive: true, force: true }, () =>
        log.trace('removed stale socket dir', { dir: entry }),
      );
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
