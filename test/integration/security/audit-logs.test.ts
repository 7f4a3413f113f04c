// The audit log: a record per mutating call and per denied call, in the change's transaction, filterable.
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';

describe('security: audit logs', () => {
  let app: TestApp;
  let user: { id: string; token: string };
  before(async () => {
    app = await startApp();
    user = await newUser(app, 'audited');
  });
  after(() => app.close());

  it('records a successful mutating call with user, action, resource, source IP and request id', async () => {
    const r = await app
      .as(user.token)
      .post('/api/networking/vpcs')
      .set('X-Request-Id', 'req-audit-1')
      .send({ name: 'a', cidr_block: '10.0.0.0/16' })
      .expect(202);
    const logs = await app.as(user.token).get(`/api/security/audit-logs?resource_id=${r.body.id}`).expect(200);
    expect(logs.body.items).to.have.length(1);
    expect(logs.body.items[0]).to.include({
      user_id: user.id,
      action: 'networking:CreateVpc',
      resource_type: 'vpc',
      resource_id: r.body.id,
      status: 'success',
      request_id: 'req-audit-1',
    });
    expect(logs.body.items[0].source_ip).to.match(/127\.0\.0\.1/);
  });

  it('records denied calls as failures, and writes nothing for reads', async () => {
    await app
      .as(user.token)
      .post('/api/compute/flavors')
      .send({ name: 'x', vcpus: 1, ram_mb: 512, disk_gb: 1 })
      .expect(403);
    const logs = await app.admin
      .get(`/api/security/audit-logs?user_id=${user.id}&action=compute:CreateFlavor`)
      .expect(200);
    expect(logs.body.items).to.have.length(1);
    expect(logs.body.items[0]).to.include({ status: 'failure', resource_type: 'flavor' });
    expect(logs.body.items[0].details).to.deep.include({ code: 'Forbidden', status: 403 });
    const before = (await app.admin.get('/api/security/audit-logs?limit=1000').expect(200)).body.items.length;
    await app.as(user.token).get('/api/compute/instances').expect(200);
    expect((await app.admin.get('/api/security/audit-logs?limit=1000').expect(200)).body.items.length).to.equal(before);
  });

  it('writes no audit record and no change when the change fails (one transaction)', async () => {
    const vpcsBefore = await app.platform.db('vpcs').count('* as n').first();
    const okBefore = await app.platform.db('audit_logs').where({ status: 'success' }).count('* as n').first();
    await app.as(user.token).post('/api/networking/vpcs').send({ name: 'bad', cidr_block: 'nope' }).expect(422);
    expect(await app.platform.db('vpcs').count('* as n').first()).to.deep.equal(vpcsBefore);
    expect(await app.platform.db('audit_logs').where({ status: 'success' }).count('* as n').first()).to.deep.equal(
      okBefore,
    );
  });

  it('shows a user only their own records; filters by time and paginates', async () => {
    const other = await newUser(app, 'someone-else');
    await app.as(other.token).post('/api/networking/vpcs').send({ name: 'o', cidr_block: '10.1.0.0/16' }).expect(202);
    const mine = await app.as(user.token).get('/api/security/audit-logs?limit=1000').expect(200);
    expect(mine.body.items.every((i: any) => i.user_id === user.id)).to.equal(true);
    const spoof = await app.as(user.token).get(`/api/security/audit-logs?user_id=${other.id}`).expect(200);
    expect(spoof.body.items).to.deep.equal([]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await app.admin.get(`/api/security/audit-logs?since=${future}`).expect(200)).body.items).to.deep.equal([]);
    expect(
      (await app.admin.get(`/api/security/audit-logs?until=${future}&limit=1`).expect(200)).body.items,
    ).to.have.length(1);
    const p1 = await app.admin.get('/api/security/audit-logs?limit=2').expect(200);
    const p2 = await app.admin.get(`/api/security/audit-logs?limit=2&cursor=${p1.body.next_cursor}`).expect(200);
    expect(p2.body.items[0].id).to.not.equal(p1.body.items[1].id);
    expect(new Date(p2.body.items[0].timestamp) <= new Date(p1.body.items[1].timestamp)).to.equal(true);
    await app.admin.get('/api/security/audit-logs?since=yesterday').expect(400);
  });

  describe('every write attempt, refused before or inside the pipeline', () => {
    const failures = async (action: string) =>
      (await app.admin.get(`/api/security/audit-logs?action=${action}&status=failure&limit=1000`).expect(200)).body
        .items as Record<string, any>[];

    it('records a write without a valid token: no user, its source address, the action', async () => {
      const before = (await failures('networking:CreateVpc')).length;
      await app
        .as('atx_not_a_token')
        .post('/api/networking/vpcs')
        .send({ name: 'x', cidr_block: '10.0.0.0/16' })
        .expect(401);
      const after = await failures('networking:CreateVpc');
      expect(after.length).to.equal(before + 1);
      expect(after[0]).to.include({ user_id: null, resource_type: 'vpc', source_ip: '127.0.0.1' });
      expect(after[0].details).to.deep.equal({ code: 'Unauthenticated', status: 401 });
    });

    it('records a failed write against the resource it aimed at (a token under its user, not the user)', async () => {
      await app.as(user.token).delete(`/api/security/users/${user.id}/tokens/tok-missing0000`).expect(404);
      const revoke = (await failures('security:RevokeToken'))[0]!;
      expect(revoke).to.include({ resource_type: 'token', resource_id: 'tok-missing0000' });
      await app
        .as(user.token)
        .post('/api/networking/vpcs/vpc-missing0000/subnets')
        .send({ name: 's', cidr_block: '10.0.0.0/24' })
        .expect(404);
      expect((await failures('networking:CreateSubnet'))[0]).to.include({ resource_type: 'subnet', resource_id: null });
    });

    it('records a write whose path id holds a NUL, with the id stored escaped', async () => {
      await app.as(user.token).delete('/api/networking/vpcs/vpc-%00abcd').expect(400);
      const logs = await failures('networking:DeleteVpc');
      expect(logs.map((l) => l.resource_id)).to.include('vpc-\\u0000abcd');
      expect(logs.find((l) => l.resource_id === 'vpc-\\u0000abcd')).to.include({ user_id: user.id });
    });

    it('records a write refused for its encoding or its body: bad percent-encoding, a foreign content type', async () => {
      await app.as(user.token).delete('/api/networking/vpcs/%zz').expect(400);
      const deletes = await failures('networking:DeleteVpc');
      expect(deletes[0]).to.include({ user_id: user.id, resource_id: '%zz' });
      expect(deletes[0].details.code).to.equal('InvalidParameter');
      await app.as(user.token).post('/api/networking/vpcs').set('Content-Type', 'text/plain').send('x').expect(415);
      expect((await failures('networking:CreateVpc'))[0]).to.include({ user_id: user.id });
    });
  });
});
