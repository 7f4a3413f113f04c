// The platform's named edge locations and CloudFront's price classes over them: PriceClass_100 is North America and
// Europe, PriceClass_200 adds Asia, the Middle East and Africa, PriceClass_All is every location.
const CLASS_100 = ['iad1', 'ord1', 'sfo1', 'yul1', 'fra1', 'lhr1', 'cdg1', 'ams1'];
const CLASS_200 = [...CLASS_100, 'nrt1', 'sin1', 'bom1', 'icn1', 'dxb1', 'jnb1'];
const CLASS_ALL = [...CLASS_200, 'gru1', 'syd1', 'scl1'];

export type PriceClass = 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';

export const edgeLocationsOf = (priceClass: PriceClass): string[] =>
  priceClass === 'PriceClass_100' ? [...CLASS_100] : priceClass === 'PriceClass_200' ? [...CLASS_200] : [...CLASS_ALL];
