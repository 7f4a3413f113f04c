// The generated file share bindings: a share with export rules as a nested set and a mount target that names it,
// synthesized to the JSON terraform reads.
import { expect } from 'chai';
import { fileShare, fileShareMountTarget, subnet, vpc } from '../../../provider/cdktf/lib/index.js';
import { TerraformOutput } from '../../../provider/cdktf/constructs/cdktf.js';
import { resourcesOf, synthJson, testStack } from './support.js';

describe('cdktf: file shares', () => {
  it('synthesizes a share with its rules and a mount target wired to the share and subnet by reference', () => {
    const stack = testStack();
    const net = new vpc.Vpc(stack, 'net', { name: 'files', cidrBlock: '10.0.0.0/16' });
    const a = new subnet.Subnet(stack, 'a', { name: 'a', vpcId: net.id, cidrBlock: '10.0.1.0/24' });
    const share = new fileShare.FileShare(stack, 'home', {
      name: 'home',
      vpcId: net.id,
      sizeGb: 100,
      protocol: 'NFS',
      exportRules: [
        { priority: 10, clientCidr: '10.0.1.0/24', access: 'read-write', rootSquash: false },
        { priority: 20, clientCidr: '10.0.0.0/16', access: 'read-only' },
      ],
    });
    const mt = new fileShareMountTarget.FileShareMountTarget(stack, 'mt', { fileShareId: share.id, subnetId: a.id });
    new TerraformOutput(stack, 'mount', { value: mt.mountCommand });
    const json = synthJson(stack);
    const [s] = resourcesOf(json, 'atonix_file_share');
    expect(s).to.deep.include({ name: 'home', size_gb: 100, protocol: 'NFS' });
    expect(s.export_rules).to.deep.equal([
      { priority: 10, client_cidr: '10.0.1.0/24', access: 'read-write', root_squash: false },
      { priority: 20, client_cidr: '10.0.0.0/16', access: 'read-only' },
    ]);
    const [m] = resourcesOf(json, 'atonix_file_share_mount_target');
    expect(m.file_share_id).to.equal('${atonix_file_share.home.id}');
    expect(m.subnet_id).to.equal('${atonix_subnet.a.id}');
    expect(json.output.mount.value).to.equal('${atonix_file_share_mount_target.mt.mount_command}');
  });
});
