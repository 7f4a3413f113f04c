// createApp(deps): the Express app without listen, so tests and main.ts share exactly one assembly.
import { timingSafeEqual } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { Deps } from './platform/deps.js';
import { errorHandler, notFoundHandler, sendProblem } from './platform/http/problem-response.js';
import { problems } from './platform/problems.js';
import { mountOperations } from './platform/http/mount.js';
import { loadSpec } from './platform/operations/spec.js';
import { RateLimiter } from './platform/http/rate-limit.js';
import { s3Middleware } from './storage/s3/server.js';
import { edgeFront, type TrustFn } from './cdn/edge/serve.js';
import { consoleRouter } from './monitoring/dashboards/console/router.js';

export function createApp(deps: Deps): Express {
  const spec = loadSpec();
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag'); // ETags are the resources' revisions, set by the operation layer
  // A hop count (`1`) or names and ranges (`loopback, uniquelocal`, `10.0.0.0/8`), as Express takes them.
  const trust = deps.config.trustProxy;
  app.set('trust proxy', /^\d+$/.test(trust) ? Number(trust) : trust);
  // No body parser: operations read their JSON bodies themselves (http/body.ts), and nothing else takes one.

  // The operations first, as one layer of the app itself (not a nested router, whose dispatch costs a request
  // more): every API request then stops at its route instead of being matched against the docs and metrics layers.
  // The S3 protocol first: its requests are not the API's (no JSON, SigV4 instead of bearer tokens).
  if (deps.config.role !== 'worker') app.use(s3Middleware(deps));
  // The CDN edge answers `/cdn/<id>/...` and the Host names of deployed distributions before Express sees them (an
  // Express app calls its own `handle` per request, so this is the very front): a cache hit then costs no routing,
  // and any other request passes after one prefix test and one map lookup.
  if (deps.config.role !== 'worker') {
    const front = edgeFront(deps, app.get('trust proxy fn') as TrustFn);
    // `handle` is Express' own (undocumented in its types, stable across 4 and 5: the app function calls it)
    type Handle = (req: Request, res: Response, next?: () => void) => void;
    const own = app as unknown as { handle: Handle };
    const handle = own.handle.bind(app);
    own.handle = (req, res, next) => {
      if (!front(req, res)) handle(req, res, next);
    };
  }
  const { perSecond, burst } = deps.config.rateLimit;
  mountOperations(app, {
    pipeline: deps.pipeline,
    auth: deps.auth,
    limiter: new RateLimiter(perSecond, burst),
    addressLimiter: deps.addressLimiter,
    log: deps.log,
    metrics: deps.metrics,
  });

  // The browser console (outside /api: pages and their files, not operations); it reads the API with a token.
  app.use(consoleRouter());
  app.get('/openapi.json', (_req, res) => {
    res.json(spec);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(spec, { customSiteTitle: 'AtonixCorp API' }));
  app.get('/metrics', metricsHandler(deps));
  app.use(notFoundHandler(spec));
  app.use(errorHandler());
  return app;
}

/** Prometheus' scrape; behind `Authorization: Bearer <ATONIX_METRICS_TOKEN>` when that is set (open otherwise). */
const metricsHandler = (deps: Deps) => {
  const expected = deps.config.metricsToken ? Buffer.from(`Bearer ${deps.config.metricsToken}`) : undefined;
  return async (req: Request, res: Response) => {
    if (expected) {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        sendProblem(
          res,
          problems.unauthenticated('Send the metrics token as `Authorization: Bearer <token>`.'),
          undefined,
          '/metrics',
        );
        return;
      }
    }
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.end((await deps.metrics.registry.metrics()) + ((await deps.metrics.extra?.()) ?? ''));
  };
};

/** A worker-only process serves no API, but still answers probes and exposes its job metrics. */
export function workerProbes(deps: Deps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await deps.db.raw('select 1');
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });
  app.get('/metrics', metricsHandler(deps));
  return app;
}
