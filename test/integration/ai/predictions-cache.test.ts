// The forecast cache's bounds: least recently used first out, by count and by the points the answers hold.
import { expect } from 'chai';
import { Lru } from '../../../api/src/ai/predictions/cache.js';

describe('ai: predictions cache bounds', () => {
  it('evicts the least recently used answer past its entry bound', () => {
    const c = new Lru<string>(2, 100);
    c.set('a', 'A');
    c.set('b', 'B');
    expect(c.get('a')).to.equal('A');
    c.set('c', 'C');
    expect([c.get('a'), c.get('b'), c.get('c')]).to.deep.equal(['A', undefined, 'C']);
  });

  it('evicts by the points held, and keeps no answer larger than the whole bound', () => {
    const c = new Lru<string>(10, 100);
    c.set('a', 'A', 60);
    c.set('b', 'B', 30);
    c.set('c', 'C', 20);
    expect([c.get('a'), c.get('b'), c.get('c')]).to.deep.equal([undefined, 'B', 'C']);
    c.set('huge', 'H', 101);
    expect(c.get('huge')).to.equal(undefined);
    c.set('b', 'B2', 81);
    expect([c.get('b'), c.get('c')]).to.deep.equal(['B2', undefined]);
  });
});
