// WebSocket /api/events: streams the caller's own resource changes (admins see all), fed by the EventBus.
import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Authenticator, Principal } from './auth.js';
import type { EventBus } from './events.js';
import { Problem } from './problems.js';

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
    if (url.pathname !== '/api/events') { socket.destroy(); return; }
    let principal: Principal;
    try {
      principal = await auth.authenticate(credentials(req));
    } catch (e) {
      const status = e instanceof Problem ? e.status : 500;
      socket.end(`HTTP/1.1 ${status} Unauthorized\r\nContent-Type: application/problem+json\r\nConnection: close\r\n\r\n` +
        JSON.stringify({ type: 'https://atonixcorp.com/problems/unauthenticated', title: 'Authentication required', status, code: 'Unauthenticated' }));
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
