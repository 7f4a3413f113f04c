// WebSocket /api/events: streams the changes of the caller's own resources that their policies let them read
// (admins see all), fed by the EventBus.
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Principal } from '../operations/principals.js';
import type { Deps } from '../deps.js';
import type { ChangeEvent } from './bus.js';
import { registry } from '../../generated/registry.js';
import type { ResourceMeta } from '../resources/registry-types.js';
import { AddressLimited, authenticateFrom } from '../http/address-guard.js';
import { Problem, problems, renderProblem } from '../problems.js';
import { LOG_READ, logTail, type LogEvent } from './log-tail.js';

/**
 * The close code of a stream whose credentials ended (revoked, expired, user deleted): in the 4000-4999 range
 * that RFC 6455 leaves to applications, as 4000 + HTTP's 401. The reason says which.
 */
export const CLOSE_CREDENTIALS = 4401;

/** Browsers cannot set headers on a WebSocket, so the token may also come as `?token=`. */
function credentials(req: IncomingMessage): string | undefined {
  if (req.headers.authorization) return req.headers.authorization;
  const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  return token ? `Bearer ${token}` : undefined;
}

export function attachEventStream(
  server: Server,
  {
    auth,
    authorizer,
    events: bus,
    addressLimiter: addresses,
    clock,
    config,
  }: Pick<Deps, 'auth' | 'authorizer' | 'events' | 'addressLimiter' | 'clock' | 'config'>,
): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', async (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/api/events') {
      socket.destroy();
      return;
    }
    // Node has handed the socket over with no error listener: a client that resets it while the token is looked
    // up would otherwise raise an uncaught ECONNRESET and end the process.
    const onSocketError = () => socket.destroy();
    const tail = logTail(url.searchParams);
    socket.on('error', onSocketError);
    let principal: Principal;
    try {
      principal = await authenticateFrom(auth, addresses, credentials(req), req.socket.remoteAddress ?? '');
      // Tailing logs is reading them: the stream asks IAM once, as GET /api/monitoring/logs would, and a 403 says so.
      if (tail && !principal.isAdmin)
        await authorizer.require(
          principal,
          LOG_READ,
          `atx:monitoring:${config.region}:${principal.userId}:*`,
          req.socket.remoteAddress ?? '',
        );
    } catch (caught) {
      if (socket.destroyed) return;
      const e = caught instanceof AddressLimited ? caught.problem : caught;
      const p = e instanceof Problem ? e : problems.internal();
      const body = JSON.stringify(renderProblem(p, undefined, '/api/events'));
      const extra = Object.entries(p.headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.end(
        `HTTP/1.1 ${p.status} ${STATUS_CODES[p.status] ?? ''}\r\nContent-Type: application/problem+json\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    // Log lines come on a channel of their own, heard only while a tail is open: the tail is listening before the
    // stream says `subscribed`, so a line committed after that reaches it.
    let deliverLine: (ev: LogEvent) => void = () => {};
    const offLogs = tail
      ? await bus.onLogs((ev) => {
          if (principal.isAdmin || ev.owner === principal.userId) deliverLine(ev as LogEvent);
        })
      : undefined;
    if (socket.destroyed) return offLogs?.();
    socket.off('error', onSocketError);
    const kinds = url.searchParams.get('kinds')?.split(',').filter(Boolean);
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      deliverLine = (ev) => tail!(ev) && send(ev);
      const end = (reason: string) => {
        if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(CLOSE_CREDENTIALS, reason);
      };
      const off = bus.subscribe((ev) => {
        // The stream lives only as long as its credentials: a revoked token or a deleted user ends it, in whatever
        // process the revocation happened (the event came by NOTIFY).
        if (ev.type === 'deleted' && ev.kind === 'token' && ev.id === principal.tokenId) return end('token revoked');
        if (ev.type === 'deleted' && ev.kind === 'user' && ev.id === principal.userId) return end('user deleted');
        if (!principal.isAdmin && ev.owner !== principal.userId) return;
        if (kinds && !kinds.includes(ev.kind)) return;
        // IAM: only events of resources the user may read (their kind's Get action on the resource). Decisions are
        // chained so events keep their order while a user's policies are (re)loaded.
        const meta = (registry as Record<string, ResourceMeta | undefined>)[ev.kind];
        if (principal.isAdmin || !meta) return send(ev);
        decided = decided
          .then(() => authorizer.mayRead(principal, meta, ev.id, ev.owner))
          .then((ok) => ok && send(ev))
          .catch(() => {}); // a policy load that failed drops the event rather than the stream
      });
      let decided: Promise<unknown> = Promise.resolve();
      const send = (ev: ChangeEvent) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(ev));
      };
      const expiry = principal.expiresAt ? clock.at(principal.expiresAt, () => end('token expired')) : undefined;
      ws.on('close', () => {
        off();
        offLogs?.();
        expiry?.cancel();
      });
      ws.send(JSON.stringify({ type: 'subscribed', user_id: principal.userId }));
    });
  });
  return wss;
}
