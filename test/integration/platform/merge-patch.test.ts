// PATCH is a JSON merge patch (RFC 7386), except for documents (x-terraform: json: a policy, a task's target, a
// workflow's definition), which are checked whole and so replaced whole: what a new document leaves out goes away at
// any depth, and its nulls are values (a workflow's ResultPath: null discards a result).
import { expect } from 'chai';
import { catalogue, eventually, startApp, type TestApp } from '../../support/app.js';

describe('platform: merge patches and documents', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '50' });
  });
  after(() => app.close());

  it('a map merges: members left out stay, a null member goes', async () => {
    const { flavor, image } = await catalogue(app);
    const vm = (
      await app.admin
        .post('/api/compute/instances')
        .send({ name: 'm', flavor_id: flavor.id, image_id: image.id, metadata: { a: '1', b: '2' } })
        .expect(202)
    ).body;
    await eventually(
      async () => (await app.admin.get(`/api/compute/instances/${vm.id}`)).body.status === 'running',
      'the instance',
    );
    const r = await app.admin
      .patch(`/api/compute/instances/${vm.id}`)
      .send({ metadata: { b: null, c: '3' } })
      .expect(200);
    expect(r.body.metadata).to.deep.equal({ a: '1', c: '3' });
  });

  it("a scheduled task's target is replaced whole: a parameter or body left out goes away", async () => {
    const task = (
      await app.admin
        .post('/api/automation/scheduled-tasks')
        .send({
          name: 'doc',
          schedule: 'rate(1 hour)',
          target: { operation_id: 'listVpcs', params: { limit: '5', name: 'web' } },
        })
        .expect(201)
    ).body;
    const r = await app.admin
      .patch(`/api/automation/scheduled-tasks/${task.id}`)
      .send({ target: { operation_id: 'listVpcs', params: { limit: '5' } } })
      .expect(200);
    expect(r.body.target).to.deep.equal({ operation_id: 'listVpcs', params: { limit: '5' } });
    const again = await app.admin
      .patch(`/api/automation/scheduled-tasks/${task.id}`)
      .send({ target: { operation_id: 'listVpcs' } })
      .expect(200);
    expect(again.body.target).to.deep.equal({ operation_id: 'listVpcs' });
    await app.admin.delete(`/api/automation/scheduled-tasks/${task.id}`).expect(204);
  });

  it("a workflow's definition is replaced whole (a new version): fields and states left out go, nulls stay", async () => {
    const v1 = {
      Comment: 'one',
      TimeoutSeconds: 60,
      StartAt: 'A',
      States: { A: { Type: 'Pass', ResultPath: '$.a', Next: 'B' }, B: { Type: 'Succeed' } },
    };
    const v2 = { StartAt: 'A', States: { A: { Type: 'Pass', Result: 1, ResultPath: null, End: true } } };
    const wf = (await app.admin.post('/api/automation/workflows').send({ name: 'doc', definition: v1 }).expect(201))
      .body;
    const r = await app.admin.patch(`/api/automation/workflows/${wf.id}`).send({ definition: v2 }).expect(200);
    expect(r.body).to.include({ latest_version: 2 });
    expect(r.body.definition).to.deep.equal(v2);
    await app.admin.delete(`/api/automation/workflows/${wf.id}`).expect(204);
  });

  it("a policy's document is replaced whole", async () => {
    const doc = (sid?: string) => ({
      Version: '2012-10-17',
      Statement: [{ ...(sid ? { Sid: sid } : {}), Effect: 'Allow', Action: 'compute:List*', Resource: '*' }],
    });
    const p = (
      await app.admin
        .post('/api/security/policies')
        .send({ name: 'doc-policy', document: { ...doc('Read'), Id: 'first' } })
        .expect(201)
    ).body;
    const r = await app.admin.patch(`/api/security/policies/${p.id}`).send({ document: doc() }).expect(200);
    expect(r.body.document).to.deep.equal(doc());
    await app.admin.delete(`/api/security/policies/${p.id}`).expect(204);
  });
});
