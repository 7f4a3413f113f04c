// The platform's own log lines: a resource's status moving, a job's outcome, a load balancer's access log and the
// audit trail (successful and denied calls), each in the owner's logs with resource and kind; state lines exactly
// once while a second API process hears the same change events.
import { expect } from 'chai';
import { catalogue, eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { activeLb, forward, healthOf, listener, serving, targetGroup, viaLb, webTarget } from '../../support/lb.js';
import { startApiProcess, type ApiProcess } from '../../support/process.js';

const LOGS = '/api/monitoring/logs';

describe('monitoring: platform log lines', function () {
  this.timeout(120_000);
  let app: TestApp;
  let other: ApiProcess;
  let user: { id: string; token: string };
  let me: TestApp['admin'];

  before(async () => {
    app = await startApp();
    // A second process on the same database hears every change event too (its own clock, its own writer).
    other = await startApiProcess(app.databaseUrl, { ATONIX_ROLE: 'worker', LOG_LEVEL: 'silent' });
    user = await newUser(app, 'operator');
    me = app.as(user.token);
  });
  after(async () => {
    await other?.stop();
    await app?.close();
  });

  const lines = async (query: string, as = me) => (await as.get(`${LOGS}?${query}&limit=200`).expect(200)).body.items;

  it('logs an instance moving from building to running, once though two processes hear it', async () => {
    const { flavor, image } = await catalogue(app);
    const inst = await me
      .post('/api/compute/instances')
      .set('Prefer', 'wait=20')
      .send({ name: 'web', flavor_id: flavor.id, image_id: image.id })
      .expect(202);
    expect(inst.body.status).to.equal('running');
    const state = await eventually(async () => {
      const l = await lines(`resource_id=${inst.body.id}&source=state`);
      return l.some((x: any) => x.message.endsWith('is now running')) && l;
    }, 'the state lines of the instance');
    // One line for the one move, though both processes heard its event.
    expect(state.map((l: any) => l.message)).to.deep.equal([`instance ${inst.body.id} is now running`]);
    expect(state[0]).to.include({ owner: user.id, kind: 'instance', level: 'info' });
    expect(state[0].fields).to.deep.include({ event: 'status_changed', status: 'running' });

    const job = await eventually(
      async () => (await lines(`resource_id=${inst.body.id}&source=job`)).find((l: any) => /succeeded/.test(l.message)),
      "the instance's job outcome",
    );
    expect(job).to.include({ owner: user.id, kind: 'instance', level: 'info' });
    expect(job.fields.outcome).to.equal('succeeded');
  });

  it('follows the audit trail: a mutating call, and a refused one as a warning', async () => {
    const vpc = await me.post('/api/networking/vpcs').send({ name: 'audited', cidr_block: '10.9.0.0/16' }).expect(202);
    await me.post('/api/networking/vpcs').send({ name: 'refused', cidr_block: 'nope' }).expect(422);
    const audit = await eventually(async () => {
      const l = await lines('source=audit');
      return l.some((x: any) => x.fields.status === 'failure') && l;
    }, 'the audit lines');
    const created = audit.find((l: any) => l.resource_id === vpc.body.id);
    expect(created).to.include({ owner: user.id, kind: 'vpc', level: 'info' });
    expect(created.message).to.equal(`networking:CreateVpc vpc ${vpc.body.id} succeeded`);
    const refused = audit.find((l: any) => l.fields.status === 'failure');
    expect(refused).to.include({ level: 'warn', message: 'networking:CreateVpc vpc failed' });
    expect(refused.fields.details).to.deep.equal({ code: 'ValidationFailed', status: 422 });
    // Each audit record once, though two processes follow the trail.
    expect(audit.filter((l: any) => l.resource_id === vpc.body.id && /CreateVpc/.test(l.message))).to.have.length(1);
    // Pushing lines is not itself a line.
    await me
      .post(LOGS)
      .send({ entries: [{ message: 'mine' }] })
      .expect(201);
    const q = await app.admin.get(`${LOGS}?source=audit&owner=${user.id}&limit=200`).expect(200);
    expect(q.body.items.some((l: any) => l.fields.action === 'monitoring:PutLogEvents')).to.equal(false);
  });

  it("writes a load balancer's access log when enabled: method, path, status, latency and target", async () => {
    const web = await webTarget('a');
    try {
      const { lb } = await activeLb(app, 'application', 'logged');
      const { tg } = await targetGroup(app, lb, [web.port]);
      const l = await listener(app, lb, { port: 80, default_action: forward(tg) });
      await healthOf(app, tg, 'healthy');
      await serving(l.endpoint);
      // Off unless asked for, as ALB's access logs are.
      expect((await viaLb(l.endpoint, '/unlogged')).status).to.equal(200);
      await app.admin.patch(`/api/networking/load-balancers/${lb}`).send({ access_logs_enabled: true }).expect(200);
      const r = await eventually(async () => {
        const hit = await viaLb(l.endpoint, '/hello?x=1');
        const lines = await app.admin.get(`${LOGS}?resource_id=${lb}&source=access&limit=1`).expect(200);
        return lines.body.items.length > 0 && hit;
      }, 'the data plane to see access_logs_enabled');
      expect(r.status).to.equal(200);
      const line = await eventually(async () => {
        const items = await lines(`resource_id=${lb}&source=access&fields=http.path:/hello?x=1`, app.admin);
        return items[0];
      }, 'the access line');
      expect(line).to.include({ kind: 'load_balancer', level: 'info' });
      expect(line.fields.http).to.deep.equal({ method: 'GET', path: '/hello?x=1', status: 200 });
      expect(line.fields.target).to.equal(`127.0.0.1:${web.port}`);
      expect(line.fields.latency_ms).to.be.a('number');
      expect(line.message).to.match(/^GET \/hello\?x=1 200 [\d.]+ms 127\.0\.0\.1:\d+$/);
      const all = await lines(`resource_id=${lb}&source=access`, app.admin);
      expect(all.some((x: any) => x.fields.http.path === '/unlogged')).to.equal(false);
    } finally {
      await web.close();
    }
  });
});
