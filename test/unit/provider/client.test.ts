// The provider's API client over HTTPS: the launcher moves NODE_EXTRA_CA_CERTS aside so node does not parse the
// bundle before the handshake, and the client must still trust a private CA from it.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../../provider/src/framework/client.js';
import { DiagnosticsError } from '../../../provider/src/runtime/index.js';
import { createSelfSignedCertificate } from '../../../provider/src/runtime/certificate.js';

describe('provider API client over HTTPS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atonix-ca-'));
  const cert = createSelfSignedCertificate({ organization: 'Private CA for the test' });
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, cert.certPem);
  let server: Server;
  let endpoint = '';
  const saved = process.env.ATONIX_NODE_EXTRA_CA_CERTS;

  before(async () => {
    server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, auth: req.headers.authorization }));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    endpoint = `https://localhost:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.ATONIX_NODE_EXTRA_CA_CERTS;
    else process.env.ATONIX_NODE_EXTRA_CA_CERTS = saved;
  });

  it('trusts a private CA named by ATONIX_NODE_EXTRA_CA_CERTS', async () => {
    process.env.ATONIX_NODE_EXTRA_CA_CERTS = caFile;
    const r = await new ApiClient(endpoint, 'tok', 'test').request('GET', '/api/ping');
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ path: '/api/ping', auth: 'Bearer tok' });
  });

  it('refuses the same server without it, as a diagnostic naming the endpoint', async () => {
    delete process.env.ATONIX_NODE_EXTRA_CA_CERTS;
    const err = await new ApiClient(endpoint, 'tok', 'test').request('POST', '/api/x', { body: {} }).catch((e) => e);
    expect(err).to.be.instanceOf(DiagnosticsError);
    expect(JSON.stringify((err as DiagnosticsError).diagnostics)).to.match(
      /Cannot reach the AtonixCorp API.*self-signed|Cannot reach the AtonixCorp API.*certificate/,
    );
  });

  it('reports a token that cannot be sent at once, as a diagnostic, without retrying', async () => {
    // Retried, it would outlast the test's timeout: five attempts back off for over 6 s.
    const err = await new ApiClient(endpoint, 'tok\nX-Injected: 1', 'test').request('GET', '/api/ping').catch((e) => e);
    expect(err).to.be.instanceOf(DiagnosticsError);
    expect(JSON.stringify((err as DiagnosticsError).diagnostics)).to.match(
      /Invalid request to the AtonixCorp API.*ATONIX_TOKEN/,
    );
  });

  it('the launcher hands NODE_EXTRA_CA_CERTS to the provider under another name', () => {
    // The launcher's last steps, with an up-to-date bundle and a stand-in for node that prints its environment.
    const bin = join(dir, 'bin');
    spawnSync('mkdir', ['-p', bin]);
    writeFileSync(
      join(bin, 'node'),
      '#!/bin/sh\necho "extra=${NODE_EXTRA_CA_CERTS:-unset} atonix=${ATONIX_NODE_EXTRA_CA_CERTS:-unset}"\n',
      { mode: 0o755 },
    );
    const bundle = join(dir, 'provider.mjs');
    writeFileSync(bundle, '');
    writeFileSync(`${bundle}.sources.sh`, 'bundle_sources_changed() { return 1; }\n');
    const r = spawnSync('sh', ['-c', `root=/nonexistent; bundle=${bundle}; . ./provider/bin/launch-bundle.sh`], {
      env: { PATH: `${bin}:/usr/bin:/bin`, NODE_EXTRA_CA_CERTS: caFile },
      encoding: 'utf8',
    });
    expect(r.stdout.trim()).to.equal(`extra=unset atonix=${caFile}`);
  });
});
