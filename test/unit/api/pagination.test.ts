import { expect } from 'chai';
import { decodeCursor, encodeCursor } from '../../../api/src/platform/resources/pagination.js';
import { Problem } from '../../../api/src/platform/problems.js';

describe('cursors', () => {
  it('round-trip the position and are opaque', () => {
    for (const seq of [1, 42, 2 ** 40]) expect(decodeCursor(encodeCursor(seq))).to.equal(seq);
    expect(encodeCursor(42)).to.not.contain('42');
    expect(decodeCursor(undefined)).to.equal(undefined);
  });

  it('refuse cursors this API did not issue as a 400 on the cursor parameter', () => {
    for (const bad of [
      'abc',
      '',
      Buffer.from('s:-1').toString('base64url'),
      Buffer.from('s:1;drop').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad))
        .to.throw(Problem)
        .with.property('status', 400);
    }
  });
});
