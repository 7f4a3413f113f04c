// Request bodies read by the operations layer, on a real node:http server: the cases a client's connection
// decides (gone before the read, an oversized upload, an empty chunked body).
import { expect } from 'chai';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { readJsonBody } from '../../../api/src/platform/http/body.js';
import { Problem } from '../../../api/src/platform/problems.js';

describe('api: JSON request bodies', () => {
  let server: Server;
  let port = 0;
  let onRequest: (req: IncomingMessage) => Promise<unknown> = readJsonBody;
  const outcomes: unknown[] = [];

  before(async () => {
    server = createServer((req, res) => {
      onRequest(req).then(
        (body) => {
          outcomes.push({ body });
          res.end(JSON.stringify({ body: body ?? null }));
        },
        (e: Problem) => {
          outcomes.push({ status: e.status, detail: e.message });
          res.writeHead(e.status, e.headers);
          res.end(e.message);
        },
      );
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => {
    outcomes.length = 0;
    onRequest = readJsonBody;
  });

  const waitFor = async (n: number) => {
    for (let i = 0; i < 200 && outcomes.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    return outcomes;
  };

  it('settles with a problem when the client left while the request was being authenticated', async () => {
    // The read starts only after the client's connection is gone, as when authentication takes a while.
    onRequest = (req) => new Promise((ok) => req.socket.once('close', ok)).then(() => readJsonBody(req));
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write('POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na');
      setTimeout(() => sock.destroy(), 20);
    });
    expect(await waitFor(1)).to.deep.equal([{ status: 400, detail: 'The request was aborted before its body ended.' }]);
  });

  it('answers an oversized upload with 413 and closes the connection instead of reading the rest', async () => {
    const res = await new Promise<{ status: number; connection?: string }>((ok, ko) => {
      const req = request(
        {
          port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/x',
          headers: { 'Content-Type': 'application/json', 'Content-Length': String(8 * 1024 * 1024) },
        },
        (r) => {
          r.resume();
          ok({ status: r.statusCode!, connection: r.headers.connection });
        },
      );
      req.on('error', ko);
      req.write('{"a":"'); // the rest never comes: the answer must not wait for it
    });
    expect(res).to.deep.equal({ status: 413, connection: 'close' });
  });

  it('takes an empty chunked body as no body', async () => {
    const body = await new Promise<string>((ok, ko) => {
      const req = request(
        {
          port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/x',
          headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
        },
        (r) => {
          let text = '';
          r.on('data', (c) => {
            text += c;
          }).on('end', () => ok(text));
        },
      );
      req.on('error', ko);
      req.end();
    });
    expect(JSON.parse(body)).to.deep.equal({ body: null });
  });
});
