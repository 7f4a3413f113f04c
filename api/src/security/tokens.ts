// Tokens: issued per user (the secret is returned once and stored only as a hash), listed, revoked.
import { registry } from '../generated/registry.js';
import { hashToken, newSecret } from '../platform/operations/authentication.js';
import type { Deps } from '../platform/deps.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, type Schemas } from '../platform/resources/repo.js';
import { users } from './users.js';

export const tokens = new ResourceRepo<
  Schemas['Token'],
  { token_hash: string; expires_at: Date | null; last_used_at: Date | null }
>(registry.token);

function tokenHandlers({ auth, clock }: Deps): KindHandlers<'token'> {
  return {
    async listTokens(ctx) {
      await users.get(ctx.db, ctx.principal, ctx.params.id);
      return {
        status: 200,
        body: await tokens.list(ctx.db, ctx.principal, { user_id: ctx.params.id }, ctx.query.limit, ctx.query.cursor),
      };
    },
    async createToken(ctx) {
      const user = await users.get(ctx.db, ctx.principal, ctx.params.id);
      const expires = ctx.body.expires_at ? new Date(ctx.body.expires_at) : null;
      if (expires && expires.getTime() <= clock.now())
        throw problems.invalidField('expires_at', 'must be in the future');
      const secret = newSecret();
      const row = await tokens.insert(ctx.db, {
        name: ctx.body.name,
        user_id: user.id,
        token_hash: hashToken(secret),
        prefix: secret.slice(0, 8),
        expires_at: expires,
      });
      ctx.audit = { resource_type: 'token', resource_id: row.id, details: { user_id: user.id } };
      return { status: 201, body: { ...tokens.present(row), token: secret } };
    },
    async revokeToken(ctx) {
      const row = await ctx
        .db(tokens.table)
        .where({ id: ctx.params.token_id, user_id: ctx.params.id })
        .forUpdate()
        .first();
      if (!row) throw problems.notFound('token', ctx.params.token_id);
      await tokens.remove(ctx.db, row);
      ctx.afterCommit(() => auth.forgetUser(row.user_id));
      ctx.audit = { resource_type: 'token', resource_id: row.id, details: { user_id: row.user_id } };
      return { status: 204 };
    },
  };
}

export const tokenKind = defineKind('token', { handlers: tokenHandlers });
