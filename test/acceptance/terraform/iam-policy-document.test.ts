// atonix_iam_policy_document through the real terraform binary: the document is known at plan time, applies to the
// expected JSON, re-plans empty, and a bad effect is a diagnostic on the attribute in the configuration.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_TOKEN, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, ROOT, Workspace } from './workspace.js';

const CONFIG = `
data "atonix_iam_policy_document" "web" {
  policy_id = "web-team"
  source_policy_documents = [jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "Read", Effect = "Allow", Action = "compute:GetInstance", Resource = "*" }]
  })]

  statement {
    sid       = "Read"
    actions   = ["compute:ListInstances", "compute:GetInstance"]
    resources = ["*"]
  }

  statement {
    sid       = "Manage"
    actions   = ["compute:CreateInstance"]
    resources = ["atx:compute:us-east-1:usr-web:instance/*"]

    condition {
      test     = "StringEquals"
      variable = "atx:RequestedRegion"
      values   = ["us-east-1"]
    }
    condition {
      test     = "IpAddress"
      variable = "atx:SourceIp"
      values   = ["10.0.0.0/8", "192.168.0.0/16"]
    }
  }

  statement {
    effect      = "Deny"
    not_actions = ["compute:*", "networking:*"]
    resources   = ["*"]
  }
}

output "json" {
  value = data.atonix_iam_policy_document.web.json
}
`;

const EXPECTED = {
  Version: '2012-10-17',
  Id: 'web-team',
  Statement: [
    { Sid: 'Read', Effect: 'Allow', Action: ['compute:ListInstances', 'compute:GetInstance'], Resource: '*' },
    {
      Sid: 'Manage',
      Effect: 'Allow',
      Action: 'compute:CreateInstance',
      Resource: 'atx:compute:us-east-1:usr-web:instance/*',
      Condition: {
        IpAddress: { 'atx:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] },
        StringEquals: { 'atx:RequestedRegion': 'us-east-1' },
      },
    },
    { Effect: 'Deny', NotAction: ['networking:*', 'compute:*'], Resource: '*' },
  ],
};

describe('terraform: atonix_iam_policy_document', function () {
  this.timeout(300_000);
  let app: TestApp;
  const workspaces: Workspace[] = [];
  const ws = () => {
    const w = new Workspace(app.url, ADMIN_TOKEN);
    workspaces.push(w);
    return w;
  };
  before(async () => {
    await prepareProvider();
    app = await startApp();
  });
  after(async () => {
    for (const w of workspaces) w.remove();
    await app.close();
  });

  it('shows the document at plan time, applies to the expected JSON, and re-plans empty', async () => {
    const w = ws().write(CONFIG);
    const plan = await w.plan(2);
    expect(plan).to.contain('Changes to Outputs').and.contain('"atx:compute:us-east-1:usr-web:instance/*"');
    expect(plan).to.not.contain('(known after apply)');
    await w.apply();
    const json = JSON.parse(await w.must(['output', '-json', 'json'])) as string;
    expect(JSON.parse(json)).to.deep.equal(EXPECTED);
    expect(json).to.equal(JSON.stringify(EXPECTED, null, 2));
    await w.plan(0);
    const state = await w.must(['state', 'show', '-no-color', 'data.atonix_iam_policy_document.web']);
    expect(state)
      .to.match(/\bid\s+= "\d+"/)
      .and.match(/effect\s+= "Allow"/)
      .and.match(/version\s+= "2012-10-17"/);
  });

  it('is listed by `terraform providers schema -json` with its statement and condition blocks', async () => {
    const printed = JSON.parse(await ws().write('').must(['providers', 'schema', '-json']));
    const schema =
      printed.provider_schemas['registry.terraform.io/atonixcorp/atonix'].data_source_schemas.atonix_iam_policy_document
        .block;
    expect(Object.keys(schema.attributes)).to.have.members([
      'id',
      'json',
      'minified_json',
      'override_policy_documents',
      'policy_id',
      'source_policy_documents',
      'version',
    ]);
    const statement = schema.block_types.statement;
    expect(statement.nesting_mode).to.equal('list');
    expect(statement.block.attributes.actions.type).to.deep.equal(['set', 'string']);
    expect(Object.keys(statement.block.block_types), 'no principals: policies are identity-based').to.deep.equal([
      'condition',
    ]);
    expect(Object.keys(statement.block.block_types.condition.block.attributes)).to.have.members([
      'test',
      'variable',
      'values',
    ]);
  });

  it('reports a bad effect on the attribute, at validate and at plan', async () => {
    const w = ws().write(`
data "atonix_iam_policy_document" "bad" {
  statement {
    effect  = "Permit"
    actions = ["compute:GetInstance"]
  }
}
output "json" {
  value = data.atonix_iam_policy_document.bad.json
}
`);
    for (const args of [
      ['validate', '-no-color'],
      ['plan', '-no-color'],
    ]) {
      const out = await w.must(args, 1);
      expect(out).to.contain('Error: Invalid effect').and.contain('effect must be "Allow" or "Deny", not "Permit".');
      expect(out).to.match(/with data\.atonix_iam_policy_document\.bad,[\s\S]*effect\s+= "Permit"/);
    }
  });

  it('feeds atonix_iam_policy: the platform accepts the document and decides by it, &{...} variables included', async () => {
    const user = (
      await app.admin
        .post('/api/security/users')
        .send({ name: 'tf-doc-user', attach_default_policy: false })
        .expect(201)
    ).body;
    const w = ws().write(`
data "atonix_iam_policy_document" "own_vpcs" {
  statement {
    sid       = "OwnVpcs"
    actions   = ["networking:GetVpc", "networking:DeleteVpc"]
    resources = ["atx:networking:*:&{atx:PrincipalId}:vpc/*"]
  }
  statement {
    sid       = "KeepCore"
    effect    = "Deny"
    actions   = ["networking:DeleteVpc"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "atx:ResourceTag/tier"
      values   = ["core"]
    }
  }
}
resource "atonix_iam_policy" "own_vpcs" {
  name     = "tf-own-vpcs"
  document = data.atonix_iam_policy_document.own_vpcs.json
}
resource "atonix_user_policy_attachment" "dev" {
  user_id   = "${user.id}"
  policy_id = atonix_iam_policy.own_vpcs.id
}
`);
    await w.apply();
    await w.plan(0);
    const policy = (await app.admin.get(`/api/security/policies/${await w.stateId('atonix_iam_policy.own_vpcs')}`))
      .body;
    expect(policy.document.Statement[0].Resource).to.equal('atx:networking:*:${atx:PrincipalId}:vpc/*');
    const decide = async (action: string, owner: string, context: Record<string, string> = {}) => {
      const { results } = (
        await app.admin
          .post('/api/security/policies/simulate')
          .send({
            user_id: user.id,
            actions: [action],
            resources: [`atx:networking:us-east-1:${owner}:vpc/vpc-x`],
            context,
          })
          .expect(200)
      ).body;
      return [results[0].decision, results[0].deciding_statement?.sid];
    };
    expect(await decide('networking:GetVpc', user.id)).to.deep.equal(['allowed', 'OwnVpcs']);
    expect(await decide('networking:GetVpc', 'usr-someoneelse')).to.deep.equal(['implicit_deny', undefined]);
    expect(await decide('networking:DeleteVpc', user.id)).to.deep.equal(['allowed', 'OwnVpcs']);
    expect(await decide('networking:DeleteVpc', user.id, { 'atx:ResourceTag/tier': 'core' })).to.deep.equal([
      'explicit_deny',
      'KeepCore',
    ]);
    await w.destroy();
  });

  it('applies the documented example', async () => {
    const example = readFileSync(
      join(ROOT, 'examples/terraform/data-sources/atonix_iam_policy_document/data-source.tf'),
      'utf8',
    );
    const w = ws().write(example);
    await w.apply();
    const doc = JSON.parse(JSON.parse(await w.must(['output', '-json', 'web_team_policy'])) as string);
    expect(doc.Statement.map((s: { Sid?: string; Effect: string }) => s.Sid ?? s.Effect)).to.deep.equal([
      'ReadCompute',
      'ManageWebInstances',
      'Deny',
    ]);
    expect(doc.Statement[1].Resource).to.equal('atx:compute:us-east-1:${atx:PrincipalId}:instance/*');
    await w.plan(0);
    await w.destroy();
  });
});
