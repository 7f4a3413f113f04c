// Bundles the split contract (openapi.yaml and openapi/<service>/...) into one document with local refs only.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Spec } from '../../api/src/platform/operations/spec.js';

/**
 * Redocly resolves the files' refs and names each component after the last segment of its pointer
 * (`schemas/Vpc.yaml#/schemas/Vpc` becomes `#/components/schemas/Vpc`), so the names the code and the
 * generated types use are the names written in the kind files. Two components of one name would be renamed
 * by the bundler, so that is refused here.
 */
export function bundleSpec(root: string): Spec {
  const out = execFileSync(join(root, 'node_modules/.bin/redocly'), ['bundle', 'openapi.yaml', '--ext', 'json'], {
    cwd: root,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const spec = JSON.parse(out.toString('utf8')) as Spec;
  for (const [section, items] of Object.entries<Record<string, unknown>>(spec.components ?? {})) {
    const renamed = Object.keys(items).filter((name) => /-\d+$/.test(name));
    if (renamed.length) throw new Error(`components.${section} holds two of one name: ${renamed.join(', ')}`);
  }
  return spec;
}
