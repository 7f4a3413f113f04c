// The generated CDKTF bindings against the provider schema: the exported JSON, one class per type, every settable
// attribute mapped, regeneration identical, and the meta-argument lint.
import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  TerraformDataSource,
  TerraformOutput,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  Testing,
} from '../../../provider/cdktf/constructs/cdktf.js';
import * as bindings from '../../../provider/cdktf/lib/index.js';
import type { CtyType, TfAttribute } from '../../../provider/src/framework/schema-types.js';
import { dataSources } from '../../../provider/src/data-sources/index.js';
import { resources } from '../../../provider/src/resources/index.js';
import { providerSchema } from '../../../provider/src/generated/schema.js';
import { CDKTF_DIR, cdktfBindings } from '../../../scripts/lib/cdktf-bindings.js';
import { PROVIDER_ADDRESS, providerSchemaJson } from '../../../scripts/lib/cdktf-schema.js';
import { ROOT, testApp } from './support.js';

type BindingClass = (new (scope: TerraformStack, id: string, config: Record<string, unknown>) => unknown) & {
  tfResourceType: string;
};

/** Every exported class that stands for a Terraform type, by kind. */
function bindingClasses() {
  const found = {
    resources: new Map<string, BindingClass>(),
    dataSources: new Map<string, BindingClass>(),
    providers: new Map<string, BindingClass>(),
  };
  for (const ns of Object.values(bindings)) {
    for (const value of Object.values(ns as Record<string, unknown>)) {
      if (typeof value !== 'function' || typeof (value as any).tfResourceType !== 'string') continue;
      const cls = value as BindingClass;
      const kind =
        cls.prototype instanceof TerraformDataSource
          ? 'dataSources'
          : cls.prototype instanceof TerraformResource
            ? 'resources'
            : cls.prototype instanceof TerraformProvider
              ? 'providers'
              : undefined;
      if (!kind) throw new Error(`${cls.name} is neither a resource, a data source nor a provider`);
      expect(found[kind].has(cls.tfResourceType), `two classes for ${cls.tfResourceType}`).to.equal(false);
      found[kind].set(cls.tfResourceType, cls);
    }
  }
  return found;
}

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
/** A value of `type`; `key` names an object's members (camelCase in a binding's config, snake_case in the synth). */
const sample = (type: CtyType, name: string, key: (n: string) => string = (n) => n): unknown => {
  if (type === 'number') return 7;
  if (type === 'bool') return true;
  if (typeof type === 'string') return `v-${name}`;
  if (type[0] === 'object')
    return Object.fromEntries(
      Object.entries(type[1] as Record<string, CtyType>).map(([k, t]) => [key(k), sample(t, k, key)]),
    );
  return type[0] === 'map' ? { k: sample(type[1] as CtyType, name, key) } : [sample(type[1] as CtyType, name, key)];
};
const settable = (attrs: TfAttribute[]) => attrs.filter((a) => a.required || a.optional);
/** Every resource and data source the provider serves: the generated ones and the hand-written ones. */
const resourceTypes = [...providerSchema.resources.map((r) => r.typeName), ...Object.keys(resources)].sort();
const dataSourceTypes = [...providerSchema.dataSources.map((d) => d.typeName), ...Object.keys(dataSources)].sort();

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

describe('cdktf: generated bindings', () => {
  it('exports schema.json in the `terraform providers schema -json` format, from the generated provider schema', () => {
    const onDisk = JSON.parse(readFileSync(join(ROOT, CDKTF_DIR, 'schema.json'), 'utf8'));
    expect(onDisk).to.deep.equal(providerSchemaJson(providerSchema));
    expect(onDisk.format_version).to.equal('1.0');
    const p = onDisk.provider_schemas[PROVIDER_ADDRESS];
    expect(Object.keys(p.resource_schemas)).to.deep.equal(resourceTypes);
    expect(Object.keys(p.data_source_schemas)).to.deep.equal(dataSourceTypes);
    for (const [type, d] of Object.entries(dataSources))
      expect(Object.keys(p.data_source_schemas[type].block.attributes), type).to.deep.equal(
        Object.keys(d.schema.block.attributes ?? {}).sort(),
      );
    for (const [type, r] of Object.entries(resources))
      expect(Object.keys(p.resource_schemas[type].block.attributes), type).to.deep.equal(
        Object.keys(r.schema.block.attributes ?? {}).sort(),
      );
    expect(p.provider.block.attributes.token).to.include({ sensitive: true, optional: true });
    // Every generated resource waits, so has a timeouts block; a hand-written one has its own schema.
    for (const r of providerSchema.resources)
      expect(p.resource_schemas[r.typeName].block.block_types.timeouts.nesting_mode).to.equal('single');
  });

  it('has exactly one class per resource, per data source, and the provider', () => {
    const found = bindingClasses();
    expect([...found.resources.keys()].sort()).to.deep.equal(resourceTypes);
    expect([...found.dataSources.keys()].sort()).to.deep.equal(dataSourceTypes);
    expect([...found.providers.keys()]).to.deep.equal(['atonix']);
  });

  it('maps every settable attribute of every type to its snake_case name', () => {
    const found = bindingClasses();
    const stack = new TerraformStack(testApp(), 'all');
    new bindings.provider.AtonixProvider(stack, 'atonix');
    const kinds = [
      ['resource', providerSchema.resources, found.resources],
      ['data', providerSchema.dataSources, found.dataSources],
    ] as const;
    for (const [key, defs, classes] of kinds) {
      for (const def of defs) {
        const config = Object.fromEntries(
          settable(def.attributes).map((a) => [camel(a.name), sample(a.type, a.name, camel)]),
        );
        new (classes.get(def.typeName)!)(stack, `${key}-${def.typeName}`, config);
      }
    }
    const json = JSON.parse(Testing.synth(stack));
    for (const [key, defs] of kinds) {
      for (const def of defs) {
        const body = json[key][def.typeName][`${key}-${def.typeName}`];
        const expected = Object.fromEntries(settable(def.attributes).map((a) => [a.name, sample(a.type, a.name)]));
        expect(body, def.typeName).to.deep.equal(expected);
      }
    }
  });

  it('builds the hand-written atonix_bucket_object and its data source, as Terraform JSON in snake_case', () => {
    const stack = new TerraformStack(testApp(), 'objects');
    new bindings.provider.AtonixProvider(stack, 'atonix');
    const b = new bindings.bucket.Bucket(stack, 'site', { name: 'site', forceDestroy: true });
    const page = new bindings.bucketObject.BucketObject(stack, 'index', {
      bucket: b.name,
      key: 'index.html',
      source: 'site/index.html',
      contentType: 'text/html',
      cacheControl: 'max-age=60',
      metadata: { owner: 'web' },
    });
    const read = new bindings.dataAtonixBucketObject.DataAtonixBucketObject(stack, 'read', {
      bucket: b.name,
      key: page.key,
    });
    new TerraformOutput(stack, 'etag', { value: page.etag });
    new TerraformOutput(stack, 'content', { value: read.content });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.resource.atonix_bucket_object.index).to.deep.equal({
      bucket: '${atonix_bucket.site.name}',
      key: 'index.html',
      source: 'site/index.html',
      content_type: 'text/html',
      cache_control: 'max-age=60',
      metadata: { owner: 'web' },
    });
    expect(json.data.atonix_bucket_object.read).to.deep.equal({
      bucket: '${atonix_bucket.site.name}',
      key: '${atonix_bucket_object.index.key}',
    });
    expect(json.output.etag.value).to.equal('${atonix_bucket_object.index.etag}');
  });

  it('builds atonix_iam_policy_document with its statement and condition blocks, as Terraform JSON in snake_case', () => {
    const stack = new TerraformStack(testApp(), 'policy');
    new bindings.provider.AtonixProvider(stack, 'atonix');
    const policy = new bindings.dataAtonixIamPolicyDocument.DataAtonixIamPolicyDocument(stack, 'web', {
      policyId: 'web',
      sourcePolicyDocuments: ['{"Statement": []}'],
      statement: [
        {
          sid: 'Manage',
          actions: ['compute:CreateInstance'],
          notResources: ['atx:compute:us-east-1:usr-a:instance/inst-keep'],
          condition: [{ test: 'StringEquals', variable: 'atx:RequestedRegion', values: ['us-east-1'] }],
        },
      ],
    });
    new TerraformOutput(stack, 'policy', { value: policy.json });
    const body = JSON.parse(Testing.synth(stack)).data.atonix_iam_policy_document.web;
    expect(body).to.deep.equal({
      policy_id: 'web',
      source_policy_documents: ['{"Statement": []}'],
      statement: [
        {
          sid: 'Manage',
          actions: ['compute:CreateInstance'],
          not_resources: ['atx:compute:us-east-1:usr-a:instance/inst-keep'],
          condition: [{ test: 'StringEquals', variable: 'atx:RequestedRegion', values: ['us-east-1'] }],
        },
      ],
    });
    expect(JSON.parse(Testing.synth(stack)).output.policy.value).to.equal(
      '${data.atonix_iam_policy_document.web.json}',
    );
  });

  it('regenerates byte for byte, and provider/cdktf/lib holds nothing else', async () => {
    const header = readFileSync(join(ROOT, 'provider/src/generated/schema.ts'), 'utf8').split('\n')[0] + '\n';
    const outputs = await cdktfBindings(providerSchema, header);
    for (const o of outputs) expect(readFileSync(join(ROOT, o.path), 'utf8'), o.path).to.equal(o.content);
    const lib = join(ROOT, CDKTF_DIR, 'lib');
    expect(
      walk(lib)
        .map((f) => relative(ROOT, f))
        .sort(),
    ).to.deep.equal(
      outputs
        .map((o) => o.path)
        .filter((p) => p.startsWith(`${CDKTF_DIR}/lib/`))
        .sort(),
    );
    for (const o of outputs.filter((x) => x.path.endsWith('.ts')))
      expect(o.content.split('\n')[0], o.path).to.match(/DO NOT EDIT/);
  });

  it('refuses attribute names that are Terraform meta-arguments, naming each', () => {
    const attr = (name: string): TfAttribute => ({
      name,
      type: 'string',
      description: '',
      required: false,
      optional: true,
      computed: false,
      sensitive: false,
      forceNew: false,
    });
    const [vpc] = providerSchema.resources.filter((r) => r.typeName === 'atonix_vpc');
    const flavor = providerSchema.dataSources.find((d) => d.typeName === 'atonix_flavor');
    const bad = {
      resources: [{ ...vpc!, attributes: [...vpc!.attributes, attr('count'), attr('lifecycle')] }],
      dataSources: [{ ...flavor!, attributes: [...flavor!.attributes, attr('depends_on')] }],
    };
    expect(() => providerSchemaJson(bad)).to.throw(
      /atonix_vpc\.count\n\s+atonix_vpc\.lifecycle\n\s+data\.atonix_flavor\.depends_on/,
    );
    expect(() => providerSchemaJson(providerSchema)).to.not.throw();
  });
});
