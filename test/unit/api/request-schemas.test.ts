import { expect } from 'chai';
import { loadSpec } from '../../../api/src/platform/operations/spec.js';
import { requestSchema, validatorsFor, fieldErrors } from '../../../api/src/platform/operations/validation.js';
import { registry } from '../../../api/src/generated/registry.js';

describe('request schemas derived from the resource schema', () => {
  const spec = loadSpec();
  const ajv = validatorsFor(spec).strict;

  it('drops read-only fields and keeps required writable ones on create', () => {
    const s = requestSchema(spec, spec.components.schemas.Instance!, 'create');
    expect(Object.keys(s.properties)).to.have.members([
      'name',
      'power_state',
      'flavor_id',
      'image_id',
      'subnet_id',
      'security_group_ids',
      'metadata',
    ]);
    expect(s.required).to.have.members(['name', 'flavor_id', 'image_id']);
  });

  it('leaves the parent field to the path for nested creates', () => {
    const s = requestSchema(spec, spec.components.schemas.Subnet!, 'create', 'vpc_id');
    expect(s.required).to.not.include('vpc_id');
  });

  it('requires nothing on PATCH and lets optional fields be reset with null', () => {
    const validate = ajv.compile(requestSchema(spec, spec.components.schemas.Instance!, 'patch'));
    expect(validate({})).to.equal(true);
    expect(validate({ subnet_id: null, metadata: null })).to.equal(true);
    expect(validate({ name: null })).to.equal(false);
    expect(fieldErrors(validate.errors).map((e) => e.pointer)).to.deep.equal(['/name']);
  });

  it('generates a registry entry with paths, operations and property flags for every x-resource schema', () => {
    expect(registry.instance!.paths).to.deep.equal({
      list: '/api/compute/instances',
      create: '/api/compute/instances',
      item: '/api/compute/instances/{id}',
    });
    expect(registry.subnet!.paths.create).to.equal('/api/networking/vpcs/{vpc_id}/subnets');
    expect(registry.instance!.properties.flavor_id).to.include({ immutable: true, readOnly: false });
    expect(registry.instance!.properties.status).to.include({ readOnly: true });
    expect(registry.instance!.properties.power_state!.default).to.equal('running');
    expect(registry.vpc!.operations).to.deep.equal({
      list: 'listVpcs',
      create: 'createVpc',
      get: 'getVpc',
      update: 'updateVpc',
      delete: 'deleteVpc',
    });
  });
});
