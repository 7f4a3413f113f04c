// `npm run provider:install`: builds the provider bundle and makes it visible to terraform through a filesystem
// mirror (so `terraform init` works with no registry), writing a CLI config that uses it. Prints what to export.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../provider/src/version.js';
import { buildProvider } from './build-provider.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
const platform = `${process.platform}_${arch}`;

export function installMirror(mirror = join(root, '.terraform-mirror')): { mirror: string; cliConfig: string } {
  const dir = join(mirror, 'registry.terraform.io/atonixcorp/atonix', VERSION, platform);
  mkdirSync(dir, { recursive: true });
  const launcher = join(dir, `terraform-provider-atonix_v${VERSION}`);
  // exec, never a subshell: terraform kills the pid it started, and a shell in between would orphan node.
  writeFileSync(launcher, `#!/bin/sh\nexec "${join(root, 'provider/bin/terraform-provider-atonix')}" "$@"\n`);
  chmodSync(launcher, 0o755);
  const cliConfig = join(mirror, 'terraformrc');
  writeFileSync(
    cliConfig,
    [
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = "${mirror}"`,
      '    include = ["registry.terraform.io/atonixcorp/*"]',
      '  }',
      '  direct {',
      '    exclude = ["registry.terraform.io/atonixcorp/*"]',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  return { mirror, cliConfig };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildProvider({ entry: 'provider/src/main.ts', out: 'provider/dist/terraform-provider-atonix.cjs' });
  const { cliConfig } = installMirror(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(
    `Installed atonixcorp/atonix ${VERSION} (${platform}) into a filesystem mirror.\n\n  export TF_CLI_CONFIG_FILE=${cliConfig}\n\nthen \`terraform init\` finds it with no registry.`,
  );
}
