// Child processes of a benchmark run (the API and the baselines): started on loopback, awaited until they
// answer, stopped with SIGTERM (then SIGKILL), their output kept in a log file for when something fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface Child {
  name: string;
  url: string;
  proc: ChildProcess;
  log: string;
  /** Date.now() when the process was spawned */
  spawnedAt: number;
  stop(): Promise<void>;
}

const live = new Set<Child>();

export async function freePort(): Promise<number> {
  return new Promise((ok, ko) => {
    const s = createServer();
    s.once('error', ko);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Spawns `node [nodeFlags] --import tsx <script>` with PORT set to a free loopback port and waits until
 * GET `readyPath` answers 200 (or the process dies, or `timeoutMs` passes).
 */
export async function startChild(opts: {
  name: string;
  script: string;
  cwd: string;
  logDir: string;
  env: Record<string, string>;
  readyPath: string;
  nodeFlags?: string[];
  timeoutMs?: number;
}): Promise<Child> {
  const port = await freePort();
  const log = join(opts.logDir, `${opts.name}.log`);
  const out = createWriteStream(log);
  const spawnedAt = Date.now();
  const proc = spawn(process.execPath, [...(opts.nodeFlags ?? []), '--import', 'tsx', opts.script], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.pipe(out, { end: false });
  proc.stderr!.pipe(out, { end: false });
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  const exit = new Promise<void>((r) =>
    proc.once('exit', () => {
      exited = true;
      r();
    }),
  );
  const child: Child = {
    name: opts.name,
    url,
    proc,
    log,
    spawnedAt,
    async stop() {
      live.delete(child);
      if (!exited) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exit;
        clearTimeout(timer);
      }
      out.end();
    },
  };
  live.add(child);

  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  for (;;) {
    if (exited) throw new Error(`${opts.name} exited during start-up; its log:\n${tail(log)}`);
    try {
      const res = await fetch(url + opts.readyPath, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return child;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(
        `${opts.name} did not become ready within ${opts.timeoutMs ?? 90_000} ms; its log:\n${tail(log)}`,
      );
    }
    await sleep(200);
  }
}

/** Stops every child still running (used on errors, signals and the watchdog). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((c) => c.stop().catch(() => {})));
}
