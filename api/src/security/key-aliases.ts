// Key aliases: `alias/<name>`, unique per owner, naming one of the owner's keys; every key operation takes one in
// place of the key id. Retargeting an alias leaves both keys untouched; a destroyed key takes its aliases along.
import type { OpContext } from '../platform/operations/context.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { listHandler } from '../platform/resources/crud.js';
import { checkIfMatch, mergePatch } from '../platform/resources/repo.js';
import { aliasFor, keyAliases, keys } from './kms/key-store.js';

/** Names no user may take (AWS reserves `alias/aws/` for its own keys; this platform, `alias/atonix/`). */
const RESERVED = ['alias/aws/', 'alias/atonix/'];

/** The target must be one of the caller's keys, and not one on its way out. */
async function checkTarget(ctx: OpContext, id: string) {
  const key = await keys.get(ctx.db, ctx.principal, id).catch(() => {
    throw problems.referenceNotFound('target_key_id', id);
  });
  if (key.key_state === 'pending_deletion')
    throw problems.kmsInvalidState(key.id, 'alias', key.key_state, ['enabled', 'disabled']);
}

function aliasHandlers(): KindHandlers<'key_alias'> {
  return {
    listKeyAliases: listHandler(keyAliases, ['name', 'target_key_id']),
    async getKeyAlias(ctx) {
      return { status: 200, body: keyAliases.present(await aliasFor(ctx.db, ctx.principal, ctx.params.id)) };
    },
    async createKeyAlias(ctx) {
      const { name, target_key_id } = ctx.body;
      if (RESERVED.some((p) => name.startsWith(p)))
        throw problems.invalidField('name', `names under ${RESERVED.join(' and ')} are reserved`, 'ReservedName');
      await checkTarget(ctx, target_key_id);
      if (await ctx.db(keyAliases.table).where({ owner: ctx.principal.userId, name }).first('id'))
        throw problems.alreadyExists('key_alias', 'name', name);
      const row = await keyAliases.insert(ctx.db, { name, target_key_id, owner: ctx.principal.userId });
      ctx.audit = { resource_type: 'key_alias', resource_id: row.id, details: { name, target_key_id } };
      return { status: 201, body: keyAliases.present(row), headers: { Location: keyAliases.location(row.id) } };
    },
    async updateKeyAlias(ctx) {
      const row = await aliasFor(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const changes = mergePatch(keyAliases.meta, ctx.body, keyAliases.present(row));
      if (changes.target_key_id !== undefined) await checkTarget(ctx, changes.target_key_id);
      const updated = await keyAliases.update(ctx.db, row, changes);
      ctx.audit = {
        resource_type: 'key_alias',
        resource_id: row.id,
        details: { from: row.target_key_id, to: updated.target_key_id },
      };
      return { status: 200, body: keyAliases.present(updated) };
    },
    async deleteKeyAlias(ctx) {
      const row = await aliasFor(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      await keyAliases.remove(ctx.db, row);
      ctx.audit = { resource_type: 'key_alias', resource_id: row.id, details: { name: row.name } };
      return { status: 204 };
    },
  };
}

export const keyAliasKind = defineKind('key_alias', {
  handlers: aliasHandlers,
  // An alias is named by its id or by its name (`alias/<name>`, the caller's).
  resolveId: async (db, principal, id) => (id.startsWith('alias/') ? (await aliasFor(db, principal, id)).id : id),
});
