// The price catalogue: admin-managed entries (a flavor's hour, a volume type's or storage class's GB-month) that
// everyone reads and that recommendations are costed from (catalogue.ts looks them up).
import { registry } from '../../generated/registry.js';
import { deleteHandler, getHandler, listHandler, patchHandler } from '../../platform/resources/crud.js';
import { defineKind } from '../../platform/manifest.js';
import type { OpContext } from '../../platform/operations/context.js';
import { problems } from '../../platform/problems.js';
import { ResourceRepo, withDefaults, type Schemas } from '../../platform/resources/repo.js';

export const prices = new ResourceRepo<Schemas['Price']>(registry.price);

/** The one unit each resource type is priced in. */
export const UNIT_OF = { flavor: 'hour', volume_type: 'GB-month', storage_class: 'GB-month' } as const;

async function createPrice(ctx: OpContext) {
  const b = ctx.body as Schemas['Price'];
  if (UNIT_OF[b.resource_type] !== b.unit)
    throw problems.invalidField(
      'unit',
      `a ${b.resource_type} is priced per ${UNIT_OF[b.resource_type]}, not per ${b.unit}`,
      'UnitMismatch',
    );
  const taken = await ctx.db(prices.table).where({ resource_type: b.resource_type, name: b.name }).first('id');
  if (taken) throw problems.alreadyExists('price', 'name', `${b.name} (${b.resource_type}, ${taken.id})`);
  const row = await prices.insert(ctx.db, withDefaults(prices.meta, b));
  ctx.audit = { resource_type: 'price', resource_id: row.id };
  return { status: 201, body: prices.present(row), headers: { Location: prices.location(row.id) } };
}

export const priceKind = defineKind('price', {
  handlers: () => ({
    listPrices: listHandler(prices, ['resource_type', 'name']),
    getPrice: getHandler(prices),
    createPrice,
    updatePrice: patchHandler(prices),
    deletePrice: deleteHandler(prices),
  }),
});
