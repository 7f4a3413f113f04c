// A bare TCP echo server for `npm run bench:lb`, in a process of its own (as the HTTP baselines are).
//   PORT=<port> node --import tsx bench/tcp-echo.ts
import { createServer } from 'node:net';

const server = createServer({ allowHalfOpen: true }, (s) => {
  s.setNoDelay(true);
  s.on('data', (d) => s.write(d));
  s.on('end', () => s.end());
  s.on('error', () => s.destroy());
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => process.exit(0));
