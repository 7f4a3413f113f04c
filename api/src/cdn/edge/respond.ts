// The viewer's response from a cache answer: the stored headers with Age, X-Cache and Via, and a Range request
// answered from the full stored object (one range: 206 with Content-Range; unsatisfiable: 416; several: the whole).
import type { Entry } from './entry.js';
import { ageOf } from './entry.js';
import type { CacheResult } from './metrics.js';

export interface EdgeAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const X_CACHE: Record<CacheResult, string> = {
  hit: 'Hit',
  stale: 'Hit',
  refresh_hit: 'RefreshHit',
  miss: 'Miss',
  pass: 'Miss',
  error: 'Error',
};

export const edgeHeaders = (result: CacheResult, location: string): Record<string, string> => ({
  'x-cache': `${X_CACHE[result]} from ${location}`,
  via: `1.1 ${location}.edge.atonix (AtonixCDN)`,
});

/** The one byte range of `bytes=a-b`, `bytes=a-`, `bytes=-n`; 'many' for a list; 'bad' when unsatisfiable. */
export function parseByteRange(
  header: string,
  size: number,
): { start: number; end: number } | 'many' | 'bad' | undefined {
  const m = /^bytes=\s*(.+)$/i.exec(header.trim());
  if (!m) return undefined; // another unit: ignored (RFC 9110 §14.2)
  if (m[1]!.includes(',')) return 'many';
  const r = /^(\d*)-(\d*)$/.exec(m[1]!.trim());
  if (!r || (r[1] === '' && r[2] === '')) return undefined;
  if (r[1] === '') {
    const n = Number(r[2]);
    return n === 0 ? 'bad' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(r[1]);
  const end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
  if (start >= size || end < start) return 'bad';
  return { start, end };
}

export function answerFrom(
  e: Entry,
  result: CacheResult,
  opts: { now: number; location: string; method: string; range?: string; status?: number },
): EdgeAnswer {
  const headers: Record<string, string> = { ...e.headers, ...edgeHeaders(result, opts.location) };
  delete headers['content-length'];
  if (result !== 'pass') headers['age'] = String(ageOf(e, opts.now));
  let status = opts.status ?? e.status;
  let body = e.body;
  if (e.status === 200 && opts.status === undefined) {
    headers['accept-ranges'] = 'bytes';
    const r = opts.range ? parseByteRange(opts.range, e.body.length) : undefined;
    if (r === 'bad') {
      status = 416;
      headers['content-range'] = `bytes */${e.body.length}`;
      body = Buffer.alloc(0);
    } else if (r && r !== 'many') {
      status = 206;
      headers['content-range'] = `bytes ${r.start}-${r.end}/${e.body.length}`;
      body = e.body.subarray(r.start, r.end + 1);
    }
  }
  headers['content-length'] = String(body.length);
  return { status, headers, body: opts.method === 'HEAD' ? Buffer.alloc(0) : body };
}
