// atonix_access_key through the real terraform binary: the secret lands in state as a sensitive computed value,
// import works without it, status and description change in place, another user replaces, drift, destroy.
import { expect } from 'chai';
import { lookupAccessKey } from '../../../api/src/security/access-keys.js';
import { ADMIN_TOKEN, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, Workspace } from './workspace.js';

const config = (who: 'a' | 'b', description: string, status: 'Active' | 'Inactive') => `
resource "atonix_user" "a" {
  name = "tf-ak-a"
}
resource "atonix_user" "b" {
  name = "tf-ak-b"
}
resource "atonix_access_key" "k" {
  user_id     = atonix_user.${who}.id
  description = "${description}"
  status      = "${status}"
}
output "secret" {
  value     = atonix_access_key.k.secret_access_key
  sensitive = true
}
`;

describe('terraform: atonix_access_key through the real binary', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp();
  });
  after(() => app.close());

  const stateOf = async (ws: Workspace) => {
    const state = JSON.parse(await ws.must(['state', 'pull']));
    return state.resources.find((r: any) => r.type === 'atonix_access_key').instances[0];
  };

  it('keeps the secret in state as sensitive, imports without it, updates in place, replaces, drifts, destroys', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      ws.write(config('a', 'ci', 'Active'));
      await ws.apply();
      await ws.plan(0);
      const id = await ws.stateId('atonix_access_key.k');
      expect(id).to.match(/^AKAX[A-Z2-7]{16}$/);
      const created = await stateOf(ws);
      const secret = created.attributes.secret_access_key as string;
      expect(secret).to.equal((await lookupAccessKey(app.platform.db, id))!.secret);
      expect(created.attributes.access_key_id).to.equal(id);
      expect(created.sensitive_attributes).to.deep.include([{ type: 'get_attr', value: 'secret_access_key' }]);
      expect(await ws.must(['state', 'show', '-no-color', 'atonix_access_key.k'])).to.match(
        /secret_access_key\s+= \(sensitive value\)/,
      );
      expect((await ws.must(['output', '-raw', 'secret'])).trim()).to.equal(secret);

      // Imported by its id alone: the secret cannot be read back, and nothing in the configuration asks for it.
      await ws.must(['state', 'rm', 'atonix_access_key.k']);
      await ws.must(['import', '-no-color', 'atonix_access_key.k', id]);
      await ws.plan(0);
      expect((await stateOf(ws)).attributes.secret_access_key).to.equal(null);

      ws.write(config('a', 'deploys', 'Inactive'));
      expect(await ws.plan(2)).to.contain('1 to change, 0 to destroy');
      await ws.apply();
      await ws.plan(0);
      const live = (await app.admin.get(`/api/security/access-keys/${id}`).expect(200)).body;
      expect(live).to.include({ description: 'deploys', status: 'Inactive' });
      expect((await lookupAccessKey(app.platform.db, id))!.active).to.equal(false);

      ws.write(config('b', 'deploys', 'Inactive'));
      const replace = await ws.plan(2);
      expect(replace).to.match(/must be replaced/);
      expect(replace).to.contain('1 to add, 0 to change, 1 to destroy');
      await ws.apply();
      await ws.plan(0);
      const newId = await ws.stateId('atonix_access_key.k');
      expect(newId).to.not.equal(id);
      await app.admin.get(`/api/security/access-keys/${id}`).expect(404);
      expect((await stateOf(ws)).attributes.secret_access_key).to.match(/^[A-Za-z0-9+/]{40}$/);

      await app.admin.delete(`/api/security/access-keys/${newId}`).expect(204);
      expect(await ws.plan(2)).to.contain('atonix_access_key.k will be created');

      await ws.destroy();
      expect((await app.admin.get('/api/security/access-keys?limit=1000').expect(200)).body.items).to.deep.equal([]);
    } finally {
      ws.remove();
    }
  });
});
