// Anomaly detection (issue 21 items 2 and 4): subscriptions, the engine's per-series state (baseline, watermark),
// the anomalous points found and the episodes they are grouped into. The engine claims a subscription under FOR
// UPDATE SKIP LOCKED and writes its points, episodes and deliveries in that transaction, so a restart resumes from
// the rows and two processes never score (or deliver) the same points twice.
import type { Knex } from 'knex';
import { dropChangeEvents } from './lib/change-events.js';
import { createResourceTable } from './lib/resource-table.js';

export async function up(knex: Knex): Promise<void> {
  await createResourceTable(knex, 'ai_anomaly_subscriptions', ['anomaly_subscription', 'status', 'owner'], (t) => {
    t.text('description').notNullable().defaultTo('');
    t.text('selector').notNullable().comment('PromQL series selector, as written');
    t.text('mode').notNullable().defaultTo('series').comment('series | resource');
    t.text('sensitivity').notNullable().defaultTo('medium').comment('low | medium | high: the base threshold');
    t.text('min_duration')
      .notNullable()
      .defaultTo('5m')
      .comment('Prometheus duration an episode lasts to be delivered');
    t.text('step').notNullable().defaultTo('1m').comment('Prometheus duration: the baseline and feature resolution');
    t.jsonb('channel').notNullable().comment('{type: webhook, notification_channel_id} | {type: websocket}');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.double('threshold').notNullable().comment('the current threshold: the base one tuned by false positives');
    t.text('status').notNullable().defaultTo('learning').comment('learning | active');
    t.text('status_reason').comment('while learning: how much history is still needed');
    t.integer('false_positives').notNullable().defaultTo(0);
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.schema.createTable('ai_anomaly_series', (t) => {
    t.text('subscription_id').notNullable().references('id').inTable('ai_anomaly_subscriptions').onDelete('CASCADE');
    t.text('series_key').notNullable().comment('the series labels as canonical JSON (resource mode: the resource id)');
    t.jsonb('labels').notNullable();
    t.bigInteger('last_t').comment('ms of the newest point scored (or taken as history); null before any');
    t.jsonb('model').comment('the fitted Baseline (series mode) or IsolationForest (resource mode), as JSON');
    t.timestamp('fitted_at', { useTz: true }).comment('platform time of the fit; refitted daily');
    t.integer('history_points').notNullable().defaultTo(0).comment('points of history at the last fit attempt');
    t.integer('needed_points').notNullable().defaultTo(0).comment('points a fit needs (while learning)');
    t.primary(['subscription_id', 'series_key']);
  });
  await knex.raw(`comment on table ai_anomaly_series is 'the anomaly engine state of one series of a subscription'`);
  await knex.schema.createTable('ai_anomaly_episodes', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('keyset order');
    t.text('id').primary();
    t.text('subscription_id').notNullable().references('id').inTable('ai_anomaly_subscriptions').onDelete('CASCADE');
    t.text('owner').notNullable().comment('the subscription owner (tenancy of the lists)');
    t.text('series_key').notNullable();
    t.jsonb('labels').notNullable();
    t.text('status').notNullable().comment('open | closed');
    t.timestamp('start_at', { useTz: true }).notNullable().comment('the first anomalous point');
    t.timestamp('end_at', { useTz: true }).notNullable().comment('the last anomalous point');
    t.integer('points').notNullable();
    t.double('peak_score').notNullable();
    t.timestamp('peak_at', { useTz: true }).notNullable();
    t.double('observed').notNullable().comment('the value at the peak');
    t.double('expected').comment('the expected value at the peak (null in resource mode)');
    t.double('low');
    t.double('high');
    t.jsonb('drivers').notNullable().defaultTo('[]').comment('[{labels, value, expected, score}], most deviant first');
    t.timestamp('delivered_at', { useTz: true }).comment('set once, when it reached min_duration and was delivered');
    t.text('delivery_id').comment('the alert_deliveries row of a webhook channel');
    t.boolean('false_positive').notNullable().defaultTo(false);
    t.timestamp('false_positive_at', { useTz: true });
    t.index(['owner', 'seq']);
    t.index(['subscription_id', 'seq']);
  });
  await knex.raw(
    `create unique index ai_anomaly_episodes_open on ai_anomaly_episodes (subscription_id, series_key) where status = 'open'`,
  );
  await knex.raw(`comment on table ai_anomaly_episodes is 'anomalous points of one series grouped in time'`);
  await knex.schema.createTable('ai_anomalies', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('keyset order');
    t.text('id').primary();
    t.text('subscription_id').notNullable().references('id').inTable('ai_anomaly_subscriptions').onDelete('CASCADE');
    t.text('episode_id').notNullable().references('id').inTable('ai_anomaly_episodes').onDelete('CASCADE');
    t.text('owner').notNullable();
    t.text('metric').notNullable();
    t.text('resource_id');
    t.jsonb('labels').notNullable();
    t.timestamp('at', { useTz: true }).notNullable().comment("the point's time");
    t.double('value').notNullable();
    t.double('expected');
    t.double('low');
    t.double('high');
    t.double('score').notNullable();
    t.double('threshold').notNullable();
    t.index(['owner', 'seq']);
    t.index(['subscription_id', 'seq']);
    t.index(['episode_id']);
  });
  await knex.raw(`comment on table ai_anomalies is 'one anomalous point, with its score and expected range'`);
  await knex.schema.alterTable('alert_deliveries', (t) => {
    t.text('anomaly_episode_id')
      .references('id')
      .inTable('ai_anomaly_episodes')
      .onDelete('SET NULL')
      .comment('the anomaly episode this delivery carries (null for alert notifications)');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('alert_deliveries', (t) => t.dropColumn('anomaly_episode_id'));
  await knex.schema.dropTable('ai_anomalies');
  await knex.schema.dropTable('ai_anomaly_episodes');
  await knex.schema.dropTable('ai_anomaly_series');
  await dropChangeEvents(knex, 'ai_anomaly_subscriptions');
  await knex.schema.dropTable('ai_anomaly_subscriptions');
}
