// A terraform working directory driven by the real `terraform` binary against the project's provider.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProvider } from '../../../scripts/build-provider.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface TfResult {
  code: number;
  out: string;
}

/** Builds the bundle once up front, so no terraform command pays (or races) the first build. */
export async function prepareProvider(): Promise<void> {
  await buildProvider({ entry: 'provider/src/main.ts', out: 'provider/dist/terraform-provider-atonix.cjs' });
}

export class Workspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'atonix-tf-'));
  private cliConfig: string;

  constructor(
    private endpoint: string,
    private token: string,
    cliConfig?: string,
  ) {
    this.cliConfig = cliConfig ?? join(this.dir, 'dev.tfrc');
    if (!cliConfig) {
      writeFileSync(
        this.cliConfig,
        `provider_installation {\n  dev_overrides {\n    "atonixcorp/atonix" = "${join(ROOT, 'provider/bin')}"\n  }\n  direct {}\n}\n`,
      );
    }
  }

  write(config: string, file = 'main.tf'): this {
    const header = 'terraform {\n  required_providers {\n    atonix = { source = "atonixcorp/atonix" }\n  }\n}\n';
    writeFileSync(join(this.dir, file), file === 'main.tf' ? header + config : config);
    return this;
  }

  run(args: string[], env: Record<string, string> = {}): Promise<TfResult> {
    return new Promise((ok, ko) => {
      const child = spawn('terraform', args, {
        cwd: this.dir,
        env: {
          ...process.env,
          TF_CLI_CONFIG_FILE: this.cliConfig,
          CHECKPOINT_DISABLE: '1',
          TF_IN_AUTOMATION: '1',
          TF_INPUT: '0',
          NO_COLOR: '1',
          ATONIX_ENDPOINT: this.endpoint,
          ATONIX_TOKEN: this.token,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        out += d;
      });
      child.on('error', ko);
      child.on('close', (code) => ok({ code: code ?? -1, out }));
    });
  }

  /** Runs and fails the test with terraform's output unless the exit code is the expected one. */
  async must(args: string[], expectCode = 0, env: Record<string, string> = {}): Promise<string> {
    const r = await this.run(args, env);
    if (r.code !== expectCode)
      throw new Error(`terraform ${args.join(' ')} exited ${r.code}, expected ${expectCode}:\n${r.out}`);
    return r.out;
  }

  apply() {
    return this.must(['apply', '-auto-approve', '-no-color']);
  }
  /** `plan -detailed-exitcode`: 0 = no changes, 2 = changes. */
  plan(expectCode: 0 | 2) {
    return this.must(['plan', '-detailed-exitcode', '-no-color'], expectCode);
  }
  destroy() {
    return this.must(['destroy', '-auto-approve', '-no-color']);
  }

  async stateId(address: string): Promise<string> {
    const out = await this.must(['state', 'show', '-no-color', address]);
    const m = /^\s+id\s+= "([^"]+)"/m.exec(out);
    if (!m) throw new Error(`no id in state of ${address}:\n${out}`);
    return m[1]!;
  }

  remove() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
