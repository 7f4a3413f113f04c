// A real WebSocket client of /api/events: resolves once subscribed, keeps every event, waits for one that matches.
import WebSocket from 'ws';

export type StreamEvent = { type: string; kind?: string; id?: string; status?: string; owner?: string } & Record<
  string,
  unknown
>;

export interface Stream {
  events: StreamEvent[];
  ws: WebSocket;
  until(p: (e: StreamEvent) => boolean): Promise<StreamEvent>;
  close(): void;
}

export function watchEvents(url: string, token: string, query = ''): Promise<Stream> {
  return new Promise((ok, ko) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/events${query}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const events: StreamEvent[] = [];
    let waiters: { p: (e: StreamEvent) => boolean; r: (e: StreamEvent) => void }[] = [];
    ws.on('message', (data) => {
      const ev = JSON.parse(String(data)) as StreamEvent;
      if (ev.type === 'subscribed') {
        ok({
          events,
          ws,
          until: (p) =>
            new Promise((r) => {
              const hit = events.find(p);
              if (hit) r(hit);
              else waiters.push({ p, r });
            }),
          close: () => ws.close(),
        });
        return;
      }
      events.push(ev);
      waiters = waiters.filter((w) => !(w.p(ev) && (w.r(ev), true)));
    });
    ws.on('error', ko);
    ws.on('unexpected-response', (_req, res) => ko(new Error(`upgrade refused: ${res.statusCode}`)));
  });
}
