// The generic engine's named hook capabilities (importId, validateConfig, modifyPlan, unknownAfterUpdate), each
// driving what terraform would see: the imported state, the diagnostics, the planned values and replacements.
import { expect } from 'chai';
import { providerSchema } from '../../../provider/src/generated/schema.js';
import { genericResource, type ResourceHooks } from '../../../provider/src/framework/resource.js';
import { DiagnosticsError, UNKNOWN, type ObjectValue } from '../../../provider/src/runtime/index.js';
import type { ApiClient } from '../../../provider/src/framework/client.js';

const def = providerSchema.resources.find((r) => r.typeName === 'atonix_instance')!;
const noClient = (): ApiClient => {
  throw new Error('no API call is expected');
};
const ctx = { signal: new AbortController().signal } as never;
const resource = (hooks: ResourceHooks) => genericResource(def, noClient, hooks);

/** Every attribute null, then the given values: the shape terraform sends. */
function object(values: ObjectValue): ObjectValue {
  const o: ObjectValue = {};
  for (const a of def.attributes) o[a.name] = null;
  return { ...o, timeouts: null, ...values };
}

const prior = object({
  id: 'inst-abcd1234',
  name: 'web',
  flavor_id: 'flv-1',
  image_id: 'img-1',
  power_state: 'running',
  status: 'running',
  private_ip: '10.0.0.4',
});

describe('provider: resource hook capabilities', () => {
  it('importId: parses a composite id into the state to read, and refuses a malformed one as a diagnostic', async () => {
    const r = resource({
      importId: (id) => (id.includes('/') ? { id: id.split('/')[1]!, name: id.split('/')[0]! } : 'expected NAME/ID'),
    });
    expect((await r.importState!({ id: 'web/inst-abcd1234' }, ctx)).state).to.deep.equal({
      id: 'inst-abcd1234',
      name: 'web',
    });
    let refused: unknown;
    try {
      await r.importState!({ id: 'inst-abcd1234' }, ctx);
    } catch (e) {
      refused = e;
    }
    expect(refused).to.be.instanceOf(DiagnosticsError);
    expect((refused as DiagnosticsError).diagnostics[0]).to.include({
      summary: 'Cannot import atonix_instance "inst-abcd1234"',
      detail: 'expected NAME/ID',
    });
    expect((await resource({}).importState!({ id: 'inst-x' }, ctx)).state).to.deep.equal({ id: 'inst-x' });
  });

  it('validateConfig: adds its diagnostics to the generic ones', async () => {
    const r = resource({
      validateConfig: (c) =>
        c.name === 'bad' ? [{ severity: 'error', summary: 'No bad names', detail: '', attribute: ['name'] }] : [],
    } as ResourceHooks);
    const diags = await r.validate!({ config: object({ name: 'bad', timeouts: { create: 'soon' } }) } as never, ctx);
    expect((diags ?? []).map((d) => d.summary)).to.deep.equal(['Invalid timeout', 'No bad names']);
    expect(await r.validate!({ config: object({ name: 'good' }) } as never, ctx)).to.deep.equal([]);
  });

  it('modifyPlan: may require a replacement the schema does not, and sees creates with no prior state', async () => {
    const seen: (ObjectValue | null)[] = [];
    const r = resource({
      modifyPlan(p) {
        seen.push(p.prior);
        if (p.prior && p.planned.name !== p.prior.name) p.requiresReplace.push(['name']);
      },
    });
    const renamed = { ...prior, name: 'web-2' };
    const plan = await r.plan({ priorState: prior, proposedState: renamed, config: renamed } as never, ctx);
    expect(plan.requiresReplace).to.deep.equal([['name']]);
    await r.plan(
      { priorState: null, proposedState: object({ name: 'new' }), config: object({ name: 'new' }) } as never,
      ctx,
    );
    expect(seen).to.deep.equal([prior, null]);
  });

  it('unknownAfterUpdate: plans the named computed attributes unknown on an in-place update only', async () => {
    const r = resource({ unknownAfterUpdate: (changed) => (changed.includes('power_state') ? ['status'] : []) });
    const stopped = { ...prior, power_state: 'stopped' };
    const plan = await r.plan({ priorState: prior, proposedState: stopped, config: stopped } as never, ctx);
    expect(plan.plannedState!.status).to.equal(UNKNOWN);
    expect(plan.plannedState!.private_ip).to.equal('10.0.0.4');
    const renamed = { ...prior, name: 'other' };
    expect(
      (await r.plan({ priorState: prior, proposedState: renamed, config: renamed } as never, ctx)).plannedState!.status,
    ).to.equal('running');
  });
});
