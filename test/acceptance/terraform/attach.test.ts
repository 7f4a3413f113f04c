// The attached provider through the real terraform binary: one `--attach` process serves every command, including
// two workspaces of two users at the same time, with no launch (the workspaces have no way to launch it).
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { attach } from '../../unit/provider/harness/launch.js';
import { prepareProvider, ROOT, Workspace } from './workspace.js';

describe('terraform: the attached provider (TF_REATTACH_PROVIDERS)', function () {
  this.timeout(300_000);
  let app: TestApp;
  let provider: Awaited<ReturnType<typeof attach>>;
  let reattach: string;
  const workspaces: Workspace[] = [];

  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '100' });
    // Only the endpoint comes from the provider's own environment; each workspace brings its user's token.
    provider = await attach({
      executable: join(ROOT, 'provider/bin/terraform-provider-atonix'),
      env: { ATONIX_ENDPOINT: app.url, ATONIX_TOKEN: '', TF_LOG: '' },
    });
    reattach = JSON.stringify(provider.reattach);
  });
  after(async () => {
    for (const w of workspaces) w.remove();
    provider?.child.kill('SIGTERM');
    await app?.close();
  });

  /** A workspace whose CLI configuration installs nothing: terraform can only reach the provider by reattaching. */
  function workspace(token: string): Workspace & { tf(args: string[], code?: number): Promise<string> } {
    const w = new Workspace(app.url, 'not-the-token-used', '/dev/null');
    workspaces.push(w);
    w.write(`provider "atonix" {\n  token = "${token}"\n}\n`, 'provider.tf');
    return Object.assign(w, {
      tf: (args: string[], code = 0) => w.must([...args, '-no-color'], code, { TF_REATTACH_PROVIDERS: reattach }),
    });
  }

  it('applies, re-plans empty and destroys for two users at once, each with their own configuration', async () => {
    const users = await Promise.all(['attach-a', 'attach-b'].map((name) => newUser(app, name)));
    const ws = users.map((u, i) =>
      workspace(u.token).write(`
resource "atonix_vpc" "v" {
  count      = 3
  name       = "attached-${i}-\${count.index}"
  cidr_block = "10.${80 + i}.\${count.index}.0/24"
}
output "ids" { value = atonix_vpc.v[*].id }
`),
    );
    await Promise.all(ws.map((w) => w.tf(['apply', '-auto-approve'])));
    await Promise.all(ws.map((w) => w.tf(['plan', '-detailed-exitcode'], 0)));
    for (const [i, u] of users.entries()) {
      const names = (await app.as(u.token).get('/api/networking/vpcs').expect(200)).body.items
        .map((v: { name: string }) => v.name)
        .sort();
      expect(names, `user ${i} sees exactly their own VPCs`).to.deep.equal([0, 1, 2].map((n) => `attached-${i}-${n}`));
    }
    // The provider block's token is what counts: with a wrong one, the same attached process refuses at plan time.
    const refused = await workspace('atx_wrong').write('data "atonix_vpc" "x" {\n  name = "none"\n}\n').tf(['plan'], 1);
    expect(refused).to.contain('The AtonixCorp API refused the token');

    await Promise.all(ws.map((w) => w.tf(['destroy', '-auto-approve'])));
    for (const u of users)
      expect((await app.as(u.token).get('/api/networking/vpcs').expect(200)).body.items).to.deep.equal([]);
    expect(provider.child.exitCode, 'the attached provider outlives the commands').to.equal(null);
    expect(existsSync(dirname(JSON.parse(reattach)['registry.terraform.io/atonixcorp/atonix'].Addr.String))).to.equal(
      true,
    );
  });
});
