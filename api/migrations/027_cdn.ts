// CDN (issue 20): cache policies (managed ones have no owner), distributions with their aliases (one table so a host
// name belongs to one distribution at most, enforced by its primary key), invalidations, and the edges' bookkeeping:
// which edges are alive and which invalidations each has applied (an invalidation completes when all live ones did).
import type { Knex } from 'knex';
import { addChangeEvents, dropChangeEvents } from './lib/change-events.js';
import { createResourceTable } from './lib/resource-table.js';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cdn_cache_policies', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('monotonic order for keyset pagination, newest first');
    t.text('id').primary().comment('public id with a kind prefix');
    t.text('name').notNullable();
    t.text('owner').references('id').inTable('users').comment('owning user; null for a managed policy (read by all)');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('rev').notNullable().defaultTo(1).comment('bumped on every write; the ETag');
    t.text('type').notNullable().comment('managed | custom');
    t.text('comment').notNullable().defaultTo('');
    t.integer('min_ttl').notNullable();
    t.integer('default_ttl').notNullable();
    t.integer('max_ttl').notNullable();
    t.jsonb('query_strings').notNullable().comment('{behavior: none|all|allow|deny, names: [...]}');
    t.jsonb('headers').notNullable().comment('{behavior: none|allow, names: [...]}');
    t.jsonb('cookies').notNullable().comment('{behavior: none|all|allow|deny, names: [...]}');
    t.boolean('enable_gzip').notNullable();
    t.boolean('enable_brotli').notNullable();
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  // A name is unique among one owner's policies; managed names (owner null) are checked by the service.
  await knex.raw("create unique index cdn_cache_policies_owner_name on cdn_cache_policies (coalesce(owner, ''), name)");
  await knex.raw(`comment on table cdn_cache_policies is 'resource kind cdn_cache_policy'`);
  await addChangeEvents(knex, 'cdn_cache_policies', ['cdn_cache_policy', '', 'owner']);

  await createResourceTable(knex, 'cdn_distributions', ['cdn_distribution', 'status', 'owner'], (t) => {
    t.text('comment').notNullable().defaultTo('');
    t.boolean('enabled').notNullable();
    t.jsonb('aliases').notNullable().defaultTo('[]').comment('host names; each also a row of cdn_aliases');
    t.text('default_root_object').notNullable().defaultTo('');
    t.text('price_class').notNullable().comment('PriceClass_100 | PriceClass_200 | PriceClass_All');
    t.jsonb('origins').notNullable().comment('[{id, bucket_id | url, origin_path, custom_headers, timeouts}]');
    t.jsonb('origin_groups').notNullable().defaultTo('[]');
    t.jsonb('default_cache_behavior').notNullable();
    t.jsonb('ordered_cache_behaviors').notNullable().defaultTo('[]');
    t.jsonb('custom_error_responses').notNullable().defaultTo('[]');
    t.jsonb('geo_restriction').notNullable();
    t.jsonb('geo_origin_routes').notNullable().defaultTo('[]');
    t.text('status').notNullable().comment('in_progress -> deployed (a job, after each create and change)');
    t.text('domain_name').notNullable().comment('<id>.<ATONIX_CDN_DOMAIN>');
    t.jsonb('edge_locations').notNullable().comment("the price class's edge locations");
    t.integer('config_version').notNullable().defaultTo(1).comment('bumped by every change the edge must apply');
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.schema.createTable('cdn_aliases', (t) => {
    t.text('alias').primary().comment('a host name, lowercase: one distribution at most answers it');
    t.text('distribution_id').notNullable().references('id').inTable('cdn_distributions').onDelete('CASCADE');
    t.index(['distribution_id']);
  });
  await knex.raw(`comment on table cdn_aliases is 'host names of CDN distributions (unique across all)'`);

  await knex.schema.createTable('cdn_invalidations', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('monotonic order for keyset pagination, newest first');
    t.text('id').primary().comment('public id with a kind prefix');
    t.text('owner').notNullable().references('id').inTable('users').comment('owning user; tenancy boundary');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('rev').notNullable().defaultTo(1).comment('bumped on every write; the ETag');
    t.text('distribution_id').notNullable().references('id').inTable('cdn_distributions').onDelete('CASCADE');
    t.jsonb('paths').notNullable().comment('paths starting with /, * only last');
    t.text('caller_reference').notNullable().comment('idempotency per distribution, as CloudFront');
    t.text('status').notNullable().comment('in_progress -> completed once every live edge acknowledged it');
    t.unique(['distribution_id', 'caller_reference']);
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.raw(`comment on table cdn_invalidations is 'resource kind cdn_invalidation'`);
  await addChangeEvents(knex, 'cdn_invalidations', ['cdn_invalidation', 'status', 'owner']);

  await knex.schema.createTable('cdn_edges', (t) => {
    t.text('id').primary().comment('one edge (a process serving distributions)');
    t.timestamp('heartbeat_at', { useTz: true }).notNullable().comment('platform clock; stale edges are not waited on');
  });
  await knex.raw(`comment on table cdn_edges is 'live CDN edges, by heartbeat'`);
  await knex.schema.createTable('cdn_invalidation_acks', (t) => {
    t.text('invalidation_id').notNullable().references('id').inTable('cdn_invalidations').onDelete('CASCADE');
    t.text('edge_id').notNullable().comment('the edge that dropped the paths');
    t.timestamp('acked_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['invalidation_id', 'edge_id']);
  });
  await knex.raw(`comment on table cdn_invalidation_acks is 'which edge has applied which invalidation'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('cdn_invalidation_acks');
  await knex.schema.dropTable('cdn_edges');
  await dropChangeEvents(knex, 'cdn_invalidations');
  await knex.schema.dropTable('cdn_invalidations');
  await knex.schema.dropTable('cdn_aliases');
  await dropChangeEvents(knex, 'cdn_distributions');
  await knex.schema.dropTable('cdn_distributions');
  await dropChangeEvents(knex, 'cdn_cache_policies');
  await knex.schema.dropTable('cdn_cache_policies');
}
