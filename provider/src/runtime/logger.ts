// Provider logging to stderr as hclog JSON lines, which go-plugin re-levels and shows under TF_LOG / TF_LOG_PROVIDER.
// go-plugin only parses a line whose @timestamp has exactly six fractional digits; others are dumped raw at DEBUG.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  trace(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  enabled(level: LogLevel): boolean;
  /** A logger whose lines carry these extra fields. */
  with(fields: LogFields): Logger;
}

const RANK: Record<LogLevel | 'off', number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, off: 5 };

/** TF_LOG_PROVIDER wins over TF_LOG; unset means off; "JSON" and unrecognised values mean trace, as in core. */
export function levelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel | 'off' {
  const raw = (env.TF_LOG_PROVIDER || env.TF_LOG || '').trim().toLowerCase();
  if (raw === '' || raw === 'off') return 'off';
  if (raw in RANK) return raw as LogLevel;
  return 'trace';
}

export function createLogger(
  module: string,
  level: LogLevel | 'off' = levelFromEnv(),
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const make = (bound: LogFields): Logger => {
    const emit = (lvl: LogLevel, message: string, fields?: LogFields): void => {
      if (RANK[lvl] < RANK[level]) return;
      const entry = {
        '@level': lvl,
        '@message': message,
        '@module': module,
        '@timestamp': timestamp(),
        ...bound,
        ...fields,
      };
      write(`${JSON.stringify(entry, replacer)}\n`);
    };
    return {
      trace: (m, f) => emit('trace', m, f),
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      enabled: (lvl) => RANK[lvl] >= RANK[level],
      with: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make({});
}

// Wall clock anchored once, advanced by the monotonic clock: microseconds without loading perf_hooks (the `performance`
// global costs ~10 built-in modules, a measurable share of a launch that Terraform pays 3-5 times per command).
const anchorMs = Date.now() - Number(process.hrtime.bigint() / 1000n) / 1000;

/** RFC 3339 in UTC with microseconds, e.g. 2026-05-01T10:00:05.123456Z. */
export function timestamp(epochMs: number = anchorMs + Number(process.hrtime.bigint() / 1000n) / 1000): string {
  const whole = Math.floor(epochMs);
  const micros = Math.floor((epochMs - whole) * 1000);
  const iso = new Date(whole).toISOString(); // ...:05.123Z
  return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'symbol') return value.description ?? value.toString();
  if (value instanceof Error) return value.message;
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  return value;
}
