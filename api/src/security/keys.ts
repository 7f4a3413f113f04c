// Keys: created with their first material, described, updated, enabled and disabled, rotated, and deleted as KMS
// deletes: after a waiting period (7 to 30 days on the platform clock) during which the key refuses every
// operation and its deletion can be cancelled. The cryptographic operations are in kms/crypto-calls.ts.
import { creationOf, listHandler } from '../platform/resources/crud.js';
import type { Deps } from '../platform/deps.js';
import type { OpContext } from '../platform/operations/context.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { checkIfMatch, mergePatch, withDefaults, type Schemas } from '../platform/resources/repo.js';
import { registry } from '../generated/registry.js';
import type { Target } from '../platform/operations/authorization.js';
import { cryptoHandlers, type AuthorizeKey } from './kms/crypto-calls.js';
import {
  DAY_MS,
  DEFAULT_ROTATION_DAYS,
  KeyStore,
  ON_DEMAND_ROTATIONS,
  keyFor,
  keys,
  resolveKeyId,
  type KeyRow,
} from './kms/key-store.js';
import { masterKeyOf } from './kms/master-key.js';
import { SPECS, type KeySpec, type KeyUsage } from './kms/specs.js';

type State = KeyRow['key_state'];

/** A state change an action makes: the states it is allowed from, and the state it leaves. */
function stateChange(row: KeyRow, action: string, from: State[]): void {
  if (!from.includes(row.key_state)) throw problems.kmsInvalidState(row.id, action, row.key_state, from);
}

/** 422 unless the spec offers the usage and, when asked for, rotation. */
function checkSpec(spec: KeySpec, usage: KeyUsage, rotation: { enable?: boolean; period?: number | null }) {
  const s = SPECS[spec];
  if (!s.usages.includes(usage))
    throw problems.invalidField(
      'key_usage',
      `${usage} is not a usage of ${spec} keys; they are for ${s.usages.join(' or ')}`,
      'InvalidKeyUsage',
    );
  if (s.rotates) return;
  if (rotation.enable)
    throw problems.invalidField(
      'enable_key_rotation',
      `${spec} keys do not rotate; only SYMMETRIC_DEFAULT keys do`,
      'UnsupportedOperation',
    );
  if (rotation.period !== undefined && rotation.period !== null)
    throw problems.invalidField(
      'rotation_period_in_days',
      `${spec} keys do not rotate; only SYMMETRIC_DEFAULT keys have a rotation period`,
      'UnsupportedOperation',
    );
}

/** The rotation schedule after a change: the period counts from when rotation was enabled or last ran by itself. */
function schedule(
  row: Pick<KeyRow, 'enable_key_rotation' | 'rotation_base'>,
  enabled: boolean,
  period: number,
  now: Date,
) {
  if (!enabled) return { rotation_base: null, next_rotation_date: null };
  const base = row.enable_key_rotation && row.rotation_base ? row.rotation_base : now;
  return { rotation_base: base, next_rotation_date: new Date(base.getTime() + period * DAY_MS) };
}

/** One key store per platform: the master key is loaded (and its warning logged) once per process start. */
const stores = new WeakMap<Deps['config'], KeyStore>();
export function storeOf({ config, log }: Deps): KeyStore {
  let store = stores.get(config);
  if (!store) stores.set(config, (store = new KeyStore(masterKeyOf(config, log))));
  return store;
}

function keyHandlers(deps: Deps): KindHandlers<'key'> {
  const { config, clock } = deps;
  const store = storeOf(deps);

  /** A state action: the key locked, If-Match checked, the change written and audited. */
  async function act(
    ctx: OpContext,
    action: string,
    change: (row: KeyRow) => Promise<Partial<KeyRow>> | Partial<KeyRow>,
  ) {
    const row = await keyFor(ctx.db, ctx.principal, ctx.params.id, true);
    checkIfMatch(ctx.ifMatch, row);
    const changes = await change(row);
    const updated = await keys.update(ctx.db, row, changes);
    ctx.audit = {
      resource_type: 'key',
      resource_id: row.id,
      details: { action, from: row.key_state, to: updated.key_state },
    };
    return updated;
  }

  const scheduleDeletion = (row: KeyRow, days: number | undefined): Partial<KeyRow> => ({
    key_state: 'pending_deletion',
    is_enabled: false,
    deletion_date: new Date(clock.now() + (days ?? row.deletion_window_in_days) * DAY_MS),
  });

  // Only a key named in a blob gets here unauthorized: the pipeline decided on the path's key already.
  const keyTarget: Target = { kind: registry.key, idParam: 'id', list: false, conditionKeys: {} };
  const authorizeKey: AuthorizeKey = async (ctx, id) => {
    await deps.authorizer.authorize(ctx.op, keyTarget, {
      principal: ctx.principal,
      params: { id },
      body: ctx.body,
      sourceIp: ctx.sourceIp,
    });
  };

  return {
    ...cryptoHandlers(store, authorizeKey),
    listKeys: listHandler(keys, ['key_state', 'key_spec', 'key_usage', 'name']),
    async getKey(ctx) {
      return { status: 200, body: keys.present(await keyFor(ctx.db, ctx.principal, ctx.params.id)) };
    },

    // Reads only (the material is made before the commit), so concurrent creates share one commit.
    createKey: {
      async create(ctx) {
        const b = ctx.body;
        const values = withDefaults(keys.meta, b) as Partial<KeyRow>;
        const spec = values.key_spec!;
        const usage = values.key_usage!;
        checkSpec(spec, usage, { enable: b.enable_key_rotation, period: b.rotation_period_in_days });
        const now = clock.date();
        const period = SPECS[spec].rotates ? (b.rotation_period_in_days ?? DEFAULT_ROTATION_DAYS) : null;
        const row = keys.draft({
          ...values,
          key_state: values.is_enabled ? 'enabled' : 'disabled',
          rotation_period_in_days: period,
          ...schedule(
            { enable_key_rotation: false, rotation_base: null },
            Boolean(values.enable_key_rotation),
            period ?? 0,
            now,
          ),
          last_rotation_date: null,
          deletion_date: null,
          region: config.region,
          owner: ctx.principal.userId,
          created_at: now,
          updated_at: now,
        });
        row.versions = [await store.firstVersion(row.id, spec, now)];
        return creationOf(keys, row, { status: 201 });
      },
    },

    // A merge patch; is_enabled enables or disables, and the rotation schedule follows its fields.
    async updateKey(ctx) {
      const row = await keyFor(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const changes = mergePatch(keys.meta, ctx.body, keys.present(row)) as Partial<KeyRow>;
      if (changes.is_enabled !== undefined) {
        stateChange(row, changes.is_enabled ? 'enable' : 'disable', ['enabled', 'disabled']);
        changes.key_state = changes.is_enabled ? 'enabled' : 'disabled';
      }
      const rotating = SPECS[row.key_spec].rotates;
      if ('rotation_period_in_days' in changes && changes.rotation_period_in_days === null && rotating)
        changes.rotation_period_in_days = DEFAULT_ROTATION_DAYS; // null resets it to the default
      if ('rotation_period_in_days' in changes && changes.rotation_period_in_days === row.rotation_period_in_days)
        delete changes.rotation_period_in_days;
      checkSpec(row.key_spec, row.key_usage, {
        enable: changes.enable_key_rotation,
        period: changes.rotation_period_in_days,
      });
      if (rotating && ('enable_key_rotation' in changes || 'rotation_period_in_days' in changes))
        Object.assign(
          changes,
          schedule(
            row,
            changes.enable_key_rotation ?? row.enable_key_rotation,
            changes.rotation_period_in_days ?? row.rotation_period_in_days!,
            clock.date(),
          ),
        );
      const updated = await keys.update(ctx.db, row, changes);
      ctx.audit = { resource_type: 'key', resource_id: row.id, details: { changed: Object.keys(changes) } };
      return { status: 200, body: keys.present(updated) };
    },

    // DELETE schedules the deletion (the AWS provider's destroy does the same); a key already pending stays so.
    async deleteKey(ctx) {
      const row = await keyFor(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const days = ctx.query.pending_window_in_days;
      const updated =
        row.key_state === 'pending_deletion' ? row : await keys.update(ctx.db, row, scheduleDeletion(row, days));
      ctx.audit = { resource_type: 'key', resource_id: row.id, details: { deletion_date: updated.deletion_date } };
      return { status: 202, body: keys.present(updated) };
    },

    async scheduleKeyDeletion(ctx) {
      const updated = await act(ctx, 'schedule-deletion', (row) => {
        stateChange(row, 'schedule-deletion', ['enabled', 'disabled']);
        return scheduleDeletion(row, (ctx.body as Schemas['ScheduleKeyDeletionRequest']).pending_window_in_days);
      });
      return { status: 200, body: keys.present(updated) };
    },

    // As in KMS, a key whose deletion is cancelled comes back disabled.
    async cancelKeyDeletion(ctx) {
      const updated = await act(ctx, 'cancel-deletion', (row) => {
        stateChange(row, 'cancel-deletion', ['pending_deletion']);
        return { key_state: 'disabled', is_enabled: false, deletion_date: null };
      });
      return { status: 200, body: keys.present(updated) };
    },

    async enableKey(ctx) {
      const updated = await act(ctx, 'enable', (row) => {
        stateChange(row, 'enable', ['enabled', 'disabled']);
        return row.key_state === 'enabled' ? {} : { key_state: 'enabled', is_enabled: true };
      });
      return { status: 200, body: keys.present(updated) };
    },

    async disableKey(ctx) {
      const updated = await act(ctx, 'disable', (row) => {
        stateChange(row, 'disable', ['enabled', 'disabled']);
        return row.key_state === 'disabled' ? {} : { key_state: 'disabled', is_enabled: false };
      });
      return { status: 200, body: keys.present(updated) };
    },

    // On-demand rotation leaves the automatic schedule as it is (as KMS's RotateKeyOnDemand does).
    async rotateKeyOnDemand(ctx) {
      const updated = await act(ctx, 'rotate', async (row) => {
        if (!SPECS[row.key_spec].rotates) throw problems.unsupportedKeyOperation(row.id, row.key_spec, 'rotate');
        stateChange(row, 'rotate', ['enabled']);
        const done = row.versions.filter((v) => v.origin === 'on_demand_rotation').length;
        if (done >= ON_DEMAND_ROTATIONS)
          throw problems.limitExceeded(
            `Key ${row.id} has been rotated on demand ${done} times, the most a key may be; create a new key instead.`,
          );
        const now = clock.date();
        return { versions: await store.rotated(row, now, 'on_demand_rotation'), last_rotation_date: now };
      });
      return { status: 200, body: keys.present(updated) };
    },
  };
}

export const keyKind = defineKind('key', {
  handlers: keyHandlers,
  // `alias/<name>` in a path is the key it names (the caller's alias), before IAM decides or a handler runs.
  resolveId: resolveKeyId,
  // Deletion windows and rotations come due with platform time: swept on every tick of the clock (on an interval
  // where workers run, and at once when a manual clock is moved).
  workers(deps) {
    const store = storeOf(deps);
    deps.clock.onTick(async (now) => {
      const { destroyed, rotated } = await store.sweep(deps.db, now);
      if (destroyed.length || rotated.length) deps.log.info({ destroyed, rotated }, 'keys swept');
    });
    return {};
  },
});
