// A minimal gRPC server on node:http2 (unary calls and server streams, optional mutual TLS, unix socket).
// It replaces @grpc/grpc-js on the start-up path: loading grpc-js costs ~60 ms per launch, and Terraform
// launches a provider 3-5 times per command, while a provider only ever needs this small subset of gRPC.
import { X509Certificate } from 'node:crypto';
import http2 from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { ProtoCodec, ProtoMessage } from './protobuf-codec.js';
import type { ProtoTables } from './proto-parser.js';

/** gRPC status codes this server produces (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
} as const;

export class GrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface CallContext {
  readonly path: string;
  /** Aborted when the client cancels the call, its deadline passes, or the stream closes. */
  readonly signal: AbortSignal;
  /** Runs after the response has been handed to the transport and the stream is closed. */
  onFinished(callback: () => void): void;
}

/** Unary handlers return the response; server-streaming handlers return the list of messages to stream. */
export type GrpcHandler = (request: ProtoMessage, call: CallContext) => unknown;

export interface GrpcServerOptions {
  socketPath: string;
  /** PEM strings; when set the server requires the client to present exactly the certificate `clientCa`. */
  tls?: { key: string; cert: string; clientCa: string };
  maxMessageBytes: number;
  tables: ProtoTables;
  codec: ProtoCodec;
  /**
   * The methods' handlers, or a factory called once per client connection: an attached provider serves one provider
   * instance per terraform connection, so each connection gets its own handlers and their state.
   */
  handlers: Handlers | ((connection: Connection) => Handlers);
  /** Transport-level trouble (TLS handshake failures, session errors): logged, never fatal. */
  onTransportError?(error: Error): void;
}

export type Handlers = Record<string, GrpcHandler>;

export interface Connection {
  /** Runs once when the client's connection (its HTTP/2 session) closes, however it ends. */
  onClose(callback: () => void): void;
}

export interface GrpcServer {
  /** Stops accepting connections and closes open sessions gracefully. */
  close(): Promise<void>;
  /**
   * Resolves once no connection is open (at once if none is), leaving the server and its sessions alone: a session
   * told to close would refuse its client's next call.
   */
  whenIdle(): Promise<void>;
  /** Connections open now. */
  readonly connections: number;
}

export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServer> {
  const settings: http2.Settings = { initialWindowSize: 1 << 20, maxConcurrentStreams: 1000 };
  // maxSessionMemory is in MB; nghttp2 refuses new streams above it, and responses may be large.
  const common = { settings, maxSessionMemory: 1024 };
  const server = opts.tls
    ? http2.createSecureServer({
        ...common,
        key: opts.tls.key,
        cert: opts.tls.cert,
        // Why not `ca: clientCa` with rejectUnauthorized: the first CA added to any TLS context makes node parse
        // its ~140 bundled root certificates (about 45 ms here, on every launch). go-plugin's client certificate
        // is self-signed and announced to us whole, so the connection is pinned to exactly that certificate.
        ca: [],
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      })
    : http2.createServer(common);
  if (opts.tls) {
    const expected = new X509Certificate(opts.tls.clientCa).raw;
    // Runs before http2's own listener creates a session: a wrong peer never gets a frame read.
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      const presented = socket.getPeerCertificate()?.raw;
      if (presented && presented.equals(expected)) return;
      opts.onTransportError?.(
        new Error(presented ? 'client certificate is not the one in PLUGIN_CLIENT_CERT' : 'client sent no certificate'),
      );
      socket.destroy();
    });
  }

  const sessions = new Set<http2.ServerHttp2Session>();
  const handlersOf = new WeakMap<http2.Http2Session, Handlers>();
  const report = (error: Error): void => opts.onTransportError?.(error);
  const idleWaiters: (() => void)[] = [];
  server.on('session', (session: http2.ServerHttp2Session) => {
    sessions.add(session);
    session.on('close', () => {
      sessions.delete(session);
      if (!sessions.size) for (const resolve of idleWaiters.splice(0)) resolve();
    });
    if (typeof opts.handlers === 'function') {
      handlersOf.set(session, opts.handlers({ onClose: (callback) => session.once('close', callback) }));
    }
    session.on('error', report);
    session.setLocalWindowSize(16 << 20); // large configs arrive in fewer flow-control round trips
  });
  server.on('tlsClientError', report);
  server.on('sessionError', report);
  const fixed = typeof opts.handlers === 'function' ? undefined : opts.handlers;
  server.on('stream', (stream, headers) =>
    handleStream(opts, fixed ?? handlersOf.get(stream.session!) ?? {}, stream, headers),
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of sessions) session.close();
      }),
    whenIdle: () =>
      new Promise<void>((resolve) => {
        if (!sessions.size) return resolve();
        idleWaiters.push(resolve);
      }),
    get connections() {
      return sessions.size;
    },
  };
}

function handleStream(
  opts: GrpcServerOptions,
  handlers: Handlers,
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
): void {
  stream.on('error', () => {}); // a client reset surfaces here; the call's signal already covers it
  const path = headers[':path'] ?? '';
  if (headers[':method'] !== 'POST' || !String(headers['content-type'] ?? '').startsWith('application/grpc')) {
    stream.respond({ ':status': 415 }, { endStream: true });
    return;
  }
  const method = opts.tables.methods[path];
  const handler = handlers[path];
  if (!method || !handler) {
    stream.resume();
    finishWithStatus(stream, GrpcStatus.UNIMPLEMENTED, `unknown method ${path}`);
    return;
  }

  // The call's signal is made only when a handler asks for it, and aborted only if the call ends before its answer:
  // most calls never look at it, and an AbortController plus the DOMException of its abort cost more per call
  // than the rest of the call's bookkeeping.
  let controller: AbortController | undefined;
  let ended = false; // the stream closed or the deadline passed
  let answered = false;
  const abort = (): void => {
    ended = true;
    if (!answered) controller?.abort();
  };
  const finished: (() => void)[] = [];
  stream.on('close', () => {
    abort();
    for (const callback of finished) callback();
  });
  const deadline = parseTimeout(headers['grpc-timeout']);
  if (deadline !== undefined) setTimeout(abort, deadline).unref();

  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (tooLarge) return;
    if (size > opts.maxMessageBytes + 5) {
      tooLarge = true;
      chunks.length = 0;
      finishWithStatus(
        stream,
        GrpcStatus.RESOURCE_EXHAUSTED,
        `received message larger than max (${size} vs ${opts.maxMessageBytes})`,
      );
      return;
    }
    chunks.push(chunk);
  });
  stream.on('end', () => {
    if (tooLarge) return;
    const call: CallContext = {
      path,
      get signal() {
        if (!controller) {
          controller = new AbortController();
          if (ended && !answered) controller.abort();
        }
        return controller.signal;
      },
      onFinished: (cb) => finished.push(cb),
    };
    void runCall(opts, stream, method, handler, Buffer.concat(chunks), call).finally(() => {
      answered = true;
    });
  });
}

async function runCall(
  opts: GrpcServerOptions,
  stream: http2.ServerHttp2Stream,
  method: { input: string; output: string; serverStreaming: boolean },
  handler: GrpcHandler,
  body: Buffer,
  call: CallContext,
): Promise<void> {
  let frames: Buffer[];
  try {
    if (body.length < 5) throw new GrpcError(GrpcStatus.INTERNAL, 'request carries no message');
    if (body[0] !== 0) throw new GrpcError(GrpcStatus.UNIMPLEMENTED, 'compressed messages are not supported');
    const length = body.readUInt32BE(1);
    if (body.length < 5 + length) throw new GrpcError(GrpcStatus.INTERNAL, 'request message is truncated');
    const request = opts.codec.decode(method.input, body.subarray(5, 5 + length));
    const result = await handler(request, call);
    const messages = method.serverStreaming ? (result as ProtoMessage[]) : [result as ProtoMessage];
    frames = messages.map((m) => frame(opts.codec.encode(method.output, m)));
    const largest = Math.max(0, ...frames.map((f) => f.length - 5));
    if (largest > opts.maxMessageBytes) {
      throw new GrpcError(
        GrpcStatus.RESOURCE_EXHAUSTED,
        `response message larger than max (${largest} vs ${opts.maxMessageBytes})`,
      );
    }
  } catch (error) {
    const code = error instanceof GrpcError ? error.code : GrpcStatus.INTERNAL;
    finishWithStatus(stream, code, error instanceof Error ? error.message : String(error));
    return;
  }
  if (stream.destroyed || stream.closed) return;
  if (frames.length === 0) {
    finishWithStatus(stream, GrpcStatus.OK, '');
    return;
  }
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  stream.end(frames.length === 1 ? frames[0] : Buffer.concat(frames));
}

/** A "trailers-only" response: one HEADERS frame that carries the status and ends the stream. */
function finishWithStatus(stream: http2.ServerHttp2Stream, code: number, message: string): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  const headers: http2.OutgoingHttpHeaders = {
    ':status': 200,
    'content-type': 'application/grpc',
    'grpc-status': String(code),
  };
  if (message) headers['grpc-message'] = percentEncode(message);
  stream.respond(headers, { endStream: true });
}

function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** grpc-message is percent-encoded UTF-8: everything outside printable ASCII, and '%' itself. */
function percentEncode(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    out +=
      b >= 0x20 && b <= 0x7e && b !== 0x25
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const TIMEOUT_UNITS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

function parseTimeout(value: string | string[] | undefined): number | undefined {
  const match = typeof value === 'string' ? /^(\d{1,8})([HMSmun])$/.exec(value) : null;
  return match ? Math.max(1, Math.ceil(Number(match[1]) * TIMEOUT_UNITS[match[2]!]!)) : undefined;
}
