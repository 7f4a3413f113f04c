// Alerts (issue 19 item 4): alert rules (each holding its live per-series alerts), notification channels, silences,
// the history of every alert's transitions, and the webhook deliveries with their attempts. A rule is claimed for
// evaluation under FOR UPDATE SKIP LOCKED with next_evaluation_at moved in the same transaction, so each due
// evaluation happens once across processes; deliveries are rows retried on the clock, so they survive a restart.
import type { Knex } from 'knex';
import { dropChangeEvents } from './lib/change-events.js';
import { createResourceTable } from './lib/resource-table.js';

export async function up(knex: Knex): Promise<void> {
  await createResourceTable(knex, 'alert_rules', ['alert_rule', 'state', 'owner'], (t) => {
    t.text('description').notNullable().defaultTo('');
    t.text('expr').comment('PromQL as written (null when the rule is a metric and threshold)');
    t.text('metric').comment('the metric of a threshold rule');
    t.jsonb('metric_labels').notNullable().defaultTo('{}').comment('equality matchers of a threshold rule');
    t.text('statistic').notNullable().defaultTo('avg').comment('avg|min|max|sum|count|p50|p95|p99 over window');
    t.text('comparison').notNullable().defaultTo('>');
    t.double('threshold').notNullable().defaultTo(0);
    t.text('window').notNullable().defaultTo('5m').comment('Prometheus duration');
    t.text('for').notNullable().defaultTo('0s').comment('Prometheus duration an alert is pending before it fires');
    t.text('interval').notNullable().defaultTo('1m').comment('Prometheus duration between evaluations');
    t.jsonb('labels').notNullable().defaultTo('{}');
    t.jsonb('annotations').notNullable().defaultTo('{}');
    t.jsonb('channel_ids').notNullable().defaultTo('[]');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.text('query').notNullable().comment('the PromQL evaluated: expr, or made from the threshold fields');
    t.text('state').notNullable().defaultTo('inactive').comment('inactive | pending | firing (the worst alert)');
    t.jsonb('alerts')
      .notNullable()
      .defaultTo('[]')
      .comment('live alerts: [{fingerprint, labels, annotations, state, value, active_at, fired_at, silenced_by}]');
    t.timestamp('last_evaluated_at', { useTz: true });
    t.timestamp('next_evaluation_at', { useTz: true }).comment('null while disabled; what the evaluator claims on');
    t.text('last_error');
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.raw(
    'create index alert_rules_due on alert_rules (next_evaluation_at) where next_evaluation_at is not null',
  );
  await createResourceTable(knex, 'notification_channels', ['notification_channel', '', 'owner'], (t) => {
    t.text('description').notNullable().defaultTo('');
    t.text('type').notNullable().comment('webhook | websocket');
    t.text('url');
    t.text('secret').comment('HMAC-SHA256 key of the webhook signature; never answered');
    t.jsonb('headers').notNullable().defaultTo('{}');
    t.boolean('send_resolved').notNullable().defaultTo(true);
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await createResourceTable(knex, 'silences', ['silence', '', 'owner'], (t) => {
    t.jsonb('matchers').notNullable().comment('[{name, op, value}], all must match');
    t.timestamp('starts_at', { useTz: true }).notNullable();
    t.timestamp('ends_at', { useTz: true }).notNullable();
    t.text('comment').notNullable().defaultTo('');
    t.index(['owner', 'seq']);
    t.index(['seq']);
    t.index(['owner', 'ends_at']);
  });
  await knex.schema.createTable('alert_history', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('keyset order');
    t.text('id').primary();
    t.text('rule_id').notNullable().references('id').inTable('alert_rules').onDelete('CASCADE');
    t.timestamp('at', { useTz: true }).notNullable().comment('the evaluation time');
    t.text('fingerprint').notNullable();
    t.jsonb('labels').notNullable();
    t.text('from_state').notNullable();
    t.text('to_state').notNullable().comment('pending | firing | resolved | inactive (pending that never fired)');
    t.double('value');
    t.boolean('silenced').notNullable().defaultTo(false);
    t.index(['rule_id', 'seq']);
  });
  await knex.raw(`comment on table alert_history is 'every state transition of every alert of a rule'`);
  await knex.schema.createTable('alert_deliveries', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('keyset order');
    t.text('id').primary();
    t.text('channel_id').notNullable().references('id').inTable('notification_channels').onDelete('CASCADE');
    t.text('rule_id').references('id').inTable('alert_rules').onDelete('SET NULL');
    t.text('status').notNullable().comment('pending | sending | retrying | delivered | failed');
    t.text('alert_status').notNullable().comment('firing | resolved');
    t.jsonb('payload').notNullable().comment('the Alertmanager v4 webhook body, sent byte for byte on every attempt');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).comment('due time of the next attempt (pending or retrying)');
    t.timestamp('lease_until', { useTz: true }).comment('a sending row past this was left by a dead process');
    t.integer('last_status_code');
    t.text('last_error');
    t.jsonb('log').notNullable().defaultTo('[]').comment('[{attempt, at, status_code, error, duration_ms}]');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('delivered_at', { useTz: true });
    t.index(['channel_id', 'seq']);
  });
  await knex.raw(`comment on table alert_deliveries is 'one webhook notification and its attempts'`);
  await knex.raw(
    `create index alert_deliveries_due on alert_deliveries (next_attempt_at) where status in ('pending', 'retrying')`,
  );
  await knex.raw(`create index alert_deliveries_leased on alert_deliveries (lease_until) where status = 'sending'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('alert_deliveries');
  await knex.schema.dropTable('alert_history');
  for (const t of ['silences', 'notification_channels', 'alert_rules']) {
    await dropChangeEvents(knex, t);
    await knex.schema.dropTable(t);
  }
}
