// Debian's Prometheus as a test oracle: series written as OpenMetrics, turned into TSDB blocks by `promtool tsdb
// create-blocks-from-openmetrics`, served by a real `prometheus` on a loopback port. With CI=true a missing binary fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeriesData } from '../../api/src/monitoring/types.js';
import { formatGoFloat } from '../../api/src/monitoring/promql/literals.js';
import { freePort } from './process.js';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';

/** Whether the binaries are here; under CI a missing one is a failure, never a skip. */
export function prometheusAvailable(): boolean {
  const ok = existsSync(PROMETHEUS) && existsSync(PROMTOOL);
  if (!ok && process.env.CI === 'true') throw new Error(`${PROMETHEUS} and ${PROMTOOL} are required with CI=true`);
  return ok;
}

const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** The series as an OpenMetrics text (untyped families, timestamps in seconds). */
export function toOpenMetrics(series: SeriesData[]): string {
  const lines: string[] = [];
  for (const s of series) {
    const { __name__: name, ...rest } = s.labels;
    const labels = Object.entries(rest)
      .map(([k, v]) => `${k}="${escape(v)}"`)
      .join(',');
    for (const p of s.samples) lines.push(`${name}{${labels}} ${formatGoFloat(p.v)} ${(p.t / 1000).toFixed(3)}`);
  }
  return lines.join('\n') + '\n# EOF\n';
}

export interface PromAnswer {
  status: string;
  data?: { resultType: string; result: unknown };
  errorType?: string;
  error?: string;
}

export interface OraclePrometheus {
  url: string;
  get(path: string, params: Record<string, string>): Promise<PromAnswer>;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited early:\n${output()}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) throw new Error(`prometheus did not become ready:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Loads the series into a fresh TSDB and serves it; the samples must be older than two hours (they go to blocks). */
export async function startOracle(series: SeriesData[]): Promise<OraclePrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'atonix-prom-'));
  await writeFile(join(dir, 'samples.om'), toOpenMetrics(series));
  const blocks = spawnSync(
    PROMTOOL,
    ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'samples.om'), join(dir, 'data')],
    {
      encoding: 'utf8',
    },
  );
  if (blocks.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`promtool create-blocks failed:\n${blocks.stdout}${blocks.stderr}`);
  }
  await writeFile(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  const port = await freePort();
  let out = '';
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=3650d',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child, () => out);
  } catch (e) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url,
    async get(path, params) {
      const res = await fetch(`${url}${path}?${new URLSearchParams(params)}`);
      return (await res.json()) as PromAnswer;
    },
    async stop() {
      if (child.exitCode === null) {
        await new Promise<void>((ok) => {
          child.once('exit', () => ok());
          child.kill('SIGTERM');
        });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
