// The S3 benchmark's baseline: a bare `node:http` server that stores PUT bodies as files (temp file, fsync, rename)
// and serves them back on GET, with no auth, no metadata and no S3 beyond the path, in a process of its own.
//   PORT=<port> FILES_DIR=<dir> node --import tsx bench/s3-baseline-server.ts
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const port = Number(process.env.PORT);
const root = process.env.FILES_DIR!;
mkdirSync(join(root, 'tmp'), { recursive: true });
mkdirSync(join(root, 'data'), { recursive: true });

/** `/bucket/key...` as one flat file name (the SDK's path style); the bucket alone (CreateBucket) has none. */
const fileOf = (url: string) => {
  const path = url.split('?')[0]!;
  const key = path.slice(path.indexOf('/', 1) + 1);
  return path.indexOf('/', 1) < 0 || !key ? undefined : join(root, 'data', encodeURIComponent(key));
};

const server = createServer(async (req, res) => {
  try {
    if (req.url === '/healthz') return void res.end('ok');
    const file = fileOf(req.url ?? '/');
    if (req.method === 'PUT') {
      if (file) {
        const temp = join(root, 'tmp', randomBytes(16).toString('hex'));
        // The same durability step as the API's file store: the bytes are fsynced before the rename publishes them.
        await pipeline(req, createWriteStream(temp, { flush: true })).catch(async (e) => {
          await rm(temp, { force: true });
          throw e;
        });
        await rename(temp, file);
      } else req.resume();
      res.statusCode = 200;
      return void res.end();
    }
    if (req.method === 'GET' && file) {
      const size = await stat(file).then(
        (s) => s.size,
        () => undefined,
      );
      if (size === undefined) {
        res.statusCode = 404;
        return void res.end();
      }
      res.setHeader('Content-Length', size);
      res.setHeader('Content-Type', 'binary/octet-stream');
      return void (await pipeline(createReadStream(file), res));
    }
    res.statusCode = 405;
    res.end();
  } catch {
    res.destroy();
  }
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
