// The CDN bench's origin and baseline: a bare `node:http` server answering /4k and /100k with the same bytes from
// memory (Cache-Control: max-age=3600), counting the requests it answers; GET /count reads the counts.
//   PORT=<port> node --import tsx bench/cdn-origin.ts
import { createServer } from 'node:http';

const objects: Record<string, Buffer> = { '/4k': Buffer.alloc(4096, 'a'), '/100k': Buffer.alloc(100 * 1024, 'b') };
const counts: Record<string, number> = { '/4k': 0, '/100k': 0 };
const server = createServer((req, res) => {
  if (req.url === '/count' || req.url === '/ready') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
    return;
  }
  const body = objects[req.url ?? ''];
  if (!body) return void res.writeHead(404).end();
  counts[req.url!]!++;
  res
    .writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=3600', etag: '"bench"' })
    .end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
