// A small HTTP/1.1 client for the provider's calls to the API: keep-alive connections, one request at a time on
// each, bodies delimited by Content-Length or chunked encoding (or by the close of the connection).
//
// Why not node:http: terraform starts the provider 3-5 times per command and each process makes its calls in a
// cold V8, where node:http's request machinery (ClientRequest, the agent's events, IncomingMessage streams) cost
// ~2.5 ms of CPU per call during an apply of 100 resources, a quarter of the provider's CPU. This path costs a
// fraction of it. fetch is no better: its first call loads undici (~60 ms).
import net from 'node:net';
import tls from 'node:tls';

export type ResponseHeaders = Record<string, string | string[]>;
export interface RawResponse {
  status: number;
  headers: ResponseHeaders;
  text: string;
  /** the body as received (an object's bytes); `text` is the same decoded as UTF-8 */
  bytes: Buffer;
}

export interface RequestOptions {
  method: string;
  url: URL;
  headers: Record<string, string>;
  /** JSON text, or an object's bytes */
  body?: string | Buffer;
  signal?: AbortSignal;
  /** Safe to send again (GET, DELETE, a keyed POST): a reused connection found closed is retried on a new one. */
  replayable?: boolean;
}

/** Idle connections close before a server's keep-alive timeout (Node's default is 5 s) can race a request. */
const IDLE_MS = 4000;

/** The error an aborted request (or wait) ends with; callers tell it apart by its name. */
export const abortError = () => Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });

/** Parses one response fed in pieces; `push` returns true once it is complete. */
export class ResponseParser {
  status = 0;
  headers: ResponseHeaders = {};
  /** false when the connection cannot carry another request (close asked, or the body runs to the close) */
  reusable = true;
  /** bytes received beyond the end of the response */
  excess = 0;
  /** the server's `Keep-Alive: timeout=N`, in ms, if it gave one */
  keepAliveMs?: number;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private headDone = false;
  private mode: 'length' | 'chunked' | 'close' | 'none' = 'none';
  private remaining = 0;
  private chunkState: 'size' | 'data' | 'data-end' | 'trailers' = 'size';
  private body: Buffer[] = [];

  constructor(private readonly method: string) {}

  get bytes(): Buffer {
    return Buffer.concat(this.body);
  }

  get text(): string {
    return this.bytes.toString('utf8');
  }

  push(chunk: Buffer): boolean {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
    if (!this.headDone && !this.readHead()) return false;
    return this.readBody();
  }

  /** The connection closed: a body delimited by the close is complete now; anything else was cut short. */
  end(): boolean {
    if (this.headDone && this.mode === 'close') return true;
    return false;
  }

  private readHead(): boolean {
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n', this.pos);
      if (end < 0) {
        if (this.buf.length - this.pos > 64 * 1024) throw new Error('response head larger than 64 KiB');
        return false;
      }
      const lines = this.buf.toString('latin1', this.pos, end).split('\r\n');
      this.pos = end + 4;
      const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0]!);
      if (!m) throw new Error(`malformed response status line: ${JSON.stringify(lines[0]!.slice(0, 80))}`);
      const status = Number(m[2]);
      if (status >= 100 && status < 200 && status !== 101) continue; // informational (100 Continue, 103 Early Hints)
      this.status = status;
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!;
        const colon = line.indexOf(':');
        if (colon <= 0) throw new Error(`malformed response header: ${JSON.stringify(line.slice(0, 80))}`);
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        const had = this.headers[name];
        if (had === undefined) this.headers[name] = name === 'set-cookie' ? [value] : value;
        else if (Array.isArray(had)) had.push(value);
        else this.headers[name] = `${had}, ${value}`;
      }
      const hint = /\btimeout\s*=\s*(\d+)/i.exec(String(this.headers['keep-alive'] ?? ''));
      if (hint) this.keepAliveMs = Number(hint[1]) * 1000;
      const connection = String(this.headers.connection ?? '').toLowerCase();
      this.reusable = m[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
      const te = String(this.headers['transfer-encoding'] ?? '').toLowerCase();
      if (this.method === 'HEAD' || status === 204 || status === 304) this.mode = 'none';
      else if (te && /\bchunked\s*$/.test(te)) this.mode = 'chunked';
      else if (te) {
        this.mode = 'close';
        this.reusable = false;
      } else if (this.headers['content-length'] !== undefined) {
        const cl = String(this.headers['content-length']);
        if (!/^\d+$/.test(cl)) throw new Error(`malformed Content-Length: ${JSON.stringify(cl)}`);
        this.mode = 'length';
        this.remaining = Number(cl);
      } else {
        this.mode = 'close';
        this.reusable = false;
      }
      this.headDone = true;
      return true;
    }
  }

  private take(n: number) {
    this.body.push(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
  }

  private readBody(): boolean {
    const avail = () => this.buf.length - this.pos;
    switch (this.mode) {
      case 'none':
        return this.finish();
      case 'close':
        this.take(avail());
        return false;
      case 'length': {
        const n = Math.min(this.remaining, avail());
        this.take(n);
        this.remaining -= n;
        return this.remaining === 0 ? this.finish() : false;
      }
      case 'chunked':
        for (;;) {
          if (this.chunkState === 'size' || this.chunkState === 'data-end' || this.chunkState === 'trailers') {
            const eol = this.buf.indexOf('\r\n', this.pos);
            if (eol < 0) {
              if (this.buf.length - this.pos > 64 * 1024)
                throw new Error('malformed chunked body: a line longer than 64 KiB');
              return false;
            }
            const line = this.buf.toString('latin1', this.pos, eol);
            this.pos = eol + 2;
            if (this.chunkState === 'data-end') {
              if (line !== '') throw new Error('malformed chunked body: no line end after a chunk');
              this.chunkState = 'size';
            } else if (this.chunkState === 'trailers') {
              if (line === '') return this.finish();
            } else {
              const size = line.split(';')[0]!.trim();
              if (!/^[0-9a-fA-F]{1,8}$/.test(size))
                throw new Error(`malformed chunk size: ${JSON.stringify(size.slice(0, 20))}`);
              this.remaining = parseInt(size, 16);
              this.chunkState = this.remaining === 0 ? 'trailers' : 'data';
            }
          } else {
            const n = Math.min(this.remaining, avail());
            this.take(n);
            this.remaining -= n;
            if (this.remaining > 0) return false;
            this.chunkState = 'data-end';
          }
        }
    }
  }

  private finish(): boolean {
    this.excess = this.buf.length - this.pos;
    if (this.excess) this.reusable = false; // nothing may arrive unasked on a keep-alive connection
    return true;
  }
}

/** A request that cannot be sent as given (a header value with a line break, say): sending it again cannot help. */
export class InvalidRequestError extends Error {}

/** Header names are tokens and values visible ASCII (or tabs): nothing that could end the line or the head. */
function checkHeaders(headers: Record<string, string>) {
  for (const name in headers) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      throw new InvalidRequestError(`invalid header name ${JSON.stringify(name)}`);
    if (/[^\t\x20-\x7e]/.test(headers[name]!)) throw new InvalidRequestError(`invalid character in the ${name} header`);
  }
}

function head(method: string, url: URL, headers: Record<string, string>, bodyBytes: number | undefined): string {
  let h = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  for (const name in headers) h += `${name}: ${headers[name]!}\r\n`;
  if (bodyBytes !== undefined) h += `Content-Length: ${bodyBytes}\r\n`;
  return `${h}\r\n`;
}

/** Keep-alive connections to any number of origins; a connection carries one request at a time. */
export class Http1Client {
  private idle = new Map<string, net.Socket[]>();
  /** the listener that drops an idle connection when it closes, errs or times out */
  private drops = new WeakMap<net.Socket, () => void>();

  /** `tlsSettings`: options for HTTPS connections, and an id for them (connections made with other settings are not shared). */
  constructor(
    private tlsSettings: () => { id: string; options: tls.ConnectionOptions } = () => ({ id: '', options: {} }),
  ) {}

  async request(opts: RequestOptions): Promise<RawResponse> {
    if (opts.signal?.aborted) throw abortError();
    checkHeaders(opts.headers);
    const settings = opts.url.protocol === 'https:' ? this.tlsSettings() : undefined;
    const key = settings ? `${opts.url.origin} ${settings.id}` : opts.url.origin;
    const reused = this.takeIdle(key);
    try {
      return await this.exchange(reused ?? this.connect(opts.url, settings?.options), key, opts, reused !== undefined);
    } catch (e) {
      // The keep-alive race: the server closed an idle connection as the request went out.
      if (reused && (e as { beforeResponse?: boolean }).beforeResponse && opts.replayable && !opts.signal?.aborted)
        return this.exchange(this.connect(opts.url, settings?.options), key, opts, false);
      throw e;
    }
  }

  /** Closes every idle connection (a connection in use closes when its response is done). */
  close(): void {
    for (const list of this.idle.values()) for (const s of list) s.destroy();
    this.idle.clear();
  }

  private takeIdle(key: string): net.Socket | undefined {
    const list = this.idle.get(key);
    for (let s = list?.pop(); s; s = list!.pop()) {
      const drop = this.drops.get(s)!;
      s.off('timeout', drop).off('close', drop).off('error', drop);
      if (!s.destroyed && s.readable && s.writable) {
        s.setTimeout(0);
        s.ref();
        return s;
      }
      s.destroy();
    }
    return undefined;
  }

  private release(key: string, s: net.Socket, serverIdleMs?: number) {
    // A second under the server's own idle timeout, when it gives one, so it never closes under a request.
    const idleMs = Math.min(IDLE_MS, serverIdleMs === undefined ? IDLE_MS : serverIdleMs - 1000);
    if (idleMs <= 0) {
      s.destroy();
      return;
    }
    let list = this.idle.get(key);
    if (!list) this.idle.set(key, (list = []));
    list.push(s);
    const drop = () => {
      s.destroy();
      const i = list!.indexOf(s);
      if (i >= 0) list!.splice(i, 1);
    };
    this.drops.set(s, drop);
    s.on('timeout', drop).on('close', drop).on('error', drop);
    s.setTimeout(idleMs);
    s.unref(); // an idle connection does not keep the process alive
  }

  private connect(url: URL, tlsOptions?: tls.ConnectionOptions): net.Socket {
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const s = tlsOptions
      ? tls.connect({ ...tlsOptions, host, port, servername: net.isIP(host) ? undefined : host })
      : net.connect({ host, port });
    s.setNoDelay(true);
    s.setKeepAlive(true, 1000); // as node:http's keep-alive agent: a peer gone silent is noticed
    return s;
  }

  private exchange(s: net.Socket, key: string, opts: RequestOptions, reused: boolean): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const parser = new ResponseParser(opts.method);
      let got = false;
      const done = (err?: Error) => {
        s.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onError);
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) {
          s.destroy();
          reject(err);
          return;
        }
        if (parser.reusable && !s.destroyed) this.release(key, s, parser.keepAliveMs);
        else s.destroy();
        const bytes = parser.bytes;
        resolve({ status: parser.status, headers: parser.headers, text: bytes.toString('utf8'), bytes });
      };
      const fail = (message: string, cause?: Error) =>
        done(Object.assign(new Error(message, { cause }), { beforeResponse: !got && reused }));
      const onData = (chunk: Buffer) => {
        got = true;
        let complete: boolean;
        try {
          complete = parser.push(chunk);
        } catch (e) {
          done(e as Error);
          return;
        }
        if (complete) done();
      };
      const onEnd = () =>
        parser.end() ? done() : fail(got ? 'the connection closed in the middle of the response' : 'socket hang up');
      const onError = (e: Error) => fail(e.message, e);
      const onAbort = () => done(abortError());
      s.on('data', onData).on('end', onEnd).on('close', onEnd).on('error', onError);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const bytes = opts.body === undefined ? undefined : Buffer.byteLength(opts.body);
      const start = head(opts.method, opts.url, opts.headers, bytes);
      if (typeof opts.body === 'object') s.write(Buffer.concat([Buffer.from(start, 'latin1'), opts.body]));
      else s.write(start + (opts.body ?? ''));
    });
  }
}
