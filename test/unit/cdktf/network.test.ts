// Network: the VPC and subnet layout it synthesizes, and the layouts it refuses at synth time.
import { expect } from 'chai';
import { Network, type NetworkProps } from '../../../provider/cdktf/constructs/index.js';
import { TerraformOutput, Testing } from '../../../provider/cdktf/constructs/cdktf.js';
import { resourcesOf, synthJson, testStack } from './support.js';

function synthNetwork(props: Partial<NetworkProps> = {}) {
  const stack = testStack();
  const network = new Network(stack, 'net', { name: 'main', cidrBlock: '10.0.0.0/16', subnetCount: 3, ...props });
  return { network, json: synthJson(stack) };
}

const build = (props: Partial<NetworkProps>) => () => synthNetwork(props);

describe('cdktf: Network', () => {
  it('synthesizes one VPC with the CIDR block and name it was given', () => {
    const { json } = synthNetwork();
    expect(resourcesOf(json, 'atonix_vpc')).to.deep.equal([{ name: 'main', cidr_block: '10.0.0.0/16' }]);
    expect(Testing.toHaveResourceWithProperties(json.raw, 'atonix_vpc', { cidr_block: '10.0.0.0/16' })).to.equal(true);
  });

  it('by default carves the largest equal subnets that fit, spread over the three zones of us-east-1', () => {
    const { json } = synthNetwork();
    const subnets = resourcesOf(json, 'atonix_subnet');
    expect(subnets.map((s) => [s.name, s.cidr_block, s.availability_zone])).to.deep.equal([
      ['main-1', '10.0.0.0/18', 'us-east-1a'],
      ['main-2', '10.0.64.0/18', 'us-east-1b'],
      ['main-3', '10.0.128.0/18', 'us-east-1c'],
    ]);
  });

  it('puts every subnet in the VPC by reference, so terraform creates the VPC first', () => {
    const { json } = synthNetwork();
    const vpcKey = Object.keys(json.resource.atonix_vpc!)[0];
    for (const s of resourcesOf(json, 'atonix_subnet')) expect(s.vpc_id).to.equal(`\${atonix_vpc.${vpcKey}.id}`);
  });

  it('uses the given subnet prefix and wraps round the zones of the given region', () => {
    const { json, network } = synthNetwork({
      cidrBlock: '192.168.0.0/20',
      subnetCount: 5,
      subnetPrefix: 24,
      region: 'eu-west-2',
    });
    expect(resourcesOf(json, 'atonix_subnet').map((s) => `${s.cidr_block}@${s.availability_zone}`)).to.deep.equal([
      '192.168.0.0/24@eu-west-2a',
      '192.168.1.0/24@eu-west-2b',
      '192.168.2.0/24@eu-west-2c',
      '192.168.3.0/24@eu-west-2a',
      '192.168.4.0/24@eu-west-2b',
    ]);
    expect(network.layout.subnets.map((s) => s.zone)).to.deep.equal([
      'eu-west-2a',
      'eu-west-2b',
      'eu-west-2c',
      'eu-west-2a',
      'eu-west-2b',
    ]);
  });

  it('uses explicit zones in the order given', () => {
    const { json } = synthNetwork({ subnetCount: 4, subnetPrefix: 24, zones: ['us-east-1c', 'us-east-1a'] });
    expect(resourcesOf(json, 'atonix_subnet').map((s) => s.availability_zone)).to.deep.equal([
      'us-east-1c',
      'us-east-1a',
      'us-east-1c',
      'us-east-1a',
    ]);
  });

  it('fills a block exactly: one subnet as large as the VPC, or all sixteen /28s of a /24', () => {
    expect(
      resourcesOf(synthNetwork({ subnetCount: 1, subnetPrefix: 16 }).json, 'atonix_subnet')[0]!.cidr_block,
    ).to.equal('10.0.0.0/16');
    const all = resourcesOf(synthNetwork({ cidrBlock: '10.9.8.0/24', subnetCount: 16 }).json, 'atonix_subnet');
    expect(all.map((s) => s.cidr_block))
      .to.have.length(16)
      .and.include('10.9.8.0/28')
      .and.include('10.9.8.240/28');
  });

  it('exposes the VPC id and the subnet ids as references', () => {
    const stack = testStack();
    const n = new Network(stack, 'n', { name: 'x', cidrBlock: '10.1.0.0/16', subnetCount: 2 });
    new TerraformOutput(stack, 'vpc', { value: n.vpcId });
    new TerraformOutput(stack, 'subnets', { value: n.subnetIds });
    const { output } = synthJson(stack);
    expect(output.vpc.value).to.equal(`\${atonix_vpc.${n.vpc.friendlyUniqueId}.id}`);
    expect(output.subnets.value).to.deep.equal(n.subnets.map((s) => `\${atonix_subnet.${s.friendlyUniqueId}.id}`));
  });

  describe('refuses at synth time, naming the numbers', () => {
    it('subnets that do not fit at the requested prefix', () => {
      expect(build({ cidrBlock: '10.0.0.0/24', subnetCount: 8, subnetPrefix: 26 })).to.throw(
        'Network "test/net": 10.0.0.0/24 cannot hold 8 subnets of /26: it has room for 4',
      );
    });

    it('more subnets than /28s fit, when no prefix is given', () => {
      expect(build({ cidrBlock: '10.0.0.0/26', subnetCount: 5 })).to.throw(
        '10.0.0.0/26 cannot hold 5 subnets of /28: it has room for 4',
      );
    });

    it('a CIDR with host bits set, suggesting the network address', () => {
      expect(build({ cidrBlock: '10.0.0.1/16' })).to.throw(
        '"10.0.0.1/16" is not a network address: did you mean 10.0.0.0/16?',
      );
    });

    it('something that is not a CIDR', () => {
      expect(build({ cidrBlock: '10.0.0.256/16' })).to.throw('is not an IPv4 CIDR');
      expect(build({ cidrBlock: 'ten/8' })).to.throw('is not an IPv4 CIDR');
    });

    it('a VPC prefix outside /16../28', () => {
      expect(build({ cidrBlock: '10.0.0.0/8' })).to.throw('cidrBlock 10.0.0.0/8 must have a prefix from /16 to /28');
      expect(build({ cidrBlock: '10.0.0.0/29', subnetCount: 1 })).to.throw('must have a prefix from /16 to /28');
    });

    it("a subnet prefix shorter than the VPC's or longer than /28", () => {
      expect(build({ cidrBlock: '10.0.0.0/20', subnetPrefix: 19 })).to.throw(
        "subnetPrefix must be from /20 (the VPC's) to /28, not /19",
      );
      expect(build({ subnetPrefix: 29 })).to.throw("subnetPrefix must be from /16 (the VPC's) to /28, not /29");
    });

    it('a subnet count below one, and no zones', () => {
      expect(build({ subnetCount: 0 })).to.throw('subnetCount must be a whole number from 1, not 0');
      expect(build({ subnetCount: 1.5 })).to.throw('subnetCount must be a whole number from 1');
      expect(build({ zones: [] })).to.throw('zones may not be empty');
    });

    it('a CIDR only known at apply time', () => {
      const stack = testStack();
      const other = new Network(stack, 'a', { name: 'a', cidrBlock: '10.0.0.0/16', subnetCount: 1 });
      expect(() => new Network(stack, 'b', { name: 'b', cidrBlock: other.vpc.cidrBlock, subnetCount: 1 })).to.throw(
        'Network "test/b": cidrBlock must be a literal CIDR',
      );
    });
  });
});
