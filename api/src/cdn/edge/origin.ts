// Fetching from a distribution's origins: HTTP(S) URLs through keep-alive agents with connect and read timeouts,
// buckets of this platform through the object store (as the platform, never over HTTP, and only the distribution
// owner's bucket), and origin groups that move to their next member on a failover status or a connection error.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { Readable } from 'node:stream';
import type { Deps } from '../../platform/deps.js';
import { Problem } from '../../platform/problems.js';
import { buckets } from '../../storage/bucket-store.js';
import { objectStoreOf } from '../../storage/engine.js';
import type { EdgeDistribution, Origin } from '../model.js';

export interface OriginRequest {
  method: string;
  /** path and kept query, within the distribution (the origin path is prefixed here) */
  path: string;
  headers: Record<string, string>;
  /** a passed request's body (methods the behaviour does not cache) */
  body?: Buffer;
}

export interface OriginResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** the origin member that answered */
  originId: string;
}

/** The origin could not be asked (refused, reset, timed out): the edge's 502/504, or stale-if-error. */
export class OriginUnreachable extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const httpsAgents = new Map<string, https.Agent>();

/**
 * The keep-alive agent for HTTPS origins: certificates verified (a CDN that took any certificate would hand viewers
 * whatever a man in the middle served) against Node's roots, plus the operator's private CA when one is configured.
 * One per CA file, read once: the file is configuration, not per-request input.
 */
function httpsAgent(caFile: string | undefined): https.Agent {
  const key = caFile ?? '';
  let agent = httpsAgents.get(key);
  if (!agent) {
    const ca = caFile ? [...tls.rootCertificates, readFileSync(caFile, 'utf8')] : undefined;
    agent = new https.Agent({ keepAlive: true, maxSockets: 256, ...(ca ? { ca } : {}) });
    httpsAgents.set(key, agent);
  }
  return agent;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1): never stored nor passed on. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h))
    if (v !== undefined && !HOP.has(k)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function fetchHttp(deps: Deps, origin: Extract<Origin, { type: 'http' }>, req: OriginRequest): Promise<OriginResponse> {
  const url = new URL(origin.origin_path.replace(/\/$/, '') + req.path, origin.url);
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const r = (secure ? https : http).request(url, {
      method: req.method,
      agent: secure ? httpsAgent(deps.config.cdn.originCa) : httpAgent,
      headers: { ...req.headers, ...origin.custom_headers, host: url.host },
    });
    const fail = (msg: string, timedOut = false) => {
      r.destroy();
      reject(new OriginUnreachable(msg, timedOut));
    };
    // A reused keep-alive socket is already connected: the connect timer runs only on a fresh one.
    const connectTimer = setTimeout(
      () => fail(`no connection within ${origin.connect_timeout_ms} ms`, true),
      origin.connect_timeout_ms,
    );
    r.on('socket', (s) => {
      if (!s.connecting) clearTimeout(connectTimer);
      else s.once('connect', () => clearTimeout(connectTimer));
    });
    r.setTimeout(origin.read_timeout_ms, () => fail(`no answer within ${origin.read_timeout_ms} ms`, true));
    r.on('error', (e) => (clearTimeout(connectTimer), reject(new OriginUnreachable(e.message, false))));
    r.on('response', (res) => {
      clearTimeout(connectTimer);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => reject(new OriginUnreachable(e.message, false)));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 502,
          headers: flatHeaders(res.headers),
          body: Buffer.concat(chunks),
          originId: origin.id,
        }),
      );
    });
    r.end(req.body);
  });
}

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function fetchBucket(
  deps: Deps,
  owner: string,
  origin: Extract<Origin, { type: 'bucket' }>,
  req: OriginRequest,
): Promise<OriginResponse> {
  const asOwner = { userId: owner, isAdmin: false, tokenId: null };
  const base = { originId: origin.id, body: Buffer.alloc(0) };
  try {
    const bucket = await buckets.get(deps.db, asOwner, origin.bucket_id);
    const path = decodeURIComponent(req.path.split('?')[0]!);
    const key = (origin.origin_path.replace(/^\/|\/$/g, '') + '/' + path.replace(/^\//, '')).replace(/^\//, '');
    const cond = {
      'if-none-match': req.headers['if-none-match'],
      'if-modified-since': req.headers['if-modified-since'],
    };
    const d = await objectStoreOf(deps).get(bucket, key, { headers: cond, body: req.method !== 'HEAD' });
    const headers: Record<string, string> = {
      ...Object.fromEntries(Object.entries(d.row.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
      'content-type': d.row.content_type ?? 'application/octet-stream',
      'last-modified': new Date(d.row.last_modified).toUTCString(),
      date: new Date().toUTCString(),
    };
    if (d.row.etag) headers['etag'] = d.row.etag.startsWith('"') ? d.row.etag : `"${d.row.etag}"`;
    return { ...base, status: 200, headers, body: d.stream ? await readAll(d.stream) : base.body };
  } catch (e) {
    if (!(e instanceof Problem)) throw new OriginUnreachable((e as Error).message, false);
    // The object store's refusals are its HTTP answers: NotModified 304, NoSuchKey 404, a missing bucket 404.
    const headers: Record<string, string> = { 'content-type': 'text/plain' };
    for (const [k, v] of Object.entries((e as Problem & { headers?: Record<string, string> }).headers ?? {}))
      headers[k.toLowerCase()] = v;
    return { ...base, status: e.status, headers, body: e.status === 304 ? base.body : Buffer.from(e.message) };
  }
}

/**
 * Asks the origin or origin group `targetId` names. A group tries its members in order: the next on a failover
 * status or when one is unreachable; the last member's answer (or failure) is the result.
 */
export async function fetchOrigin(
  deps: Deps,
  dist: EdgeDistribution,
  targetId: string,
  req: OriginRequest,
): Promise<OriginResponse> {
  const group = dist.origin_groups.find((g) => g.id === targetId);
  const members = group ? group.members : [targetId];
  let lastError: unknown = new OriginUnreachable(`no origin ${targetId}`, false);
  for (const [i, id] of members.entries()) {
    const origin = dist.origins.find((o) => o.id === id);
    if (!origin) continue;
    const last = i === members.length - 1;
    try {
      const res =
        origin.type === 'http' ? await fetchHttp(deps, origin, req) : await fetchBucket(deps, dist.owner, origin, req);
      if (!last && group!.failover_status_codes.includes(res.status)) continue;
      return res;
    } catch (e) {
      lastError = e;
      if (last) throw e;
    }
  }
  throw lastError;
}
