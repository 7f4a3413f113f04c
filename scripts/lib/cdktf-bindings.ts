// Generates provider/cdktf/: the exported schema JSON and the CDKTF bindings (@cdktf/provider-generator, run in-process
// into a temp dir and returned as outputs, so `generate:check` catches stale bindings like any other generated file).
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ProviderSchema } from '../../provider/src/framework/schema-types.js';
import { VERSION } from '../../provider/src/version.js';
import { PROVIDER_ADDRESS, providerSchemaJson } from './cdktf-schema.js';

export const CDKTF_DIR = 'provider/cdktf';

type Output = { path: string; content: string };

export async function cdktfBindings(schema: ProviderSchema, header: string): Promise<Output[]> {
  const json = providerSchemaJson(schema);
  // A copy: the generator edits the schema it is given (it adds the provider's `alias`).
  const files = await runGenerator({ ...structuredClone(json), provider_versions: { [PROVIDER_ADDRESS]: VERSION } });
  // Peer ranges follow the installed runtime, so the package states what it was generated and checked against.
  const cdktf = createRequire(import.meta.url)('cdktf/package.json') as {
    version: string;
    peerDependencies: { constructs: string };
  };
  const pkg = {
    '//': header.replace(/^\/\/ /, '').trim(),
    name: '@atonixcorp/cdktf-provider-atonix',
    version: VERSION,
    description: 'CDKTF bindings for the atonixcorp/atonix Terraform provider',
    private: true,
    type: 'module',
    main: 'lib/index.ts',
    types: 'lib/index.ts',
    peerDependencies: { cdktf: `^${cdktf.version}`, constructs: cdktf.peerDependencies.constructs },
  };
  return [
    { path: `${CDKTF_DIR}/schema.json`, content: JSON.stringify(json, null, 2) + '\n' },
    { path: `${CDKTF_DIR}/package.json`, content: JSON.stringify(pkg, null, 2) + '\n' },
    ...files.map((f) => ({
      path: `${CDKTF_DIR}/lib/${f.path}`,
      content: header + esmSpecifiers(f.content, f.path, files),
    })),
  ];
}

/** The generator's TypeScript files for our one provider, relative to its folder (lazy-index and READMEs left out). */
async function runGenerator(schemaJson: object): Promise<Output[]> {
  // Loading @cdktf/commons sends telemetry unless CHECKPOINT_DISABLE is set, and runs `terraform version` (whose
  // answer generation never uses): point it at a binary that does not exist, which it ignores silently.
  process.env.CHECKPOINT_DISABLE = '1';
  const binary = process.env.TERRAFORM_BINARY_NAME;
  process.env.TERRAFORM_BINARY_NAME = '/nonexistent/terraform';
  // Deep paths: the package's index loads jsii-pacmak, which it does not depend on and we do not need.
  const [{ CodeMaker }, { TerraformProviderGenerator }] = await Promise.all([
    import('codemaker'),
    import('@cdktf/provider-generator/lib/get/generator/provider-generator.js'),
  ]);
  if (binary === undefined) delete process.env.TERRAFORM_BINARY_NAME;
  else process.env.TERRAFORM_BINARY_NAME = binary;

  const out = mkdtempSync(join(tmpdir(), 'atonix-cdktf-'));
  try {
    const code = new CodeMaker();
    new TerraformProviderGenerator(code, schemaJson as any).generateAll();
    await code.save(out);
    const dir = join(out, 'providers/atonix');
    return walk(dir)
      .map((f) => relative(dir, f))
      .filter((f) => f.endsWith('.ts') && f !== 'lazy-index.ts')
      .sort()
      .map((f) => ({ path: f, content: readFileSync(join(dir, f), 'utf8') }));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

/**
 * The generator writes CommonJS-style specifiers (`from './vpc'`); our package is ESM (NodeNext), which needs the
 * file: `./vpc/index.js`. Only relative specifiers change.
 */
export function esmSpecifiers(source: string, file: string, files: Output[]): string {
  const known = new Set(files.map((f) => f.path));
  const base = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
  return source.replace(/(from\s+')(\.{1,2}\/[^']*)(')/g, (all, open: string, spec: string, close: string) => {
    const target = normalize(base + spec);
    if (known.has(`${target}/index.ts`)) return `${open}${spec}/index.js${close}`;
    if (known.has(`${target}.ts`)) return `${open}${spec}.js${close}`;
    return all;
  });
}

function normalize(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.' && p !== '') parts.push(p);
  }
  return parts.join('/');
}
