// The attached mode (`--attach`): one long-lived provider process that terraform reattaches to through
// TF_REATTACH_PROVIDERS (go-plugin's unmanaged mode, the one provider debuggers use): no launch per command, and a
// V8 that stays warm. Each terraform connection (one per walk of a command) is its own provider instance.
import type { GrpcServer } from './grpc-server.js';
import { createLogger } from './logger.js';
import { guardStdout, PROTOCOL_VERSION } from './plugin-env.js';
import { goPluginHandlers, providerHandlers } from './plugin-services.js';
import { socketInPrivateDir, startPluginServer, uptimeMs } from './plugin-socket.js';
import type { ProviderDefinition } from './provider-interface.js';
import { createProviderService } from './provider-service.js';
import type { ServeOptions } from './serve.js';

/**
 * The attached mode: serves until interrupted, in plaintext on a socket only this user can reach (go-plugin's
 * reattach dials without TLS). Prints one line for a shell, `export TF_REATTACH_PROVIDERS='...'`, on stdout.
 */
export async function serveAttached(options: ServeOptions): Promise<void> {
  const log = createLogger(options.name);
  const socketPath = socketInPrivateDir();
  let server: GrpcServer | undefined;
  // The first Ctrl-C (SIGTERM, SIGHUP) waits until no terraform command is connected (a command keeps its connections
  // until it exits), so none is cut off mid-apply with a resource created but not in its state. The socket keeps
  // accepting meanwhile: when a reattach cannot dial, go-plugin kills the announced pid, so refusing a running
  // command's next walk would kill this process under it. A second signal stops at once.
  let stopping = false;
  const exit = (code: number): never => {
    process.stderr.write(
      `${options.address} stopped. Unset TF_REATTACH_PROVIDERS where it is exported: terraform kills the process it names when it cannot reach it.\n`,
    );
    process.exit(code);
  };
  const stopServing = (signal: NodeJS.Signals): void => {
    if (stopping || !server?.connections) {
      log.info('stopping', { signal });
      exit(stopping ? 1 : 0);
    }
    stopping = true;
    log.info('stopping once idle', { signal, connections: server!.connections });
    process.stderr.write(
      `Stopping once no terraform command is connected (${server!.connections} connections now); ${signal} again stops now.\n`,
    );
    void server!.whenIdle().then(() => exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stopServing);
  process.stderr.on('error', () => {}); // a closed terminal must not turn a log line into a crash
  const source = options.provider;
  const build = (): Promise<ProviderDefinition> =>
    Promise.resolve().then(() => (typeof source === 'function' ? source() : source));
  let connectionIds = 0;
  server = await startPluginServer(log, {
    socketPath,
    handlers: (connection) => {
      const connectionLog = log.with({ connection: ++connectionIds });
      const stop = new AbortController();
      // A terraform that went away (Ctrl-C twice, killed) must not leave its waits polling the API.
      connection.onClose(() => {
        connectionLog.debug('terraform disconnected');
        stop.abort();
      });
      connectionLog.debug('terraform connected');
      const service = createProviderService({ load: build, log: connectionLog, stop });
      const shutdown = (): void =>
        connectionLog.debug('Shutdown ignored: an attached provider runs until it is interrupted');
      return { ...providerHandlers(service), ...goPluginHandlers({ shutdown }) };
    },
  });
  const reattach = JSON.stringify({
    [options.address]: {
      Protocol: 'grpc',
      ProtocolVersion: PROTOCOL_VERSION,
      Pid: process.pid,
      Test: true,
      Addr: { Network: 'unix', String: socketPath },
    },
  });
  process.stdout.write(`export TF_REATTACH_PROVIDERS=${shellQuote(reattach)}\n`);
  guardStdout(); // the line above is meant to be sourced by a shell: nothing else may follow it
  process.stderr.write(
    `${options.address} ${options.version ?? ''} is attached and serving. Terraform commands use it, instead of launching\n` +
      `the provider, where TF_REATTACH_PROVIDERS holds the line above. Settings the provider reads from the environment\n` +
      `come from this process's environment, not terraform's. Stop it with Ctrl-C.\n`,
  );
  log.info('provider attached', { version: options.version, socket: socketPath, startup_ms: Math.round(uptimeMs()) });
  setImmediate(() => build().catch((error: unknown) => log.error('provider definition failed to load', { error }))); // warm up
}

const shellQuote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
