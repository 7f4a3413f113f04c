// Helpers for the file share tests: a VPC of its own per call (10.<n>.0.0/16), subnets, and creates that wait.
import type { TestApp } from './app.js';

export function fileShareHelpers(app: TestApp) {
  let n = 0;
  const vpc = async () =>
    (
      await app.admin
        .post('/api/networking/vpcs')
        .send({ name: 'fs-net', cidr_block: `10.${++n}.0.0/16` })
        .expect(202)
    ).body;
  const subnet = async (vpcId: string, cidr: string, zone = 'a') =>
    (
      await app.admin
        .post(`/api/networking/vpcs/${vpcId}/subnets`)
        .send({ name: `s-${cidr}`, cidr_block: cidr, availability_zone: `us-east-1${zone}` })
        .expect(201)
    ).body;
  const share = (body: object) => app.admin.post('/api/storage/file-shares').set('Prefer', 'wait=10').send(body);
  const mountTarget = (shareId: string, body: object) =>
    app.admin.post(`/api/storage/file-shares/${shareId}/mount-targets`).set('Prefer', 'wait=10').send(body);
  /** A VPC with a subnet in zone a (`<prefix>.1.0/24`), and an available share in it. */
  async function setting(protocol = 'NFS') {
    const v = await vpc();
    const prefix = v.cidr_block.split('.').slice(0, 2).join('.');
    const s = await subnet(v.id, `${prefix}.1.0/24`);
    const fs = (await share({ name: 'home', vpc_id: v.id, size_gb: 100, protocol }).expect(202)).body;
    return { vpc: v, subnet: s, share: fs, prefix };
  }
  return { vpc, subnet, share, mountTarget, setting };
}
