// The data access of keys and aliases: the repos, an id-or-alias resolved to a key, a key version's material
// opened with the master key, new versions, and the sweep that destroys keys past their deletion date and rotates
// keys whose rotation is due. Only this file and the kind files' repos know the tables.
import type { Knex } from 'knex';
import { registry } from '../../generated/registry.js';
import type { Principal } from '../../platform/operations/principals.js';
import { problems } from '../../platform/problems.js';
import { ResourceRepo, type Schemas, type StoredRow } from '../../platform/resources/repo.js';
import { rowCache } from '../../platform/resources/row-cache.js';
import { generateMaterial, unwrapMaterial, wrapMaterial } from './material.js';
import type { OpenVersion } from './primitives.js';
import { algorithmsOf, type KeySpec } from './specs.js';

type Db = Knex | Knex.Transaction;
export const DAY_MS = 86_400_000;
export const DEFAULT_ROTATION_DAYS = 365;
/** AWS allows ten on-demand rotations per key; the versions of a key live in its row, so they are bounded too. */
export const ON_DEMAND_ROTATIONS = 10;

/** A version as stored: its material wrapped by the master key. */
export interface StoredVersion {
  version: number;
  created_at: string;
  origin: 'created' | 'automatic_rotation' | 'on_demand_rotation';
  material: string;
}

type KeyColumns = {
  versions: StoredVersion[];
  rotation_base: Date | null;
  next_rotation_date: Date | null;
  last_rotation_date: Date | null;
  deletion_date: Date | null;
};
export type KeyRow = StoredRow<Schemas['Key'], KeyColumns>;

const newest = (row: Pick<KeyRow, 'versions'>) => row.versions[row.versions.length - 1]!;

export const keys = new ResourceRepo<Schemas['Key'], KeyColumns>(registry.key, {
  current_key_version: (row) => newest(row).version,
  key_versions: (row) => row.versions.map(({ version, created_at, origin }) => ({ version, created_at, origin })),
  encryption_algorithms: (row) => algorithmsOf(row.key_spec, row.key_usage).encryption_algorithms,
  signing_algorithms: (row) => algorithmsOf(row.key_spec, row.key_usage).signing_algorithms,
  mac_algorithms: (row) => algorithmsOf(row.key_spec, row.key_usage).mac_algorithms,
});

export const keyAliases = new ResourceRepo<Schemas['KeyAlias']>(registry.key_alias);

/** The key an `{id}` names: a key id, or an alias of the caller's (`alias/...`); 404 for an alias of nothing. */
export async function resolveKeyId(db: Db, principal: Principal, id: string): Promise<string> {
  if (!id.startsWith('alias/')) return id;
  const alias = await db(keyAliases.table).where({ owner: principal.userId, name: id }).first('target_key_id');
  if (!alias) throw problems.notFound('key', id);
  return alias.target_key_id;
}

/** The key an `{id}` names, as the caller may see it (404 otherwise); `lock` for a read-modify-write. */
export async function keyFor(db: Db, principal: Principal, id: string, lock = false): Promise<KeyRow> {
  return keys.get(db, principal, await resolveKeyId(db, principal, id), lock);
}

/** The alias an `{id}` names: an alias id, or an alias name of the caller's. */
export async function aliasFor(db: Db, principal: Principal, id: string, lock = false) {
  if (!id.startsWith('alias/')) return keyAliases.get(db, principal, id, lock);
  const q = db(keyAliases.table).where({ owner: principal.userId, name: id });
  const row = await (lock ? q.forUpdate() : q).first();
  if (!row) throw problems.notFound('key_alias', id);
  return row as Awaited<ReturnType<typeof keyAliases.get>>;
}

export class KeyStore {
  constructor(private master: Buffer) {}

  /** The first version of a new key with id `keyId`. */
  async firstVersion(keyId: string, spec: KeySpec, now: Date): Promise<StoredVersion> {
    return this.version(keyId, 1, spec, now, 'created');
  }

  private async version(
    keyId: string,
    version: number,
    spec: KeySpec,
    at: Date,
    origin: StoredVersion['origin'],
  ): Promise<StoredVersion> {
    const material = await generateMaterial(spec);
    return {
      version,
      created_at: at.toISOString(),
      origin,
      material: wrapMaterial(this.master, keyId, version, material),
    };
  }

  /** One version of a key, its material unwrapped (undefined if the key has no such version). */
  open(row: KeyRow, version = newest(row).version): OpenVersion | undefined {
    const v = row.versions.find((x) => x.version === version);
    if (!v) return undefined;
    return {
      keyId: row.id,
      spec: row.key_spec,
      version,
      material: unwrapMaterial(this.master, row.id, version, v.material),
    };
  }

  /** The versions after a rotation: a new newest version; earlier ones stay (they still decrypt). */
  async rotated(row: KeyRow, at: Date, origin: 'automatic_rotation' | 'on_demand_rotation'): Promise<StoredVersion[]> {
    return [...row.versions, await this.version(row.id, newest(row).version + 1, row.key_spec, at, origin)];
  }

  /**
   * Work the clock has made due, at platform time `nowMs`: keys pending deletion past their date are destroyed
   * (the row, its wrapped material and its aliases deleted: the key is gone), and enabled keys past their next
   * rotation date get a new version. Rows are claimed with SKIP LOCKED, so processes sweeping together split the
   * work instead of doing it twice.
   */
  async sweep(db: Knex, nowMs: number): Promise<{ destroyed: string[]; rotated: string[] }> {
    const now = new Date(nowMs);
    const destroyed: string[] = [];
    for (;;) {
      const gone = await db.transaction(async (trx) => {
        const ids = trx(keys.table)
          .where('key_state', 'pending_deletion')
          .andWhere('deletion_date', '<=', now)
          .orderBy('deletion_date')
          .limit(100)
          .forUpdate()
          .skipLocked()
          .select('id');
        return (await trx(keys.table).whereIn('id', ids).delete().returning('id')).map((r: { id: string }) => r.id);
      });
      for (const id of gone) rowCache.invalidate(id);
      destroyed.push(...gone);
      if (gone.length < 100) break;
    }
    const rotated: string[] = [];
    for (;;) {
      const batch = await db.transaction(async (trx) => {
        const due: KeyRow[] = await trx(keys.table)
          .where({ enable_key_rotation: true, key_state: 'enabled' })
          .andWhere('next_rotation_date', '<=', now)
          .orderBy('next_rotation_date')
          .limit(50)
          .forUpdate()
          .skipLocked()
          .select('*');
        for (const row of due) {
          const dueAt = row.next_rotation_date!;
          const periodMs = row.rotation_period_in_days! * DAY_MS;
          // The period runs on from the due date, unless a whole period was missed (the key was disabled, or the
          // clock jumped): then from now.
          const base = nowMs - dueAt.getTime() < periodMs ? dueAt : now;
          await keys.update(trx, row, {
            versions: await this.rotated(row, now, 'automatic_rotation'),
            last_rotation_date: now,
            rotation_base: base,
            next_rotation_date: new Date(base.getTime() + periodMs),
          });
        }
        return due.map((r) => r.id);
      });
      for (const id of batch) rowCache.invalidate(id);
      rotated.push(...batch);
      if (batch.length < 50) break;
    }
    return { destroyed, rotated };
  }
}
