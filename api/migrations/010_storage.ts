// Object storage: buckets (a resource kind), what they hold (object versions, unfinished multipart uploads and
// their parts) and each bucket's usage. Object bytes are files under the object dir; a row is written only after
// its file is durable, so a row never names missing bytes (files without rows are swept).
import type { Knex } from 'knex';
import { createResourceTable } from './lib/resource-table.js';
import { dropChangeEvents } from './lib/change-events.js';

export async function up(knex: Knex): Promise<void> {
  await createResourceTable(knex, 'buckets', ['bucket', '', 'owner'], (t) => {
    t.text('region').notNullable();
    t.bigInteger('size_gb').notNullable().comment('the quota, in GiB, over every stored byte');
    t.boolean('encryption_enabled').notNullable();
    t.text('kms_key_id').comment("the key wrapping new objects' data keys; null: the owner's platform-managed key");
    t.boolean('versioning_enabled').notNullable();
    t.text('versioning_status').notNullable().comment('Unversioned | Enabled | Suspended (never back to Unversioned)');
    t.boolean('force_destroy').notNullable().defaultTo(false);
    t.jsonb('metadata').notNullable().defaultTo('{}');
    t.unique(['name'], { indexName: 'buckets_name' }); // S3 names are global: one bucket per name, whoever owns it
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  // Usage lives beside the bucket, not in it: every object write changes it, and a bucket's own row (its rev, its
  // change events) changes only when the bucket itself does.
  await knex.schema.createTable('bucket_usage', (t) => {
    t.text('bucket_id').primary().references('id').inTable('buckets').onDelete('CASCADE');
    t.bigInteger('used_bytes').notNullable().defaultTo(0).comment('every version, and unfinished parts');
    t.bigInteger('object_count').notNullable().defaultTo(0).comment('object versions, delete markers excluded');
  });
  await knex.raw(`comment on table bucket_usage is 'stored bytes and versions per bucket, checked against its quota'`);
  await knex.schema.createTable('objects', (t) => {
    t.bigIncrements('seq').primary().comment('write order: a key with versions lists newest (highest) first');
    t.text('bucket_id').notNullable().references('id').inTable('buckets').onDelete('CASCADE');
    t.specificType('key', 'text collate "C"').notNullable().comment('byte order, as S3 lists keys');
    t.text('version_id').notNullable().comment("'null' for a version written while versioning was off or suspended");
    t.boolean('is_latest').notNullable();
    t.boolean('delete_marker').notNullable().defaultTo(false);
    t.bigInteger('size').notNullable().defaultTo(0);
    t.text('etag').comment('quoted, as S3 sends it');
    t.text('content_type');
    t.timestamp('last_modified', { useTz: true }).notNullable().comment('the platform clock at the write');
    t.jsonb('metadata').notNullable().defaultTo('{}').comment('x-amz-meta-* (names lowercased, without the prefix)');
    t.jsonb('headers')
      .notNullable()
      .defaultTo('{}')
      .comment('Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires as stored');
    t.jsonb('checksums').notNullable().defaultTo('{}').comment('{CRC32|CRC32C|SHA1|SHA256: base64}');
    t.text('checksum_type').comment('FULL_OBJECT or COMPOSITE (a multipart upload)');
    t.jsonb('tags').notNullable().defaultTo('{}');
    t.text('storage_class').notNullable().defaultTo('STANDARD');
    t.jsonb('segments')
      .notNullable()
      .defaultTo('[]')
      .comment('the bytes: [{file, size, iv?}] in order (one per part of a multipart upload)');
    t.jsonb('encryption').comment('null (plaintext) or {kms_key_id, data_key: the KMS ciphertext blob, base64}');
    t.text('owner').notNullable().comment("the bucket owner's id");
    t.unique(['bucket_id', 'key', 'version_id'], { indexName: 'objects_version' });
  });
  await knex.raw(`create unique index objects_latest on objects (bucket_id, key) where is_latest`);
  await knex.raw(`create index objects_versions on objects (bucket_id, key, seq desc)`);
  await knex.raw(`create index objects_files on objects using gin (segments jsonb_path_ops)`);
  await knex.raw(`comment on table objects is 'object versions and delete markers'`);
  await knex.schema.createTable('multipart_uploads', (t) => {
    t.text('upload_id').primary();
    t.text('bucket_id').notNullable().references('id').inTable('buckets').onDelete('CASCADE');
    t.specificType('key', 'text collate "C"').notNullable();
    t.timestamp('initiated', { useTz: true }).notNullable();
    t.text('owner').notNullable();
    t.text('content_type');
    t.jsonb('metadata').notNullable().defaultTo('{}');
    t.jsonb('headers').notNullable().defaultTo('{}');
    t.jsonb('tags').notNullable().defaultTo('{}');
    t.text('checksum_algorithm').comment('named at create, or null: parts may still carry checksums');
    t.text('checksum_type');
    t.jsonb('encryption').comment("as objects.encryption: the upload's parts share one data key, each its own IVs");
    t.index(['bucket_id', 'key', 'initiated']);
  });
  await knex.schema.createTable('multipart_parts', (t) => {
    t.text('upload_id').notNullable().references('upload_id').inTable('multipart_uploads').onDelete('CASCADE');
    t.integer('part_number').notNullable();
    t.bigInteger('size').notNullable();
    t.text('etag').notNullable();
    t.jsonb('checksums').notNullable().defaultTo('{}');
    t.jsonb('segment').notNullable().comment('{file, size, iv?}');
    t.timestamp('last_modified', { useTz: true }).notNullable();
    t.primary(['upload_id', 'part_number']);
  });
  await knex.raw(`create index multipart_parts_files on multipart_parts ((segment->>'file'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('multipart_parts');
  await knex.schema.dropTable('multipart_uploads');
  await knex.schema.dropTable('objects');
  await knex.schema.dropTable('bucket_usage');
  await dropChangeEvents(knex, 'buckets');
  await knex.schema.dropTable('buckets');
}
