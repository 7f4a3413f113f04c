// Malformed requests to every operation of the contract, generated from it (a new operation is fuzzed the day it
// exists): bad path ids, query parameters and cursors, headers, content types, bodies of every wrong shape (types
// per field, missing and unknown fields, huge strings and numbers, deep nesting, NUL and lone surrogates, a
// compression bomb). Each must be refused cleanly: no 5xx, a problem+json body (or one of the media type the
// operation declares for that status), a pointer when a field is at fault, and one audit record per write attempt. Fixed seed; `FUZZ_ROUNDS=20 FUZZ_SEED=7 npm run test:fuzz` runs
// longer with other random choices.
import { expect } from 'chai';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { loadSpec, operations, deref, type OperationRef } from '../../api/src/platform/operations/spec.js';
import { requestSchema } from '../../api/src/platform/operations/validation.js';
import { seeded as random } from '../../api/src/platform/seeded-random.js';
import { ADMIN_TOKEN, startApp, type TestApp } from '../support/app.js';

const spec = loadSpec();
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 1);
const SEED = Number(process.env.FUZZ_SEED ?? 1);

interface Variant {
  what: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** the variant's fault is this body field: a 422 must point at it (or at a parent) */
  pointer?: string;
  /** the path is no operation's (a 404 from the router), so no write is attempted */
  notAnOperation?: boolean;
}

const BAD_IDS = [
  '..',
  '%2e%2e%2f%2e%2e',
  '%2F',
  '%00',
  'vpc-%00abcd',
  'x'.repeat(5000),
  "vpc-1'%20OR%201=1--",
  '%zz',
  '%ED%A0%80',
  '%F0%9F%92%A9',
  '-',
  'VPC-ABCD1234',
  `vpc-${'a'.repeat(41)}`,
];
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

/** A valid-shaped path with each `{param}` given `value` (ids of nothing, so nothing real is touched). */
const pathWith = (o: OperationRef, value = 'xyz-0000') =>
  o.path.replace(/\{(\w+)\}/g, (_, k: string) => (k === 'version' ? '1' : value));

function variants(o: OperationRef, rnd: () => number): Variant[] {
  const base = pathWith(o);
  const out: Variant[] = [];
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  // Path ids.
  if (o.path.includes('{'))
    for (const id of BAD_IDS) out.push({ what: `path id ${id.slice(0, 20)}`, path: pathWith(o, id) });
  // Query parameters and cursors.
  const q = (s: string) => `${base}?${s}`;
  out.push({ what: 'unknown parameter', path: q(`nmae${Math.floor(rnd() * 1000)}=zzz`) });
  out.push({ what: 'repeated parameter', path: q('limit=1&limit=2') });
  out.push({ what: 'NUL parameter', path: q('name=%00') });
  out.push({ what: 'bad percent-encoding', path: q('name=%E0%A4%A') });
  out.push({ what: 'limit -1', path: q('limit=-1') });
  out.push({ what: 'limit 1e309', path: q('limit=1e309') });
  out.push({
    what: 'cursor garbage',
    path: q(`cursor=${pick(['%00', 'zzz', 'czo5OTk5OTk5OTk5OTk5OTk5OTk5OTk5', 'x'.repeat(300)])}`),
  });
  out.push({ what: 'empty parameter name', path: q('=1&&=') });
  out.push({ what: 'bracketed parameter', path: q('limit[]=1') });
  // Each declared query parameter: the wrong type, a NUL, a lone surrogate (as bytes), 5,000 characters, twice.
  for (const p of o.parameters.filter((x) => x.in === 'query')) {
    out.push({ what: `${p.name}: wrong type`, path: q(`${p.name}=${pick(['%7B%7D', '-0.5', 'true', '1e99'])}`) });
    out.push({ what: `${p.name}: NUL`, path: q(`${p.name}=a%00b`) });
    out.push({ what: `${p.name}: surrogate bytes`, path: q(`${p.name}=%ED%B0%80`) });
    out.push({ what: `${p.name}: 5,000 characters`, path: q(`${p.name}=${'z'.repeat(5000)}`) });
    out.push({ what: `${p.name}: twice`, path: q(`${p.name}=1&${p.name}=2`) });
  }
  // Headers.
  const write = o.method !== 'get';
  out.push({
    what: 'If-Match garbage',
    path: base,
    headers: { 'If-Match': pick(['garbage', '"r', 'W/', '*'.repeat(200)]) },
  });
  out.push({ what: 'blank Idempotency-Key', path: base, headers: { 'Idempotency-Key': pick(['', ' ', '\t']) } });
  out.push({ what: 'huge Idempotency-Key', path: base, headers: { 'Idempotency-Key': 'k'.repeat(300) } });
  out.push({ what: 'Prefer garbage', path: base, headers: { Prefer: 'wait=99999999999999999999, wait=-1' } });
  out.push({ what: 'Accept text/html', path: base, headers: { Accept: 'text/html' } });
  out.push({ what: 'X-Request-Id 5,000 characters', path: base, headers: { 'X-Request-Id': 'r'.repeat(5000) } });
  out.push({
    what: 'a body the operation may not take',
    path: base,
    body: '{"a":1}',
    headers: { 'Content-Type': 'application/json' },
  });
  // Paths that are no operation's (so nothing to audit): refused as problems all the same.
  out.push({ what: 'trailing dot path', path: `${base}/.`, notAnOperation: true });
  out.push({ what: 'double slash path', path: base.replace(/^\//, '//'), notAnOperation: true });
  // Headers no operation reads, and some that change how a request is framed or authorized.
  for (const [name, value] of [
    ['If-None-Match', '*'],
    ['Range', 'bytes=0-1'],
    ['Cookie', 'session=x'],
    ['Origin', 'https://elsewhere.invalid'],
    ['X-Forwarded-For', 'not-an-ip, ::1'],
    ['Accept-Encoding', 'br;q=abc'],
    ['Content-Type', 'application/json'],
    ['Content-Encoding', 'gzip'],
    ['X-Request-Id', '../../etc/passwd'],
    ['Accept', 'application/problem+json;q=0'],
    ['If-Modified-Since', 'yesterday'],
    ['Cache-Control', 'no-transform, max-age=-1'],
    ['Authorization', `Bearer  ${ADMIN_TOKEN} extra`],
  ])
    out.push({ what: `header ${name}: ${value.slice(0, 30)}`, path: base, headers: { [name!]: value! } });
  if (!write) return out;
  // Bodies: the wrong content type, charset, encoding; not JSON; the wrong JSON.
  const json = (body: string, what: string, pointer?: string): Variant => ({
    what,
    path: base,
    body,
    headers: { 'Content-Type': 'application/json' },
    pointer,
  });
  out.push({ what: 'text/plain', path: base, body: 'hello', headers: { 'Content-Type': 'text/plain' } });
  out.push({
    what: 'latin1 charset',
    path: base,
    body: '{}',
    headers: { 'Content-Type': 'application/json; charset=latin1' },
  });
  out.push(json('{"a":', 'truncated JSON'));
  out.push(json('"a string"', 'a JSON string'));
  out.push(json('null', 'null'));
  out.push(json('[1,2,3]', 'an array'));
  out.push(json(deep(10_000), '10,000-deep array'));
  out.push(json(`{"name":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`, '5,000-deep object'));
  out.push(json(`{"name":"${'a'.repeat(1024 * 1024 - 20)}"}`, '1 MB string', '/name'));
  out.push(json(`{"name":"${'b'.repeat(1024 * 1024 + 10)}"}`, 'over the body limit'));
  out.push({
    what: 'gzip bomb',
    path: base,
    body: gzipSync(Buffer.alloc(50 * 1024 * 1024)),
    headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
  });
  out.push({
    what: 'truncated gzip',
    path: base,
    body: gzipSync(Buffer.from('{"name":"x"}')).subarray(0, 8),
    headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
  });
  out.push({
    what: 'invalid UTF-8',
    path: base,
    body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    headers: { 'Content-Type': 'application/json' },
  });
  out.push(json('{"\\u0000":1}', 'NUL member name', '/\u0000'));
  // Per field of the request schema: the wrong type, NUL, a lone surrogate, huge and negative numbers.
  const media =
    o.op.requestBody?.content?.['application/json'] ?? o.op.requestBody?.content?.['application/merge-patch+json'];
  if (media) {
    const mode = o.op['x-body-mode'] ?? (o.method === 'patch' ? 'patch' : 'create');
    const schema = requestSchema(spec, media.schema, mode, o.op['x-parent']?.field);
    const props = Object.entries<Record<string, any>>(schema.properties ?? {});
    out.push(json(JSON.stringify({ ['unknown_' + Math.floor(rnd() * 1e6)]: 1 }), 'unknown field'));
    if ((schema.required ?? []).length) out.push(json('{}', 'missing required fields'));
    for (const [name, raw] of props) {
      const first = raw.anyOf?.[0] ?? raw;
      const p = (
        first.$ref ? deref(spec, { $ref: String(first.$ref).replace(/^openapi\.json/, '') }) : first
      ) as Record<string, any>;
      const type = Array.isArray(p.type)
        ? p.type.find((t: string) => t !== 'null')
        : (p.type ?? (p.$ref ? 'string' : undefined));
      // A field of several types (anyOf: an object or its text) is given a value of none of them.
      const others = (raw.anyOf ?? []).map((a: Record<string, any>) => a.type).filter(Boolean);
      const fits = (v: unknown) =>
        others.includes(Array.isArray(v) ? 'array' : typeof v === 'number' ? 'number' : typeof v) ||
        (typeof v === 'number' && others.includes('integer'));
      const candidates =
        type === 'string'
          ? [42, true, [], { a: 1 }]
          : type === 'integer' || type === 'number'
            ? ['12', [], {}]
            : [1, 'x'];
      const wrong = pick(candidates.filter((v) => !fits(v)).length ? candidates.filter((v) => !fits(v)) : [true]);
      out.push(json(JSON.stringify({ [name]: wrong }), `${name}: wrong type`, `/${name}`));
      out.push(json(`{"${name}":"a\\u0000b"}`, `${name}: NUL`, `/${name}`));
      out.push(json(`{"${name}":"a\\ud800b"}`, `${name}: lone surrogate`, `/${name}`));
      out.push(
        json(
          `{"${name}":${pick(['1e308', '-1e308', '-1', '123456789012345678901234567890'])}}`,
          `${name}: huge number`,
        ),
      );
    }
  }
  return out;
}

/**
 * The media type an operation declares for a status when it is not the shared problem: the Prometheus API's JSON
 * errors, remote-write's plain text. Such a refusal is checked against its own declaration instead.
 */
function declaredMedia(o: OperationRef, status: number): string | undefined {
  const res = deref(spec, o.op.responses?.[String(status)]) as { content?: Record<string, unknown> } | undefined;
  const types = Object.keys(res?.content ?? {});
  return types.length && !types.some((t) => t.includes('problem')) ? types[0] : undefined;
}

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** One request as sent, bytes and headers exactly (no client library reshapes it). */
function send(app: TestApp, method: string, v: Variant): Promise<Answer> {
  const { hostname, port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: hostname,
      port,
      method: method.toUpperCase(),
      path: v.path,
      // Content-Length always: node's client sends a GET's or DELETE's body unframed otherwise.
      headers: {
        Authorization: `Bearer ${ADMIN_TOKEN}`,
        Connection: 'close',
        ...(v.body !== undefined && { 'Content-Length': String(Buffer.byteLength(v.body)) }),
        ...v.headers,
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          type: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    // A refusal (413) may close the connection before the whole body was written; its answer still arrives.
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e);
    });
    req.on('close', () => reject(new Error(`${method} ${v.path.slice(0, 80)} (${v.what}): closed without an answer`)));
    req.setTimeout(20_000, () => req.destroy(new Error(`${v.what}: no answer in 20 s`)));
    req.end(v.body);
  });
}

describe('contract: malformed requests to every operation', function () {
  this.timeout(120_000);
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  const ops = operations(spec);

  it('generates at least 30 malformed variants for every operation', () => {
    const rnd = random(SEED);
    const few = ops.filter((o) => variants(o, rnd).length < 30);
    expect(few.map((o) => o.op.operationId)).to.deep.equal([]);
  });

  for (const o of ops) {
    it(`${o.op.operationId}: refuses each variant cleanly, with a problem, a pointer where a field is at fault, and an audit record per write`, async () => {
      const audits = async () => Number((await app.platform.db('audit_logs').count({ n: '*' }))[0]!.n);
      const before = await audits();
      let writes = 0;
      for (let round = 0; round < ROUNDS; round++) {
        for (const v of variants(o, random(SEED * 1000 + round))) {
          const a = await send(app, o.method, v);
          const at = `${o.op.operationId} ${v.what} (seed ${SEED}, round ${round})`;
          expect(a.status, `${at}: ${a.body.slice(0, 300)}`).to.be.below(500);
          // An x-safe POST only reads (a query sent as a form): no write, no audit record.
          if (o.method !== 'get' && o.op['x-safe'] !== true && !v.notAnOperation) writes++;
          if (a.status < 400) continue; // a probe, or a variant the operation may accept (a list ignoring If-Match)
          // A refusal the pipeline makes is a problem; one in the operation's own declared shape is that shape.
          const own = v.notAnOperation ? undefined : declaredMedia(o, a.status);
          if (own && a.type.startsWith(own)) continue;
          expect(a.type, at).to.match(/^application\/problem\+json/);
          const problem = JSON.parse(a.body);
          expect(problem.status, at).to.equal(a.status);
          if (v.pointer && a.status === 422) {
            const pointers: string[] = (problem.errors ?? []).map((e: { pointer: string }) => e.pointer);
            expect(
              pointers.some((p) => p === '' || v.pointer!.startsWith(p) || p.startsWith(v.pointer!)),
              `${at}: ${pointers}`,
            ).to.equal(true);
          }
        }
      }
      expect((await audits()) - before, `${o.op.operationId}: one audit record per write attempt`).to.equal(writes);
    });
  }
});
