// Where the S3 door is served: under /s3 on the API's own port (path style), for virtual-host names under
// ATONIX_S3_DOMAIN, and at the root of ATONIX_S3_PORT (for tools that take only a host and a port).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Deps } from '../../platform/deps.js';
import { s3Door } from './door.js';
import { vhostBucketOf } from './request.js';

export const S3_MOUNT = '/s3';

/** An Express-style middleware: S3 requests go to the door, everything else on to the API. */
export function s3Middleware(deps: Deps) {
  const serve = s3Door(deps);
  const domain = deps.config.storage.s3Domain;
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const url = req.url ?? '/';
    if (domain && vhostBucketOf(req.headers.host, domain)) return void serve(req, res, '');
    if (url === S3_MOUNT || url.startsWith(`${S3_MOUNT}/`) || url.startsWith(`${S3_MOUNT}?`))
      return void serve(req, res, S3_MOUNT);
    next();
  };
}

/** The door alone on a port of its own (ATONIX_S3_PORT). */
export function s3Server(deps: Deps): Server {
  const serve = s3Door(deps);
  const server = createServer((req, res) => void serve(req, res, ''));
  // An upload of several GiB may take longer than Node's default five minutes per request.
  server.requestTimeout = 0;
  return server;
}
