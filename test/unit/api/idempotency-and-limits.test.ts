import { expect } from 'chai';
import { requestHash } from '../../../api/src/platform/operations/idempotency.js';
import { RateLimiter } from '../../../api/src/platform/http/rate-limit.js';

describe('idempotency request hash', () => {
  it('is equal for the same request and differs by method, path and body', () => {
    const h = requestHash('POST', '/api/networking/vpcs', { name: 'a', cidr_block: '10.0.0.0/16' });
    expect(requestHash('POST', '/api/networking/vpcs', { name: 'a', cidr_block: '10.0.0.0/16' })).to.equal(h);
    expect(requestHash('POST', '/api/networking/vpcs', { name: 'b', cidr_block: '10.0.0.0/16' })).to.not.equal(h);
    expect(requestHash('POST', '/api/compute/instances', { name: 'a', cidr_block: '10.0.0.0/16' })).to.not.equal(h);
    expect(requestHash('PUT', '/api/networking/vpcs', { name: 'a', cidr_block: '10.0.0.0/16' })).to.not.equal(h);
  });
});

describe('token-bucket rate limiter', () => {
  it('allows the burst, then refuses with a Retry-After until tokens refill', () => {
    const l = new RateLimiter(2, 3);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) l.take('tok', t0);
    expect(() => l.take('tok', t0))
      .to.throw()
      .with.property('status', 429);
    l.take('other', t0); // buckets are per token
    l.take('tok', t0 + 500); // 0.5 s at 2/s refills one token
    expect(() => l.take('tok', t0 + 500))
      .to.throw()
      .with.property('headers')
      .that.deep.equals({
        'Retry-After': '1',
        'RateLimit-Policy': '"default";q=3;w=2',
        RateLimit: '"default";r=0;t=2',
      });
  });

  it("answers each take's state for the RateLimit headers: quota, window, what remains and when it is full", () => {
    const l = new RateLimiter(2, 3);
    expect(l.take('tok', 0)).to.deep.equal({ quota: 3, window: 2, remaining: 2, reset: 1 });
    expect(l.take('tok', 0)).to.deep.equal({ quota: 3, window: 2, remaining: 1, reset: 1 });
    expect(l.take('tok', 0)).to.deep.equal({ quota: 3, window: 2, remaining: 0, reset: 2 });
  });

  it('keeps a spent bucket when the map overflows: only refilled buckets are forgotten', () => {
    const l = new RateLimiter(1, 3);
    for (let i = 0; i < 3; i++) l.take('tok', 0);
    for (let i = 1; i < 50_000; i++) l.take(`address:${i}`, 0); // 50,000 buckets with the token's
    l.take('address:late', 1000); // overflow, 1 s on: the sprayed buckets are full again, the token's is not
    expect(l.take('tok', 1000)!.remaining).to.equal(0); // one token refilled and taken; not a fresh bucket of 3
    expect(() => l.take('tok', 1000))
      .to.throw()
      .with.property('status', 429);
  });

  it('is off at 0 requests per second', () => {
    const l = new RateLimiter(0, 0);
    for (let i = 0; i < 1000; i++) l.take('tok');
  });
});
