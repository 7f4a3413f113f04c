// The AWS CLI v2 against the S3 door, path style under /s3: mb, cp (single and multipart), ls, sync, rm, rb, and
// the versioning calls of s3api.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { awsCli, awsCliMissing, type AwsCli } from '../../support/awscli.js';
import { s3As } from '../../support/s3.js';

const MIB = 1024 * 1024;

/** Lines of a transfer command's output that report a file moved (progress lines end in \r, not \n). */
const transfers = (out: string) => out.split(/[\r\n]+/).filter((l) => /^(upload|download|copy|delete):/.test(l));

describe('S3 door: the AWS CLI v2', function () {
  this.timeout(120_000);
  let app: TestApp;
  let aws: AwsCli;
  const work = mkdtempSync(join(tmpdir(), 'atonix-awscli-files-'));

  before(async function () {
    const missing = awsCliMissing();
    if (missing) {
      console.warn(`      skipped: ${missing}`);
      return this.skip();
    }
    app = await startApp();
    const user = await s3As(app, await newUser(app, 'cli-user'));
    aws = awsCli(`${app.url}/s3`, user);
  });
  after(async () => {
    aws?.remove();
    rmSync(work, { recursive: true, force: true });
    await app?.close();
  });

  it('makes a bucket, copies a small and a 20 MiB (multipart) file up and down, lists, removes and deletes it', async () => {
    const small = join(work, 'small.txt');
    const big = join(work, 'big.bin');
    writeFileSync(small, 'hello from the aws cli\n');
    writeFileSync(big, randomBytes(20 * MIB));

    expect((await aws.run('s3', 'mb', 's3://cli-bucket')).stdout).to.contain('make_bucket: cli-bucket');
    await aws.run('s3', 'cp', small, 's3://cli-bucket/small.txt');
    await aws.run('s3', 'cp', big, 's3://cli-bucket/dir/big.bin');

    // 8 MiB parts: 8 + 8 + 4, so the ETag is the multipart form with three parts.
    const head = await aws.json('s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'dir/big.bin');
    expect(head.ContentLength).to.equal(20 * MIB);
    expect(head.ETag).to.match(/^"[0-9a-f]{32}-3"$/);

    const top = (await aws.run('s3', 'ls', 's3://cli-bucket/')).stdout;
    expect(top).to.match(/PRE dir\//);
    expect(top).to.match(/\s23 small\.txt/);
    const all = (await aws.run('s3', 'ls', '--recursive', 's3://cli-bucket')).stdout;
    expect(all).to.match(/20971520 dir\/big\.bin/);
    expect((await aws.run('s3', 'ls')).stdout).to.contain('cli-bucket');

    const down = join(work, 'down');
    await aws.run('s3', 'cp', 's3://cli-bucket/dir/big.bin', join(down, 'big.bin'));
    await aws.run('s3', 'cp', 's3://cli-bucket/small.txt', join(down, 'small.txt'));
    expect(readFileSync(join(down, 'big.bin')).equals(readFileSync(big))).to.equal(true);
    expect(readFileSync(join(down, 'small.txt'), 'utf8')).to.equal('hello from the aws cli\n');

    const rm = await aws.run('s3', 'rm', '--recursive', 's3://cli-bucket');
    expect(transfers(rm.stdout)).to.have.length(2);
    expect((await aws.run('s3', 'ls', '--recursive', 's3://cli-bucket')).stdout.trim()).to.equal('');
    expect((await aws.run('s3', 'rb', 's3://cli-bucket')).stdout).to.contain('remove_bucket: cli-bucket');
    expect((await aws.run('s3', 'ls')).stdout).to.not.contain('cli-bucket');
  });

  it('syncs a directory tree up (a second sync uploads nothing) and back down byte for byte', async () => {
    const tree = join(work, 'tree');
    const files: Record<string, Buffer> = {
      'a.txt': Buffer.from('a\n'),
      'sub/b.json': Buffer.from('{"b":1}\n'),
      'sub/deeper/c.bin': randomBytes(100_000),
      'sub/deeper/with space.txt': Buffer.from('spaced\n'),
      'z/+plus%.txt': Buffer.from('odd name\n'),
    };
    for (const [name, body] of Object.entries(files)) {
      mkdirSync(join(tree, name, '..'), { recursive: true });
      writeFileSync(join(tree, name), body);
    }
    await aws.run('s3', 'mb', 's3://cli-sync');
    const first = await aws.run('s3', 'sync', tree, 's3://cli-sync/tree');
    expect(transfers(first.stdout)).to.have.length(Object.keys(files).length);
    const again = await aws.run('s3', 'sync', tree, 's3://cli-sync/tree');
    expect(transfers(again.stdout), again.stdout).to.deep.equal([]);

    const back = join(work, 'tree-back');
    await aws.run('s3', 'sync', 's3://cli-sync/tree', back);
    for (const [name, body] of Object.entries(files))
      expect(readFileSync(join(back, name)).equals(body), name).to.equal(true);
    await aws.run('s3', 'rm', '--recursive', 's3://cli-sync');
    await aws.run('s3', 'rb', 's3://cli-sync');
  });

  it("reports S3's error codes as the CLI names them", async () => {
    await aws.run('s3', 'mb', 's3://cli-errors');
    const again = await aws.attempt('s3', 'mb', 's3://cli-errors');
    expect(again.code).to.not.equal(0);
    expect(again.stderr).to.contain('(BucketAlreadyOwnedByYou)');
    const missing = await aws.attempt('s3api', 'get-object', '--bucket', 'cli-errors', '--key', 'nope', '/dev/null');
    expect(missing.stderr).to.contain('(NoSuchKey)');
    const noBucket = await aws.attempt('s3', 'ls', 's3://cli-no-such-bucket');
    expect(noBucket.stderr).to.contain('(NoSuchBucket)');
    writeFileSync(join(work, 'keep.txt'), 'kept\n');
    await aws.run('s3', 'cp', join(work, 'keep.txt'), 's3://cli-errors/keep.txt');
    const notEmpty = await aws.attempt('s3', 'rb', 's3://cli-errors');
    expect(notEmpty.stderr).to.contain('(BucketNotEmpty)');
    expect((await aws.attempt('s3', 'mb', 's3://ab')).stderr).to.contain('(InvalidBucketName)');
  });

  it('turns versioning on and lists two versions and a delete marker of one key', async () => {
    await aws.run('s3', 'mb', 's3://cli-versions');
    expect(await aws.json('s3api', 'get-bucket-versioning', '--bucket', 'cli-versions')).to.deep.equal({});
    await aws.run(
      's3api',
      'put-bucket-versioning',
      '--bucket',
      'cli-versions',
      '--versioning-configuration',
      'Status=Enabled',
    );
    expect(await aws.json('s3api', 'get-bucket-versioning', '--bucket', 'cli-versions')).to.deep.equal({
      Status: 'Enabled',
    });
    const file = join(work, 'v.txt');
    const ids: string[] = [];
    for (const body of ['one\n', 'two\n']) {
      writeFileSync(file, body);
      const put = await aws.json('s3api', 'put-object', '--bucket', 'cli-versions', '--key', 'v.txt', '--body', file);
      ids.push(put.VersionId);
    }
    await aws.run('s3', 'rm', 's3://cli-versions/v.txt');
    const listed = await aws.json('s3api', 'list-object-versions', '--bucket', 'cli-versions');
    expect(listed.Versions.map((v: any) => [v.Key, v.VersionId, v.IsLatest, v.Size])).to.deep.equal([
      ['v.txt', ids[1], false, 4],
      ['v.txt', ids[0], false, 4],
    ]);
    expect(listed.DeleteMarkers).to.have.length(1);
    expect(listed.DeleteMarkers[0]).to.include({ Key: 'v.txt', IsLatest: true });
    // The old version is still readable by id.
    const out = join(work, 'v-old.txt');
    await aws.run('s3api', 'get-object', '--bucket', 'cli-versions', '--key', 'v.txt', '--version-id', ids[0], out);
    expect(readFileSync(out, 'utf8')).to.equal('one\n');
  });
});
