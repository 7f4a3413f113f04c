// `npm run bench:forecast`: forecast latency of each model on a 30-day series at 5-minute resolution (8,640 points,
// daily cycle, trend and noise: test/fixtures/forecast/synthetic.ts), one day (288 steps) ahead, against the
// seasonal naive reference in the same run. In process, no HTTP: this is the library alone. The models are run
// in turn within each round (so drifting load hits all alike), after one warm-up round.
// Writes its section of bench/RESULTS.md.   npm run bench:forecast [-- --runs=20]
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { forecast, type ForecastInput, type ModelName } from '../api/src/ai/forecast/index.js';
import { dailyFiveMinute } from '../test/fixtures/forecast/synthetic.js';
import { writeSection } from './lib/report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const RUNS = Number(opt.runs);
const series = dailyFiveMinute(30);
const HORIZON = 288;
const cases: { label: string; model: ModelName | 'auto'; budgetMs?: number }[] = [
  { label: 'seasonal naive (reference)', model: 'seasonal_naive' },
  { label: 'ETS (9 variants fitted, AIC)', model: 'ets' },
  { label: 'LSTM, default budget 2,000 ms', model: 'lstm' },
  { label: 'auto (all three, backtest), default budget', model: 'auto' },
];
const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const started = performance.now();
const load = os.loadavg();
const wall: number[][] = cases.map(() => []);
const cpu: number[][] = cases.map(() => []);
const chosen: string[] = cases.map(() => '');
for (let round = -1; round < RUNS; round++) {
  cases.forEach((c, i) => {
    const input: ForecastInput = {
      values: series.values,
      stepSeconds: series.stepSeconds,
      horizon: HORIZON,
      model: c.model,
    };
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = forecast(input);
    const t1 = performance.now();
    const used = process.cpuUsage(c0);
    if (round < 0) return; // warm-up
    wall[i].push(t1 - t0);
    cpu[i].push((used.user + used.system) / 1000);
    chosen[i] = r.model;
  });
  process.stderr.write(`[bench:forecast] round ${round + 1}/${RUNS}\n`);
}
const naiveP50 = pct(wall[0], 0.5);
const rows = cases.map((c, i) => {
  const p50 = pct(wall[i], 0.5);
  return `| ${c.label} | ${chosen[i]} | ${p50.toFixed(1)} | ${pct(wall[i], 0.99).toFixed(1)} | ${pct(cpu[i], 0.5).toFixed(1)} | ${(p50 / naiveP50).toFixed(0)}x |`;
});
const etsP50 = pct(wall[1], 0.5);
const section = [
  '<!-- forecast-bench:start -->',
  '## Forecast latency (AI predictions library)',
  '',
  `Produced by \`npm run bench:forecast -- --runs=${RUNS}\` on ${new Date().toISOString().slice(0, 19)}Z; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}; ` +
    `load average before the run ${load.map((l) => l.toFixed(2)).join(' / ')} (other helpers' work shared the machine). ` +
    `One series of 8,640 points (30 days at 5 minutes: daily cycle, trend, noise), forecast ${HORIZON} steps ahead with 80% and 95% intervals; ` +
    `\`forecast()\` called in process (no HTTP, no database), ${RUNS} times per model after one warm-up round, the models in turn within each round. ` +
    `p99 of ${RUNS} runs is in effect the slowest run. The whole run took ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  '',
  '| Model asked | answered with | p50 ms | p99 ms | CPU ms p50 | p50 ÷ seasonal naive p50 |',
  '|---|---|---:|---:|---:|---:|',
  ...rows,
  '',
  `Target: ETS on 8,640 points well under a second: p50 ${etsP50.toFixed(0)} ms (${etsP50 < 1000 ? 'met' : 'not met'}). ` +
    'Every model includes its own rolling-origin backtest (4 origins of one day). The LSTM and auto spend the CPU budget by design ' +
    '(a planned number of training steps, ~0.44 ms CPU each, capped by the budget).',
  '<!-- forecast-bench:end -->',
].join('\n');
writeSection(join(ROOT, 'bench/RESULTS.md'), 'forecast-bench', section);
process.stderr.write('[bench:forecast] bench/RESULTS.md updated\n');
