// A baseline for the benchmarks: the same instance JSON the API returns, served from memory by a bare
// `node:http` server or a bare Express 5 route, in a process of its own (as the API is).
//   BASELINE=http|express PORT=<port> INSTANCE_JSON='{...}' node --import tsx bench/baseline-server.ts
import express from 'express';
import { createServer, type RequestListener } from 'node:http';

const kind = process.env.BASELINE;
const port = Number(process.env.PORT);
const instance = JSON.parse(process.env.INSTANCE_JSON ?? '{}') as Record<string, unknown>;
const PREFIX = '/api/compute/instances/';

let listener: RequestListener;
if (kind === 'http') {
  listener = (req, res) => {
    if (req.method !== 'GET' || !req.url?.startsWith(PREFIX)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(instance));
  };
} else if (kind === 'express') {
  const app = express();
  // The API's own Express settings, so the baseline is the same framework configured the same way.
  app.disable('x-powered-by');
  app.disable('etag');
  app.get(`${PREFIX}:id`, (_req, res) => {
    res.json(instance);
  });
  listener = app;
} else {
  throw new Error(`BASELINE must be http or express, got ${kind}`);
}

const server = createServer(listener);
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
