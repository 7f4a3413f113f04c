// The page's calls to the API: the viewer's token (from the URL fragment once, then this tab's sessionStorage), the
// dashboard, and PromQL queries through the Prometheus-compatible API; every failure becomes an ApiError to show.
const TOKEN_KEY = 'atonix.console.token';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The token: `#token=...` in the address (kept in this tab, then removed from the address bar), or the stored one. */
export function takeToken() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const given = fragment.get('token');
  if (given) {
    sessionStorage.setItem(TOKEN_KEY, given);
    fragment.delete('token');
    const rest = fragment.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export const storeToken = (token) => sessionStorage.setItem(TOKEN_KEY, token);
export const forgetToken = () => sessionStorage.removeItem(TOKEN_KEY);

async function call(path, init = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  let res;
  try {
    res = await fetch(path, {
      ...init,
      headers: { Accept: 'application/json', Authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
    });
  } catch (err) {
    throw new ApiError(0, `The API could not be reached (${err.message}).`);
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    // problem+json says `detail`; the Prometheus API says `error`.
    const said = body?.detail ?? body?.error ?? res.statusText;
    throw new ApiError(res.status, `${res.status}: ${said}`);
  }
  return body;
}

export const getDashboard = (id) => call(`/api/monitoring/dashboards/${encodeURIComponent(id)}`);

async function prometheus(endpoint, params) {
  const body = await call(`/api/monitoring/prometheus/api/v1/${endpoint}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  if (body?.status !== 'success') throw new ApiError(200, body?.error ?? 'The query did not succeed.');
  return body.data;
}

/** A range query's series, as `{ metric, values: [[seconds, "value"], ...] }` (Prometheus' matrix). */
export async function queryRange(expr, startMs, endMs, stepS) {
  const data = await prometheus('query_range', {
    query: expr,
    start: String(startMs / 1000),
    end: String(endMs / 1000),
    step: String(stepS),
  });
  return data.resultType === 'matrix' ? data.result : [];
}

/** An instant query's result as series of one point each (`{ metric, value: [seconds, "value"] }`). */
export async function queryInstant(expr, timeMs) {
  const data = await prometheus('query', { query: expr, time: String(timeMs / 1000) });
  if (data.resultType === 'vector') return data.result;
  if (data.resultType === 'scalar') return [{ metric: {}, value: data.result }];
  return [];
}
