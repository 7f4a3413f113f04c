// The checks every resource kind owes its users, derived from the registry and the contract: a kind's own test
// file then holds only its own rules. describeKind(kind, fixture) runs, as they apply to the kind:
// tenancy (another owner's id is a 404 on every operation on it), If-Match (412), idempotent creates (replay,
// 422 for another body, 409 while in flight), FieldImmutable for every immutable field, keyset pagination and
// every declared filter, an audit record per mutation, and Prefer: wait for asynchronous kinds.
import { expect } from 'chai';
import pg from 'pg';
import { registry, type Kind, type OperationId } from '../../api/src/generated/registry.js';
import { loadSpec, operations } from '../../api/src/platform/operations/spec.js';
import { newUser, startApp, type TestApp } from './app.js';

type Agent = TestApp['admin'];
export interface Caller {
  id: string;
  agent: Agent;
}

export interface Created {
  /** the create's path parameters (a parent's id), when the kind is created under a parent */
  params?: Record<string, string>;
  body: Record<string, unknown>;
}

export interface KindFixture {
  /** who may create the kind: its owner (a user of the test's own), or only an admin */
  creator: 'owner' | 'admin';
  /** a valid create for `caller`; `n` makes each distinct (names, address ranges) */
  create(app: TestApp, caller: Caller, n: number): Promise<Created>;
  /** for each immutable writable field, a valid value other than the created one (every such field needs one) */
  immutable?: Record<string, unknown>;
  /** path parameters other than `id` an operation on the kind needs (a template's `version`) */
  params?: Record<string, string>;
  /** required query parameters of an operation on the kind (a bucket's upload needs its `key`) */
  query?: Partial<Record<OperationId, Record<string, string>>>;
  /** a valid body for each operation on the kind whose body is not a merge patch (where `{}` is not enough) */
  bodies?: Partial<Record<OperationId, Record<string, unknown>>>;
}

const spec = loadSpec();
const allOps = operations(spec);
const route = (id: string | undefined) => allOps.find((o) => o.op.operationId === id);
const fill = (path: string, params: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(params[k] ?? `missing-${k}`));
/** The status an operation answers when it succeeds (its first declared 2xx). */
const success = (id: string | undefined) => Number(Object.keys(route(id)!.op.responses).find((c) => c.startsWith('2')));

export function describeKind(kind: Kind, fixture: KindFixture) {
  const meta = registry[kind];
  const opId = (key: keyof typeof meta.operations) => meta.operations[key];
  // A kind everyone reads (x-resource.public_read) has owners but no tenancy wall.
  const owned = 'owner' in meta.properties && !meta.publicRead;
  const item = meta.paths.item;
  /** Every operation on one resource of the kind: its item path, and what lies under it (actions, children). */
  const onOne = item ? allOps.filter((o) => o.path === item || o.path.startsWith(`${item}/`)) : [];

  describe(`conformance: ${kind}`, () => {
    let app: TestApp;
    let caller: Caller;
    let n = 0;
    before(async () => {
      app = await startApp();
      if (fixture.creator === 'admin') {
        const admin = await app.platform.db('users').where({ name: 'admin' }).first('id');
        caller = { id: admin.id, agent: app.admin };
      } else {
        const u = await newUser(app, `${kind}-owner`);
        caller = { id: u.id, agent: app.as(u.token) };
      }
    });
    // An asynchronous resource still on its way (a stack's run waits on the jobs of what it creates) would hold
    // the platform's stop; every one made here settles first.
    const made: string[] = [];
    after(async () => {
      if (meta.async) for (const id of made) await settled(caller.agent, itemOf(id), meta, true);
      await app.close();
    });

    /** A request to `op` on the path filled from `params`, with the body the operation takes. */
    const call = (as: Agent, operationId: string, params: Record<string, string>, body?: object) => {
      const o = route(operationId)!;
      const query = fixture.query?.[operationId as OperationId];
      const qs = query ? `?${new URLSearchParams(query)}` : '';
      const r = as[o.method as 'get'](fill(o.path, { ...fixture.params, ...params }) + qs);
      const mergePatch = o.method === 'patch' || o.op['x-body-mode'] === 'patch';
      const payload =
        body ??
        (o.op.requestBody
          ? (fixture.bodies?.[operationId as OperationId] ?? (mergePatch ? {} : undefined))
          : undefined);
      return payload === undefined ? r : r.send(payload);
    };
    const createPath = (c: Created) => fill(meta.paths.create!, c.params ?? {});
    const create = async () => {
      const c = await fixture.create(app, caller, ++n);
      const res = await caller.agent
        .post(createPath(c))
        .send(c.body)
        .expect(success(opId('create')));
      made.push(res.body.id);
      return { created: c, body: res.body as Record<string, any> };
    };
    const itemOf = (id: string) => fill(item!, { id });

    if (owned && opId('create') && onOne.length) {
      it("answers 404 on every operation on another owner's resource, as if it did not exist", async () => {
        const { body } = await create();
        const other = await newUser(app, `${kind}-other-${n}`);
        const stranger = app.as(other.token);
        for (const o of onOne) {
          const r = await call(stranger, o.op.operationId, { id: body.id });
          expect(r.status, `${o.op.operationId} as another owner`).to.equal(404);
          expect(r.body.code, o.op.operationId).to.equal('NotFound');
        }
        await caller.agent.get(itemOf(body.id)).expect(200);
      });
    }

    // A kind made only by another's work (a recovery point, by a backup job) has no create to make one with.
    if (item && opId('create') && (opId('update') || opId('delete'))) {
      it('refuses a write whose If-Match names another revision with 412, and changes nothing', async () => {
        const { body } = await create();
        const at = itemOf(body.id);
        if (meta.async) await settled(caller.agent, at, meta);
        const before = (await caller.agent.get(at).expect(200)).body;
        if (opId('update')) {
          const r = await call(caller.agent, opId('update')!, { id: body.id }).set('If-Match', '"r999999"');
          expect(r.status).to.equal(412);
          expect(r.body.code).to.equal('PreconditionFailed');
        }
        if (opId('delete')) {
          const r = await caller.agent.delete(at).set('If-Match', '"r999999"');
          expect(r.status).to.equal(412);
        }
        const after = (await caller.agent.get(at).expect(200)).body;
        expect(after.etag).to.equal(before.etag);
        if (opId('update'))
          await call(caller.agent, opId('update')!, { id: body.id }).set('If-Match', after.etag).expect(200);
      });
    }

    if (opId('create')) {
      it('replays a create with the same Idempotency-Key, refuses the key with another body (422) or in flight (409)', async () => {
        const c = await fixture.create(app, caller, ++n);
        const key = `conformance-${kind}-${n}`;
        const first = await caller.agent.post(createPath(c)).set('Idempotency-Key', key).send(c.body);
        expect(first.status).to.equal(success(opId('create')));
        const again = await caller.agent.post(createPath(c)).set('Idempotency-Key', key).send(c.body);
        expect(again.status).to.equal(first.status);
        expect(again.headers['idempotent-replayed']).to.equal('true');
        expect(again.body.id).to.equal(first.body.id);
        made.push(first.body.id);
        const other = await fixture.create(app, caller, ++n);
        const reused = await caller.agent.post(createPath(other)).set('Idempotency-Key', key).send(other.body);
        expect([reused.status, reused.body.code]).to.deep.equal([422, 'IdempotencyKeyReused']);
        // Hold the key's lock the way a concurrent first request would.
        const held = new pg.Client({ connectionString: app.databaseUrl });
        await held.connect();
        try {
          await held.query('begin');
          await held.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`${caller.id}\n${key}-busy`]);
          const busy = await caller.agent
            .post(createPath(other))
            .set('Idempotency-Key', `${key}-busy`)
            .send(other.body);
          expect([busy.status, busy.body.code]).to.deep.equal([409, 'IdempotencyKeyInFlight']);
          expect(busy.headers['retry-after']).to.equal('1');
        } finally {
          await held.query('rollback');
          await held.end();
        }
      });
    }

    const immutables = Object.entries(meta.properties)
      .filter(([, p]) => p.immutable && !p.readOnly)
      .map(([f]) => f);
    if (opId('update') && immutables.length) {
      for (const field of immutables) {
        it(`refuses a change of the immutable ${field} with 422 FieldImmutable naming it`, async () => {
          expect(fixture.immutable, `the ${kind} fixture gives another value of ${field}`).to.have.property(field);
          const { body } = await create();
          if (meta.async) await settled(caller.agent, itemOf(body.id), meta);
          const r = await call(caller.agent, opId('update')!, { id: body.id }, { [field]: fixture.immutable![field] });
          expect(r.status).to.equal(422);
          expect(r.body.errors[0]).to.include({ pointer: `/${field}`, code: 'FieldImmutable' });
        });
      }
    }

    if (opId('list') && opId('create') && item) {
      it('pages its list newest first with limit and cursor, and every declared filter keeps only matching items', async () => {
        const three: Record<string, any>[] = [];
        for (let i = 0; i < 3; i++) three.push((await create()).body);
        const listPath = fill(meta.paths.list!, {});
        const seen: string[] = [];
        for (let cursor: string | null = null, pages = 0; pages < 1000; pages++) {
          const res: { body: { items: { id: string }[]; next_cursor: string | null } } = await caller.agent
            .get(`${listPath}?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
            .expect(200);
          expect(res.body.items.length).to.be.at.most(1);
          seen.push(...res.body.items.map((x: { id: string }) => x.id));
          cursor = res.body.next_cursor;
          if (!cursor) break;
        }
        const ours = seen.filter((id) => three.some((m) => m.id === id));
        expect(ours).to.deep.equal(three.map((m) => m.id).reverse());
        expect(new Set(seen).size).to.equal(seen.length);
        const filters = route(opId('list'))!.parameters.filter(
          (p) => p.in === 'query' && !['limit', 'cursor'].includes(p.name),
        );
        // Settled first, so a status filter cannot race the resource's own transition.
        const sample = meta.async ? await settled(caller.agent, itemOf(three[0].id), meta) : three[0];
        for (const f of filters) {
          const value = sample[f.name];
          expect(value, `the ${kind} has a ${f.name} to filter by`).to.not.equal(undefined);
          const res = await caller.agent
            .get(`${listPath}?${f.name}=${encodeURIComponent(String(value))}&limit=1000`)
            .expect(200);
          expect(
            res.body.items.map((x: { id: string }) => x.id),
            `filter ${f.name}`,
          ).to.include(three[0].id);
          for (const item of res.body.items) expect(item[f.name], `filter ${f.name}`).to.equal(value);
        }
      });
    }

    if (opId('create')) {
      it('writes an audit record, as the caller and with the operation as its action, for every mutation', async () => {
        const { body } = await create();
        const done = [route(opId('create'))!.op['x-permission']];
        if (opId('update')) {
          if (meta.async) await settled(caller.agent, itemOf(body.id), meta);
          await call(caller.agent, opId('update')!, { id: body.id }).expect(200);
          done.push(route(opId('update'))!.op['x-permission']);
        }
        if (item && opId('delete')) {
          if (meta.async) await settled(caller.agent, itemOf(body.id), meta);
          await caller.agent.delete(itemOf(body.id)).expect(success(opId('delete')));
          done.push(route(opId('delete'))!.op['x-permission']);
        }
        const logs = (await app.admin.get(`/api/security/audit-logs?resource_id=${body.id}&limit=1000`).expect(200))
          .body.items;
        for (const action of done) {
          expect(
            logs.find((l: any) => l.action === action && l.status === 'success'),
            action,
          ).to.include({ user_id: caller.id, resource_type: kind });
        }
      });
    }

    if (meta.async && opId('create')) {
      it('answers a create with Prefer: wait once the resource has settled, saying so in Preference-Applied', async () => {
        const c = await fixture.create(app, caller, ++n);
        const res = await caller.agent.post(createPath(c)).set('Prefer', 'wait=20').send(c.body).expect(202);
        made.push(res.body.id);
        expect(res.headers['preference-applied']).to.equal('wait=20');
        expect([...meta.readyStatus, ...meta.failedStatus]).to.include(res.body[meta.statusField!]);
      });
    }
  });
}

/** Waits (bounded) until an asynchronous resource leaves its transitional status, as a client polling would. */
async function settled(agent: Agent, item: string, meta: (typeof registry)[Kind], goneIsSettled = false) {
  for (let i = 0; i < 300; i++) {
    const r = await agent.get(item);
    if (goneIsSettled && r.status === 404) return undefined;
    expect(r.status, item).to.equal(200);
    const b = r.body;
    if ([...meta.readyStatus, ...meta.failedStatus].includes(b[meta.statusField!])) return b;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${item} never settled`);
}
