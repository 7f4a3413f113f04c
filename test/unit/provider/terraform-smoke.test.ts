// The real `terraform` binary drives the test provider through dev_overrides: apply, an empty plan, destroy.
// Skipped when terraform is not on PATH; everything else about the protocol is covered by the harness tests.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildFake } from './harness/build.js';
import { FAKE_LAUNCHER } from './harness/launch.js';

const CONFIG = (store: string): string => `
terraform {
  required_providers {
    fake = { source = "registry.terraform.io/test/fake" }
  }
}
provider "fake" {
  store_path = "${store}"
}
resource "terraform_data" "seed" { input = "x" }
resource "fake_thing" "a" {
  name     = "alpha-\${terraform_data.seed.id}" # a refined unknown (ext 12) at plan time
  size     = 9007199254740993                  # beyond 2^53: must survive state and UpgradeResourceState
  ratio    = 0.1                               # arrives as the decimal string "0.1"
  tags     = { env = "dev", ref = terraform_data.seed.id }
  settings = { mode = "fast" }
  password_wo = "never-stored"                  # write-only (Terraform 1.11+): null in plan and state
  extra    = { a = 1, b = [true, "x"] }
  rule { port = 443 }
  rule {
    port  = 80
    proto = "udp"
  }
}
data "fake_info" "i" { name = "n" }
output "answer" { value = data.fake_info.i.answer }
`;

describe('provider runtime: driven by the real terraform binary', function () {
  this.timeout(180_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const terraform = (...args: string[]): { status: number | null; output: string } => {
    const r = spawnSync('terraform', [...args, '-no-color'], { cwd: dir, env, encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
  };

  before(async function () {
    if (spawnSync('terraform', ['version'], { encoding: 'utf8' }).status !== 0) this.skip();
    await buildFake();
    dir = mkdtempSync(join(tmpdir(), 'tf-smoke-'));
    writeFileSync(
      join(dir, 'dev.tfrc'),
      `provider_installation {\n  dev_overrides {\n    "registry.terraform.io/test/fake" = "${dirname(FAKE_LAUNCHER)}"\n  }\n  direct {}\n}\n`,
    );
    writeFileSync(join(dir, 'main.tf'), CONFIG(join(dir, 'store.json')));
    env = {
      ...process.env,
      TF_CLI_CONFIG_FILE: join(dir, 'dev.tfrc'),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
    };
    delete env.TF_LOG;
    delete env.TF_LOG_PATH;
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('applies, then plans no changes (exit 0), then destroys', () => {
    const applied = terraform('apply', '-auto-approve');
    expect(applied.status, applied.output).to.equal(0);
    expect(applied.output).to.include('Apply complete! Resources: 2 added');
    const state = readFileSync(join(dir, 'terraform.tfstate'), 'utf8');
    expect(state).to.match(/"size": 9007199254740993\b/);
    expect(state).to.match(/"ratio": 0\.1\b/);
    expect(state).not.to.include('never-stored');

    const plan = terraform('plan', '-detailed-exitcode');
    expect(plan.status, plan.output).to.equal(0);

    const destroyed = terraform('destroy', '-auto-approve');
    expect(destroyed.status, destroyed.output).to.equal(0);
    expect(destroyed.output).to.include('Destroy complete! Resources: 2 destroyed');
    expect(JSON.parse(readFileSync(join(dir, 'store.json'), 'utf8'))).to.deep.equal({});
  });
});
