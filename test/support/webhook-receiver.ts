// A real local HTTP receiver for webhook tests: records every request (headers and raw body) and answers a status
// the test chooses (a receiver that fails its first N requests, then succeeds).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** the statuses of the next requests, in order (0: never answer, hold the request open); 200 once used up */
  failNext(...statuses: number[]): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const queue: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ path: req.url ?? '', headers: req.headers, raw, body: raw ? JSON.parse(raw) : undefined });
      const status = queue.shift() ?? 200;
      if (status === 0) return; // held open: a receiver that hangs
      res.statusCode = status;
      res.end(status < 300 ? 'ok' : 'receiver down');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    failNext: (...statuses) => queue.push(...statuses),
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
