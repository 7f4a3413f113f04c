// The flavors and images a fresh installation offers (admins add more through the API).
import type { Knex } from 'knex';
import { newId } from '../platform/ids.js';

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

/** Idempotent: existing names are left as they are; the region's capacity follows the configuration. */
export async function seedCatalogue(db: Knex, region: string, capacity: { vcpus: number; ram_mb: number; gpus: number }) {
  await db('flavors').insert(FLAVORS.map((f) => ({ id: newId('flv'), ...f }))).onConflict('name').ignore();
  await db('images').insert(IMAGES.map((i) => ({ id: newId('img'), ...i }))).onConflict('name').ignore();
  await db('region_capacity')
    .insert({ region, total_vcpus: capacity.vcpus, total_ram_mb: capacity.ram_mb, total_gpus: capacity.gpus })
    .onConflict('region').merge(['total_vcpus', 'total_ram_mb', 'total_gpus']);
}
