// Operation lookup by method and path. Express's router tries its routes one after another, each a regular
// expression and a few closures, which cost more than the rest of a small request together; the spec's paths are
// plain segments and `{param}`s, so one map lookup and a segment comparison do the same job.

interface Route<T> {
  segments: string[];
  params: (string | null)[];
  statics: number;
  value: T;
}

export interface RouteMatch<T> {
  value: T;
  params: Record<string, string>;
  /** a parameter that is not valid percent-encoding (kept raw in params): the request is a 400 */
  malformed?: string;
}

export class RouteTable<T> {
  private routes = new Map<string, Route<T>[]>();

  /** `template` as in the spec: `/api/compute/instances/{id}/start`. */
  add(method: string, template: string, value: T): void {
    const segments = template.split('/');
    const params = segments.map((s) => (/^\{\w+\}$/.test(s) ? s.slice(1, -1) : null));
    const key = `${method.toUpperCase()} ${segments.length}`;
    const list = this.routes.get(key) ?? [];
    list.push({
      segments: segments.map((s) => s.toLowerCase()),
      params,
      statics: params.filter((p) => p === null).length,
      value,
    });
    // A static segment wins over a parameter in the same place (`/instances/capacity` before `/instances/{id}`).
    list.sort((a, b) => b.statics - a.statics);
    this.routes.set(key, list);
  }

  /**
   * The route for a request path (no query string). Matches as Express does by default: case-insensitive static
   * segments, an optional trailing slash, HEAD served by GET, and percent-decoded parameters.
   */
  match(method: string, path: string): RouteMatch<T> | undefined {
    const m = method === 'HEAD' ? 'GET' : method;
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const parts = trimmed.split('/');
    const candidates = this.routes.get(`${m} ${parts.length}`);
    if (!candidates) return undefined;
    next: for (const r of candidates) {
      const params: Record<string, string> = {};
      let malformed: string | undefined;
      for (let i = 0; i < parts.length; i++) {
        const name = r.params[i];
        const part = parts[i]!;
        if (name === null || name === undefined) {
          if (part !== r.segments[i] && part.toLowerCase() !== r.segments[i]) continue next;
        } else {
          if (!part) continue next;
          try {
            params[name] = decodeURIComponent(part);
          } catch {
            params[name] = part;
            malformed ??= name;
          }
        }
      }
      return malformed ? { value: r.value, params, malformed } : { value: r.value, params };
    }
    return undefined;
  }
}
