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
  } catch {
    return undefined;
  }
}

function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

export interface CpuSample {
  api?: number;
  postgres?: number;
  bench: number;
  machine?: number;
  at: number;
}

/** Busy seconds of the whole machine (every process, ours or not), from the first line of /proc/stat. */
function machineSeconds(): number | undefined {
  try {
    const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = f.map(Number);
    return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The postmaster's pid, from postmaster.pid in the data directory. */
export function postmasterPid(pgDataDir: string): number | undefined {
  const file = join(pgDataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  try {
    return Number(readFileSync(file, 'utf8').split('\n')[0]) || undefined;
  } catch {
    return undefined;
  }
}

export function sampleCpu(apiPid: number | undefined, postmaster: number | undefined): CpuSample {
  const usage = process.cpuUsage();
  const sample: CpuSample = { bench: (usage.user + usage.system) / 1e6, at: Date.now() };
  if (!existsSync('/proc/self/stat')) return sample;
  sample.machine = machineSeconds();
  if (apiPid) sample.api = procSeconds(apiPid);
  if (postmaster) {
    let total = procSeconds(postmaster, true);
    if (total !== undefined) for (const pid of childrenOf(postmaster)) total += procSeconds(pid) ?? 0;
    sample.postgres = total;
  }
  return sample;
}

/** Adds up the CPU time of a server process and PostgreSQL over one or more measured stretches. */
export class CpuMeter {
  private start?: CpuSample;
  private sums = { api: 0, postgres: 0, bench: 0, machine: 0, wall: 0 };
  private seen = { api: true, postgres: true, machine: true };
  constructor(
    private apiPid: number | undefined,
    private postmaster: number | undefined,
  ) {}

  before = () => {
    this.start = sampleCpu(this.apiPid, this.postmaster);
  };

  after = () => {
    const a = this.start!;
    const b = sampleCpu(this.apiPid, this.postmaster);
    this.sums.wall += (b.at - a.at) / 1000;
    this.sums.bench += b.bench - a.bench;
    for (const k of ['api', 'postgres', 'machine'] as const) {
      if (a[k] === undefined || b[k] === undefined) this.seen[k] = false;
      else this.sums[k] += b[k]! - a[k]!;
    }
  };

  /** Cores (CPU seconds per wall second) over all stretches. */
  cores(): { api?: number; postgres?: number; bench: number; machine?: number } {
    const w = this.sums.wall || 1;
    const per = (k: 'api' | 'postgres' | 'machine') => (this.seen[k] ? this.sums[k] / w : undefined);
    return { api: per('api'), postgres: per('postgres'), bench: this.sums.bench / w, machine: per('machine') };
  }
}
