// Access keys (AWS IAM access keys per user, for the S3 door): the secret shown once and stored sealed, two per
// user, deactivate and reactivate, delete, who may manage whose, and the S3 door's lookup and touch.
import { expect } from 'chai';
import { lookupAccessKey, touchAccessKey } from '../../../api/src/security/access-keys.js';
import type { ChangeEvent } from '../../../api/src/platform/events/bus.js';
import { eventually, newUser, stackSettled, startApp, type TestApp } from '../../support/app.js';

/**
 * Runs `fn` with this process's change events held back (its listening connection paused), so what `fn` sees can
 * only come from the process's own after-commit work, never from a NOTIFY that happened to arrive first.
 */
async function withEventsHeld<T>(app: TestApp, fn: () => Promise<T>): Promise<T> {
  const socket = (app.platform.events as any).client.connection.stream as import('node:net').Socket;
  socket.pause();
  try {
    return await fn();
  } finally {
    socket.resume();
  }
}

describe('security: access keys', () => {
  let app: TestApp;
  let n = 0;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  const user = () => newUser(app, `ak-user-${++n}`);
  const keysOf = (userId: string) => `/api/security/users/${userId}/access-keys`;
  const create = async (userId: string, as = app.admin, body: object = {}) =>
    (await as.post(keysOf(userId)).send(body).expect(201)).body;

  describe('createAccessKey', () => {
    it('answers an AWS-like id and a 40-character secret, Active and unused, and shows the secret nowhere again', async () => {
      const u = await user();
      const heard: ChangeEvent[] = [];
      const off = app.platform.events.subscribe((ev) => heard.push(ev));
      const res = await app
        .as(u.token)
        .post(keysOf(u.id))
        .send({ description: 'laptop' })
        .set('Idempotency-Key', 'ak-once')
        .expect(201);
      const key = res.body;
      expect(key.access_key_id).to.match(/^AKAX[A-Z2-7]{16}$/);
      expect(key.id).to.equal(key.access_key_id);
      expect(key.secret_access_key).to.match(/^[A-Za-z0-9+/]{40}$/);
      expect(key).to.include({
        status: 'Active',
        last_used_at: null,
        user_id: u.id,
        owner: u.id,
        description: 'laptop',
      });
      expect(key.created_at).to.be.a('string');
      expect(res.headers.location).to.equal(`/api/security/access-keys/${key.id}`);
      expect(res.headers['cache-control']).to.equal('no-store');
      const secret: string = key.secret_access_key;

      const answers = [
        await app.as(u.token).get(`/api/security/access-keys/${key.id}`).expect(200),
        await app
          .as(u.token)
          .get(`${keysOf(u.id)}/${key.id}`)
          .expect(200),
        await app.as(u.token).get(keysOf(u.id)).expect(200),
        await app.admin.get(`/api/security/access-keys?user_id=${u.id}`).expect(200),
        await app
          .as(u.token)
          .patch(`${keysOf(u.id)}/${key.id}`)
          .send({ description: 'desk' })
          .expect(200),
        await app.as(u.token).post(keysOf(u.id)).send({ description: 'laptop' }).set('Idempotency-Key', 'ak-once'),
        await app.admin.get(`/api/security/audit-logs?resource_id=${key.id}`).expect(200),
      ];
      expect(answers[5]!.headers['idempotent-replayed']).to.equal('true');
      expect(answers[5]!.body).to.not.have.property('secret_access_key');
      for (const a of answers) expect(JSON.stringify(a.body)).to.not.contain(secret);
      expect(answers[0]!.body).to.not.have.property('secret_access_key');
      await eventually(async () => heard.some((ev) => ev.id === key.id && ev.type === 'updated'), 'its events');
      off();
      expect(JSON.stringify(heard)).to.not.contain(secret);
      const stored = await app.platform.db('idempotency_keys').where({ key: 'ak-once' }).first('response_body');
      expect(JSON.stringify(stored.response_body)).to.not.contain(secret);
    });

    it('stores the secret sealed by the master key, bound to its own key id, never in plaintext', async () => {
      const u = await user();
      const [a, b] = [await create(u.id), await create(u.id)];
      const row = await app.platform.db('access_keys').where({ id: a.id }).first();
      expect(JSON.stringify(row)).to.not.contain(a.secret_access_key);
      expect(row.secret_wrapped).to.not.contain(Buffer.from(a.secret_access_key).toString('base64'));
      expect((await lookupAccessKey(app.platform.db, a.id))?.secret).to.equal(a.secret_access_key);
      // A sealed secret copied onto another key's row opens for nobody.
      await app.platform.db('access_keys').where({ id: b.id }).update({ secret_wrapped: row.secret_wrapped });
      await eventually(async () => {
        try {
          await lookupAccessKey(app.platform.db, b.id);
          return false;
        } catch (e) {
          return /does not open/.test((e as Error).message);
        }
      }, 'the copied secret to be refused');
    });

    it('refuses a third key with 409 LimitExceeded naming the limit, also when three are asked for at once', async () => {
      const u = await user();
      const [a, b] = [await create(u.id), await create(u.id)];
      const third = await app.admin.post(keysOf(u.id)).send({}).expect(409);
      expect(third.body.code).to.equal('LimitExceeded');
      expect(third.body.detail).to.contain('the most a user may have (2)').and.contain(a.id).and.contain(b.id);
      await app.admin.delete(`/api/security/access-keys/${a.id}`).expect(204);
      await create(u.id);

      const v = await user();
      const racing = await Promise.all([1, 2, 3].map(() => app.admin.post(keysOf(v.id)).send({})));
      expect(racing.map((r) => r.status).sort()).to.deep.equal([201, 201, 409]);
    });

    it("lets a user create their own, never another user's (404), and refuses a body naming another user (422)", async () => {
      const [u, other] = [await user(), await user()];
      await create(u.id, app.as(u.token));
      const r = await app.as(u.token).post(keysOf(other.id)).send({}).expect(404);
      expect(r.body.code).to.equal('NotFound');
      const wrong = await app.admin.post(keysOf(u.id)).send({ user_id: other.id }).expect(422);
      expect(wrong.body.errors[0].pointer).to.equal('/user_id');
      await app.admin.post(keysOf('usr-nobody0000')).send({}).expect(404);
      const bad = await app.admin.post(keysOf(u.id)).send({ status: 'Revoked' }).expect(422);
      expect(bad.body.errors[0].pointer).to.equal('/status');
    });

    it('may be refused by IAM like any action: an explicit Deny on CreateAccessKey is a 403', async () => {
      const u = await user();
      const policy = await app.admin
        .post('/api/security/policies')
        .send({
          name: `no-access-keys-${n}`,
          document: {
            Version: '2012-10-17',
            Statement: [{ Sid: 'NoKeys', Effect: 'Deny', Action: 'security:CreateAccessKey', Resource: '*' }],
          },
        })
        .expect(201);
      await app.admin.post(`/api/security/users/${u.id}/policies`).send({ policy_id: policy.body.id }).expect(201);
      const denied = await app.as(u.token).post(keysOf(u.id)).send({}).expect(403);
      expect(denied.body).to.include({ code: 'AccessDenied', action: 'security:CreateAccessKey' });
    });
  });

  describe('listUserAccessKeys and listAccessKeys', () => {
    it("lists a user's keys newest first to the user and admins, filtered by status; others get a 404", async () => {
      const [u, other] = [await user(), await user()];
      const [a, b] = [await create(u.id), await create(u.id)];
      await app.admin.patch(`/api/security/access-keys/${a.id}`).send({ status: 'Inactive' }).expect(200);
      const own = (await app.as(u.token).get(keysOf(u.id)).expect(200)).body;
      expect(own.items.map((k: any) => k.id)).to.deep.equal([b.id, a.id]);
      const inactive = (await app.admin.get(`${keysOf(u.id)}?status=Inactive`).expect(200)).body;
      expect(inactive.items.map((k: any) => k.id)).to.deep.equal([a.id]);
      await app.as(other.token).get(keysOf(u.id)).expect(404);
      // The collection holds one's own keys only; an admin's holds everyone's, filtered by user_id.
      const mine = (await app.as(other.token).get('/api/security/access-keys').expect(200)).body;
      expect(mine.items).to.deep.equal([]);
      const theirs = (await app.admin.get(`/api/security/access-keys?user_id=${u.id}&status=Active`).expect(200)).body;
      expect(theirs.items.map((k: any) => k.id)).to.deep.equal([b.id]);
      const bad = await app.admin.get('/api/security/access-keys?status=Revoked');
      expect(bad.status).to.be.within(400, 422);
      await app.admin.get(`${keysOf('usr-nobody0000')}`).expect(404);
    });
  });

  describe('getAccessKey and getUserAccessKey', () => {
    it("answers a key on its own path and under its user's; another user's key, or a wrong user path, is a 404", async () => {
      const [u, other] = [await user(), await user()];
      const key = await create(u.id);
      await app.as(u.token).get(`/api/security/access-keys/${key.id}`).expect(200);
      expect(
        (
          await app
            .as(u.token)
            .get(`${keysOf(u.id)}/${key.id}`)
            .expect(200)
        ).body.id,
      ).to.equal(key.id);
      await app.as(other.token).get(`/api/security/access-keys/${key.id}`).expect(404);
      await app
        .as(other.token)
        .get(`${keysOf(u.id)}/${key.id}`)
        .expect(404);
      const wrongUser = await app.admin.get(`${keysOf(other.id)}/${key.id}`).expect(404);
      expect(wrongUser.body.detail).to.contain(key.id);
      await app.admin.get('/api/security/access-keys/AKAXAAAAAAAAAAAAAAAA').expect(404);
      await app.admin
        .get('/api/security/access-keys/akax-lowercase')
        .expect((r) => expect(r.status).to.be.within(400, 422));
    });
  });

  describe('updateAccessKey and updateUserAccessKey', () => {
    it('deactivates and reactivates a key, and the S3 lookup sees each change at once', async () => {
      const u = await user();
      const key = await create(u.id, app.as(u.token));
      const db = app.platform.db;
      expect(await lookupAccessKey(db, key.id)).to.deep.equal({
        userId: u.id,
        secret: key.secret_access_key,
        active: true,
      });
      await withEventsHeld(app, async () => {
        const off = await app
          .as(u.token)
          .patch(`${keysOf(u.id)}/${key.id}`)
          .send({ status: 'Inactive' })
          .expect(200);
        expect(off.body.status).to.equal('Inactive');
        expect((await lookupAccessKey(db, key.id))?.active).to.equal(false);
        await app.as(u.token).patch(`/api/security/access-keys/${key.id}`).send({ status: 'Active' }).expect(200);
        expect((await lookupAccessKey(db, key.id))?.active).to.equal(true);
      });
      const described = await app
        .as(u.token)
        .patch(`/api/security/access-keys/${key.id}`)
        .send({ description: 'ci runner' })
        .expect(200);
      expect(described.body).to.include({ description: 'ci runner', status: 'Active' });
    });

    it("lets an admin deactivate anyone's key; refuses another user (404), a bad status (422) and user_id (422)", async () => {
      const [u, other] = [await user(), await user()];
      const key = await create(u.id);
      await app.admin
        .patch(`${keysOf(u.id)}/${key.id}`)
        .send({ status: 'Inactive' })
        .expect(200);
      await app.as(other.token).patch(`/api/security/access-keys/${key.id}`).send({ status: 'Active' }).expect(404);
      await app
        .as(other.token)
        .patch(`${keysOf(u.id)}/${key.id}`)
        .send({ status: 'Active' })
        .expect(404);
      const bad = await app.admin.patch(`/api/security/access-keys/${key.id}`).send({ status: 'Revoked' }).expect(422);
      expect(bad.body.errors[0].pointer).to.equal('/status');
      const moved = await app.admin
        .patch(`${keysOf(u.id)}/${key.id}`)
        .send({ user_id: other.id })
        .expect(422);
      expect(moved.body.errors[0]).to.include({ pointer: '/user_id', code: 'FieldImmutable' });
      expect((await lookupAccessKey(app.platform.db, key.id))?.active).to.equal(false);
    });

    it('is seen by every process through the change events (a change made outside this one)', async () => {
      const u = await user();
      const key = await create(u.id);
      expect((await lookupAccessKey(app.platform.db, key.id))?.active).to.equal(true);
      // Another process's write reaches this one only as its NOTIFY, which is what this raw update sends.
      await app.platform.db('access_keys').where({ id: key.id }).update({ status: 'Inactive' });
      await eventually(
        async () => (await lookupAccessKey(app.platform.db, key.id))?.active === false,
        'the deactivation to reach the cache',
      );
    });
  });

  describe('deleteAccessKey and deleteUserAccessKey', () => {
    it('deletes a key so it stops working at once; a second delete, or another user, is a 404', async () => {
      const [u, other] = [await user(), await user()];
      const [a, b] = [await create(u.id, app.as(u.token)), await create(u.id)];
      await lookupAccessKey(app.platform.db, a.id);
      await app.as(other.token).delete(`/api/security/access-keys/${a.id}`).expect(404);
      await app
        .as(other.token)
        .delete(`${keysOf(u.id)}/${a.id}`)
        .expect(404);
      await app.admin.delete(`${keysOf(other.id)}/${a.id}`).expect(404);
      await withEventsHeld(app, async () => {
        await app
          .as(u.token)
          .delete(`${keysOf(u.id)}/${a.id}`)
          .expect(204);
        expect(await lookupAccessKey(app.platform.db, a.id)).to.equal(undefined);
      });
      await app.as(u.token).get(`/api/security/access-keys/${a.id}`).expect(404);
      await app
        .as(u.token)
        .delete(`${keysOf(u.id)}/${a.id}`)
        .expect(404);
      await app.admin.delete(`/api/security/access-keys/${b.id}`).expect(204);
      await app.admin.delete(`/api/security/access-keys/${b.id}`).expect(404);
    });

    it('goes with its user: deleting the user is not blocked by keys, and they stop working at once', async () => {
      const u = await user();
      const key = await create(u.id);
      expect((await lookupAccessKey(app.platform.db, key.id))?.active).to.equal(true);
      await withEventsHeld(app, async () => {
        await app.admin.delete(`/api/security/users/${u.id}`).expect(204);
        expect(await lookupAccessKey(app.platform.db, key.id)).to.equal(undefined);
      });
      await app.admin.get(`/api/security/access-keys/${key.id}`).expect(404);
    });
  });

  describe('in a stack', () => {
    it('is made by a template as its user, and the stack keeps no copy of the secret', async () => {
      const u = await user();
      const template = { Resources: { Key: { Type: 'Atonix::Security::AccessKey', Properties: { user_id: u.id } } } };
      const stack = await app
        .as(u.token)
        .post('/api/automation/stacks')
        .send({ name: `ak-${n}`, template })
        .expect(202);
      expect((await stackSettled(app.as(u.token), stack.body.id)).status).to.equal('create_complete');
      const [key] = (await app.as(u.token).get(keysOf(u.id)).expect(200)).body.items;
      const { secret } = (await lookupAccessKey(app.platform.db, key.id))!;
      for (const table of ['stacks', 'stack_resources', 'stack_events'])
        expect(
          JSON.stringify(
            await app.platform
              .db(table)
              .where({ ...(table === 'stacks' ? { id: stack.body.id } : { stack_id: stack.body.id }) }),
          ),
          table,
        ).to.not.contain(secret);
      await app.as(u.token).delete(`/api/automation/stacks/${stack.body.id}`).expect(202);
      await stackSettled(app.as(u.token), stack.body.id);
    });
  });

  describe('lookupAccessKey and touchAccessKey (the S3 door)', () => {
    it('answers undefined for an unknown id, and records last use at most once a minute', async () => {
      const u = await user();
      const key = await create(u.id);
      const db = app.platform.db;
      expect(await lookupAccessKey(db, 'AKAXNOSUCHKEY0000000')).to.equal(undefined);
      const t0 = new Date('2030-01-01T00:00:00.000Z');
      await touchAccessKey(db, key.id, t0);
      const read = async () => (await app.admin.get(`/api/security/access-keys/${key.id}`).expect(200)).body;
      await eventually(async () => (await read()).last_used_at === t0.toISOString(), 'last_used_at');
      await touchAccessKey(db, key.id, new Date(t0.getTime() + 59_000));
      expect((await db('access_keys').where({ id: key.id }).first()).last_used_at.toISOString()).to.equal(
        t0.toISOString(),
      );
      const t1 = new Date(t0.getTime() + 60_000);
      await touchAccessKey(db, key.id, t1);
      await eventually(async () => (await read()).last_used_at === t1.toISOString(), 'the next last_used_at');
      expect((await read()).etag).to.equal(key.etag); // advisory: the ETag stays
    });
  });
});
