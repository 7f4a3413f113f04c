// tfplugin6 RPC contracts of the runtime, checked the way core checks them, against the launched test provider.
import { expect } from 'chai';
import { ExtData } from '@msgpack/msgpack';
import { buildFake } from './harness/build.js';
import {
  assertConforms,
  coreObject,
  dv,
  knownPairs,
  mp,
  refinedUnknown,
  UNKNOWN,
  unmp,
  type ProtoBlock,
} from './harness/core-values.js';
import { launch, makeClientCert, type KeyPair, type LaunchedProvider } from './harness/launch.js';

type Obj = Record<string, unknown>;
interface Diag {
  severity: string;
  summary: string;
  detail: string;
  attribute: { steps: { attribute_name?: string }[] } | null;
}
interface StateResponse {
  diagnostics: Diag[];
}

describe('provider runtime: tfplugin6 RPCs', function () {
  let clientCert: KeyPair;
  let p: LaunchedProvider;
  let thing: ProtoBlock;
  let info: ProtoBlock;

  const config = (values: Obj): Buffer => mp(coreObject(thing, values));
  const noErrors = (res: StateResponse): void => {
    expect(
      res.diagnostics.filter((d) => d.severity === 'ERROR'),
      JSON.stringify(res.diagnostics),
    ).to.deep.equal([]);
  };

  async function plan(
    prior: Obj | null,
    values: Obj | null,
  ): Promise<{ planned: Obj | null; raw: Buffer; requires_replace: { steps: { attribute_name: string }[] }[] }> {
    const proposed =
      values === null
        ? null
        : coreObject(thing, { ...values, id: values.id ?? prior?.id, created_at: prior?.created_at });
    const res = await p.rpc<
      StateResponse & {
        planned_state: { msgpack: Buffer };
        requires_replace: { steps: { attribute_name: string }[] }[];
      }
    >('PlanResourceChange', {
      type_name: 'fake_thing',
      prior_state: dv(prior),
      proposed_new_state: dv(proposed),
      config: dv(values === null ? null : coreObject(thing, values)),
    });
    noErrors(res);
    return {
      planned: unmp(res.planned_state.msgpack) as Obj | null,
      raw: res.planned_state.msgpack,
      requires_replace: res.requires_replace,
    };
  }

  async function apply(prior: Obj | null, planned: Obj | null, values: Obj | null): Promise<Obj | null> {
    const res = await p.rpc<StateResponse & { new_state: { msgpack: Buffer } }>('ApplyResourceChange', {
      type_name: 'fake_thing',
      prior_state: dv(prior),
      planned_state: dv(planned),
      config: dv(values === null ? null : coreObject(thing, values)),
    });
    noErrors(res);
    return unmp(res.new_state.msgpack) as Obj | null;
  }

  async function read(state: Obj): Promise<Obj | null> {
    const res = await p.rpc<StateResponse & { new_state: { msgpack: Buffer } }>('ReadResource', {
      type_name: 'fake_thing',
      current_state: dv(state),
    });
    noErrors(res);
    return unmp(res.new_state.msgpack) as Obj | null;
  }

  async function create(values: Obj): Promise<Obj> {
    const { planned } = await plan(null, values);
    return (await apply(null, planned, values))!;
  }

  before(async function () {
    this.timeout(60_000);
    await buildFake();
    clientCert = await makeClientCert();
    p = await launch({ clientCert });
    const schema = await p.rpc<{
      resource_schemas: Record<string, { block: ProtoBlock }>;
      data_source_schemas: Record<string, { block: ProtoBlock }>;
    }>('GetProviderSchema', {});
    thing = schema.resource_schemas.fake_thing!.block;
    info = schema.data_source_schemas.fake_info!.block;
    noErrors(
      await p.rpc('ConfigureProvider', {
        terraform_version: '1.11.4',
        config: dv({ store_path: null, slow_apply_ms: null }),
      }),
    );
  });

  after(async () => {
    await p?.shutdown();
  });

  it('advertises schemas core can load, with plan_destroy and get_provider_schema_optional', async () => {
    const schema = await p.rpc<
      Obj & { provider: { block: ProtoBlock }; provider_meta: { block: ProtoBlock | null }; server_capabilities: Obj }
    >('GetProviderSchema', {});
    expect(schema.provider_meta.block).to.be.an('object'); // a nil block crashes core
    expect(schema.server_capabilities).to.include({ plan_destroy: true, get_provider_schema_optional: true });
    const types = Object.fromEntries(
      thing.attributes.map((a) => [a.name, a.type.length ? JSON.parse(a.type.toString()) : a.nested_type!.nesting]),
    );
    expect(types).to.deep.include({
      name: 'string',
      size: 'number',
      tags: ['map', 'string'],
      labels: ['list', 'string'],
      extra: 'dynamic',
      settings: 'SINGLE',
    });
    expect(thing.block_types.map((b) => [b.type_name, b.nesting])).to.deep.equal([['rule', 'LIST']]);
  });

  it('validates configs with diagnostics pinned to the attribute', async () => {
    const res = await p.rpc<StateResponse>('ValidateResourceConfig', {
      type_name: 'fake_thing',
      config: { msgpack: config({ name: '' }) },
    });
    expect(res.diagnostics).to.have.length(1);
    expect(res.diagnostics[0]!.severity).to.equal('ERROR');
    expect(res.diagnostics[0]!.attribute!.steps).to.deep.equal([
      { attribute_name: 'name', selector: 'attribute_name' },
    ]);
  });

  it('takes unknowns (ext 0 and refined ext 12) in config and keeps them unknown (d4 00 00) in the plan', async () => {
    const values = {
      name: refinedUnknown('alpha-'),
      tags: { env: 'dev', ref: UNKNOWN },
      labels: UNKNOWN,
      rule: [{ port: UNKNOWN }],
    };
    noErrors(await p.rpc('ValidateResourceConfig', { type_name: 'fake_thing', config: { msgpack: config(values) } }));
    const { planned, raw } = await plan(null, values);
    const unknown = (v: unknown): boolean =>
      v instanceof ExtData && v.type === 0 && Buffer.from(v.data as Uint8Array).equals(Buffer.from([0]));
    expect(unknown(planned!.name), 'name').to.equal(true);
    expect(unknown((planned!.tags as Obj).ref), 'tags.ref').to.equal(true);
    expect((planned!.tags as Obj).env).to.equal('dev');
    expect(unknown(planned!.labels), 'labels').to.equal(true);
    expect(unknown(planned!.id) && unknown(planned!.created_at), 'computed attributes on create').to.equal(true);
    expect(unknown((planned!.rule as Obj[])[0]!.port), 'rule[0].port').to.equal(true);
    expect(raw.includes(Buffer.from([0xd4, 0x00, 0x00]))).to.equal(true);
    expect(raw.includes(Buffer.from([0x0c]))).to.equal(false); // refinements are never echoed
  });

  it('keeps every number form exact from config through plan, apply and read', async () => {
    const forms: [string, unknown][] = [
      ['int', 3],
      ['negative int', -7],
      ['float64', 2.5],
      ['decimal string', '0.1'],
      ['uint64 beyond 2^53', 9007199254740993n],
      ['integer beyond uint64', '123456789012345678901234567890'],
      ['decimal beyond float64', '0.10000000000000000001'],
    ];
    for (const [form, size] of forms) {
      const values = { name: `n-${form}`, size };
      const { planned } = await plan(null, values);
      const state = await apply(null, planned, values);
      const refreshed = await read(state!);
      for (const [stage, got] of [
        ['plan', planned!.size],
        ['apply', state!.size],
        ['read', refreshed!.size],
      ] as const) {
        expect(decimal(got), `${form} after ${stage}`).to.equal(decimal(size));
      }
    }
    const { planned } = await plan(null, { name: 'big', size: 9007199254740993n, ratio: '0.1' });
    expect(planned!.size).to.equal(9007199254740993n); // uint64 on the wire, not a rounded float
    expect(planned!.ratio).to.equal('0.1'); // exact decimal text, as cty itself sends it
  });

  it('returns every attribute in every object, and applies exactly the known values it planned', async () => {
    const values = {
      name: 'full',
      tags: { a: 'b' },
      settings: { mode: 'fast' },
      extra: [Buffer.from('"string"'), 'x'],
      rule: [{ port: 443 }, { port: 80, proto: 'udp' }],
    };
    const { planned } = await plan(null, values);
    assertConforms(planned, thing);
    expect((planned!.rule as Obj[]).map((r) => r.proto)).to.deep.equal(['tcp', 'udp']);
    const state = await apply(null, planned, values);
    assertConforms(state, thing);
    const pairs = knownPairs(planned, state);
    expect(pairs.length).to.be.above(10);
    for (const pair of pairs) expect(pair.applied, pair.path).to.deep.equal(pair.planned);
    expect(JSON.stringify(knownPairs(state, state).filter((x) => x.planned instanceof ExtData))).to.equal('[]');
    assertConforms(await read(state!), thing);
    const data = await p.rpc<StateResponse & { state: { msgpack: Buffer } }>('ReadDataSource', {
      type_name: 'fake_info',
      config: dv(coreObject(info, { name: 'x' })),
    });
    noErrors(data);
    const dataState = unmp(data.state.msgpack) as Obj;
    assertConforms(dataState, info);
    expect(dataState).to.deep.equal({ name: 'x', version: '0.0.1-test', answer: 42 });
  });

  it('plans in-place updates and replacements', async () => {
    const state = await create({ name: 'before', size: 1 });
    const rename = await plan(state, { name: 'after', size: 1 });
    expect(rename.requires_replace).to.deep.equal([]);
    expect(rename.planned!.id).to.equal(state.id);
    const resize = await plan(state, { name: 'before', size: 2 });
    expect(resize.requires_replace.map((p) => p.steps.map((s) => s.attribute_name))).to.deep.equal([['size']]);
  });

  it('upgrades raw JSON state losslessly: big integers exact, removed attributes dropped, new ones null', async () => {
    const raw =
      '{\n            "id": "thing-old",\n            "name": "n",\n            "removed_attr": "x",\n            "rule": [{"port": 80, "proto": "tcp"}],\n            "size": 9007199254740993,\n            "ratio": 0.1\n          }';
    const res = await p.rpc<StateResponse & { upgraded_state: { msgpack: Buffer } }>('UpgradeResourceState', {
      type_name: 'fake_thing',
      version: 0,
      raw_state: { json: Buffer.from(raw) },
    });
    noErrors(res);
    const upgraded = unmp(res.upgraded_state.msgpack) as Obj;
    assertConforms(upgraded, thing);
    expect(upgraded.size).to.equal(9007199254740993n);
    expect(upgraded.ratio).to.equal('0.1'); // JSON 0.1 goes back out as the exact text "0.1"
    expect(upgraded.tags).to.equal(null);
    expect(upgraded.rule).to.deep.equal([{ port: 80, proto: 'tcp' }]);
  });

  it('reports a remote object that is gone as a null state, and plans/applies destroy as null', async () => {
    expect(await read({ ...coreObject(thing, { name: 'ghost' }), id: 'thing-missing' })).to.equal(null);
    const state = await create({ name: 'doomed' });
    const destroy = await plan(state, null);
    expect(destroy.raw).to.deep.equal(Buffer.from([0xc0]));
    expect(await apply(state, null, null)).to.equal(null);
    expect(await read(state)).to.equal(null);
  });

  it('imports by id: one stub with the type name, which read then fills', async () => {
    const state = await create({ name: 'imported', tags: { k: 'v' } });
    const res = await p.rpc<
      StateResponse & { imported_resources: { type_name: string; state: { msgpack: Buffer } }[] }
    >('ImportResourceState', { type_name: 'fake_thing', id: state.id });
    noErrors(res);
    expect(res.imported_resources).to.have.length(1);
    expect(res.imported_resources[0]!.type_name).to.equal('fake_thing');
    const stub = unmp(res.imported_resources[0]!.state.msgpack) as Obj;
    assertConforms(stub, thing);
    expect(await read(stub)).to.deep.equal(state);
  });

  it('answers the RPCs it does not implement with diagnostics or empty results, never transport errors', async () => {
    expect((await p.rpc<StateResponse>('GetFunctions', {})).diagnostics).to.deep.equal([]);
    expect((await p.rpc<StateResponse>('GetResourceIdentitySchemas', {})).diagnostics).to.deep.equal([]);
    expect((await p.rpc<{ error: { text: string } }>('CallFunction', { name: 'f' })).error.text).to.match(
      /no functions/,
    );
    expect((await p.rpc<StateResponse>('MoveResourceState', {})).diagnostics[0]!.severity).to.equal('ERROR');
    const meta = await p.rpc<{ resources: { type_name: string }[] }>('GetMetadata', {});
    expect(meta.resources).to.deep.equal([{ type_name: 'fake_thing' }]);
    const unknownType = await p.rpc<StateResponse>('ValidateResourceConfig', {
      type_name: 'fake_nope',
      config: dv(null),
    });
    expect(unknownType.diagnostics[0]!.summary).to.equal('Unknown resource type');
  });

  it('serves a fresh process without a prior GetProviderSchema, and cancels in-flight work on StopProvider', async () => {
    const q = await launch({ clientCert });
    try {
      noErrors(
        await q.rpc('ConfigureProvider', {
          terraform_version: '1.11.4',
          config: dv({ store_path: null, slow_apply_ms: 600_000 }),
        }),
      );
      const values = coreObject(thing, { name: 'slow' });
      const planned = { ...values, id: UNKNOWN, created_at: UNKNOWN };
      const applying = q.rpc<StateResponse>('ApplyResourceChange', {
        type_name: 'fake_thing',
        prior_state: dv(null),
        planned_state: dv(planned),
        config: dv(values),
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(await q.rpc<{ Error: string }>('StopProvider', {})).to.deep.equal({ Error: '' });
      const res = await applying; // without cancellation this would take 10 minutes
      expect(res.diagnostics.map((d) => d.summary)).to.deep.equal(['Operation cancelled']);
    } finally {
      await q.shutdown();
    }
  });
});

/** A canonical decimal text for any wire form of a number (bigint, float, decimal string). */
function decimal(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text);
  if (!m) return text;
  const fraction = m[3] ?? '';
  let digits = (m[2]! + fraction).replace(/^0+/, '');
  let exp = Number(m[4] ?? 0) - fraction.length;
  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exp++;
  }
  return digits ? `${m[1]}${digits}e${exp}` : '0';
}
