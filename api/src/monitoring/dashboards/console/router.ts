// The console's dashboard page, served by the API outside /api: one HTML page and its plain ES modules (no build
// step), uPlot from its own package. The page holds no data: it reads the dashboard and its panels' series from the
// API with the viewer's token, so the page itself needs none and is the same for every dashboard id.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router, type Response } from 'express';

const here = join(dirname(fileURLToPath(import.meta.url)), 'assets');
const uplot = dirname(createRequire(import.meta.url).resolve('uplot'));

/** Everything the page may load: its own modules and uPlot's, nothing else (the CSP says the same to the browser). */
const ASSETS: Record<string, { file: string; type: string }> = {
  'uPlot.esm.js': { file: join(uplot, 'uPlot.esm.js'), type: 'text/javascript' },
  'uPlot.min.css': { file: join(uplot, 'uPlot.min.css'), type: 'text/css' },
  'console.css': { file: join(here, 'console.css'), type: 'text/css' },
  ...Object.fromEntries(
    ['app.js', 'api.js', 'time.js', 'format.js', 'panels.js', 'charts.js'].map((f) => [
      f,
      { file: join(here, f), type: 'text/javascript' },
    ]),
  ),
};

/** No inline script or style, no other origin: the page talks to this API only, and only its own files run. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function secure(res: Response) {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
}

export function consoleRouter(): Router {
  // Read once: the files ship with the code and change only with it.
  const page = readFileSync(join(here, 'page.html'));
  const bodies = new Map(Object.entries(ASSETS).map(([name, a]) => [name, readFileSync(a.file)]));
  const router = Router();
  router.get('/console/dashboards/:id', (_req, res) => {
    secure(res);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(page);
  });
  router.get('/console/assets/:name', (req, res, next) => {
    const asset = ASSETS[req.params.name];
    if (!asset) return next();
    secure(res);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Type', `${asset.type}; charset=utf-8`);
    res.send(bodies.get(req.params.name));
  });
  return router;
}
