// The provider's HTTP/1.1 client against real servers: node:http for ordinary answers, raw sockets for the
// answers node:http would not make (bodies ended by the close, a keep-alive connection dropped under a request).
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Http1Client, InvalidRequestError, ResponseParser } from '../../../provider/src/framework/transport.js';

function listen(server: Server | net.Server): Promise<string> {
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

describe('provider HTTP/1.1 client', () => {
  let server: Server;
  let base = '';
  let connections = 0;
  const client = new Http1Client();

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const url = new URL(req.url!, 'http://x');
        if (url.pathname === '/chunked') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.write('{"parts":[');
          setTimeout(() => {
            res.write('"a","b"');
            res.end(']}');
          }, 5);
        } else if (url.pathname === '/close') {
          res.writeHead(200, { Connection: 'close', 'Content-Length': '2' });
          res.end('ok');
        } else if (url.pathname === '/empty') {
          res.writeHead(204);
          res.end();
        } else if (url.pathname === '/slow') {
          setTimeout(() => res.end('late'), 2000);
        } else {
          res.writeHead(200, {
            'Content-Type': 'application/json',
            'Set-Cookie': ['a=1', 'b=2'],
            'X-Twice': ['1', '2'],
          });
          res.end(
            JSON.stringify({
              method: req.method,
              path: req.url,
              body,
              auth: req.headers.authorization,
              length: req.headers['content-length'] ?? null,
            }),
          );
        }
      });
    });
    server.on('connection', () => {
      connections++;
    });
    base = await listen(server);
  });
  after(() => {
    client.close();
    server.closeAllConnections();
    server.close();
  });

  it('sends method, path, query, headers and a UTF-8 body, and reads a Content-Length answer', async () => {
    const body = JSON.stringify({ name: 'réseau ✓' });
    const r = await client.request({
      method: 'POST',
      url: new URL('/api/x?y=1', base),
      headers: { Authorization: 'Bearer t' },
      body,
    });
    expect(r.status).to.equal(200);
    expect(JSON.parse(r.text)).to.deep.equal({
      method: 'POST',
      path: '/api/x?y=1',
      body,
      auth: 'Bearer t',
      length: String(Buffer.byteLength(body)),
    });
    expect(r.headers['set-cookie']).to.deep.equal(['a=1', 'b=2']);
    expect(r.headers['x-twice']).to.equal('1, 2');
  });

  it('keeps the connection for the next request, and opens another only when one is busy', async () => {
    await client.request({ method: 'GET', url: new URL('/warm', base), headers: {} });
    const before = connections;
    for (let i = 0; i < 5; i++) await client.request({ method: 'GET', url: new URL(`/n${i}`, base), headers: {} });
    expect(connections - before).to.equal(0);
    await Promise.all(
      [1, 2, 3].map((i) => client.request({ method: 'GET', url: new URL(`/p${i}`, base), headers: {} })),
    );
    expect(connections - before).to.equal(2); // three at once: the idle one and two new
  });

  it('reads chunked bodies, answers without a body, and leaves a connection the server closes', async () => {
    expect(
      JSON.parse((await client.request({ method: 'GET', url: new URL('/chunked', base), headers: {} })).text),
    ).to.deep.equal({ parts: ['a', 'b'] });
    const empty = await client.request({ method: 'DELETE', url: new URL('/empty', base), headers: {} });
    expect([empty.status, empty.text]).to.deep.equal([204, '']);
    const own = new Http1Client();
    const before = connections;
    expect((await own.request({ method: 'GET', url: new URL('/close', base), headers: {} })).text).to.equal('ok');
    expect((await own.request({ method: 'GET', url: new URL('/after-close', base), headers: {} })).status).to.equal(
      200,
    );
    own.close();
    expect(connections - before).to.equal(2);
  });

  it('aborts a request in flight with an AbortError, and refuses a header that would split the request', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const err = await client
      .request({ method: 'GET', url: new URL('/slow', base), headers: {}, signal: ac.signal })
      .catch((e) => e);
    expect(err.name).to.equal('AbortError');
    const before = connections;
    const bad = await client
      .request({ method: 'GET', url: new URL('/x', base), headers: { Authorization: 'Bearer t\r\nX-Injected: 1' } })
      .catch((e) => e);
    expect(bad).to.be.instanceOf(InvalidRequestError);
    expect(bad.message).to.match(/invalid character in the Authorization header/);
    const accented = await client
      .request({ method: 'GET', url: new URL('/x', base), headers: { 'User-Agent': 'café' } })
      .catch((e) => e);
    expect(accented).to.be.instanceOf(InvalidRequestError);
    expect(connections).to.equal(before); // refused before any connection
  });

  it('fails cleanly when nothing listens', async () => {
    const probe = net.createServer();
    const url = await listen(probe);
    await new Promise((r) => probe.close(r));
    const err = await client.request({ method: 'GET', url: new URL('/x', url), headers: {} }).catch((e) => e);
    expect(err.message).to.match(/ECONNREFUSED/);
  });

  describe('against a raw server', () => {
    let raw: net.Server;
    let rawBase = '';
    let script: (sock: net.Socket, n: number) => void = () => {};
    let requests = 0;
    before(async () => {
      raw = net.createServer((sock) => {
        sock.on('data', (d) => {
          if (d.includes('\r\n\r\n')) script(sock, ++requests);
        });
      });
      rawBase = await listen(raw);
    });
    after(() => raw.close());
    beforeEach(() => {
      requests = 0;
    });

    it('reads a body that runs to the close of the connection', async () => {
      script = (sock) => sock.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it');
      const r = await client.request({ method: 'GET', url: new URL('/eof', rawBase), headers: {} });
      expect([r.status, r.text]).to.deep.equal([200, 'all of it']);
    });

    it('sends a replayable request again when the kept connection turns out closed, and not another', async () => {
      // The first answer keeps the connection; then the server drops it as the next request arrives.
      script = (sock, n) =>
        n === 1
          ? sock.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1')
          : n === 2
            ? sock.destroy()
            : sock.write('HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\n3');
      await client.request({ method: 'GET', url: new URL('/a', rawBase), headers: {} });
      const again = await client.request({ method: 'GET', url: new URL('/b', rawBase), headers: {}, replayable: true });
      expect([again.status, again.text, requests]).to.deep.equal([201, '3', 3]);

      requests = 0;
      await client.request({ method: 'GET', url: new URL('/a', rawBase), headers: {} });
      const err = await client
        .request({ method: 'POST', url: new URL('/c', rawBase), headers: {}, body: '{}' })
        .catch((e) => e);
      expect(err.message).to.equal('socket hang up');
      expect(requests).to.equal(2);
    });

    it('does not keep a connection past the idle time the server announces', async () => {
      script = (sock) => sock.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 1\r\n\r\nk');
      const own = new Http1Client();
      let opened = 0;
      raw.on('connection', () => {
        opened++;
      });
      await own.request({ method: 'GET', url: new URL('/a', rawBase), headers: {} });
      await own.request({ method: 'GET', url: new URL('/b', rawBase), headers: {} });
      own.close();
      expect(opened).to.equal(2); // a 1 s server timeout leaves no safe idle time
    });

    it('turns a malformed answer into an error, not a crash', async () => {
      script = (sock) => sock.end('SMTP ready\r\n\r\n');
      const err = await client.request({ method: 'GET', url: new URL('/x', rawBase), headers: {} }).catch((e) => e);
      expect(err.message).to.match(/malformed response status line/);
    });
  });

  describe('response parser', () => {
    const feedByByte = (method: string, text: string) => {
      const p = new ResponseParser(method);
      const bytes = Buffer.from(text);
      let done = false;
      for (let i = 0; i < bytes.length && !done; i++) done = p.push(bytes.subarray(i, i + 1));
      return { p, done };
    };

    it('skips informational answers and reads chunk extensions and trailers, fed a byte at a time', () => {
      const { p, done } = feedByByte(
        'GET',
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n6\r\npedia \r\n0\r\nX-Trailer: 1\r\n\r\n',
      );
      expect([done, p.status, p.text, p.reusable]).to.deep.equal([true, 200, 'Wikipedia ', true]);
    });

    it('reads no body for HEAD and 304, and marks HTTP/1.0 connections without keep-alive as not reusable', () => {
      expect(feedByByte('HEAD', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n').done).to.equal(true);
      expect(feedByByte('GET', 'HTTP/1.1 304 Not Modified\r\n\r\n').done).to.equal(true);
      const old = feedByByte('GET', 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx');
      expect([old.done, old.p.reusable]).to.deep.equal([true, false]);
    });

    it('refuses a bad Content-Length and a bad chunk size', () => {
      expect(() =>
        new ResponseParser('GET').push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n')),
      ).to.throw(/malformed Content-Length/);
      expect(() =>
        new ResponseParser('GET').push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')),
      ).to.throw(/malformed chunk size/);
    });
  });
});
