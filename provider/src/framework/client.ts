// The provider's HTTP client for the AtonixCorp API: bearer auth, retries on 429/503, problems -> diagnostics.
import { DiagnosticsError, errorDiagnostic, type AttributePath, type Diagnostic } from '../runtime/index.js';

export interface Problem { status: number; code?: string; title?: string; detail?: string; request_id?: string; errors?: { pointer: string; detail: string; code?: string }[]; [k: string]: unknown }

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem) { super(problem.detail ?? problem.title ?? `HTTP ${status}`); }
}

export interface ApiResponse<T = any> { status: number; body: T; headers: Headers }

const RETRIES = 5;

export class ApiClient {
  constructor(readonly endpoint: string, private token: string, private userAgent: string) {}

  async request<T = any>(method: string, path: string, opts: { body?: unknown; signal?: AbortSignal; idempotencyKey?: string } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json', 'User-Agent': this.userAgent };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(new URL(path, this.endpoint), { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: opts.signal });
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        // Only requests that cannot duplicate work are retried after a network error.
        if (attempt < RETRIES && (method === 'GET' || method === 'DELETE' || opts.idempotencyKey)) { await sleep(backoff(attempt), opts.signal); continue; }
        throw new DiagnosticsError(errorDiagnostic('Cannot reach the AtonixCorp API',
          `${method} ${new URL(path, this.endpoint)} failed: ${(e as Error).cause ? String((e as any).cause?.message ?? (e as any).cause) : (e as Error).message}. Check the provider's endpoint (or ATONIX_ENDPOINT).`));
      }
      if ((res.status === 429 || res.status === 503) && attempt < RETRIES) {
        const after = Number(res.headers.get('retry-after'));
        await sleep(Number.isFinite(after) && after > 0 ? after * 1000 : backoff(attempt), opts.signal);
        continue;
      }
      const text = await res.text();
      const body = text ? safeJson(text) : undefined;
      if (res.status >= 400) throw new ApiError(res.status, { status: res.status, ...(typeof body === 'object' && body ? body : { detail: text }) });
      return { status: res.status, body: body as T, headers: res.headers };
    }
  }
}

function safeJson(text: string): unknown {
  try { return JSON.parse(text); } catch { return text; }
}

const backoff = (attempt: number) => Math.min(200 * 2 ** attempt, 5000);

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((ok, ko) => {
    if (signal?.aborted) { ko(signal.reason ?? abortError()); return; }
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); ok(); }, ms);
    const onAbort = () => { clearTimeout(t); ko(abortError()); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError() {
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

/** A problem's field errors become diagnostics on the attributes they point at; the rest one diagnostic. */
export function problemDiagnostics(e: unknown, summary: string, pathPrefix: AttributePath = []): Diagnostic[] {
  if (!(e instanceof ApiError)) throw e;
  const p = e.problem;
  const ref = p.request_id ? ` (request ${p.request_id})` : '';
  const fields = (p.errors ?? []).filter((f) => f.pointer.startsWith('/'));
  if (fields.length) {
    return fields.map((f) => {
      const steps = f.pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      const path = [...pathPrefix, ...steps.map((s) => (/^\d+$/.test(s) ? Number(s) : s))];
      return errorDiagnostic(`${summary}: ${p.title ?? 'invalid value'}`, `${steps.join('.')} ${f.detail}${ref}`, path.slice(0, 1));
    });
  }
  return [errorDiagnostic(`${summary}: ${p.title ?? `HTTP ${e.status}`}`, `${p.detail ?? ''}${ref}`)];
}
