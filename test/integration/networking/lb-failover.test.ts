// Each load balancer is served by one process at a time (an advisory lock); when that process dies, another
// takes the load balancer over and traffic resumes. Real processes (`npm start`'s entry point), one kill -9.
import { expect } from 'chai';
import { eventually, lbPortBlock } from '../../support/app.js';
import { freshDatabase } from '../../support/postgres.js';
import { api, startApiProcess, type ApiProcess } from '../../support/process.js';
import { viaLb, webTarget } from '../../support/lb.js';

describe('networking: load balancer failover', function () {
  this.timeout(120_000);
  const procs: ApiProcess[] = [];
  after(async () => {
    for (const p of procs.splice(0)) await p.stop('SIGKILL');
  });

  it('moves a load balancer to another process when the one serving it is killed, and traffic resumes', async () => {
    const db = await freshDatabase();
    const env = { ATONIX_PROVISION_DELAY_MS: '0', ATONIX_LB_PORT_RANGE: lbPortBlock() };
    const first = await startApiProcess(db, env);
    procs.push(first);
    const target = await webTarget('web');
    const vpc = (await api(first.url, 'POST', '/api/networking/vpcs', { name: 'n', cidr_block: '10.0.0.0/16' })).body;
    const subnets = [];
    for (const [i, z] of ['a', 'b'].entries())
      subnets.push(
        (
          await api(first.url, 'POST', `/api/networking/vpcs/${vpc.id}/subnets`, {
            name: z,
            cidr_block: `10.0.${i}.0/24`,
            availability_zone: `us-east-1${z}`,
          })
        ).body.id,
      );
    const lb = (await api(first.url, 'POST', '/api/networking/load-balancers', { name: 'ha', vpc_id: vpc.id, subnets }))
      .body;
    const tg = (
      await api(first.url, 'POST', `/api/networking/load-balancers/${lb.id}/target-groups`, {
        name: 'web',
        port: target.port,
        health_check_interval_seconds: 5,
        health_check_timeout_seconds: 2,
      })
    ).body;
    await api(first.url, 'POST', `/api/networking/target-groups/${tg.id}/targets`, { target_id: '127.0.0.1' });
    const l = (
      await api(first.url, 'POST', `/api/networking/load-balancers/${lb.id}/listeners`, {
        port: 80,
        default_action: { type: 'forward', target_groups: [{ target_group_id: tg.id }] },
      })
    ).body;
    const served = () =>
      eventually(
        () =>
          viaLb(l.endpoint).then(
            (r) => r.status === 200 && r.body === 'web',
            () => false,
          ),
        `traffic through ${l.endpoint}`,
        30_000,
      );
    await served();
    // The second process starts after the first owns the load balancer, so the one killed is the one serving it.
    const second = await startApiProcess(db, env);
    procs.push(second);
    expect(await viaLb(l.endpoint)).to.include({ status: 200, body: 'web' });
    await first.stop('SIGKILL');
    await served();
    const after = (await api(second.url, 'GET', `/api/networking/target-groups/${tg.id}/targets`)).body.items;
    expect(after[0].health).to.equal('healthy');
    // The data plane runs on the worker thread; the main thread's /metrics shows its figures.
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).to.match(
      new RegExp(`atonix_lb_requests_total\\{load_balancer="${lb.id}",[^}]*code="2xx"\\} [1-9]`),
    );
    await target.close();
  });
});
