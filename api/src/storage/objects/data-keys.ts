// Envelope encryption of objects: each object (or multipart upload) gets a fresh 256-bit data key, stored only
// wrapped by a KMS key of the bucket owner's (the bucket's kms_key_id, or the owner's platform-managed key
// `alias/atonix/storage`, made on first use). A disabled key, or one pending deletion, unwraps nothing.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { problems } from '../../platform/problems.js';
import { newId } from '../../platform/resources/ids.js';
import { rowCache } from '../../platform/resources/row-cache.js';
import type { KeyRow, KeyStore } from '../../security/kms/key-store.js';
import { BadBlob, parseBlob } from '../../security/kms/envelope.js';
import { decrypt, encrypt } from '../../security/kms/primitives.js';
import type { BucketRow } from '../bucket-store.js';
import type { Encryption } from './versions.js';

export const MANAGED_ALIAS = 'alias/atonix/storage';

/** Binds a wrapped data key to its bucket: a blob moved to another bucket's row does not unwrap. */
const contextOf = (bucketId: string) => ({ 'atx:storage:bucket': bucketId });

async function keyRow(db: Knex | Knex.Transaction, id: string, owner: string): Promise<KeyRow> {
  let row = rowCache.get(id) as KeyRow | undefined;
  if (!row) {
    const ticket = rowCache.ticket();
    row = await db('keys').where({ id }).first();
    if (row) rowCache.set(id, row, ticket);
  }
  if (!row || row.owner !== owner)
    throw problems.s3('KMSInvalidStateException', `The key ${id} that protects this data no longer exists.`, {
      KeyId: id,
    });
  return row;
}

function usable(row: KeyRow) {
  if (row.key_state === 'disabled')
    throw problems.s3('KMSDisabledException', `The key ${row.id} is disabled; enable it to read or write this data.`, {
      KeyId: row.id,
    });
  if (row.key_state !== 'enabled')
    throw problems.s3(
      'KMSInvalidStateException',
      `The key ${row.id} is ${row.key_state}; cancel its deletion and enable it to read or write this data.`,
      { KeyId: row.id },
    );
}

/**
 * Owner -> their managed key's id. The alias is reserved (no user may retarget it) and goes only with its key, so a
 * known id stays right until the key is gone; keyRow() then fails and the entry is dropped (see newDataKey).
 */
const managed = new Map<string, string>();

/** The owner's platform-managed storage key, created (with its alias) the first time it is needed. */
async function managedKeyId(db: Knex, store: KeyStore, owner: string, region: string, now: Date): Promise<string> {
  const cached = managed.get(owner);
  if (cached) return cached;
  const id = await findOrCreateManaged(db, store, owner, region, now);
  if (managed.size > 100_000) managed.clear();
  managed.set(owner, id);
  return id;
}

async function findOrCreateManaged(db: Knex, store: KeyStore, owner: string, region: string, now: Date) {
  const find = async () =>
    (await db('key_aliases').where({ owner, name: MANAGED_ALIAS }).first('target_key_id'))?.target_key_id as
      string | undefined;
  const known = await find();
  if (known) return known;
  const id = newId('key');
  try {
    await db.transaction(async (trx) => {
      await trx('keys').insert({
        id,
        name: 'atonix/storage',
        owner,
        description: 'Made by the platform: wraps the data keys of buckets that name no key of their own.',
        key_spec: 'SYMMETRIC_DEFAULT',
        key_usage: 'ENCRYPT_DECRYPT',
        key_state: 'enabled',
        is_enabled: true,
        enable_key_rotation: false,
        rotation_period_in_days: 365,
        deletion_window_in_days: 30,
        versions: JSON.stringify([await store.firstVersion(id, 'SYMMETRIC_DEFAULT', now)]),
        metadata: JSON.stringify({ 'atonix:managed': 'storage' }),
        region,
      });
      await trx('key_aliases').insert({ id: newId('kal'), name: MANAGED_ALIAS, owner, target_key_id: id });
    });
  } catch (err) {
    const raced = await find(); // another write made it at the same moment: theirs stands
    if (raced) return raced;
    throw err;
  }
  return id;
}

export interface DataKey {
  plaintext: Buffer;
  encryption: Encryption;
}

/**
 * A fresh data key for a new object of `bucket`, or undefined when the bucket stores plaintext. A backup vault passes
 * itself as the holder (its copies are encrypted as objects are, bound to the vault's id).
 */
export async function newDataKey(
  db: Knex,
  store: KeyStore,
  bucket: Pick<BucketRow, 'id' | 'owner' | 'kms_key_id' | 'encryption_enabled'>,
  now: Date,
  region: string,
): Promise<DataKey | undefined> {
  if (!bucket.encryption_enabled) return undefined;
  const keyId = bucket.kms_key_id
    ? await resolveOwnKey(db, bucket.owner, bucket.kms_key_id)
    : await managedKeyId(db, store, bucket.owner, region, now);
  const row = await keyRow(db, keyId, bucket.owner).catch((err) => {
    managed.delete(bucket.owner); // the managed key was destroyed: the next write makes a new one
    throw err;
  });
  usable(row);
  const version = store.open(row)!;
  const plaintext = randomBytes(32);
  const blob = encrypt(version, 'SYMMETRIC_DEFAULT', plaintext, contextOf(bucket.id));
  return { plaintext, encryption: { kms_key_id: keyId, data_key: blob.toString('base64') } };
}

/** The plaintext data key of a stored object of `bucket` (its KMS key must be enabled). */
export async function openDataKey(
  db: Knex | Knex.Transaction,
  store: KeyStore,
  bucket: Pick<BucketRow, 'id' | 'owner'>,
  e: Encryption,
): Promise<Buffer> {
  const row = await keyRow(db, e.kms_key_id, bucket.owner);
  usable(row);
  try {
    const blob = parseBlob(Buffer.from(e.data_key, 'base64'));
    const version = store.open(row, blob.version);
    if (!version) throw new BadBlob('its key version is gone');
    return decrypt(version, blob, contextOf(bucket.id));
  } catch (err) {
    if (err instanceof BadBlob) throw problems.internal();
    throw err;
  }
}

/** A key id or alias of the owner's, as its id (a bucket's kms_key_id may be an alias). */
export async function resolveOwnKey(db: Knex | Knex.Transaction, owner: string, id: string): Promise<string> {
  if (!id.startsWith('alias/')) return id;
  const alias = await db('key_aliases').where({ owner, name: id }).first('target_key_id');
  if (!alias) throw problems.s3('KMSInvalidStateException', `The alias ${id} names no key.`, { KeyId: id });
  return alias.target_key_id;
}
