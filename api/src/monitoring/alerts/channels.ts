// Notification channels: a webhook (URL, signing secret, extra headers) or the WebSocket stream only; CRUD, and the
// delivery log of a webhook's notifications (attempts, status codes, next retry). The secret is written, never read.
import type { Deps } from '../../platform/deps.js';
import { defineKind, type KindHandlers } from '../../platform/manifest.js';
import { problems, type FieldError } from '../../platform/problems.js';
import { deleteHandler, getHandler, listHandler, patchHandler } from '../../platform/resources/crud.js';
import { page } from '../../platform/resources/pagination.js';
import { withDefaults, type Row } from '../../platform/resources/repo.js';
import { DELIVERIES, channels, rules } from './repos.js';

/** Headers the deliverer sets itself: a channel may not replace them (a forged signature, a wrong length). */
const RESERVED = /^(content-type|content-length|host|user-agent|x-atonix-.*|transfer-encoding|connection)$/i;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** 422s naming what a channel of its type lacks or may not hold. */
function checkChannel(c: Row): void {
  const errors: FieldError[] = [];
  if (c.type === 'webhook') {
    if (!c.url) errors.push({ pointer: '/url', detail: 'is required for a webhook', code: 'Required' });
    else if (!/^https?:\/\//i.test(c.url))
      errors.push({ pointer: '/url', detail: 'must be an http or https URL', code: 'InvalidValue' });
    if (!c.secret)
      errors.push({ pointer: '/secret', detail: 'is required for a webhook (it signs the body)', code: 'Required' });
  } else {
    for (const f of ['url', 'secret'])
      if (c[f]) errors.push({ pointer: `/${f}`, detail: 'is for webhooks only', code: 'InvalidValue' });
  }
  for (const name of Object.keys(c.headers ?? {})) {
    if (!TOKEN.test(name))
      errors.push({ pointer: `/headers/${name}`, detail: 'is not an HTTP header name', code: 'InvalidValue' });
    else if (RESERVED.test(name))
      errors.push({ pointer: `/headers/${name}`, detail: 'is set by the platform itself', code: 'InvalidValue' });
  }
  if (errors.length) throw problems.validation(errors);
}

const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString());
const presentDelivery = (d: Record<string, any>) => ({
  id: d.id,
  channel_id: d.channel_id,
  rule_id: d.rule_id,
  status: d.status,
  alert_status: d.alert_status,
  alerts: Array.isArray(d.payload?.alerts) ? d.payload.alerts.length : 0,
  attempts: d.attempts,
  next_attempt_at: iso(d.next_attempt_at),
  last_status_code: d.last_status_code,
  last_error: d.last_error,
  created_at: iso(d.created_at),
  delivered_at: iso(d.delivered_at),
  log: d.log,
  payload: d.payload,
});

const channelHandlers = (_deps: Deps): KindHandlers<'notification_channel'> => ({
  listNotificationChannels: listHandler(channels, ['type', 'name']),
  getNotificationChannel: getHandler(channels),
  // Refused (409 naming them) while rules still send to the channel, as any resource still in use.
  deleteNotificationChannel: deleteHandler(channels, [], async (ctx, row) => {
    const using = await ctx
      .db(rules.table)
      .whereRaw('channel_ids @> ?::jsonb', [JSON.stringify([row.id])])
      .orderBy('seq')
      .limit(10)
      .select('id');
    if (using.length)
      throw problems.inUse(
        'notification_channel',
        row.id,
        using.map((r: { id: string }) => ({ kind: 'alert_rule', id: r.id })),
      );
  }),
  updateNotificationChannel: patchHandler(channels, async (_ctx, row, changes) => {
    checkChannel({ ...row, ...changes });
  }),
  async createNotificationChannel(ctx) {
    const values = withDefaults(channels.meta, ctx.body);
    checkChannel(values);
    const row = await channels.insert(ctx.db, { ...values, owner: ctx.principal.userId });
    ctx.audit = { resource_type: 'notification_channel', resource_id: row.id };
    return {
      status: 201,
      body: channels.present(row),
      headers: { Location: channels.location(row.id), ETag: `"r${row.rev}"` },
    };
  },
  async listChannelDeliveries(ctx) {
    const ch = await channels.get(ctx.db, ctx.principal, ctx.params.id);
    const q = ctx.db(DELIVERIES).where({ channel_id: ch.id }).select('*');
    if (ctx.query.status) q.where({ status: ctx.query.status });
    const { rows, next_cursor } = await page<any>(q, ctx.query.limit, ctx.query.cursor);
    return { status: 200, body: { items: rows.map(presentDelivery), next_cursor } };
  },
});

export const notificationChannelKind = defineKind('notification_channel', { handlers: channelHandlers });
