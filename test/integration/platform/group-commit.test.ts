// Group commit: concurrent creates share a transaction, yet each stays atomic with its audit record, its job and
// its idempotency key, and one create's failure is its own.
import { expect } from 'chai';
import { GroupCommit } from '../../../api/src/platform/resources/group-commit.js';
import { creationOf } from '../../../api/src/platform/resources/crud.js';
import { vpcs } from '../../../api/src/networking/vpcs.js';
import { inlineParams, sqlLiteral } from '../../../api/src/platform/db/bulk.js';
import { catalogue, eventually, newUser, startApp, type TestApp } from '../../support/app.js';

/** Sum and count of the commit group histogram, from /metrics as Prometheus scrapes it. */
async function groups(app: TestApp): Promise<{ sum: number; count: number }> {
  const text = (await app.admin.get('/metrics').expect(200)).text;
  const read = (name: string) => Number(text.match(new RegExp(`^${name} (\\d+)`, 'm'))?.[1] ?? 0);
  return { sum: read('atonix_commit_group_size_sum'), count: read('atonix_commit_group_size_count') };
}

describe('platform: group commit of creates', () => {
  let app: TestApp;
  let user: { id: string; token: string };
  before(async () => {
    app = await startApp();
    user = await newUser(app, 'burst');
  });
  after(() => app.close());

  it('commits a burst of concurrent creates in fewer transactions, each with its own audit record and job', async () => {
    const { flavor, image } = await catalogue(app);
    const before = await groups(app);
    const N = 40;
    const responses = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        app
          .as(user.token)
          .post('/api/compute/instances')
          .set('X-Request-Id', `burst-${i}`)
          .send({ name: `burst-${i}`, flavor_id: flavor.id, image_id: image.id })
          .expect(202),
      ),
    );
    const ids = responses.map((r) => r.body.id as string);
    expect(new Set(ids).size).to.equal(N);
    responses.forEach((r, i) => {
      expect(r.body).to.include({ name: `burst-${i}`, status: 'building', owner: user.id });
      expect(r.headers.location).to.equal(`/api/compute/instances/${r.body.id}`);
    });

    const after = await groups(app);
    expect(after.sum - before.sum, 'creates committed').to.equal(N);
    expect(after.count - before.count, 'transactions').to.be.below(N);

    const audit = await app.platform
      .db('audit_logs')
      .whereIn('resource_id', ids)
      .select('resource_id', 'request_id', 'action', 'status', 'user_id');
    expect(audit).to.have.length(N);
    for (const [i, id] of ids.entries()) {
      expect(audit.find((a) => a.resource_id === id)).to.deep.include({
        request_id: `burst-${i}`,
        action: 'compute:CreateInstance',
        status: 'success',
        user_id: user.id,
      });
    }
    // Every instance's own job ran: all reach running.
    await eventually(
      async () =>
        (await app.platform.db('instances').whereIn('id', ids).where({ status: 'running' }).count('* as n').first())!
          .n === N,
      'all running',
    );
  });

  it('fails only the create that breaks a group; the others in it commit', async () => {
    const existing = await app
      .as(user.token)
      .post('/api/networking/vpcs')
      .send({ name: 'taken', cidr_block: '10.0.0.0/16' })
      .expect(202);
    const commits = new GroupCommit(app.platform.db, app.platform.jobs);
    const audit = (id: string) => ({
      user_id: user.id,
      action: 'networking:CreateVpc',
      resource_type: 'vpc',
      resource_id: id,
      status: 'success' as const,
      request_id: `group-${id}`,
    });
    const rows = [0, 1, 2, 3].map((i) =>
      vpcs.draft({ name: `g-${i}`, cidr_block: `10.${i}.0.0/16`, region: 'r', state: 'pending', owner: user.id }),
    );
    // Same id as a stored VPC: the primary key refuses it, inside the group's transaction.
    rows.splice(2, 0, { ...rows[0]!, id: existing.body.id, name: 'duplicate' });
    const outcomes = await Promise.allSettled(
      rows.map((row) => commits.submit({ creation: creationOf(vpcs, row, { status: 202 }), audit: audit(row.id) })),
    );

    expect(outcomes.map((o) => o.status)).to.deep.equal([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(String((outcomes[2] as PromiseRejectedResult).reason)).to.match(/duplicate key/);
    const stored = await app.platform
      .db('vpcs')
      .whereIn(
        'id',
        rows.map((r) => r.id),
      )
      .select('id', 'name');
    expect(stored.map((r) => r.name).sort()).to.deep.equal(['g-0', 'g-1', 'g-2', 'g-3', 'taken']);
    const logged = await app.platform
      .db('audit_logs')
      .whereIn(
        'request_id',
        rows.map((r) => `group-${r.id}`),
      )
      .pluck('resource_id');
    expect(logged.sort()).to.deep.equal(
      rows
        .filter((r) => r.name !== 'duplicate')
        .map((r) => r.id)
        .sort(),
    );
  });

  it('creates once for a key sent twice in one burst, beside creates that are not held up', async () => {
    const send = (name: string, key?: string) => {
      const r = app.as(user.token).post('/api/networking/vpcs');
      if (key) r.set('Idempotency-Key', key);
      return r.send({ name, cidr_block: '10.9.0.0/16' });
    };
    const [a, b, ...others] = await Promise.all([
      send('keyed', 'burst-key'),
      send('keyed', 'burst-key'),
      ...Array.from({ length: 8 }, (_, i) => send(`free-${i}`)),
    ]);
    for (const r of others) expect(r.status).to.equal(202);
    const keyed = [a!, b!];
    // The second is a replay of the first, or (when it raced the first's commit) a 409 for a key in flight.
    for (const r of keyed) expect([202, 409]).to.include(r.status);
    const created = keyed.filter((r) => r.status === 202);
    expect(new Set(created.map((r) => r.body.id)).size).to.equal(1);
    if (created.length === 2)
      expect(created.filter((r) => r.headers['idempotent-replayed'] === 'true')).to.have.length(1);
    else expect(keyed.find((r) => r.status === 409)!.body.code).to.equal('IdempotencyKeyInFlight');
    expect(
      await app.platform.db('vpcs').where({ owner: user.id, name: 'keyed' }).count('* as n').first(),
    ).to.deep.equal({ n: 1 });
  });

  it('inlines any value as a literal that PostgreSQL reads back unchanged', async () => {
    const values = [
      'plain',
      "it's",
      "back\\slash \\' quote",
      '$v$',
      'ends in $v',
      '$v$$v0$ both tags',
      'ünïcødé ✓ 😀',
      '',
      'a;\ndrop table vpcs; --',
    ];
    for (const v of values) {
      const { rows } = await app.platform.db.raw(`select ${sqlLiteral(v)}::text as v`);
      expect(rows[0].v, JSON.stringify(v)).to.equal(v);
    }
    const { rows } = await app.platform.db.raw(
      inlineParams('select $1::int as n, $2::bool as b, $3::jsonb as j, $4::text as t, $1::int + 1 as m', [
        41,
        true,
        { k: "it's $v" },
        null,
      ]),
    );
    expect(rows[0]).to.deep.equal({ n: 41, b: true, j: { k: "it's $v" }, t: null, m: 42 });
  });
});
