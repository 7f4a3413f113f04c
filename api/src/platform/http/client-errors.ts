// Requests node's HTTP parser refuses before any route sees them (headers too large, a malformed request line):
// answered as problem+json like every other refusal, instead of node's bare status line or a reset.
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { problems, renderProblem, type Problem } from '../problems.js';

/** llhttp's code -> the problem it means. */
function problemFor(code: string | undefined): Problem {
  if (code === 'HPE_HEADER_OVERFLOW') return problems.headersTooLarge();
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT') return problems.requestTimeout();
  return problems.malformedRequest();
}

/** Answers a parser refusal on the socket with a problem body, then closes it. */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A reset or a closed socket has no one to answer; a socket already answering is left to finish.
    if (err.code === 'ECONNRESET' || !socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const p = problemFor(err.code);
    const body = JSON.stringify(renderProblem(p, undefined, ''));
    socket.end(
      `HTTP/1.1 ${p.status} ${STATUS_CODES[p.status] ?? ''}\r\n` +
        'Content-Type: application/problem+json\r\nX-Content-Type-Options: nosniff\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
