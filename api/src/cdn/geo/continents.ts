// Country -> continent (AF AN AS EU NA OC SA), from the maintained countries-list package (annexare/Countries, MIT):
// the same seven codes MaxMind's databases use, so a GeoIP2 record's own continent and this table agree.
import { countries } from 'countries-list';

const table = new Map<string, string>(Object.entries(countries).map(([code, c]) => [code, c.continent]));

export const continentOf = (country: string | undefined): string | undefined =>
  country === undefined ? undefined : table.get(country);
