// pino JSON logs to stdout, asynchronously so logging never sits on the request path.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino(
    { level, base: { svc: 'atonix' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ sync: false }),
  );
}
