// The flavors and images a fresh installation offers (admins add more through the API); their kinds' manifests
// seed them at every start.
import type { Knex } from 'knex';
import { newId } from '../platform/resources/ids.js';

const FLAVORS = [
  { name: 't1.small', vcpus: 1, ram_mb: 2048, disk_gb: 20, gpu_count: 0 },
  { name: 't1.medium', vcpus: 2, ram_mb: 4096, disk_gb: 40, gpu_count: 0 },
  { name: 'm1.large', vcpus: 4, ram_mb: 16384, disk_gb: 80, gpu_count: 0 },
  { name: 'm1.xlarge', vcpus: 8, ram_mb: 32768, disk_gb: 160, gpu_count: 0 },
  { name: 'c1.4xlarge', vcpus: 16, ram_mb: 32768, disk_gb: 200, gpu_count: 0 },
  { name: 'g1.gpu1', vcpus: 8, ram_mb: 65536, disk_gb: 200, gpu_count: 1 },
  { name: 'g1.gpu4', vcpus: 32, ram_mb: 262144, disk_gb: 800, gpu_count: 4 },
];

const IMAGES = [
  { name: 'ubuntu-24.04', os: 'ubuntu', version: '24.04' },
  { name: 'ubuntu-22.04', os: 'ubuntu', version: '22.04' },
  { name: 'debian-12', os: 'debian', version: '12' },
  { name: 'rocky-9', os: 'rocky', version: '9' },
  { name: 'alpine-3.20', os: 'alpine', version: '3.20' },
];

/** Idempotent: names already there are left as they are. */
async function seedNamed(db: Knex, table: string, prefix: string, rows: object[]) {
  await db(table)
    .insert(rows.map((r) => ({ id: newId(prefix), ...r })))
    .onConflict('name')
    .ignore();
}

export const seedFlavors = (db: Knex, table: string) => seedNamed(db, table, 'flv', FLAVORS);
export const seedImages = (db: Knex, table: string) => seedNamed(db, table, 'img', IMAGES);
