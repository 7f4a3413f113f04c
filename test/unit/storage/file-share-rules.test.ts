// The file share rules no schema can say: export rules' CIDRs, priorities and root squash, grow-only sizes, and the
// mount command a client pastes.
import { expect } from 'chai';
import { Problem } from '../../../api/src/platform/problems.js';
import { checkExportRules, checkResize, mountCommand } from '../../../api/src/storage/file-shares/rules.js';

const pointerOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(Problem);
    return (e as Problem).errors![0]!;
  }
  throw new Error('expected a problem');
};

describe('storage: file share rules', () => {
  it('orders export rules by priority and gives every rule a root_squash (null when left out)', () => {
    const rules = checkExportRules('NFS', [
      { priority: 9, client_cidr: '0.0.0.0/0', access: 'read-only' },
      { priority: 1, client_cidr: '10.0.0.0/8', access: 'read-write', root_squash: true },
    ]);
    expect(rules.map((r) => [r.priority, r.root_squash])).to.deep.equal([
      [1, true],
      [9, null],
    ]);
  });

  it('refuses a host address as a CIDR, a repeated priority and root squash on SMB, pointing at the rule', () => {
    expect(
      pointerOf(() => checkExportRules('NFS', [{ priority: 1, client_cidr: '10.0.0.7/8', access: 'read-only' }])),
    ).to.include({ pointer: '/export_rules/0/client_cidr', code: 'InvalidCidr' });
    const twice = { priority: 3, client_cidr: '10.0.0.0/8', access: 'read-only' } as const;
    expect(pointerOf(() => checkExportRules('SMB', [twice, twice]))).to.include({
      pointer: '/export_rules/1/priority',
      code: 'DuplicatePriority',
    });
    expect(pointerOf(() => checkExportRules('SMB', [{ ...twice, root_squash: false }]))).to.include({
      pointer: '/export_rules/0/root_squash',
      code: 'NotForProtocol',
    });
    expect(checkExportRules('SMB', [{ ...twice, root_squash: null }])[0]!.root_squash).to.equal(null);
  });

  it('lets a share grow or stay, never shrink', () => {
    checkResize(10, 10);
    checkResize(10, 11);
    expect(pointerOf(() => checkResize(10, 9))).to.include({ pointer: '/size_gb', code: 'ShrinkNotAllowed' });
  });

  it('writes NFSv4.1 and SMB 3 mount commands naming the share by its id', () => {
    expect(mountCommand('NFS', 'fs-a', '10.0.1.23')).to.match(
      /^sudo mount -t nfs4 -o nfsvers=4\.1,.* 10\.0\.1\.23:\/ \/mnt\/fs-a$/,
    );
    expect(mountCommand('SMB', 'fs-a', '10.0.1.23')).to.match(
      /^sudo mount -t cifs \/\/10\.0\.1\.23\/fs-a \/mnt\/fs-a -o vers=3\.0,/,
    );
  });
});
