// Resizing a stopped instance (OpenStack's resize of a SHUTOFF server): the new flavor must exist, and the region's
// capacity is handed back for the old flavor and claimed for the new one under the region's row lock, so the
// capacity rules of a create hold for a resize too.
import type { Knex } from 'knex';
import type { OpContext } from '../platform/operations/context.js';
import { problems } from '../platform/problems.js';
import { checkIfMatch } from '../platform/resources/repo.js';
import { SYSTEM } from '../platform/operations/principals.js';
import { flavors } from './flavors.js';
import { refusal, type Need } from './placement.js';
import type { instances as Instances } from './instances.js';

const needOf = (f: { vcpus: number; ram_mb: number; gpu_count: number }): Need => ({
  vcpus: f.vcpus,
  ram_mb: f.ram_mb,
  gpus: f.gpu_count,
});

export async function resize(ctx: OpContext, instances: typeof Instances) {
  const trx = ctx.db as Knex.Transaction;
  const row = await instances.get(trx, ctx.principal, ctx.params.id, true);
  checkIfMatch(ctx.ifMatch, row);
  const flavorId = (ctx.body as { flavor_id: string }).flavor_id;
  const next = await flavors.get(trx, ctx.principal, flavorId).catch(() => {
    throw problems.referenceNotFound('flavor_id', flavorId);
  });
  if (row.status !== 'stopped') throw problems.invalidTransition('instance', row.id, 'resize', row.status, ['stopped']);
  const from = row.flavor_id;
  if (from !== next.id && row.allocated) {
    const was = needOf(await flavors.get(trx, SYSTEM, from));
    const now = needOf(next);
    const cap = await trx('region_capacity').where({ region: row.region }).forUpdate().first();
    const free = {
      vcpus: (cap?.total_vcpus ?? 0) - (cap?.used_vcpus ?? 0) + was.vcpus,
      ram_mb: (cap?.total_ram_mb ?? 0) - (cap?.used_ram_mb ?? 0) + was.ram_mb,
      gpus: (cap?.total_gpus ?? 0) - (cap?.used_gpus ?? 0) + was.gpus,
    };
    if (now.vcpus > free.vcpus || now.ram_mb > free.ram_mb || now.gpus > free.gpus)
      throw problems.insufficientCapacity(refusal(row.region, now, free));
    await trx('region_capacity')
      .where({ region: row.region })
      .update({
        used_vcpus: trx.raw('greatest(used_vcpus + ?, 0)', [now.vcpus - was.vcpus]),
        used_ram_mb: trx.raw('greatest(used_ram_mb + ?, 0)', [now.ram_mb - was.ram_mb]),
        used_gpus: trx.raw('greatest(used_gpus + ?, 0)', [now.gpus - was.gpus]),
      });
  }
  const updated = from === next.id ? row : await instances.update(trx, row, { flavor_id: next.id });
  ctx.audit = { resource_type: 'instance', resource_id: row.id, details: { from_flavor: from, to_flavor: next.id } };
  return { status: 200, body: instances.present(updated) };
}
