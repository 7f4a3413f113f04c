// Flavors: admin-managed machine sizes, readable by everyone; PROTECTed while instances use them.
import { registry } from '../generated/registry.js';
import { createHandler, deleteHandler, getHandler, listHandler } from '../platform/resources/crud.js';
import { defineKind } from '../platform/manifest.js';
import { seedFlavors } from './catalogue.js';
import { ResourceRepo, type Schemas } from '../platform/resources/repo.js';

export const flavors = new ResourceRepo<Schemas['Flavor']>(registry.flavor);

export const flavorKind = defineKind('flavor', {
  handlers: () => ({
    listFlavors: listHandler(flavors, ['name']),
    getFlavor: getHandler(flavors),
    createFlavor: createHandler(flavors, { uniqueName: true }),
    deleteFlavor: deleteHandler(flavors, [{ kind: 'instance', column: 'flavor_id' }]),
  }),
  seed: ({ db }) => seedFlavors(db, flavors.table),
});
