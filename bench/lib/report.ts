// Renders a benchmark run as bench/RESULTS.md: every figure beside its ratio to the baselines of the same run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Measurement } from './load.js';
import type { ProfileSummary } from './profile.js';

export interface CaseResult {
  id: string;
  label: string;
  m: Measurement;
  cpu?: { server?: number; postgres?: number; bench: number; machine?: number };
}
export interface Target {
  name: string;
  measured: string;
  wanted: string;
  met: boolean;
}
export interface RunInfo {
  command: string;
  date: string;
  source: string;
  nproc: number;
  cpu: string;
  memGb: number;
  node: string;
  postgres: string;
  loadBefore: number[];
  connections: number;
  warmupSeconds: number;
  seconds: number;
  notes: string[];
}

/** Hand-written notes under this line survive the bench rewriting the file. */
export const KEEP_MARKER =
  '<!-- Hand-written notes below this line are kept when `npm run bench` rewrites the file. -->';

const f = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'n/a';
const cores = (c: CaseResult['cpu']) =>
  c ? [c.server, c.postgres, c.bench, c.machine].map((x) => (x === undefined ? '-' : x.toFixed(2))).join(' / ') : 'n/a';
/** CPU milliseconds one request cost the server and PostgreSQL: robust to other load on the machine, unlike req/s. */
export const cpuPerRequest = (c: CaseResult) => ({
  server: c.cpu?.server === undefined ? NaN : (1000 * c.cpu.server) / c.m.rps,
  postgres: c.cpu?.postgres === undefined ? NaN : (1000 * c.cpu.postgres) / c.m.rps,
});
const perRequest = (c: CaseResult) => {
  const p = cpuPerRequest(c);
  return `${f(p.server, 3)} + ${f(p.postgres, 3)}`;
};
const ratio = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}x` : 'n/a');

export function render(
  info: RunInfo,
  cases: CaseResult[],
  targets: Target[],
  profiles: { case: string; summary: ProfileSummary; file?: string }[],
): string {
  const http = cases.find((c) => c.id === 'baseline-http')!.m;
  const exp = cases.find((c) => c.id === 'baseline-express')!.m;
  const out: string[] = [];
  out.push('# Benchmark results', '');
  out.push(`Produced by \`${info.command}\` on ${info.date}, measuring the API of ${info.source}.`, '');
  out.push(
    `Machine: ${info.nproc} CPUs (\`nproc\`), ${info.cpu}, ${info.memGb} GB RAM; Node ${info.node}; ${info.postgres}.`,
    `Load average before the run: ${info.loadBefore.map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min).`,
    '',
  );
  out.push(
    `Each case: ${info.warmupSeconds} s warm-up (discarded), then ${info.seconds} s measured with autocannon, ` +
      `${info.connections} connections, no pipelining, everything on loopback. The API, the baselines, PostgreSQL and ` +
      'autocannon share the same machine, so absolute figures say little; the ratios to the baselines of the same run are the figures to read. ' +
      'The last two columns come from /proc: the CPU time one request cost the server and PostgreSQL (which depends much less than req/s on ' +
      'what else the machine runs), and the CPU each process used during the measured seconds in cores (1.00 = one core busy); ' +
      '"whole machine" counts every process, so what it has beyond the first three went to other work on the machine.',
    '',
  );
  out.push('## Results', '');
  out.push(
    '| Case | req/s | p50 ms | p99 ms | req/s ÷ node:http | req/s ÷ Express | p99 ÷ node:http p99 | p99 ÷ Express p99 | failed | CPU ms per request: server + PostgreSQL | CPU cores: server / PostgreSQL / autocannon / whole machine |',
  );
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const c of cases) {
    const m = c.m;
    out.push(
      `| ${c.label} | ${f(m.rps)} | ${f(m.p50, 2)} | ${f(m.p99, 2)} | ${ratio(m.rps / http.rps)} | ${ratio(m.rps / exp.rps)} | ` +
        `${ratio(m.p99 / http.p99)} | ${ratio(m.p99 / exp.p99)} | ${m.failures ? `**${f(m.failures)}** ${JSON.stringify(m.statuses)}` : '0'} | ${perRequest(c)} | ${cores(c.cpu)} |`,
    );
  }
  out.push('', '## Targets', '');
  out.push('| Target | Wanted | Measured | Met |', '|---|---|---|---|');
  for (const t of targets) out.push(`| ${t.name} | ${t.wanted} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`);
  out.push('');
  if (info.notes.length) {
    out.push('## Set-up', '');
    for (const n of info.notes) out.push(`- ${n}`);
    out.push('');
  }
  if (profiles.length) {
    out.push('## Where the time goes (missed targets)', '');
    out.push(
      'The API was restarted under `node --cpu-prof` and the case run again (profiling slows it; these are shares, not rates). ' +
        'Self time of the API process during the load (start-up left out), by package and then by function; idle time is excluded from the shares. ' +
        'Time in PostgreSQL is not in these profiles: it shows up as idle time of the API process.',
      '',
    );
    for (const p of profiles) {
      const s = p.summary;
      out.push(
        `### ${p.case}`,
        '',
        `Profile: ${f(s.totalMs / 1000, 1)} s sampled, ${f(s.idleShare * 100)}% idle.` +
          (p.file
            ? ` Kept as \`${p.file}\` (open it in Chrome DevTools or speedscope).`
            : ' (Pass `--keep-profiles=DIR` to keep the .cpuprofile files.)'),
        '',
      );
      out.push('| Package / area | self ms | share of busy |', '|---|---:|---:|');
      for (const r of s.byPackage) out.push(`| \`${r.name}\` | ${f(r.ms)} | ${f(r.share * 100, 1)}% |`);
      out.push('', '| Function | self ms | share of busy |', '|---|---:|---:|');
      for (const r of s.byFunction)
        out.push(`| \`${r.name.replace(/\|/g, '\\|')}\` | ${f(r.ms)} | ${f(r.share * 100, 1)}% |`);
      out.push('');
    }
  }
  out.push(KEEP_MARKER, '');
  return out.join('\n');
}

/** Writes the report, keeping whatever was written by hand under KEEP_MARKER in the previous file. */
export function write(file: string, text: string) {
  let kept = '';
  if (existsSync(file)) {
    const prev = readFileSync(file, 'utf8');
    const i = prev.indexOf(KEEP_MARKER);
    if (i >= 0) kept = prev.slice(i + KEEP_MARKER.length).replace(/^\n+/, '');
  }
  writeFileSync(file, text + kept);
}

/** Puts `section` (which starts and ends with `<!-- name:start/end -->`) in place of the file's old one, or at the end. */
export function writeSection(file: string, name: string, section: string) {
  let text = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmark results\n\n${KEEP_MARKER}\n`;
  if (!text.includes(KEEP_MARKER)) text += `\n${KEEP_MARKER}\n`;
  const old = new RegExp(`<!-- ${name}:start -->[\\s\\S]*<!-- ${name}:end -->`);
  writeFileSync(file, old.test(text) ? text.replace(old, () => section) : `${text.trimEnd()}\n\n${section}\n`);
}
