// Access keys as the S3 door sees them: an id's user, plaintext secret (SigV4 needs it) and whether it is active,
// cached in each process and forgotten when the key changes (this process's writes right after commit, every
// process's through the change events), plus the advisory last_used_at. Ids and secrets are made here too.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Deps } from '../platform/deps.js';
import { randomToken } from '../platform/resources/ids.js';
import { seal, unseal } from './kms/material.js';
import { masterKeyOf } from './kms/master-key.js';

/** What the S3 door needs to verify a signature made with an access key. */
export interface AccessKeyIdentity {
  userId: string;
  secret: string;
  active: boolean;
}

const TABLE = 'access_keys';
/** AKAX and 16 of A-Z2-7 (80 random bits): 20 characters, as AWS's AKIA... ids are. */
export const newAccessKeyId = () => `AKAX${randomToken(16).toUpperCase()}`;
/** 30 random bytes as base64: 40 characters, as AWS's secret access keys are. */
export const newSecretAccessKey = () => randomBytes(30).toString('base64');

/** A safety net only: should a change event be lost (the listening connection reconnecting), a key is re-read. */
const ENTRY_MS = 60_000;
const TOUCH_MS = 60_000;
const MAX_ENTRIES = 10_000;

type Entry = AccessKeyIdentity & { readAt: number };

export class AccessKeyDirectory {
  private entries = new Map<string, Entry>();
  private touched = new Map<string, number>();
  /** bumped by every forget: a read that began before one is answered but not remembered */
  private generation = 0;

  constructor(
    private db: Knex,
    private master: Buffer,
    private now: () => number,
  ) {}

  /** The secret sealed for the row of key `id` (bound to the id, so a copied column opens for no other key). */
  seal(id: string, secret: string): string {
    return seal(this.master, boundTo(id), Buffer.from(secret, 'utf8'));
  }

  async lookup(id: string): Promise<AccessKeyIdentity | undefined> {
    const hit = this.entries.get(id);
    if (hit && this.now() - hit.readAt < ENTRY_MS) return identity(hit);
    const generation = this.generation;
    const row = await this.db(TABLE).where({ id }).first('owner', 'status', 'secret_wrapped');
    if (!row) return undefined; // unknown ids are not remembered: a made-up id must not crowd out real ones
    const entry: Entry = {
      userId: row.owner,
      secret: unseal(this.master, boundTo(id), row.secret_wrapped, `access key ${id}`).toString('utf8'),
      active: row.status === 'Active',
      readAt: this.now(),
    };
    if (generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(id, entry);
    }
    return identity(entry);
  }

  /** Records a use, at most once a minute per key: advisory, so it neither bumps the ETag nor fails the request. */
  async touch(id: string, at: Date): Promise<void> {
    const ms = at.getTime();
    if (ms - (this.touched.get(id) ?? -Infinity) < TOUCH_MS) return;
    if (this.touched.size >= MAX_ENTRIES) this.touched.clear();
    this.touched.set(id, ms);
    await this.db(TABLE)
      .where({ id })
      .andWhere((q) => q.whereNull('last_used_at').orWhere('last_used_at', '<', at))
      .update({ last_used_at: at })
      .catch(() => {});
  }

  forget(id: string): void {
    this.generation++;
    this.entries.delete(id);
  }

  /** Forgets every key (a user was deleted, and their keys with them). */
  forgetAll(): void {
    this.generation++;
    this.entries.clear();
  }
}

const boundTo = (id: string) => Buffer.from(`atonix-access-key\0${id}`, 'utf8');
const identity = ({ userId, secret, active }: Entry): AccessKeyIdentity => ({ userId, secret, active });

/** One directory per platform, found by its database handle (the S3 door holds the same `deps.db`). */
const directories = new WeakMap<Knex, AccessKeyDirectory>();

/** The platform's directory, made at boot when the kind's handlers are built; it follows the kind's change events. */
export function openAccessKeyDirectory(deps: Pick<Deps, 'db' | 'config' | 'log' | 'clock' | 'events'>) {
  let dir = directories.get(deps.db);
  if (dir) return dir;
  dir = new AccessKeyDirectory(deps.db, masterKeyOf(deps.config, deps.log), () => deps.clock.now());
  directories.set(deps.db, dir);
  const opened = dir;
  // Only a change of status or a deletion changes what lookup answers; an `updated` event is a description or a
  // last_used_at (user and secret never change), so the S3 hot path keeps its entry through those.
  // A deleted user's keys go by a cascade, whose own `deleted` events arrive here too.
  deps.events.subscribe((ev) => {
    if (ev.kind === 'access_key' && ev.type !== 'updated') opened.forget(ev.id);
  });
  return dir;
}

function directoryOf(db: Knex): AccessKeyDirectory {
  const dir = directories.get(db);
  if (!dir) throw new Error('access keys: pass the platform database handle (deps.db) of a booted platform');
  return dir;
}

/**
 * The S3 door's lookup: the key's user, plaintext secret and whether it is active, or undefined for an unknown id.
 * `db` is the platform's handle (deps.db), not a transaction. Cached; a deactivation or deletion is seen at once in
 * the process that made it and as soon as its change event arrives in the others.
 */
export function lookupAccessKey(db: Knex, accessKeyId: string): Promise<AccessKeyIdentity | undefined> {
  return directoryOf(db).lookup(accessKeyId);
}

/** Records that a request signed with the key was accepted at `at`; writes at most once a minute per key. */
export function touchAccessKey(db: Knex, accessKeyId: string, at: Date): Promise<void> {
  return directoryOf(db).touch(accessKeyId, at);
}

/** Forgets keys (after this process's transaction that changed them commits); no ids: every key. */
export function forgetAccessKeys(db: Knex, ids?: string[]): void {
  const dir = directories.get(db);
  if (!dir) return;
  if (ids) for (const id of ids) dir.forget(id);
  else dir.forgetAll();
}
