// Listeners: a load balancer's ports (HTTP or TCP) and their default actions. Each is given a host port of
// ATONIX_LB_PORT_RANGE once, at create; the data plane listens there while its load balancer is active.
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import { getHandler, listHandler } from '../platform/resources/crud.js';
import type { Deps } from '../platform/deps.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, type Schemas, checkIfMatch, mergePatch, type Row } from '../platform/resources/repo.js';
import { allocateHostPort, checkAction, refreshEndpoints } from './lb-config.js';
import { loadBalancers } from './load-balancers.js';

export const listeners = new ResourceRepo<Schemas['Listener'], { host_port: number }>(registry.lb_listener);

const PROTOCOLS: Record<string, string[]> = { application: ['HTTP'], network: ['TCP'], classic: ['HTTP', 'TCP'] };

async function checkPortFree(trx: Knex, lbId: string, port: number, self?: string) {
  const other = await trx(listeners.table)
    .where({ load_balancer_id: lbId, port })
    .whereNot('id', self ?? '')
    .first('id');
  if (other)
    throw problems.conflict(
      `port ${port} is taken by listener ${other.id}.`,
      [{ pointer: '/port', detail: `is taken by listener ${other.id}`, code: 'DuplicateListener' }],
      { conflicts_with: other.id },
    );
}

function listenerHandlers({ config }: Deps): KindHandlers<'lb_listener'> {
  return {
    listListeners: listHandler(listeners, ['load_balancer_id']),
    getListener: getHandler(listeners),
    async createListener(ctx) {
      const trx = ctx.db as Knex.Transaction;
      const lbId = ctx.params.id as string;
      if (ctx.body.load_balancer_id !== undefined && ctx.body.load_balancer_id !== lbId)
        throw problems.invalidField('load_balancer_id', `must be the load balancer of the path (${lbId}) or left out`);
      // The load balancer's lock serialises its listeners' writes (ports, endpoints).
      const lb = await loadBalancers.get(trx, ctx.principal, lbId, true);
      const protocol = ctx.body.protocol ?? PROTOCOLS[lb.type]![0]!;
      if (!PROTOCOLS[lb.type]!.includes(protocol))
        throw problems.invalidField(
          'protocol',
          `a ${lb.type} load balancer listens on ${PROTOCOLS[lb.type]!.join(' or ')}`,
          'ProtocolMismatch',
        );
      await checkPortFree(trx, lbId, ctx.body.port);
      await checkAction(trx, lb, protocol, ctx.body.default_action, 'default_action');
      const hostPort = await allocateHostPort(trx, config);
      const row = await listeners.insert(trx, {
        load_balancer_id: lbId,
        port: ctx.body.port,
        protocol: protocol as 'HTTP' | 'TCP',
        default_action: ctx.body.default_action,
        host_port: hostPort,
        endpoint: `${config.lb.bind}:${hostPort}`,
        owner: ctx.principal.userId,
      });
      await refreshEndpoints(trx, lb);
      ctx.audit = { resource_type: 'lb_listener', resource_id: row.id };
      return { status: 201, body: listeners.present(row), headers: { Location: listeners.location(row.id) } };
    },
    async updateListener(ctx) {
      const trx = ctx.db as Knex.Transaction;
      const current = await listeners.get(trx, ctx.principal, ctx.params.id);
      const lb = await loadBalancers.get(trx, ctx.principal, current.load_balancer_id, true);
      const row = await listeners.get(trx, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const changes: Row = mergePatch(listeners.meta, ctx.body, listeners.present(row));
      if (changes.port !== undefined) await checkPortFree(trx, lb.id, changes.port, row.id);
      if (changes.default_action) await checkAction(trx, lb, row.protocol, changes.default_action, 'default_action');
      const updated = await listeners.update(trx, row, changes);
      await refreshEndpoints(trx, lb);
      ctx.audit = { resource_type: 'lb_listener', resource_id: row.id, details: { changed: Object.keys(changes) } };
      return { status: 200, body: listeners.present(updated) };
    },
    async deleteListener(ctx) {
      const trx = ctx.db as Knex.Transaction;
      const current = await listeners.get(trx, ctx.principal, ctx.params.id);
      const lb = await loadBalancers.get(trx, ctx.principal, current.load_balancer_id, true);
      const row = await listeners.get(trx, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      await listeners.remove(trx, row); // its rules go with it (ON DELETE CASCADE)
      await refreshEndpoints(trx, lb);
      ctx.audit = { resource_type: 'lb_listener', resource_id: row.id };
      return { status: 204 };
    },
  };
}

export const listenerKind = defineKind('lb_listener', { handlers: listenerHandlers });
