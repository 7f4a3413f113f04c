// Instances: created `building`, placed by a durable job against the region's capacity, started and stopped
// through the state machine, deletable from any status (their volumes detached or deleted with them).
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import { blockers, creationOf, getHandler, listHandler, patchHandler } from '../platform/resources/crud.js';
import type { Deps, Workers } from '../platform/deps.js';
import type { OpContext } from '../platform/operations/context.js';
import { defineKind, type KindHandlers, type Unfinished } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, type Schemas, checkIfMatch, withDefaults, type Row } from '../platform/resources/repo.js';
import { sqlLiteral } from '../platform/db/bulk.js';
import { twoStepTransaction } from '../platform/db/connection.js';
import { rowCache } from '../platform/resources/row-cache.js';
import { allocateIp, releaseIp } from '../networking/subnets.js';
import { groupsForInstance } from '../networking/security-groups.js';
import { actionFor, transition, type InstanceStatus, type PowerAction } from './instance-states.js';
import { refusal, releaseCapacity, type Need } from './placement.js';
import { flavors } from './flavors.js';
import { images } from './images.js';
import { SYSTEM } from '../platform/operations/principals.js';
import { releaseInstanceVolumes } from '../storage/volume-attachments.js';
import { resize } from './resize.js';

export const instances = new ResourceRepo<Schemas['Instance'], { allocated: boolean }>(registry.instance);
const QUEUE = 'provision-instance';

async function need(db: Knex | Knex.Transaction, flavorId: string): Promise<Need> {
  const f = await flavors.get(db, SYSTEM, flavorId);
  return { vcpus: f.vcpus, ram_mb: f.ram_mb, gpus: f.gpu_count };
}

function instanceHandlers({ config }: Deps): KindHandlers<'instance'> {
  async function power(ctx: OpContext, action: PowerAction) {
    const row = await instances.get(ctx.db, ctx.principal, ctx.params.id, true);
    checkIfMatch(ctx.ifMatch, row);
    const status = transition(row.id, action, row.status);
    const updated = await instances.update(ctx.db, row, { status, power_state: status });
    ctx.audit = { resource_type: 'instance', resource_id: row.id, details: { from: row.status, to: status } };
    return { status: 200, body: instances.present(updated) };
  }

  return {
    listInstances: listHandler(instances, ['status', 'flavor_id', 'image_id', 'subnet_id', 'name']),
    getInstance: getHandler(instances),
    startInstance: (ctx) => power(ctx, 'start'),
    stopInstance: (ctx) => power(ctx, 'stop'),
    resizeInstance: (ctx) => resize(ctx, instances),

    // Only reads before the insert, so concurrent creates share one commit; an IP taken from a subnet is a write,
    // so a create into a subnet runs in its own transaction.
    createInstance: {
      needsTransaction: (ctx) => Boolean(ctx.body.subnet_id),
      async create(ctx) {
        const b = ctx.body;
        // Through the row cache: the catalogue is read on every create and rarely changes.
        await flavors.get(ctx.db, ctx.principal, b.flavor_id).catch(() => {
          throw problems.referenceNotFound('flavor_id', b.flavor_id);
        });
        const image = await images.get(ctx.db, ctx.principal, b.image_id).catch(() => {
          throw problems.referenceNotFound('image_id', b.image_id);
        });
        if (image.status !== 'active')
          throw problems.invalidField(
            'image_id',
            `image ${b.image_id} is ${image.status}; choose an active image`,
            'ImageNotActive',
          );
        const private_ip = b.subnet_id
          ? await allocateIp(
              ctx.db as Knex.Transaction,
              ctx.principal.isAdmin ? null : ctx.principal.userId,
              b.subnet_id,
            )
          : null;
        const security_group_ids = await groupsForInstance(
          ctx.db,
          ctx.principal.userId,
          b.subnet_id ?? null,
          b.security_group_ids,
        );
        const row = instances.draft({
          ...withDefaults(instances.meta, b),
          status: 'building',
          private_ip,
          security_group_ids,
          region: config.region,
          owner: ctx.principal.userId,
        });
        return creationOf(instances, row, {
          status: 202,
          jobs: [{ queue: QUEUE, data: { id: row.id }, delayMs: config.provisionDelayMs }],
        });
      },
    },

    // A power_state change is a start or stop; while building it is only recorded and placement honours it.
    // security_group_ids are checked against the instance's VPC; null puts it back in the default group.
    updateInstance: patchHandler(instances, async (ctx, row, changes) => {
      if (changes.security_group_ids !== undefined)
        changes.security_group_ids = await groupsForInstance(
          ctx.db,
          row.owner,
          row.subnet_id,
          changes.security_group_ids,
        );
      if (changes.power_state === undefined || row.status === 'building') return changes;
      const status = transition(row.id, actionFor(changes.power_state), row.status);
      return { ...changes, status };
    }),

    async deleteInstance(ctx) {
      const trx = ctx.db as Knex.Transaction;
      const row = await instances.get(trx, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const routing = await blockers(trx, 'route', { instance_id: row.id });
      if (routing.length) throw problems.inUse('instance', row.id, routing);
      if (row.allocated) await releaseCapacity(trx, row.region, await need(trx, row.flavor_id));
      // Its volumes are detached (the seed's SET_NULL) or, marked delete_on_termination, deleted with it.
      const volumes = await releaseInstanceVolumes(trx, row.id);
      await instances.remove(trx, row);
      if (row.subnet_id) await releaseIp(trx, row.subnet_id);
      ctx.audit = { resource_type: 'instance', resource_id: row.id, details: { volumes } };
      return { status: 204 };
    },
  };
}

function instanceWorkers({ db }: Deps): Workers {
  return {
    // A fetched batch is placed in one transaction: the capacity row is locked once and claimed in order.
    // Idempotent: only `building` instances move, under row locks, so a replayed job is a no-op.
    [QUEUE]: {
      batch: (items: { id: string }[]) =>
        placeBatch(
          db,
          items.map((i) => i.id),
        ),
    },
  };
}

/**
 * Places a batch in one transaction of two round trips on one connection (batches are small and frequent, so the
 * round trips, not the statements, are what placement costs): lock the instances and their regions' capacity rows,
 * then write the capacity claimed and every instance's outcome, and commit.
 */
async function placeBatch(db: Knex, ids: string[]): Promise<void> {
  const idList = `array[${ids.map(sqlLiteral).join(', ')}]::text[]`;
  const placed: string[] = [];
  await twoStepTransaction(
    db,
    [
      // Plain FOR UPDATE (not SKIP LOCKED): a row briefly locked by a user's PATCH must still be placed. After the wait,
      // PostgreSQL re-checks `status = building`, so rows another worker placed meanwhile drop out. Locks follow seq
      // order, then region order, as everywhere else.
      // The flavor's needs come with the rows: a read through the pool here could wait for a connection that only
      // frees once this transaction's locks do.
      `select i.id, i.region, i.power_state, f.vcpus, f.ram_mb, f.gpu_count as gpus from instances i join flavors f on f.id = i.flavor_id
      where i.id = any(${idList}) and i.status = 'building' order by i.seq for update of i`,
      `select * from region_capacity where region in (select region from instances where id = any(${idList})) order by region for update`,
    ],
    ([building, capacity]) => {
      const rows = building!.rows as Row[];
      const statements: string[] = [];
      const outcomes: { id: string; status: InstanceStatus; status_reason: string | null; allocated: boolean }[] = [];
      for (const region of new Set(rows.map((r) => r.region as string))) {
        const cap = capacity!.rows.find((c) => c.region === region);
        const free = cap
          ? {
              vcpus: cap.total_vcpus - cap.used_vcpus,
              ram_mb: cap.total_ram_mb - cap.used_ram_mb,
              gpus: cap.total_gpus - cap.used_gpus,
            }
          : { vcpus: 0, ram_mb: 0, gpus: 0 };
        const used = { vcpus: 0, ram_mb: 0, gpus: 0 };
        for (const row of rows.filter((r) => r.region === region)) {
          const n: Need = { vcpus: row.vcpus, ram_mb: row.ram_mb, gpus: row.gpus };
          const fits =
            n.vcpus <= free.vcpus - used.vcpus &&
            n.ram_mb <= free.ram_mb - used.ram_mb &&
            n.gpus <= free.gpus - used.gpus;
          if (fits) {
            used.vcpus += n.vcpus;
            used.ram_mb += n.ram_mb;
            used.gpus += n.gpus;
            outcomes.push({
              id: row.id,
              status: row.power_state === 'stopped' ? 'stopped' : 'running',
              status_reason: null,
              allocated: true,
            });
          } else {
            outcomes.push({
              id: row.id,
              status: 'error',
              status_reason: refusal(region, n, {
                vcpus: free.vcpus - used.vcpus,
                ram_mb: free.ram_mb - used.ram_mb,
                gpus: free.gpus - used.gpus,
              }),
              allocated: false,
            });
          }
        }
        if (cap && used.vcpus + used.ram_mb + used.gpus > 0) {
          statements.push(
            `update region_capacity set used_vcpus = used_vcpus + ${used.vcpus}, used_ram_mb = used_ram_mb + ${used.ram_mb}, used_gpus = used_gpus + ${used.gpus} where region = ${sqlLiteral(region)}`,
          );
        }
      }
      if (outcomes.length)
        statements.push(
          instances.updateManyStatement(outcomes, { status: 'text', status_reason: 'text', allocated: 'boolean' }),
        );
      placed.push(...outcomes.map((o) => o.id));
      return statements;
    },
  );
  for (const id of placed) rowCache.invalidate(id); // committed: this process reads the placed rows at once
}

async function buildingInstances(db: Knex): Promise<Unfinished[]> {
  return (await db(instances.table).where({ status: 'building' }).select('id')).map((r) => ({
    queue: QUEUE,
    id: r.id,
  }));
}

export const instanceKind = defineKind('instance', {
  handlers: instanceHandlers,
  workers: instanceWorkers,
  recover: buildingInstances,
});
