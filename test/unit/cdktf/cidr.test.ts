// The constructs' CIDR maths: parsing, formatting and carving across the whole IPv4 range.
import { expect } from 'chai';
import { capacity, carve, formatCidr, largestFit, parseCidr } from '../../../provider/cdktf/constructs/cidr.js';

describe('cdktf: CIDR maths', () => {
  it('round-trips addresses above 2^31 (no signed 32-bit arithmetic)', () => {
    for (const text of ['0.0.0.0/0', '192.168.255.0/24', '255.255.255.240/28', '10.0.0.0/8', '172.16.0.0/12']) {
      expect(formatCidr(parseCidr(text))).to.equal(text);
    }
  });

  it('carves consecutive blocks from the start', () => {
    expect(carve(parseCidr('192.168.255.0/24'), 4, 26).map(formatCidr)).to.deep.equal([
      '192.168.255.0/26',
      '192.168.255.64/26',
      '192.168.255.128/26',
      '192.168.255.192/26',
    ]);
  });

  it('counts room and the largest fitting prefix', () => {
    expect(capacity(parseCidr('10.0.0.0/24'), 26)).to.equal(4);
    expect(capacity(parseCidr('10.0.0.0/24'), 23)).to.equal(0);
    expect([1, 2, 3, 4, 5, 8, 9].map((n) => largestFit(16, n))).to.deep.equal([16, 17, 18, 18, 19, 19, 20]);
  });

  it('says "subnet" for one', () => {
    expect(() => carve(parseCidr('10.0.0.0/24'), 1, 23)).to.throw(
      '10.0.0.0/24 cannot hold 1 subnet of /23: it has room for 0',
    );
  });
});
