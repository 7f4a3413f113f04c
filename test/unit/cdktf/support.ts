// Helpers for the CDKTF unit tests: a stack with the provider, and the synthesized JSON as an object.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TerraformStack, Testing } from '../../../provider/cdktf/constructs/cdktf.js';
import { provider } from '../../../provider/cdktf/lib/index.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

// Testing.app() makes a temp dir per app unless given one; Testing.synth writes nothing there, so all apps share one.
const outdir = mkdtempSync(join(tmpdir(), 'atonix-cdktf-test-'));
process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));

/** A test app (no stack traces in metadata). */
export const testApp = () => Testing.app({ outdir, stackTraces: false });

/** A stack named `test` with the atonix provider configured from the environment. */
export function testStack(): TerraformStack {
  const stack = new TerraformStack(testApp(), 'test');
  new provider.AtonixProvider(stack, 'atonix');
  return stack;
}

/** The stack's Terraform JSON (`resource`, `output`, ...), as Testing.synth renders it. */
export function synthJson(stack: TerraformStack): {
  raw: string;
  resource: Record<string, Record<string, any>>;
  output: Record<string, any>;
  data: Record<string, Record<string, any>>;
} {
  const raw = Testing.synth(stack);
  const json = JSON.parse(raw);
  return { raw, resource: json.resource ?? {}, output: json.output ?? {}, data: json.data ?? {} };
}

/** The resources of one type, ordered by their keys (which follow construct paths: `net_subnet-2_…`). */
export function resourcesOf(
  json: { resource: Record<string, Record<string, any>> },
  type: string,
): Array<Record<string, any>> {
  return Object.entries(json.resource[type] ?? {})
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([, body]) => body);
}
