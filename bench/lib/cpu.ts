// CPU time of the processes in a run (the API, PostgreSQL, this process), read from /proc on Linux, so each
// case can say which process the machine's cores went to. Elsewhere it reports nothing.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime+stime (and, with `children`, the reaped children's cutime+cstime) in seconds, or undefined. */
function procSeconds(pid: number, children = false): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
    return ticks / TICKS_PER_SECOND;
  } catch { return undefined; }
}

function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}

export interface CpuSample { api?: number; postgres?: number; bench: number; at: number }

/** The postmaster's pid, from postmaster.pid in the data directory. */
export function postmasterPid(pgDataDir: string): number | undefined {
  const file = join(pgDataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  try { return Number(readFileSync(file, 'utf8').split('\n')[0]) || undefined; } catch { return undefined; }
}

export function sampleCpu(apiPid: number | undefined, postmaster: number | undefined): CpuSample {
  const usage = process.cpuUsage();
  const sample: CpuSample = { bench: (usage.user + usage.system) / 1e6, at: Date.now() };
  if (!existsSync('/proc/self/stat')) return sample;
  if (apiPid) sample.api = procSeconds(apiPid);
  if (postmaster) {
    let total = procSeconds(postmaster, true);
    if (total !== undefined) for (const pid of childrenOf(postmaster)) total += procSeconds(pid) ?? 0;
    sample.postgres = total;
  }
  return sample;
}

/** CPU seconds per wall second of each process between two samples (1.0 = one core busy). */
export function cpuBetween(a: CpuSample, b: CpuSample): { api?: number; postgres?: number; bench: number } {
  const wall = (b.at - a.at) / 1000 || 1;
  const per = (x?: number, y?: number) => (x === undefined || y === undefined ? undefined : (y - x) / wall);
  return { api: per(a.api, b.api), postgres: per(a.postgres, b.postgres), bench: (b.bench - a.bench) / wall };
}
