// Renders problems (RFC 9457) and answers paths and methods the spec does not have.
import type { NextFunction, Request, Response } from 'express';
import { Problem, problems, renderProblem } from '../problems.js';
import { newRequestId } from '../resources/ids.js';
import { HTTP_METHODS, type Spec } from '../operations/spec.js';

export function sendProblem(res: Response, p: Problem, requestId: string | undefined, instance: string) {
  if (res.headersSent) return;
  res.status(p.status);
  for (const [k, v] of Object.entries(p.headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.end(JSON.stringify(renderProblem(p, requestId, instance)));
}

/** 405 (with Allow) for a known path and an unknown method; 404 for everything else. */
export function notFoundHandler(spec: Spec) {
  const patterns = Object.entries(spec.paths).map(([path, item]) => ({
    re: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}/?$`),
    allow: HTTP_METHODS.filter((m) => item[m]).map((m) => m.toUpperCase()),
  }));
  return (req: Request, res: Response) => {
    const requestId = newRequestId();
    const hit = patterns.find((p) => p.re.test(req.path));
    const p = hit
      ? problems.methodNotAllowed(req.method, req.path, hit.allow)
      : problems.routeNotFound(req.method, req.path);
    sendProblem(res, p, requestId, req.originalUrl);
  };
}

/** Errors raised outside an operation (the docs and metrics layers, Express itself). */
export function errorHandler() {
  return (err: any, req: Request, res: Response, _next: NextFunction) => {
    const p = err instanceof Problem ? err : problems.internal();
    sendProblem(res, p, newRequestId(), req.originalUrl);
  };
}
