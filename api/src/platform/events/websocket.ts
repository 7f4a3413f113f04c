// WebSocket /api/events: streams the caller's own resource changes (admins see all), fed by the EventBus.
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Authenticator } from '../operations/authentication.js';
import type { Principal } from '../operations/principals.js';
import type { EventBus } from './bus.js';
import { Problem, problems, renderProblem } from '../problems.js';

/** Browsers cannot set headers on a WebSocket, so the token may also come as `?token=`. */
function credentials(req: IncomingMessage): string | undefined {
  if (req.headers.authorization) return req.headers.authorization;
  const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  return token ? `Bearer ${token}` : undefined;
}

export function attachEventStream(server: Server, auth: Authenticator, bus: EventBus): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', async (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/api/events') {
      socket.destroy();
      return;
    }
    let principal: Principal;
    try {
      principal = await auth.authenticate(credentials(req));
    } catch (e) {
      const p = e instanceof Problem ? e : problems.internal();
      const body = JSON.stringify(renderProblem(p, undefined, '/api/events'));
      socket.end(
        `HTTP/1.1 ${p.status} ${STATUS_CODES[p.status] ?? ''}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    const kinds = url.searchParams.get('kinds')?.split(',').filter(Boolean);
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const off = bus.subscribe((ev) => {
        if (!principal.isAdmin && ev.owner !== principal.userId) return;
        if (kinds && !kinds.includes(ev.kind)) return;
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(ev));
      });
      ws.on('close', off);
      ws.send(JSON.stringify({ type: 'subscribed', user_id: principal.userId }));
    });
  });
  return wss;
}
