// Resident memory of another process, from /proc/<pid>/status: VmRSS now and VmHWM (the kernel's own peak of
// VmRSS since the process started), sampled while a case runs. Linux only; elsewhere every reading is undefined.
import { readFileSync } from 'node:fs';

export interface Memory {
  /** kB resident now */
  rss?: number;
  /** kB: the highest resident size since the process started */
  hwm?: number;
}

export function memoryOf(pid: number): Memory {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) : undefined;
    };
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return {};
  }
}

/** Samples VmRSS every `everyMs` until stop(), which answers the largest sample and the kernel's VmHWM. */
export function sampleRss(pid: number, everyMs = 50) {
  let max = 0;
  let samples = 0;
  const take = () => {
    const r = memoryOf(pid).rss;
    if (r !== undefined) {
      max = Math.max(max, r);
      samples++;
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop(): { maxSampledKb: number; hwmKb?: number; samples: number } {
      clearInterval(timer);
      take();
      return { maxSampledKb: max, hwmKb: memoryOf(pid).hwm, samples };
    },
  };
}
