// The templating of alert labels and annotations, the part of Prometheus's Go templates that rules use:
// `{{ $labels.name }}` (also `{{ .Labels.name }}` and `{{ index $labels "name" }}`), `{{ $value }}` (`.Value`),
// `{{ $value | humanize }}`, `{{ humanize $value }}`, `{{ printf "%.2f" $value }}` and `{{ $labels }}`. A construct
// outside these is left as written, so a typo shows in the notification rather than silently vanishing.
import type { Labels } from '../types.js';

/** Go's %g-like formatting of a float, as Prometheus prints `{{ $value }}` (strconv 'g', shortest). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  // Go writes large and small exponents as e+21 / e-07 (two digits at least); JS as e+21 / e-7.
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Prometheus's `humanize`: SI prefixes for large and small values, 4 significant digits. */
export function humanize(v: number): string {
  if (!Number.isFinite(v) || v === 0) return formatValue(v);
  const big = ['', 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
  const small = ['', 'm', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
  let x = v;
  let i = 0;
  if (Math.abs(x) >= 1) {
    while (Math.abs(x) >= 1000 && i < big.length - 1) ((x /= 1000), i++);
    return `${fmt4(x)}${big[i]}`;
  }
  while (Math.abs(x) < 1 && i < small.length - 1) ((x *= 1000), i++);
  return `${fmt4(x)}${small[i]}`;
}
const fmt4 = (x: number) => String(Number(x.toPrecision(4)));

/** printf's %f, %.Nf, %d, %s and %v of one value. */
function printf(format: string, v: number): string {
  return format.replace(/%(\.(\d+))?([fdsvg%])/g, (all, _p, digits, verb) => {
    if (verb === '%') return '%';
    if (verb === 'f') return Number.isFinite(v) ? v.toFixed(digits === undefined ? 6 : Number(digits)) : formatValue(v);
    if (verb === 'd') return Number.isFinite(v) ? String(Math.trunc(v)) : formatValue(v);
    return formatValue(v);
  });
}

const labelsText = (l: Labels) =>
  `map[${Object.keys(l)
    .sort()
    .map((k) => `${k}:${l[k]}`)
    .join(' ')}]`;

const ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/g;

/** `text` with its actions filled in from the alert's labels and value. */
export function expand(text: string, labels: Labels, value: number): string {
  if (!text.includes('{{')) return text;
  return text.replace(ACTION, (all, action: string) => {
    const a = action.trim();
    let m: RegExpExecArray | null;
    if ((m = /^(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(a))) return labels[m[1]!] ?? '';
    if ((m = /^index\s+(?:\$labels|\.Labels)\s+"([^"]*)"$/.exec(a))) return labels[m[1]!] ?? '';
    if (/^(?:\$labels|\.Labels)$/.test(a)) return labelsText(labels);
    if (/^(?:\$value|\.Value)$/.test(a)) return formatValue(value);
    if (/^(?:(?:\$value|\.Value)\s*\|\s*humanize|humanize\s+(?:\$value|\.Value))$/.test(a)) return humanize(value);
    if ((m = /^printf\s+"([^"]*)"\s+(?:\$value|\.Value)$/.exec(a))) return printf(m[1]!, value);
    return all;
  });
}

/** Every value of `templates` expanded. */
export const expandAll = (templates: Record<string, string>, labels: Labels, value: number): Record<string, string> =>
  Object.fromEntries(Object.entries(templates).map(([k, t]) => [k, expand(t, labels, value)]));
