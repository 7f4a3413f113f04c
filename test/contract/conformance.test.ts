// The conformance suite for every kind of the registry: what each needs to make one valid resource, and nothing
// else. The checks themselves are derived from the contract (test/support/conformance.ts).
import { expect } from 'chai';
import { registry, type Kind } from '../../api/src/generated/registry.js';
import { catalogue, newUser, type TestApp } from '../support/app.js';
import { describeKind, type Caller, type KindFixture } from '../support/conformance.js';
import { backupFixtures } from './backup-fixtures.js';
import { cdnFixtures } from './cdn-fixtures.js';
import { recommendationFixtures } from './recommendation-fixtures.js';

/** One VPC per caller, for the kinds that live in one (subnets, instances in a subnet). */
const vpcs = new WeakMap<TestApp, Map<string, Promise<string>>>();
function vpcOf(app: TestApp, caller: Caller): Promise<string> {
  const mine = vpcs.get(app) ?? new Map<string, Promise<string>>();
  vpcs.set(app, mine);
  if (!mine.has(caller.id)) {
    const made = caller.agent
      .post('/api/networking/vpcs')
      .send({ name: 'home', cidr_block: '10.0.0.0/16' })
      .expect(202);
    mine.set(
      caller.id,
      made.then((r) => r.body.id as string),
    );
  }
  return mine.get(caller.id)!;
}

/** An application load balancer per caller (in subnets of two zones), for the kinds that hang off one. */
const lbs = new WeakMap<TestApp, Map<string, Promise<string>>>();
async function lbBody(app: TestApp, caller: Caller, name: string, cidrs: [string, string]) {
  const vpc = await vpcOf(app, caller);
  const subnets: string[] = [];
  for (const [i, cidr] of cidrs.entries()) {
    const s = await caller.agent
      .post(`/api/networking/vpcs/${vpc}/subnets`)
      .send({ name: `${name}-${i}`, cidr_block: cidr, availability_zone: `us-east-1${'ab'[i]}` })
      .expect(201);
    subnets.push(s.body.id);
  }
  return { name, vpc_id: vpc, subnets };
}
function lbOf(app: TestApp, caller: Caller): Promise<string> {
  const mine = lbs.get(app) ?? new Map<string, Promise<string>>();
  lbs.set(app, mine);
  if (!mine.has(caller.id))
    mine.set(
      caller.id,
      lbBody(app, caller, 'home-lb', ['10.0.240.0/24', '10.0.241.0/24']).then(async (body) => {
        const r = await caller.agent
          .post('/api/networking/load-balancers')
          .set('Prefer', 'wait=10')
          .send(body)
          .expect(202);
        return r.body.id as string;
      }),
    );
  return mine.get(caller.id)!;
}
const FIXED = { type: 'fixed-response', fixed_response: { status_code: 200 } };
/** One internet gateway per caller, attached to the caller's VPC, for routes to send traffic to. */
const gatewaysOf = new WeakMap<TestApp, Map<string, Promise<string>>>();
function gatewayOf(app: TestApp, caller: Caller): Promise<string> {
  const mine = gatewaysOf.get(app) ?? new Map<string, Promise<string>>();
  gatewaysOf.set(app, mine);
  if (!mine.has(caller.id))
    mine.set(
      caller.id,
      vpcOf(app, caller).then(
        async (vpc) =>
          (await caller.agent.post('/api/networking/internet-gateways').send({ name: 'gw', vpc_id: vpc }).expect(201))
            .body.id as string,
      ),
    );
  return mine.get(caller.id)!;
}
const created = async (req: Promise<{ body: { id: string } }>) => (await req).body.id;

const SUBNET_BODY = { name: 'sub', cidr_block: '10.0.250.0/24' };
const ONE_VPC = {
  Resources: { Net: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'n', cidr_block: '10.0.0.0/16' } } },
};

const DOC = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'compute:Get*', Resource: '*' }] };

/** A fresh group (admin) for the kinds that hang off one. */
const groupFor = async (c: Caller, n: number) =>
  (
    await c.agent
      .post('/api/security/groups')
      .send({ name: `cg-for-${n}` })
      .expect(201)
  ).body.id as string;
const userFor = async (app: TestApp, n: number) => (await newUser(app, `cu-for-${n}`)).id;
const policyFor = async (c: Caller, n: number) =>
  (
    await c.agent
      .post('/api/security/policies')
      .send({ name: `cp-for-${n}`, document: DOC })
      .expect(201)
  ).body.id as string;

/** An available volume of the caller's (1 GiB ssd in the region's first zone), for the kinds that hang off one. */
const volumeFor = async (c: Caller, n: number) =>
  (
    await c.agent
      .post('/api/storage/volumes')
      .set('Prefer', 'wait=20')
      .send({ name: `cvol-for-${n}`, size_gb: 1 })
      .expect(202)
  ).body.id as string;
/** A running instance of the caller's in no subnet (so in the region's first zone, as volumeFor's). */
async function runningInstanceFor(app: TestApp, c: Caller, n: number) {
  const { flavor, image } = await catalogue(app);
  const r = await c.agent
    .post('/api/compute/instances')
    .set('Prefer', 'wait=20')
    .send({ name: `cinst-for-${n}`, flavor_id: flavor.id, image_id: image.id })
    .expect(202);
  return r.body.id as string;
}

const fixtures: Record<Kind, KindFixture> = {
  ...backupFixtures,
  ...cdnFixtures,
  ...recommendationFixtures,
  flavor: {
    creator: 'admin',
    create: async (_app, _c, n) => ({ body: { name: `cf.${n}`, vcpus: 1, ram_mb: 512, disk_gb: 10 } }),
  },
  image: {
    creator: 'admin',
    create: async (_app, _c, n) => ({ body: { name: `ci-${n}`, os: 'debian', version: `${n}` } }),
    immutable: { name: 'renamed', os: 'rocky', version: '99' },
  },
  instance: {
    creator: 'owner',
    async create(app, caller, n) {
      const { flavor, image } = await catalogue(app);
      const vpc = await vpcOf(app, caller);
      const subnet = await caller.agent
        .post(`/api/networking/vpcs/${vpc}/subnets`)
        .send({ name: `for-${n}`, cidr_block: `10.0.${n}.0/24` })
        .expect(201);
      return { body: { name: `ci-${n}`, flavor_id: flavor.id, image_id: image.id, subnet_id: subnet.body.id } };
    },
    immutable: { flavor_id: 'flv-other0000', image_id: 'img-other0000', subnet_id: 'sub-other0000' },
    bodies: { resizeInstance: { flavor_id: 'flv-other0000' } },
  },
  vpc: {
    creator: 'owner',
    create: async (_app, _c, n) => ({ body: { name: `cv-${n}`, cidr_block: `10.${n}.0.0/16` } }),
    immutable: { cidr_block: '10.250.0.0/16' },
    bodies: { createSubnet: SUBNET_BODY },
  },
  subnet: {
    creator: 'owner',
    create: async (app, caller, n) => ({
      params: { vpc_id: await vpcOf(app, caller) },
      body: { name: `cs-${n}`, cidr_block: `10.0.${n}.0/24` },
    }),
    immutable: { vpc_id: 'vpc-other0000', cidr_block: '10.0.251.0/24', availability_zone: 'us-east-1c' },
  },
  load_balancer: {
    creator: 'owner',
    create: async (app, caller, n) => ({
      body: await lbBody(app, caller, `clb-${n}`, [`10.0.${2 * n}.0/24`, `10.0.${2 * n + 1}.0/24`]),
    }),
    immutable: { type: 'network', vpc_id: 'vpc-other0000', scheme: 'internet-facing', subnets: ['subnet-other0000'] },
    bodies: { createTargetGroup: { name: 'tg', port: 80 }, createListener: { port: 80, default_action: FIXED } },
  },
  file_share: {
    creator: 'owner',
    create: async (app, caller, n) => ({ body: { name: `cfs-${n}`, vpc_id: await vpcOf(app, caller), size_gb: 10 } }),
    immutable: { protocol: 'SMB', vpc_id: 'vpc-other0000' },
    bodies: { createMountTarget: { subnet_id: 'subnet-other0000' } },
  },
  file_share_mount_target: {
    creator: 'owner',
    // A network and an available share of its own for each, so every mount target has a zone to itself.
    async create(_app, caller, n) {
      const vpc = await created(
        caller.agent.post('/api/networking/vpcs').send({ name: `cmt-${n}`, cidr_block: `10.${n}.0.0/16` }),
      );
      const subnet_id = await created(
        caller.agent
          .post(`/api/networking/vpcs/${vpc}/subnets`)
          .send({ name: `cmt-${n}`, cidr_block: `10.${n}.1.0/24` }),
      );
      const share = await created(
        caller.agent
          .post('/api/storage/file-shares')
          .set('Prefer', 'wait=10')
          .send({ name: `cmt-${n}`, vpc_id: vpc, size_gb: 1 }),
      );
      return { params: { file_share_id: share }, body: { subnet_id } };
    },
    immutable: { file_share_id: 'fs-other0000', subnet_id: 'subnet-other0000', ip_address: '10.9.9.9' },
  },
  lb_target_group: {
    creator: 'owner',
    create: async (app, caller, n) => ({
      params: { load_balancer_id: await lbOf(app, caller) },
      body: { name: `ctg-${n}`, port: 8000 + n },
    }),
    immutable: { load_balancer_id: 'lb-other0000', protocol: 'TCP', target_type: 'instance' },
    bodies: { registerTarget: { target_id: '10.0.0.1' } },
  },
  lb_target: {
    creator: 'owner',
    async create(app, caller, n) {
      const lb = await lbOf(app, caller);
      const tg = await caller.agent
        .post(`/api/networking/load-balancers/${lb}/target-groups`)
        .send({ name: `for-target-${n}`, port: 80 })
        .expect(201);
      return { params: { target_group_id: tg.body.id }, body: { target_id: `10.1.0.${n}` } };
    },
    immutable: { target_group_id: 'tg-other0000', target_id: '10.9.9.9', port: 9999 },
  },
  lb_listener: {
    creator: 'owner',
    create: async (app, caller, n) => ({
      params: { load_balancer_id: await lbOf(app, caller) },
      body: { port: 1000 + n, default_action: FIXED },
    }),
    immutable: { load_balancer_id: 'lb-other0000', protocol: 'TCP' },
    bodies: { createListenerRule: { priority: 1, conditions: { path_patterns: ['/'] }, action: FIXED } },
  },
  lb_listener_rule: {
    creator: 'owner',
    async create(app, caller, n) {
      const lb = await lbOf(app, caller);
      const l = await caller.agent
        .post(`/api/networking/load-balancers/${lb}/listeners`)
        .send({ port: 2000 + n, default_action: FIXED })
        .expect(201);
      return {
        params: { listener_id: l.body.id },
        body: { priority: n, conditions: { path_patterns: ['/x/*'] }, action: FIXED },
      };
    },
    immutable: { listener_id: 'lsn-other0000' },
  },
  security_group: {
    creator: 'owner',
    create: async (app, caller, n) => ({ body: { name: `csg-${n}`, vpc_id: await vpcOf(app, caller) } }),
    immutable: { vpc_id: 'vpc-other0000' },
    bodies: {
      createSecurityGroupRule: {
        direction: 'egress',
        protocol: 'udp',
        from_port: 53,
        to_port: 53,
        cidr_block: '10.0.0.0/8',
      },
    },
  },
  security_group_rule: {
    creator: 'owner',
    async create(app, caller, n) {
      const vpc = await vpcOf(app, caller);
      const group = await created(
        caller.agent
          .post('/api/networking/security-groups')
          .send({ name: `csgr-${n}`, vpc_id: vpc })
          .expect(201),
      );
      return {
        params: { security_group_id: group },
        body: { direction: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, cidr_block: '10.0.0.0/8' },
      };
    },
    immutable: {
      security_group_id: 'sg-other0000',
      direction: 'egress',
      protocol: 'udp',
      from_port: 1,
      to_port: 2,
      cidr_block: '10.1.0.0/16',
      source_security_group_id: 'sg-other0000',
    },
  },
  internet_gateway: {
    creator: 'owner',
    create: async (_app, _c, n) => ({ body: { name: `cigw-${n}` } }),
  },
  route_table: {
    creator: 'owner',
    create: async (app, caller, n) => ({ body: { name: `crt-${n}`, vpc_id: await vpcOf(app, caller) } }),
    immutable: { vpc_id: 'vpc-other0000' },
    bodies: { createRoute: { destination_cidr_block: '0.0.0.0/0', gateway_id: 'igw-unknown0000' } },
  },
  route: {
    creator: 'owner',
    async create(app, caller, n) {
      const [vpc, gateway_id] = [await vpcOf(app, caller), await gatewayOf(app, caller)];
      const table = await created(
        caller.agent
          .post('/api/networking/route-tables')
          .send({ name: `crr-${n}`, vpc_id: vpc })
          .expect(201),
      );
      return { params: { route_table_id: table }, body: { destination_cidr_block: `172.16.${n}.0/24`, gateway_id } };
    },
    immutable: { route_table_id: 'rtb-other0000', destination_cidr_block: '192.168.0.0/24' },
  },
  route_table_association: {
    creator: 'owner',
    async create(app, caller, n) {
      const vpc = await vpcOf(app, caller);
      const subnet_id = await created(
        caller.agent
          .post(`/api/networking/vpcs/${vpc}/subnets`)
          .send({ name: `cra-${n}`, cidr_block: `10.0.${n}.0/24` })
          .expect(201),
      );
      const route_table_id = await created(
        caller.agent
          .post('/api/networking/route-tables')
          .send({ name: `cra-${n}`, vpc_id: vpc })
          .expect(201),
      );
      return { body: { subnet_id, route_table_id } };
    },
    immutable: { subnet_id: 'subnet-other0000' },
  },
  bucket: {
    creator: 'owner',
    create: async (_app, _c, n) => ({ body: { name: `conformance-bucket-${n}-${Date.now().toString(36)}` } }),
    immutable: { name: 'renamed-bucket-conformance' },
    query: { putObject: { key: 'conformance.txt' }, restoreObject: { key: 'conformance.txt' } },
    bodies: { restoreObject: { days: 1 } },
  },
  bucket_lifecycle_configuration: {
    creator: 'owner',
    async create(_app, caller, n) {
      const bucket = await created(
        caller.agent
          .post('/api/storage/buckets')
          .send({ name: `conformance-lcc-${n}-${Date.now().toString(36)}` })
          .expect(201),
      );
      return { body: { bucket_id: bucket, rules: [{ id: 'expire', status: 'Enabled', expiration_days: 30 }] } };
    },
    immutable: { bucket_id: 'bkt-other0000' },
  },
  volume: {
    creator: 'owner',
    create: async (_app, _c, n) => ({ body: { name: `cvol-${n}`, size_gb: n } }),
    immutable: {
      availability_zone: 'us-east-1c',
      encrypted: true,
      kms_key_id: 'key-other0000',
      snapshot_id: 'snap-other0000',
    },
    bodies: {
      attachVolume: { instance_id: 'inst-unknown0000', device: '/dev/sdf' },
      createVolumeAttachment: { instance_id: 'inst-unknown0000', device: '/dev/sdf' },
      createSnapshot: { name: 'snap' },
    },
  },
  volume_attachment: {
    creator: 'owner',
    create: async (app, c, n) => ({
      params: { volume_id: await volumeFor(c, n) },
      body: { instance_id: await runningInstanceFor(app, c, n), device: '/dev/sdf' },
    }),
  },
  snapshot: {
    creator: 'owner',
    create: async (_app, c, n) => ({ params: { volume_id: await volumeFor(c, n) }, body: { name: `csnap-${n}` } }),
  },
  user: {
    creator: 'admin',
    create: async (_app, _c, n) => ({ body: { name: `cu-${n}` } }),
    immutable: { name: 'renamed' },
  },
  token: {
    creator: 'owner',
    create: async (_app, caller, n) => ({ params: { user_id: caller.id }, body: { name: `ct-${n}` } }),
  },
  access_key: {
    // A fresh user each time: a user holds at most 2 keys, and the suite makes more.
    creator: 'admin',
    create: async (app, _c, n) => ({ params: { user_id: await userFor(app, n) }, body: { description: `ak-${n}` } }),
    immutable: { user_id: 'usr-other0000' },
  },
  key: {
    creator: 'owner',
    create: async (_app, _c, n) => ({ body: { name: `ck-${n}` } }),
    immutable: { key_spec: 'RSA_2048', key_usage: 'SIGN_VERIFY' },
    bodies: {
      encrypt: { plaintext: 'aGVsbG8=' },
      decryptWithKey: { ciphertext_blob: 'QVgBAQ==' },
      reEncrypt: { ciphertext_blob: 'QVgBAQ==' },
      sign: { message: 'aGVsbG8=', signing_algorithm: 'ECDSA_SHA_256' },
      verify: { message: 'aGVsbG8=', signing_algorithm: 'ECDSA_SHA_256', signature: 'AAAA' },
      generateMac: { message: 'aGVsbG8=', mac_algorithm: 'HMAC_SHA_256' },
      verifyMac: { message: 'aGVsbG8=', mac_algorithm: 'HMAC_SHA_256', mac: 'AAAA' },
    },
  },
  key_alias: {
    creator: 'owner',
    async create(_app, caller, n) {
      const key = await caller.agent
        .post('/api/security/keys')
        .send({ name: `for-alias-${n}` })
        .expect(201);
      return { body: { name: `alias/conformance-${n}`, target_key_id: key.body.id } };
    },
    immutable: { name: 'alias/renamed' },
  },
  policy: {
    creator: 'admin',
    create: async (_app, _c, n) => ({ body: { name: `cp-${n}`, document: DOC } }),
    immutable: { name: 'renamed-policy' },
    bodies: { simulatePolicies: { user_id: 'usr-nobody0000', actions: ['compute:GetInstance'] } },
  },
  group: {
    creator: 'admin',
    create: async (_app, _c, n) => ({ body: { name: `cg-${n}` } }),
  },
  group_membership: {
    creator: 'admin',
    create: async (app, c, n) => ({
      params: { group_id: await groupFor(c, n) },
      body: { user_id: await userFor(app, n) },
    }),
    immutable: { group_id: 'grp-other0000', user_id: 'usr-other0000' },
  },
  user_policy_attachment: {
    creator: 'admin',
    create: async (app, c, n) => ({
      params: { user_id: await userFor(app, n) },
      body: { policy_id: await policyFor(c, n) },
    }),
    immutable: { user_id: 'usr-other0000', policy_id: 'pol-other0000' },
  },
  group_policy_attachment: {
    creator: 'admin',
    create: async (_app, c, n) => ({
      params: { group_id: await groupFor(c, n) },
      body: { policy_id: await policyFor(c, n) },
    }),
    immutable: { group_id: 'grp-other0000', policy_id: 'pol-other0000' },
  },
  stack: {
    creator: 'owner',
    create: async (_app, _c, n) => ({
      body: {
        name: `cst-${n}`,
        template: {
          Resources: {
            Net: { Type: 'Atonix::Networking::Vpc', Properties: { name: `net-${n}`, cidr_block: `10.${n}.0.0/16` } },
          },
        },
      },
    }),
  },
  template: {
    creator: 'owner',
    create: async (_app, _c, n) => ({ body: { name: `ctp-${n}`, template: ONE_VPC } }),
    params: { version: '1' },
    bodies: { createTemplateVersion: { template: ONE_VPC } },
  },
  scheduled_task: {
    creator: 'owner',
    create: async (_app, _c, n) => ({
      body: { name: `cst-${n}`, schedule: 'rate(1 day)', target: { operation_id: 'listVpcs' } },
    }),
  },
  workflow: {
    creator: 'owner',
    create: async (_app, _c, n) => ({
      body: { name: `cwf-${n}`, definition: { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } } },
    }),
    params: { version: '1', execution_id: 'exe-conformance0' },
    bodies: {
      createWorkflowVersion: { definition: { StartAt: 'Again', States: { Again: { Type: 'Succeed' } } } },
    },
  },
  alert_rule: {
    creator: 'owner',
    create: async (_app, _c, n) => ({ body: { name: `car-${n}`, expr: `atonix_bucket_size_bytes > ${n}` } }),
  },
  notification_channel: {
    creator: 'owner',
    create: async (_app, _c, n) => ({
      body: { name: `cnc-${n}`, type: 'webhook', url: `http://127.0.0.1:9/hook-${n}`, secret: 'conformance-secret-0' },
    }),
    immutable: { type: 'websocket' },
  },
  silence: {
    creator: 'owner',
    create: async (_app, _c, n) => ({
      body: {
        name: `csi-${n}`,
        matchers: [{ name: 'alertname', value: `a-${n}` }],
        ends_at: new Date(Date.now() + 86_400_000).toISOString(),
      },
    }),
  },
  dashboard: {
    creator: 'owner',
    create: async (_app, _c, n) => ({
      body: {
        name: `cdb-${n}`,
        panels: [{ type: 'stat', title: 'Up', queries: [{ expr: 'up' }], grid_pos: { x: 0, y: 0, w: 6, h: 4 } }],
      },
    }),
  },
  anomaly_subscription: {
    creator: 'owner',
    create: async (_app, _c, n) => ({
      body: { name: `cas-${n}`, selector: `atonix_bucket_size_bytes{n="${n}"}`, channel: { type: 'websocket' } },
    }),
  },
};

describe('conformance: the suite covers the registry', () => {
  it('has a fixture for every kind, so no kind goes without the shared checks', () => {
    expect(Object.keys(fixtures)).to.have.members(Object.keys(registry));
  });
});

for (const [kind, fixture] of Object.entries(fixtures)) describeKind(kind as Kind, fixture);
