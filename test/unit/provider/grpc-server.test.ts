// The runtime's gRPC server on node:http2: a call's signal follows the client (cancel, deadline), and only the client.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGrpcServer, type CallContext, type GrpcServer } from '../../../provider/src/runtime/grpc-server.js';
import { ProtoCodec } from '../../../provider/src/runtime/protobuf-codec.js';
import { protoTables } from '../../../provider/src/runtime/proto-tables.js';

const CHECK = '/grpc.health.v1.Health/Check';
const EMPTY_MESSAGE = Buffer.from([0, 0, 0, 0, 0]); // uncompressed, length 0: HealthCheckRequest{service: ""}

describe('provider runtime: gRPC server call signals', () => {
  let dir: string;
  let server: GrpcServer;
  let session: http2.ClientHttp2Session;
  let onCall: (call: CallContext) => Promise<unknown>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'grpc-server-test-'));
    const tables = protoTables();
    const socketPath = join(dir, 'sock');
    server = await startGrpcServer({
      socketPath,
      tables,
      codec: new ProtoCodec(tables),
      maxMessageBytes: 1 << 20,
      handlers: { [CHECK]: (_request, call) => onCall(call) },
    });
    session = http2.connect('http://localhost', { createConnection: () => net.connect(socketPath) });
  });
  after(async () => {
    session.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const request = (headers: http2.OutgoingHttpHeaders = {}) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': CHECK,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
    stream.end(EMPTY_MESSAGE);
    return stream;
  };
  const trailersOf = (stream: http2.ClientHttp2Stream) =>
    new Promise<http2.IncomingHttpHeaders>((resolve) => {
      stream.on('trailers', resolve);
      stream.on('response', (h) => {
        if (h['grpc-status']) resolve(h);
      });
      stream.resume();
    });

  it('aborts the signal of a call the client cancels, while the handler still waits', async () => {
    let seen!: (reason: unknown) => void;
    const aborted = new Promise<unknown>((resolve) => {
      seen = resolve;
    });
    onCall = (call) =>
      new Promise((resolve) => {
        call.signal.addEventListener('abort', () => {
          seen(call.signal.reason);
          resolve({ status: 'SERVING' });
        });
      });
    const stream = request();
    await new Promise((r) => setTimeout(r, 50));
    stream.close(http2.constants.NGHTTP2_CANCEL);
    expect(await aborted).to.be.instanceOf(Error);
  });

  it('aborts the signal when the grpc-timeout deadline passes', async () => {
    let signal!: AbortSignal;
    onCall = (call) => {
      signal = call.signal;
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ status: 'SERVING' })));
    };
    const trailers = await trailersOf(request({ 'grpc-timeout': '30m' }));
    expect(signal.aborted).to.equal(true);
    expect(trailers['grpc-status']).to.equal('0');
  });

  it('leaves the signal of an answered call alone, also when first read after the stream closed', async () => {
    let signal!: AbortSignal;
    let late!: CallContext;
    onCall = async (call) => {
      signal = call.signal;
      late = call;
      return { status: 'SERVING' };
    };
    const trailers = await trailersOf(request());
    expect(trailers['grpc-status']).to.equal('0');
    await new Promise((r) => setTimeout(r, 20)); // the stream has closed by now
    expect(signal.aborted).to.equal(false);

    onCall = async (call) => {
      late = call;
      return { status: 'SERVING' };
    }; // never reads the signal while running
    await trailersOf(request());
    await new Promise((r) => setTimeout(r, 20));
    expect(late.signal.aborted).to.equal(false);
  });
});

describe('provider runtime: gRPC server with handlers per connection', () => {
  it('builds the handlers once per client connection, and tells each when its connection closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grpc-server-test-'));
    const tables = protoTables();
    const socketPath = join(dir, 'sock');
    const closed: number[] = [];
    let onClosed: (() => void) | undefined;
    const nextClose = () =>
      new Promise<void>((resolve) => {
        onClosed = resolve;
      });
    let built = 0;
    const server = await startGrpcServer({
      socketPath,
      tables,
      codec: new ProtoCodec(tables),
      maxMessageBytes: 1 << 20,
      handlers: (connection) => {
        const id = ++built;
        let calls = 0;
        connection.onClose(() => {
          closed.push(id);
          onClosed?.();
        });
        return { [CHECK]: () => ({ status: calls++ === 0 ? 'SERVING' : 'NOT_SERVING' }) }; // state per connection
      },
    });
    const statusOf = async (session: http2.ClientHttp2Session): Promise<string> => {
      const stream = session.request({
        ':method': 'POST',
        ':path': CHECK,
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      stream.end(EMPTY_MESSAGE);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      return (
        new ProtoCodec(tables).decode('grpc.health.v1.HealthCheckResponse', body.subarray(5)) as { status: string }
      ).status;
    };
    try {
      const a = http2.connect('http://localhost', { createConnection: () => net.connect(socketPath) });
      const b = http2.connect('http://localhost', { createConnection: () => net.connect(socketPath) });
      expect(await statusOf(a)).to.equal('SERVING');
      expect(await statusOf(a)).to.equal('NOT_SERVING');
      expect(await statusOf(b)).to.equal('SERVING'); // b's handlers are not a's
      expect(built).to.equal(2);
      let closing = nextClose();
      a.close();
      await closing;
      expect(closed).to.deep.equal([1]);
      closing = nextClose();
      b.destroy();
      await closing;
      expect(closed).to.deep.equal([1, 2]);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
