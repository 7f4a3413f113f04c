// Images: admin-managed boot images, readable by everyone; PROTECTed while instances use them.
import { registry } from '../generated/registry.js';
import { createHandler, deleteHandler, getHandler, listHandler, patchHandler } from '../platform/resources/crud.js';
import { defineKind } from '../platform/manifest.js';
import { seedImages } from './catalogue.js';
import { ResourceRepo, type Schemas } from '../platform/resources/repo.js';

export const images = new ResourceRepo<Schemas['Image']>(registry.image);

export const imageKind = defineKind('image', {
  handlers: () => ({
    listImages: listHandler(images, ['name', 'os', 'status']),
    getImage: getHandler(images),
    updateImage: patchHandler(images),
    createImage: createHandler(images, { uniqueName: true }),
    deleteImage: deleteHandler(images, [{ kind: 'instance', column: 'image_id' }]),
  }),
  seed: ({ db }) => seedImages(db, images.table),
});
