// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package, so a
// missed target comes with where the time went.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Share {
  name: string;
  ms: number;
  share: number;
}
export interface ProfileSummary {
  totalMs: number;
  idleShare: number;
  byPackage: Share[];
  byFunction: Share[];
}

/** `node_modules/pg-protocol/...` -> `pg-protocol`; `api/src/platform/http/x.ts` -> `api/src/platform/http`. */
function packageOf(url: string, fn: string): string {
  if (!url) return fn === '(garbage collector)' ? '(gc)' : fn.startsWith('(') ? fn : '(native)';
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + 14).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const api = path.indexOf('/api/src/');
  if (api >= 0)
    return path
      .slice(api + 1)
      .split('/')
      .slice(0, -1)
      .join('/');
  return path.split('/').slice(-2).join('/');
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + 14);
  const api = path.indexOf('/api/src/');
  return api >= 0 ? path.slice(api + 1) : path;
}

/** `skipMs`: leave out the first milliseconds of the profile (the process starting up, before the load). */
export function summarise(file: string, skipMs = 0, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t < skipMs * 1000) continue;
    selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const pkg = new Map<string, number>();
  const fn = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const { callFrame: cf } = byId.get(id)!;
    total += us;
    if (cf.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const k = packageOf(cf.url, cf.functionName);
    pkg.set(k, (pkg.get(k) ?? 0) + us);
    const f = `${cf.functionName || '(anonymous)'} ${cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : ''}`.trim();
    fn.set(f, (fn.get(f) ?? 0) + us);
  }
  const busy = total - idle || 1;
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / busy }));
  return { totalMs: total / 1000, idleShare: idle / (total || 1), byPackage: rank(pkg), byFunction: rank(fn) };
}
