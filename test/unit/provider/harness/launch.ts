// Plays Terraform core's go-plugin client: launches a provider executable with core's environment, checks the
// handshake line, and dials the socket with @grpc/grpc-js and @grpc/proto-loader, so the client side shares no code
// with the runtime's own HTTP/2 server and protobuf codec.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import selfsigned from 'selfsigned';

export const FAKE_LAUNCHER = fileURLToPath(
  new URL('../../../fixtures/provider/terraform-provider-fake', import.meta.url),
);
export const MAGIC_COOKIE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
const PROTO_DIR = fileURLToPath(new URL('../../../../provider/src/runtime/proto/', import.meta.url));

export const packageDefinition = protoLoader.loadSync(['tfplugin6.proto', 'go-plugin.proto', 'health.proto'], {
  includeDirs: [PROTO_DIR],
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
});
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const loaded = grpc.loadPackageDefinition(packageDefinition) as any;

export interface Handshake {
  line: string;
  address: string;
  /** The server certificate from field 6 (absent when TLS is off). */
  certDer?: Buffer;
}

/** Parses and checks the line the way go-plugin's client does (six fields, unpadded standard base64). */
export function parseHandshake(line: string): Handshake {
  const fields = line.split('|');
  if (fields.length !== 6) throw new Error(`handshake has ${fields.length} fields: ${line}`);
  const [core, app, network, address, protocol, cert] = fields as [string, string, string, string, string, string];
  if (core !== '1' || app !== '6' || network !== 'unix' || protocol !== 'grpc')
    throw new Error(`unexpected handshake: ${line}`);
  if (cert.includes('=') || !/^[A-Za-z0-9+/]*$/.test(cert))
    throw new Error(`certificate is not unpadded standard base64: ${cert}`);
  return { line, address, certDer: cert.length > 50 ? Buffer.from(cert, 'base64') : undefined };
}

export interface KeyPair {
  cert: string;
  key: string;
}

/** A client certificate like core's own (ECDSA P-521, CN localhost, CA, client+server EKU), made with `selfsigned`. */
export async function makeClientCert(): Promise<KeyPair> {
  const pems = await selfsigned.generate(
    [
      { name: 'commonName', value: 'localhost' },
      { name: 'organizationName', value: 'HashiCorp' },
    ],
    {
      keyType: 'ec',
      curve: 'P-521',
      algorithm: 'sha512',
      notBeforeDate: new Date(Date.now() - 30_000),
      notAfterDate: new Date(Date.now() + 86_400_000),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] },
      ],
    },
  );
  return { cert: pems.cert, key: pems.private };
}

export function derToPem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END CERTIFICATE-----\n`;
}

export interface LaunchOptions {
  executable?: string;
  /** Client certificate to announce in PLUGIN_CLIENT_CERT (AutoMTLS); omit for plaintext. */
  clientCert?: KeyPair;
  env?: Record<string, string | undefined>;
}

export class LaunchedProvider {
  stdoutAfterHandshake = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly clients: grpc.Client[] = [];

  constructor(
    readonly child: ChildProcess,
    readonly handshake: Handshake,
    readonly clientCert: KeyPair | undefined,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /**
   * A grpc-js client for one service; `credentials` overrides what core would use (for negative tests). Clients share
   * one connection unless `ownConnection` is set (each terraform walk dials its own).
   */
  client(
    service: 'tfplugin6.Provider' | 'plugin.GRPCController' | 'plugin.GRPCStdio' | 'grpc.health.v1.Health',
    credentials?: grpc.ChannelCredentials,
    ownConnection = false,
  ): grpc.Client {
    const Ctor = service.split('.').reduce((o, part) => o[part], loaded) as typeof grpc.Client;
    const client = new Ctor(`unix://${this.handshake.address}`, credentials ?? this.coreCredentials(), {
      'grpc.ssl_target_name_override': 'localhost',
      'grpc.default_authority': 'localhost',
      'grpc.max_receive_message_length': -1,
      ...(ownConnection ? { 'grpc.use_local_subchannel_pool': 1 } : {}),
    });
    this.clients.push(client);
    return client;
  }

  /** What core dials with: mTLS with its client cert when AutoMTLS is on, plaintext otherwise. */
  coreCredentials(): grpc.ChannelCredentials {
    if (!this.handshake.certDer || !this.clientCert) return grpc.credentials.createInsecure();
    return grpc.credentials.createSsl(
      Buffer.from(derToPem(this.handshake.certDer)),
      Buffer.from(this.clientCert.key),
      Buffer.from(this.clientCert.cert),
    );
  }

  /** A unary tfplugin6 call, as core makes it. */
  rpc<T = Record<string, unknown>>(
    method: string,
    request: object,
    client = this.client('tfplugin6.Provider'),
  ): Promise<T> {
    return unary<T>(client, method, request);
  }

  /** Core's goodbye: GRPCController/Shutdown, then wait for the exit. */
  async shutdown(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    await unary(this.client('plugin.GRPCController'), 'Shutdown', {}).catch(() => undefined);
    this.closeClients();
    return this.exited;
  }

  async kill(): Promise<void> {
    this.closeClients();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  closeClients(): void {
    for (const c of this.clients.splice(0)) c.close();
  }
}

export function unary<T>(client: grpc.Client, method: string, request: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = (
      client as unknown as Record<string, (req: object, cb: (e: grpc.ServiceError | null, r: T) => void) => void>
    )[method];
    if (!fn) return reject(new Error(`no method ${method}`));
    fn.call(client, request, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** Starts the executable with core's environment and resolves once the handshake line has been read. */
export async function launch(options: LaunchOptions = {}): Promise<LaunchedProvider> {
  return start(
    options,
    [],
    {
      TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE,
      PLUGIN_PROTOCOL_VERSIONS: '5,6',
      PLUGIN_CLIENT_CERT: options.clientCert?.cert,
    },
    parseHandshake,
  );
}

export interface Reattach {
  Protocol: string;
  ProtocolVersion: number;
  Pid: number;
  Test: boolean;
  Addr: { Network: string; String: string };
}

/** Starts the executable with --attach, as a user would (no go-plugin environment), and reads its export line. */
export async function attach(
  options: Omit<LaunchOptions, 'clientCert'> = {},
): Promise<LaunchedProvider & { reattach: Record<string, Reattach> }> {
  let reattach: Record<string, Reattach> = {};
  const launched = await start(
    options,
    ['--attach'],
    { TF_PLUGIN_MAGIC_COOKIE: undefined, PLUGIN_CLIENT_CERT: undefined },
    (line) => {
      if (!line.startsWith('export TF_REATTACH_PROVIDERS=')) throw new Error(`not an export line: ${line}`);
      // Read the way a user's shell reads it.
      reattach = JSON.parse(
        execFileSync('sh', ['-c', `${line}\nprintf %s "$TF_REATTACH_PROVIDERS"`]).toString(),
      ) as Record<string, Reattach>;
      const [entry] = Object.values(reattach);
      return { line, address: entry!.Addr.String };
    },
  );
  return Object.assign(launched, { reattach });
}

async function start(
  options: LaunchOptions,
  args: string[],
  coreEnv: NodeJS.ProcessEnv,
  parse: (line: string) => Handshake,
): Promise<LaunchedProvider> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...coreEnv, TF_LOG: 'trace', ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const child = spawn(options.executable ?? FAKE_LAUNCHER, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const line = await new Promise<string>((resolve, reject) => {
    const onData = (d: string): void => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl >= 0) {
        child.stdout!.off('data', onData);
        resolve(stdout.slice(0, nl));
      }
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`provider exited (${code}) before the handshake; stderr:\n${stderr}`)),
    );
  });
  const launched = new LaunchedProvider(child, parse(line), options.clientCert);
  launched.stdoutAfterHandshake = stdout.slice(line.length + 1);
  child.stdout!.on('data', (d: string) => (launched.stdoutAfterHandshake += d));
  child.stderr!.on('data', (d: string) => (launched.stderr += d));
  launched.stderr = stderr;
  return launched;
}
