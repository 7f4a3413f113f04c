// Flavors: admin-managed machine sizes, readable by everyone; PROTECTed while instances use them.
import { registry } from '../generated/registry.js';
import { createHandler, deleteHandler, getHandler, listHandler } from '../platform/crud.js';
import type { Handlers } from '../platform/http/context.js';
import { ResourceRepo } from '../platform/resources.js';

export const flavors = new ResourceRepo(registry.flavor!, 'flavors');

export const flavorHandlers = (): Handlers => ({
  listFlavors: listHandler(flavors, ['name']),
  getFlavor: getHandler(flavors),
  createFlavor: createHandler(flavors, '/api/compute/flavors', { uniqueName: true }),
  deleteFlavor: deleteHandler(flavors, [{ table: 'instances', column: 'flavor_id', kind: 'instance' }]),
});
