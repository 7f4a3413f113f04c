import { spawn } from 'node:child_process';
import { createSelfSignedCertificate } from '/work/main/provider/src/runtime/certificate.ts';
const c = createSelfSignedCertificate({});
const env = { ...process.env, NODE_EXTRA_CA_CERTS: '', TF_PLUGIN_MAGIC_COOKIE: 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2', PLUGIN_PROTOCOL_VERSIONS: '6', PLUGIN_CLIENT_CERT: c.certPem };
const p = spawn('node', ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', '--cpu-prof-interval', '100', '-e', `
const {performance}=require('perf_hooks');
const w=process.stdout.write.bind(process.stdout);
process.stdout.write=(s,...a)=>{ process.stderr.write('handshake at '+performance.now().toFixed(1)+' ms; node boot '+JSON.stringify(performance.nodeTiming)+'\\n'); setTimeout(()=>process.exit(0),50); return w(s,...a)};
import('/work/main/provider/dist/terraform-provider-atonix.mjs');
`], { env, stdio: ['ignore', 'pipe', 'inherit'] });
p.on('exit', () => console.log('exit'));
