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
    return this.start(args, env, false).done;
  }

  /**
   * Starts terraform and returns at once: `done` settles when it exits, `output` waits for text it prints, and with
   * `interactive` its stdin is a pipe (`answer` types into a prompt, as a user at `Enter a value:` would).
   */
  start(args: string[], env: Record<string, string> = {}, interactive = true) {
    const child = spawn('terraform', args, {
      cwd: this.dir,
      env: {
        ...process.env,
        TF_CLI_CONFIG_FILE: this.cliConfig,
        CHECKPOINT_DISABLE: '1',
        TF_IN_AUTOMATION: '1',
        TF_INPUT: interactive ? '1' : '0',
        NO_COLOR: '1',
        ATONIX_ENDPOINT: this.endpoint,
        ATONIX_TOKEN: this.token,
        ...env,
      },
      stdio: [interactive ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const waiters: { text: string; ok: (out: string) => void }[] = [];
    const onData = (d: Buffer) => {
      out += d;
      for (const w of waiters.splice(0))
        if (out.includes(w.text)) w.ok(out);
        else waiters.push(w);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const done = new Promise<TfResult>((ok, ko) => {
      child.on('error', ko);
      child.on('close', (code) => ok({ code: code ?? -1, out }));
    });
    return {
      done,
      /** Resolves with the output so far once it holds `text`; rejects if terraform exits first. */
      output: (text: string) =>
        Promise.race([
          new Promise<string>((ok) => (out.includes(text) ? ok(out) : waiters.push({ text, ok }))),
          done.then((r) => Promise.reject(new Error(`terraform exited ${r.code} before printing ${text}:\n${r.out}`))),
        ]),
      answer: (line: string) => child.stdin!.write(`${line}\n`),
    };
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
