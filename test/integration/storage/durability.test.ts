// Object bytes survive a kill -9 mid-upload as nothing at all: no row, no partial object, no quota charged, the
// old version intact; the upload's temp file is swept once platform time passes ORPHAN_AGE_MS.
import { request } from 'node:http';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { createDb } from '../../../api/src/platform/db/knex.js';
import { ORPHAN_AGE_MS } from '../../../api/src/storage/engine.js';
import { eventually } from '../../support/app.js';
import { freshDatabase } from '../../support/postgres.js';
import { api, startApiProcess, type ApiProcess } from '../../support/process.js';
import { heldBody, tempFiles } from '../../support/uploads.js';

const MIB = 1024 * 1024;
const TOTAL = 300 * MIB;
/** What the client sends before it holds the rest back; the server must have written most of it to disk. */
const FIRST = 64 * MIB;

async function as(url: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

/** A REST upload of a held body; settles with its status, or the error a killed server leaves. */
function restUpload(url: string, token: string, bucket: string, key: string, body: NodeJS.ReadableStream) {
  const req = request(`${url}/api/storage/buckets/${bucket}?key=${encodeURIComponent(key)}`, {
    method: 'PUT',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(TOTAL),
    },
  });
  const answered = new Promise<number>((ok) => req.on('response', (res) => ok(res.statusCode!)));
  return Promise.race([answered, pipeline(body, req).then(() => answered)]).catch((e: Error) => e);
}

describe('storage: durability across kill -9', function () {
  this.timeout(180_000);
  const procs: ApiProcess[] = [];
  const objectDir = mkdtempSync(join(tmpdir(), 'atonix-durable-objects-'));
  after(async () => {
    for (const p of procs.splice(0)) await p.stop('SIGKILL');
    rmSync(objectDir, { recursive: true, force: true });
  });

  it('a 300 MiB upload cut by kill -9 leaves no row, no partial object, no charge, and its temp file is swept', async () => {
    const databaseUrl = await freshDatabase();
    const env = { ATONIX_CLOCK: 'manual', ATONIX_OBJECT_DIR: objectDir };
    const first = await startApiProcess(databaseUrl, env);
    procs.push(first);

    const user = (await api(first.url, 'POST', '/api/security/users', { name: 'durable' })).body;
    const token = (await api(first.url, 'POST', `/api/security/users/${user.id}/tokens`, { name: 't' })).body.token;
    const key = (await as(first.url, token, 'POST', `/api/security/users/${user.id}/access-keys`, {})).json();
    const bucket = (await as(first.url, token, 'POST', '/api/storage/buckets', { name: 'durable', size_gb: 5 })).json();
    const old = Buffer.from('the version before the crash\n');
    const put = await fetch(`${first.url}/api/storage/buckets/${bucket.id}?key=kept`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' },
      body: old,
    });
    expect(put.status).to.equal(200);
    const usage = async (url: string) => {
      const b = (await as(url, token, 'GET', `/api/storage/buckets/${bucket.id}`)).json();
      return { used_bytes: b.used_bytes, object_count: b.object_count };
    };
    const before = await usage(first.url);
    expect(before).to.deep.equal({ used_bytes: old.length, object_count: 1 });

    // Two uploads held mid-body: over REST to a new key, over S3 (aws-chunked stream) on top of the old version.
    const rest = heldBody(TOTAL, FIRST);
    const s3body = heldBody(TOTAL, FIRST);
    const s3 = new S3Client({
      endpoint: `${first.url}/s3`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: key.access_key_id, secretAccessKey: key.secret_access_key },
      maxAttempts: 1,
      // The SDK warns that a cut-off stream cannot be retried: that cut-off is this test's point.
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const uploads = [
      restUpload(first.url, token, bucket.id, 'fresh', rest.body),
      s3
        .send(new PutObjectCommand({ Bucket: 'durable', Key: 'kept', Body: s3body.body, ContentLength: TOTAL }))
        .catch((e: Error) => e),
    ];
    await eventually(
      async () => {
        const t = tempFiles(objectDir);
        return t.length === 2 && t.every((f) => f.size >= FIRST / 2) && t;
      },
      'both uploads to be well into their temp files',
      60_000,
    );
    await first.stop('SIGKILL');
    rest.release();
    s3body.release();
    for (const outcome of await Promise.all(uploads)) expect(outcome).to.be.instanceOf(Error);
    const left = tempFiles(objectDir);
    expect(left, 'kill -9 leaves the temp files behind').to.have.length(2);

    const second = await startApiProcess(databaseUrl, env);
    procs.push(second);
    const db = createDb(databaseUrl, 1);
    try {
      const rows = await db('objects').where({ bucket_id: bucket.id }).select('key', 'size');
      expect(rows.map((r) => [r.key, Number(r.size)])).to.deep.equal([['kept', old.length]]);
    } finally {
      await db.destroy();
    }
    const fresh = await fetch(`${second.url}/api/storage/buckets/${bucket.id}?key=fresh`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(fresh.status).to.equal(404);
    const kept = await fetch(`${second.url}/api/storage/buckets/${bucket.id}?key=kept`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(kept.status).to.equal(200);
    expect(Buffer.from(await kept.arrayBuffer()).equals(old)).to.equal(true);
    expect(await usage(second.url)).to.deep.equal(before);

    // Platform time, not the file's age on the wall clock, decides: past ORPHAN_AGE_MS the sweep removes them.
    const advanced = await api(second.url, 'POST', '/api/admin/clock', { advance_seconds: ORPHAN_AGE_MS / 1000 + 60 });
    expect(advanced.status).to.equal(200);
    await eventually(async () => tempFiles(objectDir).length === 0, 'the temp files to be swept');
    // The old version's file is referenced, so the sweep kept it.
    const dataFiles = readdirSync(join(objectDir, 'data'), { recursive: true, withFileTypes: true });
    expect(dataFiles.filter((d) => d.isFile())).to.have.length(1);
    const still = await fetch(`${second.url}/api/storage/buckets/${bucket.id}?key=kept`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(Buffer.from(await still.arrayBuffer()).equals(old)).to.equal(true);
  });
});
