// How values are written per panel unit, and a series' name from its legend template or its labels.
const SI = ['', 'k', 'M', 'G', 'T', 'P'];
const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

const trim = (v) => {
  const a = Math.abs(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : 2;
  return v.toFixed(digits).replace(/\.0+$|(\.\d*[1-9])0+$/, '$1');
};

function scaled(v, base, names) {
  let i = 0;
  let x = v;
  while (Math.abs(x) >= base && i < names.length - 1) {
    x /= base;
    i++;
  }
  return `${trim(x)}${names === IEC ? ' ' : ''}${names[i]}`;
}

function duration(s) {
  const a = Math.abs(s);
  if (a === 0) return '0 s';
  if (a < 1e-3) return `${trim(s * 1e6)} µs`;
  if (a < 1) return `${trim(s * 1e3)} ms`;
  if (a < 120) return `${trim(s)} s`;
  if (a < 7200) return `${trim(s / 60)} min`;
  return `${trim(s / 3600)} h`;
}

/** `v` written for `unit` (none, percent, bytes, bytes_per_second, seconds, requests_per_second, ops_per_second). */
export function formatValue(v, unit) {
  if (v === null || v === undefined) return '–';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  switch (unit) {
    case 'percent':
      return `${trim(v)}%`;
    case 'bytes':
      return scaled(v, 1024, IEC);
    case 'bytes_per_second':
      return `${scaled(v, 1024, IEC)}/s`;
    case 'seconds':
      return duration(v);
    case 'requests_per_second':
      return `${scaled(v, 1000, SI)} req/s`;
    case 'ops_per_second':
      return `${scaled(v, 1000, SI)} ops/s`;
    default:
      return scaled(v, 1000, SI);
  }
}

/** The legend template with `{{label}}` filled, or the series' name and labels (`owner` left out: it is the viewer). */
export function seriesName(metric, legend) {
  if (legend) return legend.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, l) => metric[l] ?? '');
  const { __name__: name = '', owner: _owner, ...rest } = metric;
  const labels = Object.entries(rest).map(([k, v]) => `${k}="${v}"`);
  return labels.length ? `${name}{${labels.join(', ')}}` : name || '{}';
}
