import { expect } from 'chai';
import {
  contains,
  firstFree,
  intToIp,
  ipToInt,
  overlaps,
  parseCidr,
  type Cidr,
} from '../../../api/src/networking/cidr.js';

const c = (t: string) => parseCidr(t) as Cidr;

describe('cidr maths', () => {
  it('parses network addresses and reports why others are refused', () => {
    expect(c('10.0.0.0/16')).to.include({ network: ipToInt('10.0.0.0'), prefix: 16, size: 65536, text: '10.0.0.0/16' });
    expect(parseCidr('10.0.0.1/16')).to.equal('must be a network address: 10.0.0.0/16');
    expect(parseCidr('10.0.0.0/33')).to.match(/IPv4 CIDR/);
    expect(parseCidr('10.0.0.0/15', 16, 28)).to.match(/from \/16 to \/28/);
    expect(parseCidr('1.2.3/8')).to.match(/IPv4 CIDR/);
    expect(parseCidr('01.2.3.0/24')).to.match(/IPv4 CIDR/);
    expect(parseCidr('0.0.0.0/0')).to.include({ size: 2 ** 32 });
    expect(parseCidr('255.255.255.255/32')).to.include({ size: 1 });
  });

  it('round-trips addresses at the ends of the range', () => {
    for (const ip of ['0.0.0.0', '255.255.255.255', '10.20.30.40', '192.168.0.1'])
      expect(intToIp(ipToInt(ip)!)).to.equal(ip);
    expect(ipToInt('256.0.0.0')).to.equal(undefined);
  });

  it('tells containment and overlap apart', () => {
    expect(contains(c('10.0.0.0/16'), c('10.0.255.240/28'))).to.equal(true);
    expect(contains(c('10.0.0.0/16'), c('10.1.0.0/24'))).to.equal(false);
    expect(contains(c('10.0.0.0/24'), c('10.0.0.0/16'))).to.equal(false);
    expect(overlaps(c('10.0.0.0/24'), c('10.0.0.128/25'))).to.equal(true);
    expect(overlaps(c('10.0.0.0/25'), c('10.0.0.128/25'))).to.equal(false);
    expect(overlaps(c('10.0.0.0/16'), c('10.0.200.0/24'))).to.equal(true);
  });

  it('hands out the lowest free address after the four reserved at the start, never the broadcast', () => {
    const s = c('10.0.0.0/28');
    expect(intToIp(firstFree(s, new Set())!)).to.equal('10.0.0.4');
    const used = new Set<number>();
    for (let i = 4; i < 15; i++) used.add(s.network + i);
    expect(firstFree(s, used)).to.equal(undefined);
    used.delete(s.network + 9);
    expect(intToIp(firstFree(s, used)!)).to.equal('10.0.0.9');
  });
});
