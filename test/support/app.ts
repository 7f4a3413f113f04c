// Starts the real app (real PostgreSQL, real job queue, real WebSocket) on a loopback port for a suite.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp } from '../../api/src/app.js';
import { bootPlatform, type Platform } from '../../api/src/platform/boot.js';
import { loadConfig, type Config } from '../../api/src/platform/config.js';
import { createLogger } from '../../api/src/platform/logger.js';
import { attachEventStream } from '../../api/src/platform/events/websocket.js';
import { answerClientErrors } from '../../api/src/platform/http/client-errors.js';
import { s3Server } from '../../api/src/storage/s3/server.js';
import { freshDatabase } from './postgres.js';

export const ADMIN_TOKEN = 'atx_test_admin_token_0123456789';
/** A fixed KMS master key, so suites leave no key file in the working tree (security/keys.test.ts tests the file). */
export const TEST_MASTER_KEY = Buffer.alloc(32, 0x5a).toString('base64');

/**
 * Every operation's answered statuses over the whole run, from each test app's request metrics as it closes (on
 * globalThis: mocha loads support files through both require and import). test/contract/coverage.test.ts reads it.
 */
export function recordedTraffic(): Map<string, Set<number>> {
  const g = globalThis as { __atonixTraffic?: Map<string, Set<number>> };
  return (g.__atonixTraffic ??= new Map());
}

async function recordTraffic(platform: Platform) {
  const traffic = recordedTraffic();
  for (const { labels, value } of (await platform.metrics.requests.get()).values) {
    if (!value) continue;
    const op = String(labels.operation);
    if (!traffic.has(op)) traffic.set(op, new Set());
    traffic.get(op)!.add(Number(labels.status));
  }
}

export interface TestApp {
  url: string;
  databaseUrl: string;
  platform: Platform;
  server: Server;
  /** the S3 protocol's own port, when ATONIX_S3_PORT was given ('0' for any free one), as main.ts serves it */
  s3Url?: string;
  /** supertest against the server with the admin token */
  admin: ReturnType<typeof agent>;
  as(token: string): ReturnType<typeof agent>;
  close(): Promise<void>;
}

function agent(url: string, token?: string) {
  const r = request(url);
  const auth = <T extends { set(k: string, v: string): T }>(t: T) =>
    token ? t.set('Authorization', `Bearer ${token}`) : t;
  return {
    get: (p: string) => auth(r.get(p)),
    post: (p: string) => auth(r.post(p)),
    patch: (p: string) => auth(r.patch(p)),
    put: (p: string) => auth(r.put(p)),
    delete: (p: string) => auth(r.delete(p)),
  };
}

/** A random block of 100 host ports in 21000-29999 for one app's listeners. */
export function lbPortBlock(): string {
  const low = 21000 + Math.floor(Math.random() * 90) * 100;
  return `${low}-${low + 99}`;
}

export async function startApp(env: Record<string, string> = {}, databaseUrl?: string): Promise<TestApp> {
  const dbUrl = databaseUrl ?? (await freshDatabase());
  const config: Config = loadConfig({
    ATONIX_ADMIN_TOKEN: ADMIN_TOKEN,
    ATONIX_PROVISION_DELAY_MS: '0',
    ATONIX_VALIDATE_RESPONSES: '1',
    ATONIX_RATE_LIMIT_PER_SECOND: '0',
    ATONIX_MASTER_KEY: TEST_MASTER_KEY,
    // Object bytes of each test app in a directory of its own, never in the checkout.
    ATONIX_OBJECT_DIR: mkdtempSync(join(tmpdir(), 'atonix-objects-')),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    // Load balancer listeners of each test app in a port block of its own, so apps alive together never collide.
    ATONIX_LB_PORT_RANGE: lbPortBlock(),
    // The platform's own series cost every clock move a collection; the suites about them turn them on.
    ATONIX_METRICS_COLLECT_SECONDS: '0',
    ...env,
  });
  const platform = await bootPlatform(config, dbUrl, createLogger(config.logLevel));
  const server = createServer(createApp(platform));
  answerClientErrors(server);
  attachEventStream(server, platform);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const s3 = config.storage.s3Port !== undefined ? s3Server(platform) : undefined;
  if (s3) await new Promise<void>((ok) => s3.listen(config.storage.s3Port, '127.0.0.1', ok));
  return {
    url,
    s3Url: s3 && `http://127.0.0.1:${(s3.address() as AddressInfo).port}`,
    databaseUrl: dbUrl,
    platform,
    server,
    admin: agent(url, ADMIN_TOKEN),
    as: (token) => agent(url, token),
    async close() {
      await recordTraffic(platform);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      s3?.closeAllConnections();
      if (s3) await new Promise((r) => s3.close(r));
      await platform.stop();
    },
  };
}

/** Creates a non-admin user and a token for them. */
export async function newUser(app: TestApp, name: string): Promise<{ id: string; token: string }> {
  const u = await app.admin.post('/api/security/users').send({ name }).expect(201);
  const t = await app.admin.post(`/api/security/users/${u.body.id}/tokens`).send({ name: 'test' }).expect(201);
  return { id: u.body.id, token: t.body.token };
}

/** Polls until `check` returns a value, for asynchronous transitions (bounded, never a timing assertion). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function catalogue(app: TestApp) {
  const flavor = (await app.admin.get('/api/compute/flavors?name=t1.small').expect(200)).body.items[0];
  const image = (await app.admin.get('/api/compute/images?name=debian-12').expect(200)).body.items[0];
  return { flavor, image };
}

/** Moves a manual platform clock (the app must run with ATONIX_CLOCK=manual) forward, as an admin would. */
export async function advanceClock(app: TestApp, seconds: number): Promise<Date> {
  const r = await app.admin.post('/api/admin/clock').send({ advance_seconds: seconds }).expect(200);
  return new Date(r.body.now);
}

/** A stack once it leaves its in-progress statuses, read as `agent`; `{ status: 'gone' }` once it is deleted. */
export function stackSettled(as: TestApp['admin'], id: string, timeoutMs = 30_000) {
  return eventually(
    async () => {
      const r = await as.get(`/api/automation/stacks/${id}`);
      if (r.status === 404) return { status: 'gone' };
      return !/_in_progress|_pending$/.test(r.body.status) && r.body;
    },
    `stack ${id} to settle`,
    timeoutMs,
  );
}
