// geoDecision: CloudFront's geo restriction (unknown viewers pass a deny list, fail an allow list) and origin routes
// by country or continent, first match winning.
import { expect } from 'chai';
import { geoApplies, geoDecision } from '../../../api/src/cdn/geo/decision.js';
import { continentOf } from '../../../api/src/cdn/geo/continents.js';
import type { GeoRules } from '../../../api/src/cdn/model.js';

const rules = (over: Partial<GeoRules> = {}): GeoRules => ({
  restriction: { type: 'none', countries: [] },
  origin_routes: [],
  ...over,
});
const de = { country: 'DE', continent: 'EU' };
const us = { country: 'US', continent: 'NA' };
const unknown = {};

describe('cdn geo: decisions', () => {
  it('allows everyone without a restriction, and needs no lookup without rules', () => {
    expect(geoDecision(rules(), de)).to.deep.equal({ allowed: true });
    expect(geoDecision(rules(), unknown)).to.deep.equal({ allowed: true });
    expect(geoApplies(rules())).to.equal(false);
    expect(geoApplies(rules({ restriction: { type: 'deny', countries: ['DE'] } }))).to.equal(true);
    expect(geoApplies(rules({ origin_routes: [{ match: 'EU', target_origin_id: 'eu' }] }))).to.equal(true);
  });

  it('an allow list admits its countries only; an unknown viewer is denied', () => {
    const r = rules({ restriction: { type: 'allow', countries: ['DE', 'FR'] } });
    expect(geoDecision(r, de).allowed).to.equal(true);
    expect(geoDecision(r, us).allowed).to.equal(false);
    expect(geoDecision(r, unknown).allowed).to.equal(false);
  });

  it('a deny list refuses its countries only; an unknown viewer is allowed', () => {
    const r = rules({ restriction: { type: 'deny', countries: ['US'] } });
    expect(geoDecision(r, us).allowed).to.equal(false);
    expect(geoDecision(r, de).allowed).to.equal(true);
    expect(geoDecision(r, unknown).allowed).to.equal(true);
  });

  it('routes by country or continent, the first matching route winning', () => {
    const r = rules({
      origin_routes: [
        { match: 'DE', target_origin_id: 'frankfurt' },
        { match: 'EU', target_origin_id: 'europe' },
        { match: 'US', target_origin_id: 'virginia' },
      ],
    });
    expect(geoDecision(r, de)).to.deep.equal({ allowed: true, target_origin_id: 'frankfurt' });
    expect(geoDecision(r, { country: 'FR', continent: 'EU' })).to.deep.equal({
      allowed: true,
      target_origin_id: 'europe',
    });
    expect(geoDecision(r, us)).to.deep.equal({ allowed: true, target_origin_id: 'virginia' });
    // no route: the behaviour's own target
    expect(geoDecision(r, { country: 'JP', continent: 'AS' })).to.deep.equal({ allowed: true });
    expect(geoDecision(r, unknown)).to.deep.equal({ allowed: true });
    // order decides: a continent route listed first shadows a country route after it
    const broadFirst = rules({
      origin_routes: [
        { match: 'EU', target_origin_id: 'europe' },
        { match: 'DE', target_origin_id: 'frankfurt' },
      ],
    });
    expect(geoDecision(broadFirst, de)).to.deep.equal({ allowed: true, target_origin_id: 'europe' });
  });

  it('a denied viewer is not routed', () => {
    const r = rules({
      restriction: { type: 'deny', countries: ['DE'] },
      origin_routes: [{ match: 'DE', target_origin_id: 'frankfurt' }],
    });
    expect(geoDecision(r, de)).to.deep.equal({ allowed: false });
  });

  it('maps countries to the seven continents', () => {
    expect(['DE', 'US', 'BR', 'JP', 'ZA', 'AU', 'AQ'].map(continentOf)).to.deep.equal([
      'EU',
      'NA',
      'SA',
      'AS',
      'AF',
      'OC',
      'AN',
    ]);
    expect(continentOf('ZZ')).to.equal(undefined);
    expect(continentOf(undefined)).to.equal(undefined);
  });
});
