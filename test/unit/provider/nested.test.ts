// Nested attributes: the schema the spec's arrays of objects and fixed-shape objects become (to any depth), the
// conversions between API JSON and Terraform values for every nesting, and the plan's filling of nested defaults.
import { expect } from 'chai';
import { buildRegistry } from '../../../scripts/lib/registry.js';
import { buildProviderSchema } from '../../../scripts/lib/provider-schema.js';
import { providerSchema } from '../../../provider/src/generated/schema.js';
import { createBody, fromApi, patchBody, unchanged } from '../../../provider/src/framework/convert.js';
import { genericResource } from '../../../provider/src/framework/resource.js';
import { resourceSchema } from '../../../provider/src/framework/schemas.js';
import {
  completeObject,
  UNKNOWN,
  type Diagnostic,
  type ObjectValue,
  type Value,
} from '../../../provider/src/runtime/index.js';
import type { TfAttribute, TfResource } from '../../../provider/src/framework/schema-types.js';

const ok = (ref: string) => ({ content: { 'application/json': { schema: { $ref: ref } } } });
/** A one-kind spec whose schema nests an object holding a list of objects holding a list of strings. */
const spec: any = {
  paths: {
    '/api/x/things': { post: { operationId: 'createThing', responses: { '201': ok('#/components/schemas/Thing') } } },
    '/api/x/things/{id}': {
      get: { operationId: 'getThing', responses: { '200': ok('#/components/schemas/Thing') } },
      delete: { operationId: 'deleteThing', responses: { '204': {} } },
    },
  },
  components: {
    schemas: {
      Step: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string' },
          tags: { type: 'array', items: { type: 'string' }, default: [] },
          note: { type: ['string', 'null'] },
        },
      },
      Plan: {
        type: 'object',
        description: 'How it runs.',
        required: ['steps'],
        properties: {
          retries: { type: 'integer', default: 3 },
          steps: { type: 'array', items: { $ref: '#/components/schemas/Step' }, 'x-terraform': 'list' },
          labels: { type: 'array', uniqueItems: true, items: { $ref: '#/components/schemas/Step' } },
        },
      },
      Thing: {
        type: 'object',
        'x-resource': { kind: 'thing', service: 'x', collection: 'things', id_prefix: 'thg', terraform: 'x_thing' },
        required: ['plan'],
        properties: {
          id: { type: 'string', readOnly: true },
          plan: { allOf: [{ $ref: '#/components/schemas/Plan' }] },
          history: { type: 'array', readOnly: true, items: { $ref: '#/components/schemas/Step' } },
        },
      },
    },
  },
};

const byName = (attrs: TfAttribute[], name: string) => attrs.find((a) => a.name === name)!;
const cdn = providerSchema.resources.find((r) => r.typeName === 'atonix_cdn_distribution')!;

describe('provider: nested attributes', () => {
  describe('schema', () => {
    const thing = buildProviderSchema(buildRegistry(spec)).resources[0]!;

    it('an allOf object is single nesting, its array of objects a list (x-terraform: list) or a set, to any depth', () => {
      const plan = byName(thing.attributes, 'plan');
      expect(plan).to.include({ required: true, description: 'How it runs.' });
      expect(plan.nested!.nesting).to.equal('single');
      const steps = byName(plan.nested!.attributes, 'steps');
      expect(steps.nested!.nesting).to.equal('list');
      expect(byName(plan.nested!.attributes, 'labels').nested!.nesting).to.equal('set');
      expect(byName(steps.nested!.attributes, 'name')).to.include({ required: true, computed: false });
      // A field with a default is optional and computed, the default known for the plan.
      expect(byName(steps.nested!.attributes, 'tags')).to.deep.include({
        optional: true,
        computed: true,
        default: [],
        type: ['list', 'string'],
      });
      expect(byName(steps.nested!.attributes, 'note')).to.include({ optional: true, computed: false, nullable: true });
      expect(plan.type).to.deep.equal([
        'object',
        {
          retries: 'number',
          steps: ['list', ['object', { name: 'string', tags: ['list', 'string'], note: 'string' }]],
          labels: ['set', ['object', { name: 'string', tags: ['list', 'string'], note: 'string' }]],
        },
      ]);
    });

    it('inside a read-only attribute every nested attribute is computed only', () => {
      const history = byName(thing.attributes, 'history');
      expect(history.nested!.nesting).to.equal('set');
      for (const a of history.nested!.attributes)
        expect(a).to.include({ required: false, optional: false, computed: true });
    });

    it('the protocol schema carries the nesting (nested_type) recursively', () => {
      const block = resourceSchema(thing).block;
      const plan = block.attributes!.plan!;
      expect(plan.nested!.nesting).to.equal('single');
      expect(plan.nested!.attributes.steps!.nested!.nesting).to.equal('list');
      expect(plan.nested!.attributes.retries).to.include({ optional: true, computed: true, type: 'number' });
    });

    it('the generated schema: a distribution nests lists and objects; a security group keeps its sets', () => {
      expect(byName(cdn.attributes, 'origins').nested!.nesting).to.equal('list');
      expect(byName(cdn.attributes, 'default_cache_behavior').nested!.nesting).to.equal('single');
      expect(byName(cdn.attributes, 'geo_restriction')).to.deep.include({
        optional: true,
        computed: true,
        default: { restriction_type: 'none', locations: [] },
      });
      expect(byName(cdn.attributes, 'origins').json).to.equal(undefined);
      const sg = providerSchema.resources.find((r) => r.typeName === 'atonix_security_group')!;
      expect(byName(sg.attributes, 'ingress').nested!.nesting).to.equal('set');
      const panels = providerSchema.resources.find((r) => r.typeName === 'atonix_dashboard')!;
      expect(byName(panels.attributes, 'panels')).to.include({ json: true, type: 'string' });
    });
  });

  describe('conversions', () => {
    const origins = byName(cdn.attributes, 'origins');
    const errors = byName(cdn.attributes, 'custom_error_responses');
    const behavior = byName(cdn.attributes, 'default_cache_behavior');

    it('API JSON -> state: every nested attribute present, a field left out is its default, else null', () => {
      const state = fromApi([origins, behavior, errors], {
        origins: [{ id: 'web', url: 'http://127.0.0.1:9', read_timeout_ms: 5000 }],
        default_cache_behavior: { target_origin_id: 'web', cache_policy_id: 'cp-x', compress: true },
        custom_error_responses: [{ error_code: 404, response_code: null }],
      });
      expect(state.origins).to.deep.equal([
        {
          id: 'web',
          bucket_id: null,
          url: 'http://127.0.0.1:9',
          origin_path: '',
          custom_headers: {},
          connect_timeout_ms: 10000,
          read_timeout_ms: 5000,
        },
      ]);
      expect(state.default_cache_behavior).to.deep.equal({
        path_pattern: null,
        target_origin_id: 'web',
        allowed_methods: ['GET', 'HEAD'],
        cached_methods: ['GET', 'HEAD'],
        viewer_protocol_policy: 'allow-all',
        compress: true,
        cache_policy_id: 'cp-x',
      });
      expect(state.custom_error_responses).to.deep.equal([
        { error_code: 404, response_code: null, response_page_path: null, error_caching_min_ttl: 10 },
      ]);
    });

    it('null stays null and an empty list stays empty, as the API answers them', () => {
      const groups = byName(cdn.attributes, 'origin_groups');
      expect(fromApi([groups], { origin_groups: [] }).origin_groups).to.deep.equal([]);
      expect(fromApi([groups], {}).origin_groups).to.equal(null);
      expect(fromApi([behavior], { default_cache_behavior: null }).default_cache_behavior).to.equal(null);
    });

    it('state -> API JSON: a null member is left out, unless the API takes null there (a nullable field)', () => {
      const planned = fromApi([origins, behavior, errors], {
        origins: [{ id: 'b', bucket_id: 'bkt-1' }],
        default_cache_behavior: { target_origin_id: 'b', cache_policy_id: 'cp-x' },
        custom_error_responses: [{ error_code: 404 }],
      });
      const body = createBody([origins, behavior, errors], planned);
      // bucket_id and url are nullable: null goes as null (the API's "exactly one" check reads it as absent).
      expect(body.origins).to.deep.equal([
        {
          id: 'b',
          bucket_id: 'bkt-1',
          url: null,
          origin_path: '',
          custom_headers: {},
          connect_timeout_ms: 10000,
          read_timeout_ms: 30000,
        },
      ]);
      // The default behaviour takes no path_pattern: a null one is not sent.
      expect(body.default_cache_behavior).to.not.have.property('path_pattern');
      expect(body.custom_error_responses).to.deep.equal([
        { error_code: 404, response_code: null, response_page_path: null, error_caching_min_ttl: 10 },
      ]);
    });

    it('a PATCH sends a changed nested attribute whole, and nothing for an unchanged one', () => {
      const prior = fromApi([origins, behavior], {
        origins: [{ id: 'a', url: 'http://h' }],
        default_cache_behavior: { target_origin_id: 'a', cache_policy_id: 'cp-x' },
      });
      const planned: ObjectValue = {
        ...prior,
        default_cache_behavior: { ...(prior.default_cache_behavior as ObjectValue), compress: true },
      };
      const patch = patchBody([origins, behavior], prior, planned);
      expect(Object.keys(patch)).to.deep.equal(['default_cache_behavior']);
      expect(patch.default_cache_behavior).to.deep.include({ target_origin_id: 'a', compress: true });
      expect(patch.default_cache_behavior).to.not.have.property('path_pattern');
    });

    it('a list compares in order, a set in any order', () => {
      const a = [{ id: 'x' }, { id: 'y' }] as Value[];
      const b = [{ id: 'y' }, { id: 'x' }] as Value[];
      expect(unchanged(origins, a, b)).to.equal(false);
      const sg = providerSchema.resources.find((r) => r.typeName === 'atonix_security_group')!;
      expect(unchanged(byName(sg.attributes, 'ingress'), a, b)).to.equal(true);
    });
  });

  describe('plan', () => {
    const schema = resourceSchema(cdn);
    const noClient = () => {
      throw new Error('no API call is expected');
    };
    const resource = genericResource(cdn as TfResource, noClient as never);
    const ctx = { signal: new AbortController().signal } as never;
    const value = (v: ObjectValue) => completeObject(schema.block, v);
    const config = (origin: ObjectValue) =>
      value({
        name: 'site',
        origins: [completeObject({ attributes: schema.block.attributes!.origins!.nested!.attributes }, origin)],
        default_cache_behavior: completeObject(
          { attributes: schema.block.attributes!.default_cache_behavior!.nested!.attributes },
          { target_origin_id: 'web', cache_policy_id: 'cp-x' },
        ),
      });

    it('a create plans the defaults of nested fields left unset, and of unset nested attributes', async () => {
      const c = config({ id: 'web', url: 'http://h', read_timeout_ms: 5000 });
      const { plannedState } = await resource.plan!({ priorState: null, proposedState: c, config: c } as never, ctx);
      const planned = plannedState as ObjectValue;
      expect((planned.origins as ObjectValue[])[0]).to.deep.include({
        origin_path: '',
        custom_headers: {},
        connect_timeout_ms: 10000,
        read_timeout_ms: 5000,
        bucket_id: null,
      });
      expect(planned.default_cache_behavior).to.deep.include({ allowed_methods: ['GET', 'HEAD'], compress: false });
      expect(planned.geo_restriction).to.deep.equal({ restriction_type: 'none', locations: [] });
      expect(planned.origin_groups).to.deep.equal([]);
      expect(planned.id).to.equal(UNKNOWN);
    });

    it('an update plans a nested field removed from the configuration back to its default, not its prior value', async () => {
      const first = config({ id: 'web', url: 'http://h', read_timeout_ms: 5000 });
      const created = (await resource.plan!({ priorState: null, proposedState: first, config: first } as never, ctx))
        .plannedState as ObjectValue;
      const prior: ObjectValue = { ...created, id: 'dist-1', status: 'deployed', config_version: 1 };
      for (const [k, v] of Object.entries(prior)) if (v === UNKNOWN) prior[k] = null;
      const next = config({ id: 'web', url: 'http://h' });
      // Terraform's proposal keeps the prior value of an optional+computed field the configuration no longer sets.
      const proposed: ObjectValue = {
        ...prior,
        origins: [{ ...(next.origins as ObjectValue[])[0]!, ...(prior.origins as ObjectValue[])[0]! }],
      };
      (proposed.origins as ObjectValue[])[0]!.read_timeout_ms = 5000;
      const { plannedState } = await resource.plan!(
        { priorState: prior, proposedState: proposed, config: next } as never,
        ctx,
      );
      expect(((plannedState as ObjectValue).origins as ObjectValue[])[0]!.read_timeout_ms).to.equal(30000);

      // Nothing changed: the plan is the prior state.
      const same = await resource.plan!({ priorState: prior, proposedState: prior, config: first } as never, ctx);
      expect(same.plannedState).to.deep.equal(prior);
    });
  });

  describe('validation', () => {
    const resource = genericResource(cdn as TfResource, (() => undefined) as never);
    const schema = resourceSchema(cdn);
    const inner = (name: string, v: ObjectValue) =>
      completeObject({ attributes: schema.block.attributes![name]!.nested!.attributes }, v);

    it('a value outside its enum, at any depth, is a plan-time diagnostic on its path', async () => {
      const config = completeObject(schema.block, {
        name: 'site',
        price_class: 'PriceClass_1000',
        origins: [inner('origins', { id: 'a', url: 'http://h' })],
        default_cache_behavior: inner('default_cache_behavior', {
          target_origin_id: 'a',
          cache_policy_id: 'cp-x',
          viewer_protocol_policy: 'http-only',
        }),
        custom_error_responses: [
          inner('custom_error_responses', { error_code: 404 }),
          inner('custom_error_responses', { error_code: 418n as never, response_code: null }),
        ],
      });
      const diags = ((await resource.validate!({ config } as never, {} as never)) ?? []) as Diagnostic[];
      expect(diags.map((d) => d.path)).to.deep.equal([
        ['price_class'],
        ['default_cache_behavior', 'viewer_protocol_policy'],
        ['custom_error_responses', 1, 'error_code'],
      ]);
      expect(diags[1]!.detail).to.equal(
        'default_cache_behavior.viewer_protocol_policy: "http-only" is not one of: "allow-all", "redirect-to-https", "https-only".',
      );
    });

    it('unknown and null values, and numbers in any of their forms, pass', async () => {
      const config = completeObject(schema.block, {
        name: 'site',
        price_class: UNKNOWN,
        origins: [inner('origins', { id: 'a', url: 'http://h' })],
        default_cache_behavior: UNKNOWN,
        custom_error_responses: [
          inner('custom_error_responses', { error_code: '404' as never, response_code: 200n as never }),
        ],
      });
      expect(await resource.validate!({ config } as never, {} as never)).to.deep.equal([]);
    });
  });
});
