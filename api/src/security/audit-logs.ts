// The audit log: admins read every record, a user their own; filters by user, action, resource, outcome and time.
import { defineOperations } from '../platform/manifest.js';
import { auditRecords } from '../platform/operations/audit-trail.js';
import { page } from '../platform/resources/pagination.js';

export const auditLogOperations = defineOperations('security', {
  handlers: () => ({
    async listAuditLogs(ctx) {
      const q = auditRecords(ctx.db).select('*');
      const f = ctx.query;
      if (!ctx.principal.isAdmin) q.where('user_id', ctx.principal.userId);
      for (const k of ['user_id', 'action', 'resource_type', 'resource_id', 'status'] as const)
        if (f[k] !== undefined) q.where(k, f[k]);
      if (f.since) q.where('timestamp', '>=', new Date(f.since));
      if (f.until) q.where('timestamp', '<', new Date(f.until));
      const { rows, next_cursor } = await page(q, f.limit, f.cursor);
      // seq orders the pages and xact is the log follower's (monitoring/logs/follower.ts): neither is a record's field.
      const items = rows.map(({ seq: _seq, xact: _xact, timestamp, ...r }: any) => ({
        ...r,
        timestamp: timestamp.toISOString(),
      }));
      return { status: 200, body: { items, next_cursor } };
    },
  }),
});
