// The attached mode (`--attach`): one long-lived provider process that terraform reattaches to through
// TF_REATTACH_PROVIDERS, each terraform connection being its own provider instance.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { buildFake } from './harness/build.js';
import { coreObject, dv, UNKNOWN, type ProtoBlock } from './harness/core-values.js';
import { attach, unary, type LaunchedProvider } from './harness/launch.js';

interface Diag {
  severity: string;
  summary: string;
}
const ADDRESS = 'registry.terraform.io/test/fake';

describe('provider runtime: attached mode', function () {
  this.timeout(30_000);
  let p: LaunchedProvider & Awaited<ReturnType<typeof attach>>;
  let thing: ProtoBlock;

  before(async function () {
    this.timeout(60_000);
    await buildFake();
    p = await attach();
    const schema = await p.rpc<{ resource_schemas: Record<string, { block: ProtoBlock }> }>('GetProviderSchema', {});
    thing = schema.resource_schemas.fake_thing!.block;
  });
  const extra: LaunchedProvider[] = [];
  /** Providers a test starts besides `p`, killed after it whatever happens. */
  const started = async <T extends LaunchedProvider>(launching: Promise<T>): Promise<T> => {
    const q = await launching;
    extra.push(q);
    return q;
  };
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((q) => q.kill()));
  });
  after(async () => {
    await p?.kill();
  });

  /** One terraform walk: its own connection, configured with its own slow_apply_ms. */
  async function connect(slowApplyMs: number | null): Promise<grpc.Client> {
    const client = p.client('tfplugin6.Provider', undefined, true);
    const res = await p.rpc<{ diagnostics: Diag[] }>(
      'ConfigureProvider',
      { terraform_version: '1.11.4', config: dv({ store_path: null, slow_apply_ms: slowApplyMs }) },
      client,
    );
    expect(res.diagnostics).to.deep.equal([]);
    return client;
  }

  function apply(client: grpc.Client, name: string): Promise<{ diagnostics: Diag[] }> {
    const values = coreObject(thing, { name });
    const planned = { ...values, id: UNKNOWN, created_at: UNKNOWN };
    return p.rpc(
      'ApplyResourceChange',
      { type_name: 'fake_thing', prior_state: dv(null), planned_state: dv(planned), config: dv(values) },
      client,
    );
  }

  const pending = async (promise: Promise<unknown>, ms = 300): Promise<boolean> =>
    Promise.race([
      promise.then(
        () => false,
        () => false,
      ),
      new Promise<boolean>((r) => setTimeout(() => r(true), ms)),
    ]);

  it('prints one shell line exporting TF_REATTACH_PROVIDERS, and serves plaintext on a socket only its user can reach', async () => {
    expect(Object.keys(p.reattach)).to.deep.equal([ADDRESS]);
    const entry = p.reattach[ADDRESS]!;
    expect(entry).to.deep.include({ Protocol: 'grpc', ProtocolVersion: 6, Pid: p.child.pid, Test: true });
    expect(entry.Addr.Network).to.equal('unix');
    expect(statSync(dirname(entry.Addr.String)).mode & 0o777).to.equal(0o700);
    // A shell evaluating the line gets exactly the JSON terraform reads.
    const exported = execFileSync('sh', ['-c', `${p.handshake.line}\nprintf %s "$TF_REATTACH_PROVIDERS"`]).toString();
    expect(JSON.parse(exported)).to.deep.equal(p.reattach);
    expect(p.stdoutAfterHandshake).to.equal('');
  });

  it('serves each connection as its own provider instance: configuration and StopProvider stay with it', async () => {
    const slow = await connect(600_000);
    const quick = await connect(null);
    const slowApply = apply(slow, 'slow');
    const quickApply = await apply(quick, 'quick'); // the other connection's configuration does not slow this one
    expect(quickApply.diagnostics).to.deep.equal([]);
    expect(await p.rpc<{ Error: string }>('StopProvider', {}, quick)).to.deep.equal({ Error: '' });
    expect(await pending(slowApply), 'StopProvider on one connection cancelled another').to.equal(true);
    expect(await p.rpc<{ Error: string }>('StopProvider', {}, slow)).to.deep.equal({ Error: '' });
    expect((await slowApply).diagnostics.map((d) => d.summary)).to.deep.equal(['Operation cancelled']);
    // Stopping is per instance, so a new connection works normally afterwards.
    expect((await apply(await connect(null), 'after')).diagnostics).to.deep.equal([]);
  });

  it('keeps serving after a Shutdown (terraform sends none to an attached provider)', async () => {
    await unary(p.client('plugin.GRPCController', undefined, true), 'Shutdown', {});
    await new Promise((r) => setTimeout(r, 800)); // longer than a launched provider's exit grace
    expect(p.child.exitCode).to.equal(null);
    expect(
      (await p.rpc<{ diagnostics: Diag[] }>('GetProviderSchema', {}, p.client('tfplugin6.Provider', undefined, true)))
        .diagnostics,
    ).to.deep.equal([]);
  });

  it('stops at once on SIGINT, SIGTERM or SIGHUP when no terraform is connected, removing its socket', async () => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const q = await started(attach());
      q.child.kill(signal);
      expect(await q.exited).to.deep.equal({ code: 0, signal: null });
      expect(q.stderr).not.to.contain('Stopping once');
      expect(q.stderr).to.contain('Unset TF_REATTACH_PROVIDERS');
      expect(existsSync(dirname(q.handshake.address)), `${signal}: socket dir left behind`).to.equal(false);
    }
  });

  it('on a signal waits for the connected commands, still serving their next walks, and stops at once on a second', async () => {
    for (const second of [false, true]) {
      const q = await started(attach());
      const running = q.client('tfplugin6.Provider', undefined, true);
      await q.rpc('GetProviderSchema', {}, running);
      q.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      expect(q.child.exitCode, 'stopped with a command connected').to.equal(null);
      expect(q.stderr).to.contain('Stopping once no terraform command is connected');
      // The command's calls go on, and so does its next walk on a new connection: refusing it would make go-plugin
      // kill this process in the middle of the command.
      expect((await q.rpc<{ diagnostics: Diag[] }>('GetProviderSchema', {}, running)).diagnostics).to.deep.equal([]);
      const nextWalk = q.client('tfplugin6.Provider', undefined, true);
      expect((await q.rpc<{ diagnostics: Diag[] }>('GetProviderSchema', {}, nextWalk)).diagnostics).to.deep.equal([]);
      if (second) {
        q.child.kill('SIGINT');
        expect(await q.exited).to.deep.equal({ code: 1, signal: null });
      } else {
        q.closeClients(); // the command ends
        expect(await q.exited).to.deep.equal({ code: 0, signal: null });
      }
      q.closeClients();
      expect(existsSync(dirname(q.handshake.address))).to.equal(false);
    }
  });

  it('quotes the line for any temp dir, a quote and a space included', async () => {
    const odd = mkdtempSync(join(tmpdir(), "atx q'uote "));
    try {
      const q = await started(attach({ env: { TMPDIR: odd } }));
      expect(q.handshake.address.startsWith(odd)).to.equal(true);
      const exported = execFileSync('sh', ['-c', `${q.handshake.line}\nprintf %s "$TF_REATTACH_PROVIDERS"`]).toString();
      expect(JSON.parse(exported)).to.deep.equal(q.reattach);
      expect((await q.rpc<{ diagnostics: Diag[] }>('GetProviderSchema', {})).diagnostics).to.deep.equal([]);
    } finally {
      await Promise.all(extra.splice(0).map((q) => q.kill()));
      rmSync(odd, { recursive: true, force: true });
    }
  });
});
