// Which code a run measures: the work tree (its commit, and whether api/ has uncommitted changes), or a
// commit extracted with `git archive` into the run's temp dir (sharing the work tree's node_modules).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface ApiSource {
  root: string;
  description: string;
}

export function apiSource(repo: string, tmp: string, commit?: string): ApiSource {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  if (commit) {
    const sha = git('rev-parse', '--verify', `${commit}^{commit}`);
    const root = join(tmp, 'api-src');
    mkdirSync(root);
    execFileSync('sh', [
      '-c',
      `git -C "${repo}" archive ${sha} api openapi.yaml package.json tsconfig.json | tar -x -C "${root}"`,
    ]);
    symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
    return { root, description: `commit \`${sha.slice(0, 12)}\` (\`--api-commit=${commit}\`)` };
  }
  try {
    const dirty = git('status', '--porcelain', '--', 'api', 'openapi.yaml') !== '';
    return {
      root: repo,
      description: `the work tree at commit \`${git('rev-parse', '--short=12', 'HEAD')}\`${dirty ? ', with uncommitted changes in api/ or openapi.yaml' : ''}`,
    };
  } catch {
    return { root: repo, description: 'the work tree (not a git checkout)' };
  }
}

/**
 * The node flags of `npm start` (package.json's start script, `node <flags> --import tsx api/src/main.ts`) in the
 * tree at `root`: the benches run the API exactly as users start it, and the baselines with the same runtime.
 */
export function startFlags(root: string): string[] {
  const start =
    (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: { start?: string } }).scripts?.start ??
    '';
  const words = start.trim().split(/\s+/);
  if (words[0] !== 'node') throw new Error(`package.json's start script does not run node: ${start}`);
  const flags: string[] = [];
  for (let i = 1; i < words.length && words[i]!.startsWith('--'); i++) {
    if (words[i] === '--import') {
      i++;
      continue;
    } // the benches add --import tsx themselves
    flags.push(words[i]!);
  }
  return flags;
}
