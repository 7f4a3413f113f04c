// The `Prefer` request header (RFC 7240), as HTTP callers send it; the wait itself is operations/settle.ts.
import { MAX_WAIT_SECONDS } from '../operations/settle.js';

/** The `wait` preference in seconds (capped), from a Prefer header such as `respond-async, wait=10`. */
export function preferredWait(header: string | undefined): number | undefined {
  const m = header?.match(/(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?\s*(?:$|[,;])/i);
  return m ? Math.min(Number(m[1]), MAX_WAIT_SECONDS) : undefined;
}
