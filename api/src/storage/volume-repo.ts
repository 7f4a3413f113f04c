// The data access of volumes, shared by the volume kind, attachments, snapshots and instance deletion.
import { registry } from '../generated/registry.js';
import { ResourceRepo, type Schemas, type StoredRow } from '../platform/resources/repo.js';

/** `allocated`: the volume's size is claimed from the region's capacity for its type (volume-capacity.ts). */
type Hidden = { allocated: boolean };
export type VolumeRow = StoredRow<Schemas['Volume'], Hidden>;

// `volume_id` is the seed's name for the id: the same value, never stored twice.
export const volumes = new ResourceRepo<Schemas['Volume'], Hidden>(registry.volume, { volume_id: (row) => row.id });
