// `npm run bench:iac`: the Infrastructure-as-Code figures, each against a baseline measured in the same run:
//   - the provider's launch-to-handshake (median of 20) against bare `node`;
//   - `terraform apply` of 100 atonix_vpc against 100 built-in terraform_data, with the provider launched by terraform
//     and with it attached (`--attach`: one warm process that every command reattaches to);
//   - a stack of 100 independent VPCs against the same 100 made with sequential REST calls.
// Writes its section of bench/RESULTS.md (between its markers, below the hand-written line the main bench keeps).
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbedded } from '../api/src/platform/db/embedded.js';
import { createSelfSignedCertificate } from '../provider/src/runtime/certificate.js';
import { MAGIC_COOKIE_VALUE } from '../provider/src/runtime/plugin-env.js';
import { buildProvider } from '../scripts/build-provider.js';
import { startChild, stopAll } from './lib/children.js';
import { Api } from './lib/fixtures.js';
import { KEEP_MARKER } from './lib/report.js';
import { startFlags } from './lib/source.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench/RESULTS.md');
const ADMIN = 'atx_bench_admin_token_not_a_secret_000000';
const N = 100;
/** The machine's noise is 10-25% from run to run, and the ratios divide two noisy medians: five rounds, not three. */
const APPLY_ROUNDS = 5;
const log = (m: string) => process.stderr.write(`[bench:iac] ${m}\n`);
const signed = (n: number) => (n < 0 ? `${n}` : `+${n}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const watchdog = setTimeout(() => {
  log('watchdog: 10 minutes passed');
  void stopAll().finally(() => process.exit(2));
}, 10 * 60_000);

function firstLine(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((ok, ko) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.once('data', () => {
      const ms = performance.now() - t0;
      child.kill('SIGKILL');
      ok(ms);
    });
    child.once('exit', (code) => ko(new Error(`${cmd} exited ${code} before its first line`)));
  });
}

/** Attached providers of this run: killed however the run ends (they would otherwise serve on, unattended). */
const attachedChildren = new Set<import('node:child_process').ChildProcess>();
process.on('exit', () => {
  for (const c of attachedChildren) c.kill('SIGKILL');
});

/** Starts a provider launcher with --attach and returns its TF_REATTACH_PROVIDERS value; killed by the returned stop. */
function attachProvider(launcher: string, env: NodeJS.ProcessEnv): Promise<{ reattach: string; stop(): void }> {
  return new Promise((ok, ko) => {
    const child = spawn(launcher, ['--attach'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    attachedChildren.add(child);
    child.once('exit', () => attachedChildren.delete(child));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /^export TF_REATTACH_PROVIDERS='([^']+)'\n/.exec(out);
      if (m) ok({ reattach: m[1]!, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => ko(new Error(`${launcher} --attach exited ${code}`)));
  });
}

function terraform(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((ok, ko) => {
    const t0 = performance.now();
    const child = spawn('terraform', args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.once('exit', (code) =>
      code === 0 ? ok(performance.now() - t0) : ko(new Error(`terraform ${args.join(' ')}: ${err}`)),
    );
  });
}

const tmp = mkdtempSync(join(os.tmpdir(), 'atonix-bench-iac-'));
chmodSync(tmp, 0o755); // as root, PostgreSQL runs as `postgres`, which must reach the data dir inside
const db = await startEmbedded(join(tmp, 'data'));
try {
  const apiChild = await startChild({
    name: 'api',
    script: 'api/src/main.ts',
    cwd: ROOT,
    logDir: tmp,
    readyPath: '/readyz',
    nodeFlags: startFlags(ROOT),
    env: {
      DATABASE_URL: db.url,
      ATONIX_ADMIN_TOKEN: ADMIN,
      ATONIX_PROVISION_DELAY_MS: '0',
      ATONIX_RATE_LIMIT_PER_SECOND: '0',
      LOG_LEVEL: 'warn',
    },
  });
  const api = new Api(apiChild.url, ADMIN);

  log('launch-to-handshake');
  await buildProvider({ entry: 'provider/src/main.ts', out: 'provider/dist/terraform-provider-atonix.cjs' });
  const client = createSelfSignedCertificate({ organization: 'bench-core' });
  const pluginEnv = {
    ...process.env,
    TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE_VALUE,
    PLUGIN_PROTOCOL_VERSIONS: '6',
    PLUGIN_CLIENT_CERT: client.certPem,
  };
  const bare: number[] = [];
  const launch: number[] = [];
  for (let i = 0; i < 20; i++) {
    // interleaved, so load on the machine hits both alike
    bare.push(await firstLine('node', ['-e', 'process.stdout.write("x\\n")'], process.env));
    launch.push(await firstLine(join(ROOT, 'provider/bin/terraform-provider-atonix'), [], pluginEnv));
  }

  log('terraform apply: 100 atonix_vpc vs 100 terraform_data');
  const ws = join(tmp, 'tf');
  const cli = join(tmp, 'dev.tfrc');
  // The test-only provider "fake" runs the same runtime with an in-memory resource: what terraform and the
  // provider runtime cost without any API work, i.e. the floor for this provider on this machine.
  await buildProvider({
    entry: 'test/fixtures/provider/fake-provider.ts',
    out: 'test/fixtures/provider/dist/terraform-provider-fake.mjs',
  });
  writeFileSync(
    cli,
    `provider_installation {\n  dev_overrides {\n    "atonixcorp/atonix" = "${join(ROOT, 'provider/bin')}"\n    "test/fake" = "${join(ROOT, 'test/fixtures/provider')}"\n  }\n  direct {}\n}\n`,
  );
  const tfEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: cli,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    ATONIX_ENDPOINT: apiChild.url,
    ATONIX_TOKEN: ADMIN,
  };
  const configs = {
    atonix: `terraform {\n  required_providers {\n    atonix = { source = "atonixcorp/atonix" }\n  }\n}\nresource "atonix_vpc" "v" {\n  count = ${N}\n  name = "bench-\${count.index}"\n  cidr_block = "10.\${count.index}.0.0/16"\n}\n`,
    data: `resource "terraform_data" "d" {\n  count = ${N}\n  input = "bench-\${count.index}"\n}\n`,
    fake: `terraform {\n  required_providers {\n    fake = { source = "test/fake" }\n  }\n}\nresource "fake_thing" "t" {\n  count = ${N}\n  name = "bench-\${count.index}"\n}\n`,
  };
  // The attached providers get the endpoint and token in their own environment: terraform's is not theirs.
  const attached = [
    await attachProvider(join(ROOT, 'provider/bin/terraform-provider-atonix'), tfEnv),
    await attachProvider(join(ROOT, 'test/fixtures/provider/terraform-provider-fake'), tfEnv),
  ];
  const reattachEnv = {
    ...tfEnv,
    TF_REATTACH_PROVIDERS: JSON.stringify(Object.assign({}, ...attached.map((a) => JSON.parse(a.reattach)))),
  };
  const kinds = ['data', 'fake', 'atonix', 'fakeAttached', 'atonixAttached'] as const;
  const applies = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<(typeof kinds)[number], number[]>;
  try {
    for (let round = 0; round < APPLY_ROUNDS; round++) {
      for (const kind of kinds) {
        const env = kind.endsWith('Attached') ? reattachEnv : tfEnv;
        rmSync(ws, { recursive: true, force: true });
        await import('node:fs').then((fs) => fs.mkdirSync(ws, { recursive: true }));
        writeFileSync(join(ws, 'main.tf'), configs[kind.replace('Attached', '') as keyof typeof configs]);
        applies[kind].push(await terraform(ws, ['apply', '-auto-approve', '-no-color'], env));
        await terraform(ws, ['destroy', '-auto-approve', '-no-color'], env);
      }
    }
  } finally {
    for (const a of attached) a.stop();
  }

  log('stack of 100 VPCs vs sequential REST');
  const waitVpc = async (a: Api, id: string) => {
    for (;;) {
      const v = await a.call('GET', `/api/networking/vpcs/${id}`);
      if (v.state === 'available') return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const seq: number[] = [];
  const stack: number[] = [];
  for (let round = 0; round < 3; round++) {
    const u = await api.user(`seq-${round}`);
    let t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const v = await u.api.call('POST', '/api/networking/vpcs', { name: `s${i}`, cidr_block: `10.${i}.0.0/16` });
      await waitVpc(u.api, v.id);
    }
    seq.push(performance.now() - t0);
    const s = await api.user(`stack-${round}`);
    const Resources: Record<string, unknown> = {};
    for (let i = 0; i < N; i++)
      Resources[`V${i}`] = {
        Type: 'Atonix::Networking::Vpc',
        Properties: { name: `s${i}`, cidr_block: `10.${i}.0.0/16` },
      };
    t0 = performance.now();
    const created = await s.api.call('POST', '/api/automation/stacks', { name: 'bench', template: { Resources } });
    for (;;) {
      const st = await s.api.call('GET', `/api/automation/stacks/${created.id}`);
      if (st.status === 'create_complete') break;
      if (!/_in_progress|_pending$/.test(st.status)) throw new Error(`stack ended ${st.status}: ${st.status_reason}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    stack.push(performance.now() - t0);
  }

  const ms = (x: number) => `${Math.round(x).toLocaleString('en-US')} ms`;
  const launchRatio = median(launch) / median(bare);
  const applyRatio = median(applies.atonix) / median(applies.data);
  const floorRatio = median(applies.fake) / median(applies.data);
  const attachedRatio = median(applies.atonixAttached) / median(applies.data);
  const attachedFloorRatio = median(applies.fakeAttached) / median(applies.data);
  const stackRatio = median(stack) / median(seq);
  const section = [
    '<!-- iac-bench:start -->',
    '## Infrastructure as Code',
    '',
    `Produced by \`npm run bench:iac\` on ${new Date().toISOString()}; ${os.cpus().length} CPUs, Node ${process.version}, ${
      (await import('node:child_process'))
        .execFileSync('terraform', ['version'], { env: tfEnv, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .split('\n')[0]
    }. Medians; each figure against a baseline of the same run.`,
    '',
    '| Case | Measured | Baseline (same run) | Ratio | Target | Met |',
    '|---|---:|---:|---:|---|---|',
    `| Provider launch to handshake (AutoMTLS), median of 20 | ${ms(median(launch))} | bare \`node -e\` printing a line: ${ms(median(bare))} | ${launchRatio.toFixed(2)}x (${signed(Math.round(median(launch) - median(bare)))} ms) | at most 150 ms | ${median(launch) <= 150 ? 'yes' : '**no**'} |`,
    `| \`terraform apply\` of ${N} \`atonix_vpc\` (delay 0), the provider launched by terraform (the default), median of ${APPLY_ROUNDS} | ${ms(median(applies.atonix))} | ${N} \`terraform_data\`: ${ms(median(applies.data))} | ${applyRatio.toFixed(2)}x | at most 3x | ${applyRatio <= 3 ? 'yes' : '**no**'} |`,
    `| For reference: \`terraform apply\` of ${N} \`fake_thing\` (the test provider: the same runtime, an in-memory resource, no API), median of ${APPLY_ROUNDS} | ${ms(median(applies.fake))} | ${N} \`terraform_data\`: ${ms(median(applies.data))} | ${floorRatio.toFixed(2)}x | none: the floor of the row above | - |`,
    `| \`terraform apply\` of ${N} \`atonix_vpc\` (delay 0) with the provider **attached** (\`--attach\`, \`TF_REATTACH_PROVIDERS\`): one provider process for the whole run, median of ${APPLY_ROUNDS} | ${ms(median(applies.atonixAttached))} | ${N} \`terraform_data\`: ${ms(median(applies.data))} | ${attachedRatio.toFixed(2)}x | at most 3x | ${attachedRatio <= 3 ? 'yes' : '**no**'} |`,
    `| For reference: ${N} \`fake_thing\`, the test provider attached, median of ${APPLY_ROUNDS} | ${ms(median(applies.fakeAttached))} | ${N} \`terraform_data\`: ${ms(median(applies.data))} | ${attachedFloorRatio.toFixed(2)}x | none: the floor of the row above | - |`,
    `| A stack of ${N} independent VPCs, create to \`create_complete\`, median of 3 | ${ms(median(stack))} | the same ${N} by sequential REST (POST, then poll until available): ${ms(median(seq))} | ${stackRatio.toFixed(2)}x | at most 0.5x | ${stackRatio <= 0.5 ? 'yes' : '**no**'} |`,
    '',
    `Launch samples (ms): provider ${launch.map(Math.round).join(', ')}; bare node ${bare.map(Math.round).join(', ')}.`,
    '',
    `Apply samples (ms, in run order): ${kinds.map((k) => `${k} ${applies[k].map(Math.round).join(', ')}`).join('; ')}.`,
    '<!-- iac-bench:end -->',
  ].join('\n');
  let text = existsSync(OUT) ? readFileSync(OUT, 'utf8') : `# Benchmark results\n\n${KEEP_MARKER}\n`;
  if (!text.includes(KEEP_MARKER)) text += `\n${KEEP_MARKER}\n`;
  text = /<!-- iac-bench:start -->[\s\S]*<!-- iac-bench:end -->/.test(text)
    ? text.replace(/<!-- iac-bench:start -->[\s\S]*<!-- iac-bench:end -->/, section)
    : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(OUT, text);
  console.log(section);
} finally {
  clearTimeout(watchdog);
  await stopAll();
  await db.stop();
  rmSync(tmp, { recursive: true, force: true });
}
