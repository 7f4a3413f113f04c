// The go-plugin contract of the launched executable: handshake line, AutoMTLS, plaintext, Shutdown, signals, stray runs.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  derToPem,
  FAKE_LAUNCHER,
  launch,
  makeClientCert,
  MAGIC_COOKIE,
  parseHandshake,
  unary,
  type KeyPair,
} from './harness/launch.js';
import { buildFake } from './harness/build.js';
import { coreObject, mp, type ProtoBlock } from './harness/core-values.js';

describe('provider runtime: go-plugin handshake and process contract', function () {
  let clientCert: KeyPair;

  before(async function () {
    this.timeout(60_000);
    await buildFake();
    clientCert = await makeClientCert();
  });

  it('writes one handshake line 1|6|unix|<socket>|grpc|<unpadded base64 DER> and nothing else on stdout', async () => {
    const p = await launch({ clientCert });
    try {
      expect(p.handshake.line).to.match(/^1\|6\|unix\|\/[^|]+\.sock\|grpc\|[A-Za-z0-9+/]{100,}$/);
      expect(p.handshake.line).not.to.include('=');
      const cert = new X509Certificate(p.handshake.certDer!);
      expect(cert.ca).to.equal(true);
      expect(cert.subjectAltName).to.equal('DNS:localhost');
      expect(cert.checkHost('localhost')).to.equal('localhost');
      expect(cert.keyUsage).to.include.members(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
      expect(cert.verify(cert.publicKey)).to.equal(true);
      await p.rpc('GetProviderSchema', {});
    } finally {
      await p.shutdown();
    }
    expect(p.stdoutAfterHandshake).to.equal('');
  });

  it('serves mTLS to the client certificate from PLUGIN_CLIENT_CERT', async () => {
    const p = await launch({ clientCert });
    try {
      const schema = await p.rpc<{ provider: { block: object } }>('GetProviderSchema', {});
      expect(schema.provider.block).to.be.an('object');
      const health = await unary<{ status: string }>(p.client('grpc.health.v1.Health'), 'Check', { service: 'plugin' });
      expect(health.status).to.equal('SERVING');
    } finally {
      await p.shutdown();
    }
  });

  it('rejects clients without the announced certificate', async () => {
    const p = await launch({ clientCert });
    try {
      const serverCa = Buffer.from(derToPem(p.handshake.certDer!));
      const other = await makeClientCert();
      const attempts = {
        'no client certificate': grpc.credentials.createSsl(serverCa),
        'another certificate': grpc.credentials.createSsl(serverCa, Buffer.from(other.key), Buffer.from(other.cert)),
        plaintext: grpc.credentials.createInsecure(),
      };
      for (const [name, creds] of Object.entries(attempts)) {
        const error = await p.rpc('GetProviderSchema', {}, p.client('tfplugin6.Provider', creds)).then(
          () => undefined,
          (e: grpc.ServiceError) => e,
        );
        expect(error, name).to.be.instanceOf(Error);
        expect(error!.code, name).to.equal(grpc.status.UNAVAILABLE);
      }
      await p.rpc('GetProviderSchema', {}); // still serving the right client
    } finally {
      await p.shutdown();
    }
  });

  it('negotiates ALPN h2 over TLS (grpc-go 1.67+ refuses a TLS peer without it)', async function () {
    if (spawnSync('openssl', ['version']).status !== 0) this.skip();
    const p = await launch({ clientCert });
    const dir = mkdtempSync(join(tmpdir(), 'alpn-'));
    try {
      writeFileSync(join(dir, 'cert.pem'), clientCert.cert);
      writeFileSync(join(dir, 'key.pem'), clientCert.key);
      const args = [
        's_client',
        '-unix',
        p.handshake.address,
        '-alpn',
        'h2',
        '-servername',
        'localhost',
        '-cert',
        join(dir, 'cert.pem'),
        '-key',
        join(dir, 'key.pem'),
      ];
      const out = spawnSync('openssl', args, { input: '', encoding: 'utf8', timeout: 10_000 });
      expect(out.stdout).to.include('ALPN protocol: h2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await p.shutdown();
    }
  });

  it('serves plaintext with an empty certificate field when no client certificate is given', async () => {
    const p = await launch();
    try {
      expect(p.handshake.line).to.match(/^1\|6\|unix\|[^|]+\|grpc\|$/);
      await p.rpc('GetProviderSchema', {});
    } finally {
      await p.shutdown();
    }
  });

  it('serves plaintext when TF_DISABLE_PLUGIN_TLS is set, even with a stray PLUGIN_CLIENT_CERT', async () => {
    const p = await launch({ env: { PLUGIN_CLIENT_CERT: clientCert.cert, TF_DISABLE_PLUGIN_TLS: '1' } });
    try {
      expect(p.handshake.certDer).to.equal(undefined);
      await p.rpc('GetProviderSchema', {}, p.client('tfplugin6.Provider', grpc.credentials.createInsecure()));
    } finally {
      await p.shutdown();
    }
  });

  it('exits within 2 s of GRPCController/Shutdown and removes its socket directory', async () => {
    const p = await launch({ clientCert });
    await p.rpc('GetProviderSchema', {});
    const started = Date.now();
    const exit = await p.shutdown();
    expect(Date.now() - started).to.be.below(2000); // core SIGKILLs a plugin that is still alive after 2 s
    expect(exit.code).to.equal(0);
    expect(existsSync(dirname(p.handshake.address))).to.equal(false);
  });

  it('ignores SIGINT and keeps serving (core stops work through StopProvider)', async () => {
    const p = await launch({ clientCert });
    try {
      p.child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 200));
      expect(p.child.exitCode).to.equal(null);
      await p.rpc('GetProviderSchema', {});
    } finally {
      await p.shutdown();
    }
  });

  it('ends the stdio stream at once and answers unknown methods with UNIMPLEMENTED', async () => {
    const p = await launch({ clientCert });
    try {
      const stdio = p.client('plugin.GRPCStdio') as unknown as {
        StreamStdio(req: object): grpc.ClientReadableStream<unknown>;
      };
      const messages: unknown[] = [];
      await new Promise<void>((resolve, reject) => {
        const stream = stdio.StreamStdio({});
        stream.on('data', (m) => messages.push(m));
        stream.on('error', reject);
        stream.on('end', () => resolve());
      });
      expect(messages).to.deep.equal([]);
      const client = p.client('tfplugin6.Provider');
      const error = await new Promise<grpc.ServiceError>((resolve) =>
        client.makeUnaryRequest(
          '/tfplugin6.Provider/UpgradeResourceIdentity',
          (x: Buffer) => x,
          (x: Buffer) => x,
          Buffer.alloc(0),
          (e) => resolve(e!),
        ),
      );
      expect(error.code).to.equal(grpc.status.UNIMPLEMENTED);
    } finally {
      await p.shutdown();
    }
  });

  it('accepts messages far above grpc’s 4 MiB default', async () => {
    const p = await launch({ clientCert });
    try {
      const schema = await p.rpc<{ resource_schemas: Record<string, { block: ProtoBlock }> }>('GetProviderSchema', {});
      const tags = Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`key-${i}`, 'v'.repeat(90)]));
      const config = mp(coreObject(schema.resource_schemas.fake_thing!.block, { name: 'big', tags }));
      expect(config.length).to.be.above(5 << 20);
      const res = await p.rpc<{ diagnostics: unknown[] }>('ValidateResourceConfig', {
        type_name: 'fake_thing',
        config: { msgpack: config },
      });
      expect(res.diagnostics).to.deep.equal([]);
    } finally {
      await p.shutdown();
    }
  });

  it('refuses to run when started by hand (no magic cookie), with a message on stderr only', async () => {
    const child = spawn(FAKE_LAUNCHER, [], {
      env: { ...process.env, TF_PLUGIN_MAGIC_COOKIE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const code = await new Promise((r) => child.once('close', r));
    expect(code).to.equal(1);
    expect(stdout).to.equal('');
    expect(stderr).to.include('Terraform provider plugin');
  });

  it('refuses a core that does not offer protocol 6', async () => {
    const child = spawn(FAKE_LAUNCHER, [], {
      env: { ...process.env, TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE, PLUGIN_PROTOCOL_VERSIONS: '5' },
      stdio: 'pipe',
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    expect(await new Promise((r) => child.once('close', r))).to.equal(1);
    expect(stderr).to.include('protocol 6');
  });

  it('exits when its parent dies without calling Shutdown (no orphan holding core’s pipes)', async function () {
    // A parent shell that is SIGKILLed, as core kills a plugin; node is re-parented and must notice.
    const parent = spawn('/bin/sh', ['-c', `"${FAKE_LAUNCHER}" & echo "pid $!" >&2; wait`], {
      env: { ...process.env, TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = await new Promise<number>((resolve) =>
      parent.stderr.on('data', (d: Buffer) => {
        const m = /pid (\d+)/.exec(String(d));
        if (m) resolve(Number(m[1]));
      }),
    );
    await new Promise<void>((resolve) =>
      parent.stdout.once('data', (d: Buffer) => {
        parseHandshake(String(d).trim());
        resolve();
      }),
    );
    parent.kill('SIGKILL');
    const alive = (): boolean => {
      try {
        return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); // a zombie has exited already
      } catch {
        return false;
      }
    };
    while (alive()) await new Promise((r) => setTimeout(r, 100)); // bounded by the mocha timeout
    expect(alive()).to.equal(false);
  });
});
