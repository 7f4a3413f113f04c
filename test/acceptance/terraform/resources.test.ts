// Every resource through the real terraform binary: apply, empty plan, import, update, replace, drift, destroy.
import { expect } from 'chai';
import { ADMIN_TOKEN, startApp, type TestApp } from '../../support/app.js';
import { FILE_SHARE_DEPS, FILE_SHARE_NET, FILE_SHARE_RULES } from './file-share-deps.js';
import { prepareProvider, Workspace } from './workspace.js';

interface Case {
  type: string;
  /** extra configuration the resource depends on */
  deps: string;
  body: (v: { name: string; mutable: string; immutable: string }) => string;
  /** the values set in turn: a mutable field's (updated in place) and an immutable one's (replaced); a kind with no
   * immutable field has no replacement step */
  values: { mutable: [string, string]; immutable?: [string, string] };
  api: string;
  /** the field the mutable value lands in (name unless said) */
  field?: string;
  /** where the mutable value lands, when that is not a top-level field (a member of a nested rule) */
  read?: (body: any) => unknown;
  /** what the field holds for a mutable value, when that is not the value itself (the id it names, a number) */
  resolve?: (ws: Workspace, value: string) => Promise<unknown>;
  /**
   * A resource whose DELETE only schedules its end (a key): the API still answers it, in the state this says is
   * gone, and the provider treats it as deleted.
   */
  pendingDeletion?: (body: any) => boolean;
  /** further checks of the live resource after the create (0) and after the update in place (1) */
  check?: (live: any, step: 0 | 1, app: TestApp) => Promise<void>;
}

const DEPS_NET = `
resource "atonix_vpc" "net" {
  name       = "deps"
  cidr_block = "10.50.0.0/16"
}
`;
const DEPS_COMPUTE = `${DEPS_NET}
resource "atonix_subnet" "net" {
  name       = "deps"
  vpc_id     = atonix_vpc.net.id
  cidr_block = "10.50.9.0/24"
}
data "atonix_flavor" "small" {
  name = "t1.small"
}
data "atonix_image" "debian" {
  name = "debian-12"
}
`;

const BACKUP_VAULT = `
resource "atonix_backup_vault" "v" {
  name = "deps"
}
`;

/** Two VPCs (a group or table replaced by moving it), a subnet each, a group, two tables and an attached gateway. */
const DEPS_ROUTING = `${DEPS_COMPUTE}
resource "atonix_vpc" "other" {
  name       = "deps-other"
  cidr_block = "10.51.0.0/16"
}
resource "atonix_subnet" "other" {
  name       = "deps-other"
  vpc_id     = atonix_vpc.net.id
  cidr_block = "10.50.8.0/24"
}
resource "atonix_security_group" "g" {
  name   = "deps"
  vpc_id = atonix_vpc.net.id
}
resource "atonix_internet_gateway" "gw" {
  name   = "deps"
  vpc_id = atonix_vpc.net.id
}
resource "atonix_route_table" "a" {
  name   = "deps-a"
  vpc_id = atonix_vpc.net.id
}
resource "atonix_route_table" "b" {
  name   = "deps-b"
  vpc_id = atonix_vpc.net.id
}
resource "atonix_instance" "router" {
  name      = "router"
  flavor_id = data.atonix_flavor.small.id
  image_id  = data.atonix_image.debian.id
  subnet_id = atonix_subnet.net.id
}
`;

const DEPS_KEYS = `
resource "atonix_kms_key" "a" {
  name                    = "deps-a"
  deletion_window_in_days = 7
}
resource "atonix_kms_key" "b" {
  name                    = "deps-b"
  deletion_window_in_days = 7
}
`;
const keyPending = (body: any) => body.key_state === 'pending_deletion';

/**
 * Two workflow definitions, written as jsonencode() (keys sorted, compact) while the API stores them as jsonb (its
 * own key order): that must not drift the plan. The first has a `ResultPath = null` that must stay null (it discards
 * a result) and a top-level TimeoutSeconds; the second drops TimeoutSeconds and the Wait state and adds a Task, so
 * members that went away, at the top and inside States, must go away in the stored version.
 */
const WORKFLOW_DEFINITIONS: Record<string, string> = {
  'wf-one': `jsonencode({
    States = {
      Nap  = { Type = "Wait", Seconds = 5, Next = "Done" }
      Done = { Type = "Pass", End = true, Result = { b = 2, a = 1 }, ResultPath = null }
    }
    StartAt        = "Nap"
    TimeoutSeconds = 600
    Comment        = "first"
  })`,
  'wf-two': `jsonencode({
    Comment = "second"
    StartAt = "List"
    States = {
      List = { Type = "Task", Resource = "listVpcs", Parameters = { params = { limit = "5" } }, ResultPath = null, Next = "Done" }
      Done = { Type = "Succeed" }
    }
  })`,
};
const WORKFLOW_STORED = [
  {
    Comment: 'first',
    StartAt: 'Nap',
    TimeoutSeconds: 600,
    States: {
      Nap: { Type: 'Wait', Seconds: 5, Next: 'Done' },
      Done: { Type: 'Pass', End: true, Result: { a: 1, b: 2 }, ResultPath: null },
    },
  },
  {
    Comment: 'second',
    StartAt: 'List',
    States: {
      List: {
        Type: 'Task',
        Resource: 'listVpcs',
        Parameters: { params: { limit: '5' } },
        ResultPath: null,
        Next: 'Done',
      },
      Done: { Type: 'Succeed' },
    },
  },
];

const CASES: Case[] = [
  {
    type: 'atonix_alert_rule',
    deps: 'resource "atonix_notification_channel" "c" {\n  name = "deps"\n  type = "websocket"\n}\n',
    api: '/api/monitoring/alerts',
    // A metric rule: its PromQL (`query`) and evaluation times are computed and must not drift the plan.
    body: (v) =>
      `name = "${v.mutable}"\n  metric = "atonix_bucket_size_bytes"\n  metric_labels = { kind = "bucket" }\n  statistic = "max"\n  threshold = 1024\n  for = "5m"\n  labels = { severity = "page" }\n  annotations = { summary = "{{ $labels.resource_id }} is {{ $value }} bytes" }\n  channel_ids = [atonix_notification_channel.c.id]`,
    values: { mutable: ['rule-one', 'rule-two'] },
    check: async (live) => {
      expect(live.query).to.equal('max_over_time(atonix_bucket_size_bytes{kind="bucket"}[5m]) > 1024');
      expect(live.channel_ids).to.have.length(1);
    },
  },
  {
    type: 'atonix_notification_channel',
    deps: '',
    api: '/api/monitoring/notification-channels',
    // A webhook's secret is write-only (not read back by an import), so the shared loop's import step uses the
    // WebSocket type; examples/terraform/monitoring applies a webhook with its secret.
    body: (v) => `name = "${v.mutable}"\n  type = "websocket"\n  description = "console"`,
    values: { mutable: ['chan-one', 'chan-two'] },
  },
  {
    type: 'atonix_silence',
    deps: '',
    api: '/api/monitoring/silences',
    body: (v) =>
      `name = "${v.mutable}"\n  matchers = [{ name = "alertname", value = "BucketTooBig" }, { name = "severity", op = "=~", value = "page|critical" }]\n  starts_at = "2030-01-01T20:00:00Z"\n  ends_at = "2030-01-02T06:00:00Z"\n  comment = "migration"`,
    values: { mutable: ['quiet-one', 'quiet-two'] },
    check: async (live) => {
      expect(live).to.include({ state: 'pending', ends_at: '2030-01-02T06:00:00Z' });
    },
  },
  {
    type: 'atonix_vpc',
    deps: '',
    api: '/api/networking/vpcs',
    body: (v) => `name = "${v.mutable}"\n  cidr_block = "${v.immutable}"`,
    values: { mutable: ['vpc-one', 'vpc-two'], immutable: ['10.60.0.0/16', '10.61.0.0/16'] },
  },
  {
    type: 'atonix_subnet',
    deps: DEPS_NET,
    api: '/api/networking/subnets',
    body: (v) => `name = "${v.mutable}"\n  vpc_id = atonix_vpc.net.id\n  cidr_block = "${v.immutable}"`,
    values: { mutable: ['sub-one', 'sub-two'], immutable: ['10.50.1.0/24', '10.50.2.0/24'] },
  },
  {
    type: 'atonix_instance',
    deps: DEPS_COMPUTE,
    api: '/api/compute/instances',
    body: (v) =>
      `name = "${v.mutable}"\n  flavor_id = data.atonix_flavor.small.id\n  image_id = data.atonix_image.debian.id\n  subnet_id = atonix_subnet.net.id\n  metadata = { role = "${v.immutable}" }`,
    // metadata is mutable too; the immutable change below swaps the image instead
    values: { mutable: ['vm-one', 'vm-two'], immutable: ['a', 'a'] },
  },
  {
    type: 'atonix_security_group',
    deps: DEPS_ROUTING,
    api: '/api/networking/security-groups',
    body: (v) =>
      `name = "${v.mutable}"\n  vpc_id = atonix_vpc.${v.immutable}.id\n  ingress = [\n    { protocol = "tcp", from_port = 22, to_port = 22, cidr_block = "10.0.0.0/8" },\n    { protocol = "icmp", from_port = 8, cidr_block = "0.0.0.0/0", description = "ping" },\n  ]`,
    values: { mutable: ['sg-one', 'sg-two'], immutable: ['net', 'other'] },
  },
  {
    type: 'atonix_security_group_rule',
    deps: DEPS_ROUTING,
    api: '/api/networking/security-group-rules',
    field: 'description',
    body: (v) =>
      `security_group_id = atonix_security_group.g.id\n  direction = "ingress"\n  protocol = "tcp"\n  from_port = ${v.immutable}\n  to_port = ${v.immutable}\n  cidr_block = "10.0.0.0/8"\n  description = "${v.mutable}"`,
    values: { mutable: ['first', 'second'], immutable: ['22', '23'] },
  },
  {
    type: 'atonix_internet_gateway',
    deps: DEPS_NET,
    api: '/api/networking/internet-gateways',
    body: (v) => `name = "${v.mutable}"\n  vpc_id = atonix_vpc.net.id`,
    values: { mutable: ['igw-one', 'igw-two'] },
  },
  {
    type: 'atonix_route_table',
    deps: DEPS_ROUTING,
    api: '/api/networking/route-tables',
    body: (v) => `name = "${v.mutable}"\n  vpc_id = atonix_vpc.${v.immutable}.id`,
    values: { mutable: ['rt-one', 'rt-two'], immutable: ['net', 'other'] },
  },
  {
    type: 'atonix_route',
    deps: DEPS_ROUTING,
    api: '/api/networking/routes',
    field: 'gateway_id',
    body: (v) =>
      `route_table_id = atonix_route_table.a.id\n  destination_cidr_block = "${v.immutable}"\n  ${v.mutable === 'gw' ? 'gateway_id = atonix_internet_gateway.gw.id' : 'instance_id = atonix_instance.router.id'}`,
    values: { mutable: ['gw', 'router'], immutable: ['0.0.0.0/0', '192.168.0.0/16'] },
    // a route to the instance has no gateway
    resolve: async (ws, v) => (v === 'gw' ? ws.stateId('atonix_internet_gateway.gw') : (null as unknown as string)),
  },
  {
    type: 'atonix_route_table_association',
    deps: DEPS_ROUTING,
    api: '/api/networking/route-table-associations',
    field: 'route_table_id',
    body: (v) => `subnet_id = atonix_subnet.${v.immutable}.id\n  route_table_id = atonix_route_table.${v.mutable}.id`,
    values: { mutable: ['a', 'b'], immutable: ['net', 'other'] },
    resolve: (ws, v) => ws.stateId(`atonix_route_table.${v}`),
  },
  {
    type: 'atonix_iam_policy',
    deps: '',
    api: '/api/security/policies',
    field: 'description',
    body: (v) =>
      `name = "${v.immutable}"\n  description = "${v.mutable}"\n  document = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{ Sid = "Read", Effect = "Allow", Action = ["compute:Get*", "compute:List*"], Resource = "*" }]\n  })`,
    values: { mutable: ['first', 'second'], immutable: ['tf-policy-a', 'tf-policy-b'] },
  },
  {
    type: 'atonix_group',
    deps: '',
    api: '/api/security/groups',
    body: (v) => `name = "${v.mutable}"\n  description = "ops"`,
    values: { mutable: ['tf-group-a', 'tf-group-b'] },
  },
  {
    type: 'atonix_kms_key',
    deps: '',
    api: '/api/security/keys',
    body: (v) =>
      `name = "${v.mutable}"\n  key_spec = "${v.immutable}"\n  deletion_window_in_days = 7\n  enable_key_rotation = ${v.immutable === 'SYMMETRIC_DEFAULT'}`,
    values: { mutable: ['key-one', 'key-two'], immutable: ['SYMMETRIC_DEFAULT', 'RSA_2048'] },
    pendingDeletion: keyPending,
  },
  {
    type: 'atonix_kms_alias',
    deps: DEPS_KEYS,
    api: '/api/security/key-aliases',
    body: (v) => `name = "${v.immutable}"\n  target_key_id = atonix_kms_key.${v.mutable}.id`,
    values: { mutable: ['a', 'b'], immutable: ['alias/acceptance-one', 'alias/acceptance-two'] },
    field: 'target_key_id',
    resolve: (ws, v) => ws.stateId(`atonix_kms_key.${v}`),
  },
  {
    type: 'atonix_bucket',
    deps: '',
    api: '/api/storage/buckets',
    // Bucket names are global: a rename is a new bucket. The usage figures it computes must not drift the plan.
    body: (v) => `name = "${v.immutable}"\n  size_gb = ${v.mutable}\n  metadata = { team = "storage" }`,
    values: { mutable: ['10', '20'], immutable: ['tf-acceptance-one', 'tf-acceptance-two'] },
    field: 'size_gb',
    resolve: async (_ws, v) => Number(v),
  },
  {
    type: 'atonix_bucket_lifecycle_configuration',
    deps: `resource "atonix_bucket" "one" {\n  name = "tf-lifecycle-one"\n}\nresource "atonix_bucket" "two" {\n  name = "tf-lifecycle-two"\n}\n`,
    api: '/api/storage/lifecycle-configurations',
    // Rules are a set of objects; members left out are null, and must not drift the plan.
    body: (v) =>
      `bucket_id = atonix_bucket.${v.immutable}.id\n  rules = [\n    { id = "logs", status = "Enabled", prefix = "logs/", tags = { team = "web" }, transition_infrequent_days = 30, transition_archive_days = 90, expiration_days = ${v.mutable} },\n    { id = "uploads", status = "Enabled", abort_incomplete_multipart_upload_days = 7 },\n  ]`,
    values: { mutable: ['365', '400'], immutable: ['one', 'two'] },
    read: (b) => b.rules.find((r: { id: string }) => r.id === 'logs').expiration_days,
    resolve: async (_ws, v) => Number(v),
  },
  {
    type: 'atonix_volume',
    deps: '',
    api: '/api/storage/volumes',
    // Growing it is an in-place modification (through `modifying`); another zone is another volume.
    body: (v) => `name = "data"\n  size_gb = ${v.mutable}\n  availability_zone = "${v.immutable}"`,
    values: { mutable: ['10', '20'], immutable: ['us-east-1a', 'us-east-1b'] },
    field: 'size_gb',
    resolve: async (_ws, v) => Number(v),
  },
  {
    type: 'atonix_backup_vault',
    deps: '',
    api: '/api/storage/backup-vaults',
    body: (v) => `name = "${v.mutable}"\n  description = "nightly copies"`,
    values: { mutable: ['vault-one', 'vault-two'] },
  },
  {
    type: 'atonix_backup_plan',
    deps: BACKUP_VAULT,
    api: '/api/storage/backup-plans',
    // Rules are a nested set; the optional fields left out stay null in the API, so the plan stays empty.
    body: (v) =>
      `name = "${v.mutable}"\n  rules = [{ name = "daily", schedule = "0 5 * * *", timezone = "Europe/Berlin", target_vault_id = atonix_backup_vault.v.id, retention_days = 7 }, { name = "hourly", schedule = "rate(1 hour)", target_vault_id = atonix_backup_vault.v.id, retention_count = 24 }]`,
    values: { mutable: ['plan-one', 'plan-two'] },
    check: async (live) => {
      expect(live.rules).to.have.length(2);
    },
  },
  {
    type: 'atonix_backup_selection',
    deps: `${BACKUP_VAULT}${['a', 'b'].map((p) => `resource "atonix_backup_plan" "${p}" {\n  name = "${p}"\n  rules = [{ name = "daily", schedule = "0 5 * * *", target_vault_id = atonix_backup_vault.v.id }]\n}\n`).join('')}`,
    api: '/api/storage/backup-selections',
    body: (v) => `name = "${v.mutable}"\n  plan_id = ${v.immutable}\n  tags = { backup = "daily" }`,
    values: { mutable: ['sel-one', 'sel-two'], immutable: ['atonix_backup_plan.a.id', 'atonix_backup_plan.b.id'] },
    check: async (live) => {
      expect(live.tags).to.deep.equal({ backup: 'daily' });
    },
  },
  {
    type: 'atonix_scheduled_task',
    deps: '',
    api: '/api/automation/scheduled-tasks',
    // The target is JSON text compared by meaning; the run times it computes must not drift the plan. The API
    // merge-patches it, so a parameter dropped from the nested params must be sent as null to go away.
    body: (v) =>
      `name = "${v.mutable}"\n  schedule = "0 19 * * 1-5"\n  timezone = "Europe/Berlin"\n  target = jsonencode({ operation_id = "listVpcs", params = ${v.mutable === 'stop-one' ? '{ limit = "5", name = "web" }' : '{ limit = "5" }'} })`,
    values: { mutable: ['stop-one', 'stop-two'] },
    check: async (live, step) => {
      expect(live.target).to.deep.equal({
        operation_id: 'listVpcs',
        params: step ? { limit: '5' } : { limit: '5', name: 'web' },
      });
    },
  },
  {
    type: 'atonix_workflow',
    deps: '',
    api: '/api/automation/workflows',
    // A new definition is a new version of the same workflow (no replacement); JSON text is compared by meaning.
    body: (v) => `name = "${v.mutable}"\n  description = "nightly"\n  definition = ${WORKFLOW_DEFINITIONS[v.mutable]}`,
    values: { mutable: ['wf-one', 'wf-two'] },
    check: async (live, step, app) => {
      expect(live.latest_version).to.equal(step + 1);
      expect(live.definition).to.deep.equal(WORKFLOW_STORED[step]);
      const versions = (await app.admin.get(`/api/automation/workflows/${live.id}/versions`).expect(200)).body.items;
      expect(versions.map((v: any) => v.version)).to.deep.equal(step ? [2, 1] : [1]);
      expect(versions[0].definition).to.deep.equal(WORKFLOW_STORED[step]);
    },
  },
  {
    type: 'atonix_file_share',
    deps: FILE_SHARE_NET,
    api: '/api/storage/file-shares',
    body: ({ mutable, immutable }) =>
      `name = "fs"\n  vpc_id = atonix_vpc.net.id\n  size_gb = ${mutable}\n  protocol = "${immutable}"\n  export_rules = ${FILE_SHARE_RULES}`,
    values: { mutable: ['10', '20'], immutable: ['NFS', 'SMB'] },
    field: 'size_gb',
    resolve: async (_ws, v) => Number(v),
    check: async (live) => {
      expect(live.status).to.equal('available');
      expect(live.export_rules.map((r: any) => r.priority)).to.deep.equal([10, 20]);
    },
  },
  {
    type: 'atonix_file_share_mount_target',
    deps: FILE_SHARE_DEPS,
    api: '/api/storage/mount-targets',
    body: ({ mutable, immutable }) =>
      `file_share_id = atonix_file_share.home.id\n  subnet_id = atonix_subnet.a.id\n  ip_address = "${immutable}"\n  security_group_ids = [atonix_security_group.${mutable}.id]`,
    values: { mutable: ['one', 'two'], immutable: ['10.71.1.10', '10.71.1.11'] },
    read: (b) => b.security_group_ids.join(','),
    resolve: (ws, v) => ws.stateId(`atonix_security_group.${v}`),
    check: async (live) => {
      expect(live.status).to.equal('available');
      expect(live.ip_address).to.equal('10.71.1.10');
    },
  },
  {
    type: 'atonix_cdn_cache_policy',
    deps: '',
    api: '/api/cdn/cache-policies',
    body: (v) =>
      `name = "${v.mutable}"\n  default_ttl = 3600\n  query_strings = jsonencode({ behavior = "allow", names = ["v"] })`,
    values: { mutable: ['ccp-one', 'ccp-two'] },
    check: async (live) => {
      expect(live.query_strings).to.deep.equal({ behavior: 'allow', names: ['v'] });
    },
  },
  {
    // Disabled, so the loop's out-of-band delete and destroy may delete it (an enabled one is a 409).
    type: 'atonix_cdn_distribution',
    deps: '',
    api: '/api/networking/cdn/distributions',
    body: (v) =>
      `name = "${v.mutable}"\n  enabled = false\n  aliases = ["${v.mutable}.example.com"]\n  origins = [{ id = "web", url = "http://127.0.0.1:9" }]\n  default_cache_behavior = { target_origin_id = "web", cache_policy_id = "cp-cachingoptimized" }`,
    values: { mutable: ['dist-one', 'dist-two'] },
    // Nested attributes: the fields left unset went with the spec's defaults, as the plan showed them.
    check: async (live) => {
      expect(live.status).to.equal('deployed');
      expect(live.origins).to.deep.equal([
        {
          id: 'web',
          bucket_id: null,
          url: 'http://127.0.0.1:9',
          origin_path: '',
          custom_headers: {},
          connect_timeout_ms: 10000,
          read_timeout_ms: 30000,
        },
      ]);
      expect(live.default_cache_behavior).to.include({ compress: false, viewer_protocol_policy: 'allow-all' });
    },
  },
  {
    type: 'atonix_anomaly_subscription',
    deps: 'resource "atonix_notification_channel" "c" {\n  name = "deps"\n  type = "webhook"\n  url = "http://127.0.0.1:9/hook"\n  secret = "a-webhook-secret-0123"\n}\n',
    api: '/api/ai/anomalies/subscriptions',
    // The channel is a map in Terraform; the threshold and the learning status are computed and must not drift.
    body: (v) =>
      `name = "${v.mutable}"\n  selector = "atonix_instance_cpu_utilization_percent{resource_id=\\"inst-abc1\\"}"\n  sensitivity = "high"\n  min_duration = "10m"\n  channel = { type = "webhook", notification_channel_id = atonix_notification_channel.c.id }`,
    values: { mutable: ['anomaly-one', 'anomaly-two'] },
    check: async (live) => {
      expect(live).to.include({ sensitivity: 'high', min_duration: '10m', status: 'learning', threshold: 3.5 });
      expect(live.channel.notification_channel_id).to.match(/^nch-/);
    },
  },
  {
    type: 'atonix_dashboard',
    deps: '',
    api: '/api/monitoring/dashboards',
    // Panels are JSON text kept as sent (no defaults filled in, so no drift); the second step changes every field,
    // the time range to an RFC 3339 start, and drops a panel.
    body: (v) =>
      v.mutable === 'dash-one'
        ? `name = "${v.mutable}"\n  time_range = { from = "now-24h", to = "now" }\n  refresh = "30s"\n  tags = ["ops"]\n  panels = jsonencode([\n    { type = "timeseries", title = "CPU", unit = "percent", queries = [{ expr = "avg by (resource_id) (atonix_instance_cpu_utilization_percent)", legend = "{{resource_id}}" }], grid_pos = { x = 0, y = 0, w = 12, h = 8 } },\n    { type = "stat", title = "Bytes", reduction = "max", queries = [{ expr = "sum(atonix_bucket_size_bytes)" }], grid_pos = { x = 12, y = 0, w = 6, h = 4 } },\n  ])`
        : `name = "${v.mutable}"\n  time_range = { from = "2026-01-01T00:00:00Z", to = "now" }\n  refresh = "off"\n  tags = []\n  panels = jsonencode([{ type = "table", title = "Buckets", queries = [{ expr = "atonix_bucket_size_bytes" }], grid_pos = { x = 0, y = 0, w = 24, h = 6 } }])`,
    values: { mutable: ['dash-one', 'dash-two'] },
    check: async (live, step) => {
      if (step === 0) {
        expect(live).to.include({ refresh: '30s' });
        expect(live.tags).to.deep.equal(['ops']);
        expect(live.time_range).to.deep.equal({ from: 'now-24h', to: 'now' });
        expect(live.panels.map((p: any) => p.title)).to.deep.equal(['CPU', 'Bytes']);
        expect(live.panels[0].queries[0]).to.deep.equal({
          expr: 'avg by (resource_id) (atonix_instance_cpu_utilization_percent)',
          legend: '{{resource_id}}',
        });
      } else {
        expect(live).to.include({ refresh: 'off' });
        expect(live.tags).to.deep.equal([]);
        expect(live.time_range).to.deep.equal({ from: '2026-01-01T00:00:00Z', to: 'now' });
        expect(live.panels).to.deep.equal([
          {
            type: 'table',
            title: 'Buckets',
            queries: [{ expr: 'atonix_bucket_size_bytes' }],
            grid_pos: { x: 0, y: 0, w: 24, h: 6 },
          },
        ]);
      }
    },
  },
];

describe('terraform: resources through the real binary', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '300' });
  });
  after(() => app.close());

  for (const c of CASES) {
    it(`${c.type}: apply, re-plan empty, import, update in place, replace, out-of-band delete, destroy`, async () => {
      const ws = new Workspace(app.url, ADMIN_TOKEN);
      try {
        const config = (mutable: string, immutable = '', extra = '') =>
          `${c.deps}\nresource "${c.type}" "x" {\n  ${c.body({ name: 'x', mutable, immutable })}\n${extra}}\n`;
        ws.write(config(c.values.mutable[0], c.values.immutable?.[0]));
        await ws.apply();
        await ws.plan(0);
        const id = await ws.stateId(`${c.type}.x`);
        const live = (await app.admin.get(`${c.api}/${id}`).expect(200)).body;
        const mutable = async (i: 0 | 1) => (c.resolve ? c.resolve(ws, c.values.mutable[i]) : c.values.mutable[i]);
        const landed = (body: any) => (c.read ? c.read(body) : body[c.field ?? 'name']);
        expect(landed(live)).to.equal(await mutable(0));
        await c.check?.(live, 0, app);

        await ws.must(['state', 'rm', `${c.type}.x`]);
        await ws.must(['import', '-no-color', `${c.type}.x`, id]);
        await ws.plan(0);

        ws.write(config(c.values.mutable[1], c.values.immutable?.[0]));
        const update = await ws.plan(2);
        expect(update).to.contain('1 to change, 0 to destroy');
        await ws.apply();
        await ws.plan(0);
        const updated = (await app.admin.get(`${c.api}/${id}`).expect(200)).body;
        expect(landed(updated)).to.equal(await mutable(1));
        await c.check?.(updated, 1, app);

        let newId = id;
        if (!c.values.immutable) {
          // nothing to replace
        } else if (c.type === 'atonix_instance') {
          ws.write(
            config(c.values.mutable[1], c.values.immutable[1]).replace(
              'data.atonix_image.debian.id',
              'data.atonix_image.rocky.id',
            ) + 'data "atonix_image" "rocky" {\n  name = "rocky-9"\n}\n',
          );
        } else {
          ws.write(config(c.values.mutable[1], c.values.immutable[1]));
        }
        if (c.values.immutable) {
          const replace = await ws.plan(2);
          expect(replace).to.match(/must be replaced/);
          expect(replace).to.contain('1 to add, 0 to change, 1 to destroy');
          await ws.apply();
          await ws.plan(0);
          newId = await ws.stateId(`${c.type}.x`);
          expect(newId).to.not.equal(id);
          const old = await app.admin.get(`${c.api}/${id}`);
          if (c.pendingDeletion)
            expect(c.pendingDeletion(old.body), 'the replaced one is scheduled for deletion').to.equal(true);
          else expect(old.status).to.equal(404);
        }

        await app.admin.delete(`${c.api}/${newId}`).expect(c.pendingDeletion ? 202 : 204);
        const drift = await ws.plan(2);
        expect(drift).to.contain(`${c.type}.x will be created`);

        await ws.destroy();
        expect(
          (await app.admin.get(`${c.api}?limit=1000`).expect(200)).body.items.filter(
            (i: any) => [id, newId].includes(i.id) && !c.pendingDeletion?.(i),
          ),
        ).to.deep.equal([]);
      } finally {
        ws.remove();
      }
    });
  }

  it('atonix_kms_key: destroy schedules the deletion with the deletion window; is_enabled and rotation apply in place', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      const config = (enabled: boolean, rotation: boolean) =>
        `resource "atonix_kms_key" "k" {\n  name = "declared"\n  deletion_window_in_days = 9\n  is_enabled = ${enabled}\n  enable_key_rotation = ${rotation}\n}\nresource "atonix_kms_alias" "k" {\n  name = "alias/declared"\n  target_key_id = atonix_kms_key.k.id\n}\noutput "state" {\n  value = atonix_kms_key.k.key_state\n}\n`;
      ws.write(config(true, false));
      expect(await ws.apply()).to.match(/state = "enabled"/);
      const id = await ws.stateId('atonix_kms_key.k');
      ws.write(config(false, true));
      expect(await ws.apply()).to.match(/state = "disabled"/);
      await ws.plan(0);
      const key = (await app.admin.get(`/api/security/keys/${id}`).expect(200)).body;
      expect(key).to.include({ key_state: 'disabled', enable_key_rotation: true });
      expect(key.next_rotation_date).to.be.a('string');
      // An alias is imported by its name too.
      const aliasId = await ws.stateId('atonix_kms_alias.k');
      await ws.must(['state', 'rm', 'atonix_kms_alias.k']);
      await ws.must(['import', '-no-color', 'atonix_kms_alias.k', 'alias/declared']);
      expect(await ws.stateId('atonix_kms_alias.k')).to.equal(aliasId);
      await ws.plan(0);
      await ws.destroy();
      const after = (await app.admin.get(`/api/security/keys/${id}`).expect(200)).body;
      expect(after.key_state).to.equal('pending_deletion');
      const days = (Date.parse(after.deletion_date) - Date.parse(after.updated_at)) / 86_400_000;
      expect(Math.round(days)).to.equal(9);
      await app.admin.get(`/api/security/key-aliases/${aliasId}`).expect(404);
    } finally {
      ws.remove();
    }
  });

  it('atonix_workflow: JSON text in its own spelling keeps an empty plan; an import differs only in whitespace', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      // Heredoc text: its own key order and spacing, which the API (jsonb) answers sorted another way and compact.
      const text = `{
  "States": {
    "Done":  { "Type": "Pass", "End": true, "Result": { "b": 2, "a": 1 },  "ResultPath": null }
  },
  "StartAt": "Done",   "Comment": "spelled by hand"
}`;
      ws.write(`resource "atonix_workflow" "w" {\n  name = "spelled"\n  definition = <<-EOT\n${text}\n  EOT\n}\n`);
      await ws.apply();
      await ws.plan(0);
      await ws.must(['apply', '-refresh-only', '-auto-approve', '-no-color']);
      await ws.plan(0);
      const id = await ws.stateId('atonix_workflow.w');
      expect((await app.admin.get(`/api/automation/workflows/${id}`).expect(200)).body.definition).to.deep.equal(
        JSON.parse(text),
      );
      // An import reads the API's spelling: Terraform can only show the difference as whitespace, and applying it
      // changes nothing (no new version).
      await ws.must(['state', 'rm', 'atonix_workflow.w']);
      await ws.must(['import', '-no-color', 'atonix_workflow.w', id]);
      const plan = await ws.plan(2);
      expect(plan).to.contain('# whitespace changes');
      expect(plan).to.contain('0 to add, 1 to change, 0 to destroy');
      await ws.apply();
      await ws.plan(0);
      expect((await app.admin.get(`/api/automation/workflows/${id}`).expect(200)).body.latest_version).to.equal(1);
      await ws.destroy();
      await app.admin.get(`/api/automation/workflows/${id}`).expect(404);
    } finally {
      ws.remove();
    }
  });

  it('atonix_instance: power_state stops and starts declaratively', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      const config = (power: string, metadata = '{ a = "1", b = "2" }') =>
        `${DEPS_COMPUTE}\nresource "atonix_instance" "p" {\n  name = "p"\n  flavor_id = data.atonix_flavor.small.id\n  image_id = data.atonix_image.debian.id\n  power_state = "${power}"\n  metadata = ${metadata}\n}\noutput "status" {\n  value = atonix_instance.p.status\n}\n`;
      ws.write(config('running'));
      expect(await ws.apply()).to.match(/status = "running"/);
      // A key dropped from a map goes away (the provider sends it as null in the merge patch).
      ws.write(config('running', '{ a = "1" }'));
      await ws.apply();
      await ws.plan(0);
      const id = await ws.stateId('atonix_instance.p');
      expect((await app.admin.get(`/api/compute/instances/${id}`).expect(200)).body.metadata).to.deep.equal({ a: '1' });
      ws.write(config('stopped'));
      expect(await ws.apply()).to.match(/status = "stopped"/);
      await ws.plan(0);
      ws.write(config('running'));
      expect(await ws.apply()).to.match(/status = "running"/);
      await ws.destroy();
    } finally {
      ws.remove();
    }
  });
});
