// An HTTP listener: rules by priority, then the action: a fixed response, a redirect, or a forward by weight to a
// healthy target over keep-alive, with X-Forwarded-For/Proto/Port. It answers 502 (the target failed), 503 (no
// healthy target) and 504 (the target did not answer in time) itself, as ELB does.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Row } from '../../platform/resources/repo.js';
import { matches } from './match.js';
import type { LbMetrics } from './metrics.js';
import type { AccessLog } from './access-log.js';
import type { ListenerState, ServedLb } from './model.js';
import { pickGroup, pickTarget } from './pick.js';

/** How long a target may take to start its answer, unless the load balancer says (ALB's idle timeout). */
const IDLE_TIMEOUT_MS = 60_000;
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);
const STICKY = 'ATXLB';

function plain(res: ServerResponse, status: number, text: string) {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A redirect's Location: `#{protocol}`, `#{host}`, `#{port}`, `#{path}`, `#{query}` are the request's own. */
function location(r: Row, req: IncomingMessage, url: URL, port: number): string {
  const vars: Record<string, string> = {
    protocol: 'http',
    host: url.hostname,
    port: String(port),
    path: url.pathname,
    query: url.search.slice(1),
  };
  const fill = (s: string | undefined, dflt: string) =>
    (s ?? dflt).replace(/#\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
  const protocol = fill(r.protocol, '#{protocol}').toLowerCase();
  const host = fill(r.host, '#{host}');
  const p = fill(r.port, '#{port}');
  const query = fill(r.query, '#{query}');
  const defaultPort = (protocol === 'https' && p === '443') || (protocol === 'http' && p === '80');
  return `${protocol}://${host}${defaultPort ? '' : `:${p}`}${fill(r.path, '#{path}')}${query ? `?${query}` : ''}`;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** Request headers for the target: hop-by-hop ones dropped, X-Forwarded-* added (one pass over the raw list). */
function forwardedHeaders(req: IncomingMessage, port: number): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const raw = req.rawHeaders;
  let prior: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name)) continue;
    if (name === 'x-forwarded-for') prior = prior ? `${prior}, ${raw[i + 1]}` : raw[i + 1];
    else if (name !== 'x-forwarded-proto' && name !== 'x-forwarded-port') {
      const v = out[name];
      out[name] = v === undefined ? raw[i + 1]! : Array.isArray(v) ? [...v, raw[i + 1]!] : [v, raw[i + 1]!];
    }
  }
  const client = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  out['x-forwarded-for'] = prior ? `${prior}, ${client}` : client;
  out['x-forwarded-proto'] = 'http';
  out['x-forwarded-port'] = String(port);
  return out;
}

/** The target's response headers as a raw list without hop-by-hop ones (no object built per response). */
function responseHeaders(raw: string[], extraCookie?: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  if (extraCookie) out.push('Set-Cookie', extraCookie);
  return out;
}

export function httpListener(lb: ServedLb, listener: ListenerState, metrics: LbMetrics, access?: AccessLog): Server {
  // Metric children bound once: label lookups per request cost more than the increments.
  const byClass = new Map<number, ReturnType<LbMetrics['requests']['labels']>>();
  const latency = metrics.latency.labels(lb.id);
  const count = (status: number) => {
    const cls = Math.floor(status / 100);
    let c = byClass.get(cls);
    if (!c) byClass.set(cls, (c = metrics.requests.labels(lb.id, listener.row.id, `${cls}xx`)));
    c.inc();
  };
  const server = createServer({ noDelay: true }, (req, res) => {
    const started = performance.now();
    let servedBy: string | null = null;
    res.once('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      count(res.statusCode);
      latency.observe(seconds);
      if (lb.row.access_logs_enabled)
        access?.(lb, {
          listener_id: listener.row.id,
          method: req.method ?? '',
          path: req.url ?? '',
          status: res.statusCode,
          latency_ms: Math.round(seconds * 1e4) / 10,
          target: servedBy,
          client: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
        });
    });
    const needsUrl = listener.rules.length > 0 || listener.row.default_action.type === 'redirect';
    let url: URL | undefined;
    if (needsUrl) {
      try {
        url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'lb'}`);
      } catch {
        return plain(res, 400, '400 Bad Request');
      }
    }
    const rule = url && listener.rules.find((r) => matches(r.conditions, req, url));
    const action: Row = rule ? rule.action : listener.row.default_action;
    if (action.type === 'fixed-response') {
      const f = action.fixed_response;
      const body = f.message_body ?? '';
      res.writeHead(f.status_code, {
        'content-type': f.content_type ?? 'text/plain',
        'content-length': Buffer.byteLength(body),
      });
      return void res.end(body);
    }
    if (action.type === 'redirect') {
      res.writeHead(action.redirect.status_code === 'HTTP_301' ? 301 : 302, {
        location: location(action.redirect, req, url!, listener.row.port),
        'content-length': 0,
      });
      return void res.end();
    }
    const group = pickGroup(lb, listener, rule?.id ?? listener.row.id, action);
    const sticky = group?.row.stickiness_enabled ? cookie(req, `${STICKY}-${group.row.id}`) : undefined;
    const target = group && pickTarget(group, sticky);
    if (!group || !target) return plain(res, 503, '503 Service Temporarily Unavailable');
    target.outstanding++;
    servedBy = `${target.address}:${target.port}`;
    let released = false;
    const release = () => {
      if (!released) ((released = true), target.outstanding--);
    };
    const up = request({
      host: target.address,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: forwardedHeaders(req, listener.row.port),
      agent: target.agent,
      timeout: lb.row.idle_timeout_seconds ? Number(lb.row.idle_timeout_seconds) * 1000 : IDLE_TIMEOUT_MS,
    });
    up.once('response', (upRes) => {
      const cookie = group.row.stickiness_enabled
        ? `${STICKY}-${group.row.id}=${target.id}; Max-Age=${group.row.stickiness_duration_seconds}; Path=/`
        : undefined;
      res.writeHead(upRes.statusCode ?? 502, responseHeaders(upRes.rawHeaders, cookie));
      upRes.pipe(res);
      upRes.once('end', release);
      upRes.once('error', () => (release(), res.destroy()));
    });
    up.once('timeout', () => {
      up.destroy();
      release();
      plain(res, 504, '504 Gateway Time-out');
    });
    up.once('error', () => {
      release();
      plain(res, 502, '502 Bad Gateway');
    });
    res.once('close', release);
    req.pipe(up);
  });
  server.keepAliveTimeout = 65_000;
  return server;
}
