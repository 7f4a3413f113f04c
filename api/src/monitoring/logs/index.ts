// Logs' operations (push, read, the caller's retention) and their background part (the platform's own lines, the
// retention sweep), as one manifest of the `monitoring/logs` family. Rules are here; SQL is in store.ts.
import { defineOperations } from '../../platform/manifest.js';
import { problems, type FieldError } from '../../platform/problems.js';
import type { Principal } from '../../platform/operations/principals.js';
import type { Scope } from '../types.js';
import { startPlatformLines } from './platform-lines.js';
import { insertLines, pageOfLines, retentionOf, setRetention, type LineFilter, type LineInput } from './store.js';

/** Sources only the platform writes: a user's push may not pass for the platform's own lines. */
export const PLATFORM_SOURCES = new Set(['platform', 'state', 'job', 'access', 'audit']);
/** The largest `fields` of one line, as JSON. */
const MAX_FIELDS_BYTES = 16 * 1024;
/** How far ahead of the platform clock a pushed line's time may be. */
const MAX_AHEAD_MS = 86_400_000;

const scopeOf = (p: Principal): Scope => ({ owner: p.isAdmin ? null : p.userId });

/** `fields=path:value,path:value` as conditions, or a 400 naming the parameter. */
export function parseFields(raw: string): NonNullable<LineFilter['fields']> {
  return raw.split(',').map((pair) => {
    const at = pair.indexOf(':');
    const path = at > 0 ? pair.slice(0, at).trim() : '';
    if (!path || path.split('.').some((p) => !p))
      throw problems.invalidParameter([
        {
          pointer: 'fields',
          detail: `${JSON.stringify(pair)} is not path:value (for example http.status:500)`,
          code: 'InvalidFieldFilter',
        },
      ]);
    return { path: path.split('.'), value: pair.slice(at + 1) };
  });
}

export const logOperations = defineOperations('monitoring/logs', {
  handlers: ({ clock, config }) => ({
    async listLogEntries(ctx) {
      const { limit, cursor, owner, fields, ...f } = ctx.query;
      let scope = scopeOf(ctx.principal);
      if (owner !== undefined) {
        if (!ctx.principal.isAdmin && owner !== ctx.principal.userId)
          throw problems.invalidParameter([
            { pointer: 'owner', detail: "only the admin reads another owner's lines", code: 'AdminOnly' },
          ]);
        scope = { owner };
      }
      const filter: LineFilter = { ...f, fields: fields === undefined ? undefined : parseFields(fields) };
      return { status: 200, body: await pageOfLines(ctx.db, scope, filter, limit ?? 50, cursor) };
    },

    async putLogEntries(ctx) {
      const now = clock.now();
      const errors: FieldError[] = [];
      const lines: LineInput[] = ctx.body.entries.map((e, i) => {
        const at = `/entries/${i}`;
        const source = e.source ?? 'user';
        if (PLATFORM_SOURCES.has(source) && !ctx.principal.isAdmin)
          errors.push({ pointer: `${at}/source`, detail: `${source} is the platform's own source`, code: 'Reserved' });
        if (e.time !== undefined && Date.parse(e.time) > now + MAX_AHEAD_MS)
          errors.push({
            pointer: `${at}/time`,
            detail: 'may not be more than 24 hours ahead of the platform clock',
            code: 'TooFarAhead',
          });
        if (e.fields && Buffer.byteLength(JSON.stringify(e.fields)) > MAX_FIELDS_BYTES)
          errors.push({ pointer: `${at}/fields`, detail: 'may hold at most 16 KiB as JSON', code: 'TooLarge' });
        return {
          owner: ctx.principal.userId,
          time: e.time ?? new Date(now).toISOString(),
          level: e.level ?? 'info',
          source,
          resource_id: e.resource_id ?? null,
          kind: e.kind ?? null,
          message: e.message,
          fields: e.fields ?? {},
        };
      });
      if (errors.length) throw problems.validation(errors);
      ctx.audit = { details: { entries: lines.length } };
      return { status: 201, body: { written: await insertLines(ctx.db, lines) } };
    },

    async getLogSettings(ctx) {
      return {
        status: 200,
        body: { retention_days: await retentionOf(ctx.db, ctx.principal.userId, config.logRetentionDays) },
      };
    },

    async putLogSettings(ctx) {
      await setRetention(ctx.db, ctx.principal.userId, ctx.body.retention_days, clock.date());
      ctx.audit = { details: { retention_days: ctx.body.retention_days } };
      return { status: 200, body: { retention_days: ctx.body.retention_days } };
    },
  }),
  serve: startPlatformLines,
});
