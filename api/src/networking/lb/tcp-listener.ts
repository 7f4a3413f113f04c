// A TCP listener: each connection is spliced to one healthy target (round robin or least outstanding), bytes both
// ways, half-closes passed on; no healthy target or a refused connection closes the client's at once.
import { connect, createServer, type Server } from 'node:net';
import type { LbMetrics } from './metrics.js';
import type { ListenerState, ServedLb } from './model.js';
import { pickGroup, pickTarget } from './pick.js';

export function tcpListener(lb: ServedLb, listener: ListenerState, metrics: LbMetrics): Server {
  return createServer({ allowHalfOpen: true }, (client) => {
    listener.clients.add(client);
    client.once('close', () => listener.clients.delete(client));
    const group = pickGroup(lb, listener, listener.row.id, listener.row.default_action);
    const target = group && pickTarget(group);
    if (!target) return void client.destroy();
    metrics.connections.inc({ load_balancer: lb.id, listener: listener.row.id });
    target.outstanding++;
    const up = connect({ host: target.address, port: target.port, allowHalfOpen: true });
    target.sockets.add(up);
    up.setNoDelay(true);
    client.setNoDelay(true);
    client.pipe(up);
    up.pipe(client);
    const done = () => {
      if (!target.sockets.delete(up)) return;
      target.outstanding--;
      client.destroy();
      up.destroy();
    };
    up.once('error', done);
    client.once('error', done);
    up.once('close', done);
    client.once('close', () => {
      if (up.writableEnded || up.destroyed) return;
      up.end();
    });
  });
}
