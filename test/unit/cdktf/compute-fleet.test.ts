// ComputeFleet: instances spread round-robin over a Network's subnets, with their ids and private IPs exposed.
import { expect } from 'chai';
import { ComputeFleet, Network, type ComputeFleetProps } from '../../../provider/cdktf/constructs/index.js';
import { TerraformOutput, Testing } from '../../../provider/cdktf/constructs/cdktf.js';
import { resourcesOf, synthJson, testStack } from './support.js';

function synthFleet(props: Partial<ComputeFleetProps> = {}) {
  const stack = testStack();
  const network = new Network(stack, 'net', {
    name: 'main',
    cidrBlock: '10.0.0.0/16',
    subnetCount: 3,
    subnetPrefix: 24,
  });
  const fleet = new ComputeFleet(stack, 'web', {
    name: 'web',
    size: 5,
    network,
    flavorId: 'flv-small',
    imageId: 'img-debian',
    ...props,
  });
  new TerraformOutput(stack, 'ids', { value: fleet.ids });
  new TerraformOutput(stack, 'ips', { value: fleet.privateIps });
  const json = synthJson(stack);
  const subnetKeys = network.subnets.map((s) => s.friendlyUniqueId);
  const instanceKeys = fleet.instances.map((i) => i.friendlyUniqueId);
  return { json, fleet, subnetKeys, instanceKeys };
}

describe('cdktf: ComputeFleet', () => {
  it('creates `size` instances of the flavor and image, named <name>-<i>', () => {
    const { json } = synthFleet();
    const instances = resourcesOf(json, 'atonix_instance');
    expect(instances.map((i) => i.name)).to.deep.equal(['web-1', 'web-2', 'web-3', 'web-4', 'web-5']);
    for (const i of instances) expect(i).to.include({ flavor_id: 'flv-small', image_id: 'img-debian' });
  });

  it('spreads the instances round-robin over the subnets', () => {
    const { json, subnetKeys } = synthFleet();
    const ref = (k: number) => `\${atonix_subnet.${subnetKeys[k]}.id}`;
    expect(resourcesOf(json, 'atonix_instance').map((i) => i.subnet_id)).to.deep.equal([
      ref(0),
      ref(1),
      ref(2),
      ref(0),
      ref(1),
    ]);
  });

  it('exposes every id and private IP as a reference to its instance', () => {
    const { json, instanceKeys } = synthFleet();
    expect(json.output.ids.value).to.deep.equal(instanceKeys.map((k) => `\${atonix_instance.${k}.id}`));
    expect(json.output.ips.value).to.deep.equal(instanceKeys.map((k) => `\${atonix_instance.${k}.private_ip}`));
  });

  it('passes power state, metadata and timeouts to every instance, and sets nothing it was not given', () => {
    const given = synthFleet({
      size: 2,
      powerState: 'stopped',
      metadata: { role: 'web' },
      timeouts: { create: '10m' },
    });
    expect(
      Testing.toHaveResourceWithProperties(given.json.raw, 'atonix_instance', {
        name: 'web-2',
        power_state: 'stopped',
        metadata: { role: 'web' },
        timeouts: { create: '10m' },
      }),
    ).to.equal(true);
    const plain = resourcesOf(synthFleet({ size: 1 }).json, 'atonix_instance')[0]!;
    expect(plain).to.have.all.keys('name', 'flavor_id', 'image_id', 'subnet_id');
  });

  it('may be empty', () => {
    const { json, fleet } = synthFleet({ size: 0 });
    expect(resourcesOf(json, 'atonix_instance')).to.deep.equal([]);
    expect(fleet.ids).to.deep.equal([]);
  });

  it('refuses a size that is not a whole number from 0, at synth time', () => {
    expect(() => synthFleet({ size: -1 })).to.throw(
      'ComputeFleet "test/web": size must be a whole number from 0, not -1',
    );
    expect(() => synthFleet({ size: 2.5 })).to.throw('size must be a whole number from 0, not 2.5');
  });
});
