// What the cases need in the database: users and tokens made through the REST API (as the admin),
// a real instance to GET, and owners with many instances bulk-inserted straight into PostgreSQL.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export class Api {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown, expect = [200, 201, 202]): Promise<T> {
    const res = await fetch(this.url + path, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!expect.includes(res.status)) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  as(token: string): Api {
    return new Api(this.url, token);
  }

  /** A non-admin user with a fresh token (one per case, so no case sees another's rows). */
  async user(name: string): Promise<{ id: string; token: string; api: Api }> {
    const user = await this.call<{ id: string }>('POST', '/api/security/users', { name });
    const { token } = await this.call<{ token: string }>('POST', `/api/security/users/${user.id}/tokens`, {
      name: 'bench',
    });
    return { id: user.id, token, api: this.as(token) };
  }

  async lookup(collection: 'flavors' | 'images', name: string): Promise<string> {
    const page = await this.call<{ items: { id: string }[] }>(
      'GET',
      `/api/compute/${collection}?name=${encodeURIComponent(name)}`,
    );
    if (!page.items[0]) throw new Error(`no ${collection} named ${name}`);
    return page.items[0].id;
  }

  /** Polls an instance until it leaves `building`. */
  async waitRunning(id: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const inst = await this.call<Record<string, unknown>>('GET', `/api/compute/instances/${id}`);
      if (inst.status === 'running') return inst;
      if (inst.status !== 'building' || Date.now() > deadline)
        throw new Error(`instance ${id} is ${inst.status}, expected running`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Inserts `count` running instances owned by `owner` in one statement (generate_series), then runs what
 * autovacuum would (VACUUM ANALYZE) so it does not start in the middle of a measured case. Ids follow the API's format.
 */
export async function bulkInsertInstances(
  databaseUrl: string,
  rows: {
    owner: string;
    count: number;
    flavorId: string;
    imageId: string;
    region: string;
  },
): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const started = Date.now();
  try {
    const salt = randomBytes(8).toString('hex');
    await client.query(
      `insert into instances (id, name, owner, status, power_state, flavor_id, image_id, region, metadata, allocated)
       select 'inst-' || substr(md5($1 || g::text), 1, 20), 'bench-' || g, $2, 'running', 'running', $3, $4, $5,
              jsonb_build_object('bench', 'list', 'n', g::text), false
         from generate_series(1, $6::int) as g`,
      [salt, rows.owner, rows.flavorId, rows.imageId, rows.region, rows.count],
    );
    await client.query('vacuum (analyze) instances');
  } finally {
    await client.end();
  }
  return Date.now() - started;
}

export async function countRows(databaseUrl: string, sql: string, params: unknown[] = []): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return Number((await client.query(sql, params)).rows[0].n);
  } finally {
    await client.end();
  }
}

/** The plan PostgreSQL picks for a query, as `Node Type (index)` steps from the top, e.g. `Limit > Index Scan Backward (idx)`. */
export async function planOf(databaseUrl: string, sql: string, params: unknown[] = []): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`explain (format json) ${sql}`, params);
    const steps: string[] = [];
    let node = rows[0]['QUERY PLAN'][0].Plan;
    while (node) {
      steps.push(node['Index Name'] ? `${node['Node Type']} (${node['Index Name']})` : node['Node Type']);
      node = node.Plans?.[0];
    }
    return steps.join(' > ');
  } finally {
    await client.end();
  }
}

/** Waits (bounded) until no instance is `building`, i.e. the provisioning worker has nothing left to do. */
export async function drainBuilding(databaseUrl: string, timeoutMs: number, log: (m: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await countRows(databaseUrl, `select count(*) as n from instances where status = 'building'`);
    if (n === 0) return;
    if (Date.now() > deadline) {
      log(`  ${n} instances still building after ${timeoutMs / 1000} s; going on`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function postgresVersion(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return String((await client.query('show server_version')).rows[0].server_version).split(' ')[0]!;
  } finally {
    await client.end();
  }
}
