// A WebSocket client of /api/events for tests: it collects the stream's events and waits for one that matches.
import WebSocket from 'ws';

export type Ev = { type: string; kind?: string; id?: string; status?: string; owner?: string } & Record<
  string,
  unknown
>;

export function watch(
  url: string,
  token: string,
  query = '',
): Promise<{ events: Ev[]; ws: WebSocket; until(p: (e: Ev) => boolean): Promise<Ev> }> {
  return new Promise((ok, ko) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/events${query}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const events: Ev[] = [];
    const waiters: { p: (e: Ev) => boolean; r: (e: Ev) => void }[] = [];
    ws.on('message', (data) => {
      const ev = JSON.parse(String(data)) as Ev;
      events.push(ev);
      if (ev.type === 'subscribed')
        ok({
          events,
          ws,
          until: (p) =>
            new Promise((r) => {
              const hit = events.find(p);
              if (hit) r(hit);
              else waiters.push({ p, r });
            }),
        });
      for (const w of waiters.splice(0))
        if (w.p(ev)) w.r(ev);
        else waiters.push(w);
    });
    ws.on('error', ko);
    ws.on('unexpected-response', (_req, res) => ko(new Error(`upgrade refused: ${res.statusCode}`)));
  });
}
