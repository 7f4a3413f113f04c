// Terraform's own `s3` backend against the platform's S3 door (the Go SDK, checksums on): the state lives as an
// object REST reads back, `use_lockfile` locks with a `.tflock` object, a second apply meanwhile is refused, and
// workspaces live under env:/.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import { s3Server } from '../../../api/src/storage/s3/server.js';
import { installMirror } from '../../../scripts/provider-install.js';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, ROOT, Workspace } from './workspace.js';

const STATE_KEY = 'prod/terraform.tfstate';
const EXAMPLE = join(ROOT, 'examples/terraform/s3-backend/main.tf');

/** The example's configuration (the README's backend block), pointed at this test app's S3 door. */
function example(endpoint: string): string {
  const text = readFileSync(EXAMPLE, 'utf8');
  for (const part of ['bucket    = "tfstate"', `key       = "${STATE_KEY}"`, 'http://127.0.0.1:8000/s3'])
    expect(text, 'the example the test runs').to.contain(part);
  return text.replace('http://127.0.0.1:8000/s3', endpoint);
}

describe('terraform: the s3 backend on the platform', function () {
  this.timeout(300_000);
  let app: TestApp;
  let user: { id: string; token: string };
  let aws: Record<string, string>;
  // A backend needs `terraform init`, which installs the provider: from a filesystem mirror, as users do.
  const mirror = mkdtempSync(join(tmpdir(), 'atonix-backend-mirror-'));
  before(async () => {
    await prepareProvider();
    app = await startApp();
    user = await newUser(app, 'ci');
    const key = await app.as(user.token).post(`/api/security/users/${user.id}/access-keys`).send({}).expect(201);
    // The backend's credentials, as CI would pass them; nothing of the machine's own AWS setup may leak in.
    aws = {
      AWS_ACCESS_KEY_ID: key.body.access_key_id,
      AWS_SECRET_ACCESS_KEY: key.body.secret_access_key,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    await app.as(user.token).post('/api/storage/buckets').send({ name: 'tfstate' }).expect(201);
  });
  after(async () => {
    await app.close();
    rmSync(mirror, { recursive: true, force: true });
  });

  const object = (key: string) =>
    app
      .as(user.token)
      .get(`/api/storage/buckets/tfstate?key=${encodeURIComponent(key)}`)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => done(null, text));
      });

  it('keeps the state in a bucket, locks it with a .tflock object, and refuses a second apply meanwhile', async () => {
    const ws = new Workspace(app.url, user.token, installMirror(mirror).cliConfig);
    try {
      ws.write(example(`${app.url}/s3`), 'example.tf');
      expect(await ws.must(['init', '-no-color'], 0, aws)).to.contain('Successfully configured the backend "s3"');
      await ws.must(['apply', '-auto-approve', '-no-color'], 0, aws);
      const stored = await object(STATE_KEY).expect(200);
      const state = JSON.parse(stored.body);
      expect(state.resources.map((r: any) => `${r.type}.${r.name}`)).to.deep.equal(['atonix_bucket.assets']);
      await ws.must(['plan', '-detailed-exitcode', '-no-color'], 0, aws);

      // The first apply holds the lock while it waits for its "yes"; the second is refused at once.
      ws.write('resource "atonix_bucket" "more" {\n  name = "acme-more"\n}\n', 'more.tf');
      const first = ws.start(['apply', '-no-color'], aws);
      await first.output('Enter a value:');
      const lock = JSON.parse((await object(`${STATE_KEY}.tflock`).expect(200)).body);
      expect(lock).to.include({ Operation: 'OperationTypeApply', Path: `tfstate/${STATE_KEY}` });
      const second = await ws.run(['apply', '-auto-approve', '-no-color', '-lock-timeout=0s'], aws);
      expect(second.code, second.out).to.equal(1);
      expect(second.out).to.contain('Error acquiring the state lock');
      expect(second.out).to.contain(lock.ID);

      first.answer('yes');
      const applied = await first.done;
      expect(applied.code, applied.out).to.equal(0);
      expect(applied.out).to.contain('1 added, 0 changed, 0 destroyed');
      await object(`${STATE_KEY}.tflock`).expect(404);
      const after = JSON.parse((await object(STATE_KEY).expect(200)).body);
      expect(after.serial).to.be.greaterThan(state.serial);
      expect(after.resources).to.have.length(2);

      // Workspaces are objects under env:/ (found by listing the bucket), each with its own state and lock.
      await ws.must(['workspace', 'new', '-no-color', 'staging'], 0, aws);
      await object(`env:/staging/${STATE_KEY}`).expect(200);
      expect(await ws.must(['workspace', 'list', '-no-color'], 0, aws)).to.match(/default\n\* staging/);
      await ws.must(['workspace', 'select', '-no-color', 'default'], 0, aws);
      await ws.must(['workspace', 'delete', '-no-color', 'staging'], 0, aws);
      await object(`env:/staging/${STATE_KEY}`).expect(404);

      await ws.must(['destroy', '-auto-approve', '-no-color'], 0, aws);
      expect(JSON.parse((await object(STATE_KEY).expect(200)).body).resources).to.deep.equal([]);
      await object(`${STATE_KEY}.tflock`).expect(404);
    } finally {
      ws.remove();
    }
  });
  it('works the same at the root of the S3 port (ATONIX_S3_PORT), for tools that take only a host and a port', async () => {
    // What main.ts starts when ATONIX_S3_PORT is set: the door alone on a port of its own.
    const s3 = s3Server(app.platform);
    await new Promise<void>((ok) => s3.listen(0, '127.0.0.1', ok));
    const ws = new Workspace(app.url, user.token, installMirror(mirror).cliConfig);
    try {
      ws.write(example(`http://127.0.0.1:${(s3.address() as AddressInfo).port}`), 'example.tf');
      await ws.must(['init', '-no-color'], 0, aws);
      await ws.must(['apply', '-auto-approve', '-no-color'], 0, aws);
      const state = JSON.parse((await object(STATE_KEY).expect(200)).body);
      expect(state.resources.map((r: any) => `${r.type}.${r.name}`)).to.deep.equal(['atonix_bucket.assets']);
      await ws.must(['destroy', '-auto-approve', '-no-color'], 0, aws);
      await object(`${STATE_KEY}.tflock`).expect(404);
    } finally {
      ws.remove();
      s3.closeAllConnections();
      await new Promise((ok) => s3.close(ok));
    }
  });
});
