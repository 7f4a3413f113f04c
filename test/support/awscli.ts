// Debian's AWS CLI v2 (/usr/bin/aws) run against a test app's S3 door, with temp config files and no user config.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** By path: another `aws` earlier on PATH may be version 1, which signs and uploads differently. */
export const AWS_CLI = '/usr/bin/aws';

export interface AwsResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface AwsCli {
  /** Runs `aws <args>` (async: the server under test runs in this process); rejects when it exits non-zero. */
  run(...args: string[]): Promise<AwsResult>;
  /** The same, but answers the failure instead of throwing it. */
  attempt(...args: string[]): Promise<AwsResult>;
  /** Runs `aws ... --output json` and parses stdout. */
  json(...args: string[]): Promise<any>;
  /** Removes the temp config files. */
  remove(): void;
}

/** When the CLI is missing: CI must have it (.ci/run installs it), elsewhere the suite is skipped with a reason. */
export function awsCliMissing(): string | undefined {
  if (existsSync(AWS_CLI)) return undefined;
  const why = `${AWS_CLI} (Debian's awscli, version 2) is not installed; apt-get install awscli`;
  if (process.env.CI === 'true') throw new Error(why);
  return why;
}

export function awsCli(endpoint: string, keys: { accessKeyId: string; secretAccessKey: string }): AwsCli {
  const dir = mkdtempSync(join(tmpdir(), 'atonix-awscli-'));
  const config = join(dir, 'config');
  const credentials = join(dir, 'credentials');
  // Path style: the endpoint is an IP literal with a path; 8 MiB threshold and parts are the CLI's own defaults,
  // written out so the multipart case does not depend on them.
  writeFileSync(
    config,
    '[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n  multipart_threshold = 8MB\n  multipart_chunksize = 8MB\n',
  );
  writeFileSync(credentials, '');
  const env: NodeJS.ProcessEnv = {};
  // Nothing of the caller's AWS setup (profiles, endpoints, tokens) may leak into the run.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  });
  const attempt = (...args: string[]) =>
    new Promise<AwsResult>((ok) =>
      execFile(
        AWS_CLI,
        [...args, '--endpoint-url', endpoint, '--no-cli-pager'],
        { env, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) =>
          ok({
            code: err ? ((err as { code?: number }).code ?? 1) : 0,
            stdout: String(stdout),
            stderr: String(stderr),
          }),
      ),
    );
  const run = async (...args: string[]) => {
    const r = await attempt(...args);
    if (r.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
    return r;
  };
  return {
    run,
    attempt,
    json: async (...args) => {
      const out = (await run(...args, '--output', 'json')).stdout;
      return out.trim() ? JSON.parse(out) : {};
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
