// The provider's HTTP client for the AtonixCorp API: bearer auth, retries on 429/503, problems -> diagnostics.
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import {
  createLogger,
  DiagnosticsError,
  errorDiagnostic,
  type AttributePath,
  type Diagnostic,
} from '../runtime/index.js';
import { abortError, Http1Client, InvalidRequestError, type RawResponse, type ResponseHeaders } from './transport.js';

export interface Problem {
  status: number;
  code?: string;
  title?: string;
  detail?: string;
  request_id?: string;
  errors?: { pointer: string; detail: string; code?: string }[];
  [k: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: ResponseHeaders;
}

const RETRIES = 5;

/**
 * The launcher moves NODE_EXTRA_CA_CERTS aside (node would parse the whole bundle before the handshake); the
 * bundle is applied here, only when the endpoint is HTTPS, on top of node's own roots.
 */
let extraCa: { file: string; ca?: string[] } | undefined;
function tlsSettings(): { id: string; options: tls.ConnectionOptions } {
  const file = process.env.ATONIX_NODE_EXTRA_CA_CERTS ?? '';
  if (extraCa?.file !== file) {
    extraCa = { file };
    if (file) {
      try {
        extraCa.ca = [...tls.rootCertificates, readFileSync(file, 'utf8')];
      } catch (e) {
        logWarn(`cannot read extra CA certificates from ${file}: ${(e as Error).message}`);
      }
    }
  }
  return { id: file, options: extraCa.ca ? { ca: extraCa.ca } : {} };
}

const logWarn = (message: string) => createLogger('provider.client').warn(message);

const http = new Http1Client(tlsSettings);

export class ApiClient {
  constructor(
    readonly endpoint: string,
    private token: string,
    private userAgent: string,
  ) {}

  async request<T = any>(
    method: string,
    path: string,
    opts: { body?: unknown; signal?: AbortSignal; idempotencyKey?: string; prefer?: string } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
    if (opts.prefer) headers.Prefer = opts.prefer;
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    // Only requests that cannot duplicate work are sent again after a network error.
    const replayable = method === 'GET' || method === 'DELETE' || !!opts.idempotencyKey;
    const res = await this.send(method, path, headers, payload, replayable, opts.signal);
    return { status: res.status, body: (res.text ? safeJson(res.text) : undefined) as T, headers: res.headers };
  }

  /**
   * A call whose body is bytes, either way (an object's upload or download): the same authentication, retries and
   * problems as `request`, with the caller's own headers. An upload is never sent again after a network error.
   */
  async bytes(
    method: string,
    path: string,
    opts: { body?: Buffer; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<{ status: number; bytes: Buffer; headers: ResponseHeaders }> {
    const res = await this.send(method, path, { ...opts.headers }, opts.body, method === 'GET', opts.signal);
    return { status: res.status, bytes: res.bytes, headers: res.headers };
  }

  private async send(
    method: string,
    path: string,
    headers: Record<string, string>,
    payload: string | Buffer | undefined,
    replayable: boolean,
    signal: AbortSignal | undefined,
  ): Promise<RawResponse> {
    headers.Authorization = `Bearer ${this.token}`;
    headers['User-Agent'] = this.userAgent;
    const url = new URL(path, this.endpoint);
    for (let attempt = 0; ; attempt++) {
      let res: RawResponse;
      try {
        res = await http.request({ method, url, headers, body: payload, signal, replayable });
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        if (e instanceof InvalidRequestError) {
          throw new DiagnosticsError(
            errorDiagnostic(
              'Invalid request to the AtonixCorp API',
              `${method} ${url}: ${e.message}. Check the provider's token (or ATONIX_TOKEN).`,
            ),
          );
        }
        if (attempt < RETRIES && replayable) {
          await sleep(backoff(attempt), signal);
          continue;
        }
        throw new DiagnosticsError(
          errorDiagnostic(
            'Cannot reach the AtonixCorp API',
            `${method} ${url} failed: ${(e as Error).message}. Check the provider's endpoint (or ATONIX_ENDPOINT).`,
          ),
        );
      }
      if ((res.status === 429 || res.status === 503) && attempt < RETRIES) {
        const after = Number(res.headers['retry-after']);
        await sleep(Number.isFinite(after) && after > 0 ? after * 1000 : backoff(attempt), signal);
        continue;
      }
      if (res.status >= 400) {
        const body = res.text ? safeJson(res.text) : undefined;
        throw new ApiError(res.status, {
          status: res.status,
          ...(typeof body === 'object' && body ? body : { detail: res.text }),
        });
      }
      return res;
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const backoff = (attempt: number) => Math.min(200 * 2 ** attempt, 5000);

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((ok, ko) => {
    if (signal?.aborted) {
      ko(signal.reason ?? abortError());
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      ok();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      ko(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A problem's field errors become diagnostics on the attributes they point at; the rest one diagnostic. */
export function problemDiagnostics(e: unknown, summary: string, pathPrefix: AttributePath = []): Diagnostic[] {
  if (!(e instanceof ApiError)) throw e;
  const p = e.problem;
  const ref = p.request_id ? ` (request ${p.request_id})` : '';
  const fields = (p.errors ?? []).filter((f) => f.pointer.startsWith('/'));
  if (fields.length) {
    return fields.map((f) => {
      const steps = f.pointer
        .split('/')
        .slice(1)
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      const path = [...pathPrefix, ...steps.map((s) => (/^\d+$/.test(s) ? Number(s) : s))];
      return errorDiagnostic(
        `${summary}: ${p.title ?? 'invalid value'}`,
        `${steps.join('.')} ${f.detail}${ref}`,
        path.slice(0, 1),
      );
    });
  }
  return [errorDiagnostic(`${summary}: ${p.title ?? `HTTP ${e.status}`}`, `${p.detail ?? ''}${ref}`)];
}
