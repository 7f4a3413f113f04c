// Images: admin-managed boot images, readable by everyone; PROTECTed while instances use them.
import { registry } from '../generated/registry.js';
import { createHandler, deleteHandler, getHandler, listHandler, patchHandler } from '../platform/crud.js';
import type { Handlers } from '../platform/http/context.js';
import { ResourceRepo } from '../platform/resources.js';

export const images = new ResourceRepo(registry.image!, 'images');

export const imageHandlers = (): Handlers => ({
  listImages: listHandler(images, ['name', 'os', 'status']),
  getImage: getHandler(images),
  updateImage: patchHandler(images),
  createImage: createHandler(images, '/api/compute/images', { uniqueName: true }),
  deleteImage: deleteHandler(images, [{ table: 'instances', column: 'image_id', kind: 'instance' }]),
});
